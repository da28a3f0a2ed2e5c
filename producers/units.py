"""Administrative units in force since 1 July 2025, from the `vietnam-provinces` package."""
from django.db import transaction
from vietnam_provinces import Province as VnProvince
from vietnam_provinces import Ward as VnWard

from .models import Commune, Province
from .text import name_key


@transaction.atomic
def load_administrative_units():
    """Insert or update the 34 provinces and their communes; safe to run again. Returns the counts."""
    provinces = [
        Province(code=int(p.code), name=p.name, codename=p.codename, division_type=p.division_type.value)
        for p in VnProvince.iter_all()
    ]
    Province.objects.bulk_create(
        provinces, update_conflicts=True, unique_fields=["code"],
        update_fields=["name", "codename", "division_type"],
    )
    communes = [
        Commune(
            code=int(w.code), province_id=int(w.province_code), name=w.name, codename=w.codename,
            division_type=w.division_type.value, name_key=commune_key(w.name),
        )
        for w in VnWard.iter_all()
    ]
    Commune.objects.bulk_create(
        communes, batch_size=1000, update_conflicts=True, unique_fields=["code"],
        update_fields=["province", "name", "codename", "division_type", "name_key"],
    )
    return len(provinces), len(communes)


COMMUNE_PREFIXES = ("xa ", "phuong ", "dac khu ", "thi tran ", "thi xa ")


def commune_key(name):
    """'Xã Tú Lệ', 'xa tu le', 'Tú Lệ' all give 'tu le'."""
    key = name_key(name)
    for prefix in COMMUNE_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def find_commune(name, province_code):
    """The commune of a province named in free text, or None when none or several match."""
    if not name:
        return None
    matches = list(Commune.objects.filter(province_id=province_code, name_key=commune_key(name))[:2])
    return matches[0] if len(matches) == 1 else None
