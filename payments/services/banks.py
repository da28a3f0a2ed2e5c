"""The NAPAS bank list shipped with the project."""
import json
from pathlib import Path

from .. import vietqr
from ..models import Bank

BANKS_FILE = Path(__file__).resolve().parent.parent / "data" / "banks.json"


def banks_load(*, path=BANKS_FILE, update=False):
    """Loads the shipped NAPAS bank list. Existing banks are kept as an administrator left them
    unless `update`. Returns the number of banks created."""
    created = 0
    for row in json.loads(Path(path).read_text(encoding="utf-8")):
        vietqr.validate_bin(row["bin"])
        defaults = {"short_name": row["short_name"], "name": row["name"]}
        if update:
            _bank, was_created = Bank.objects.update_or_create(bin=row["bin"], defaults=defaults)
        else:
            _bank, was_created = Bank.objects.get_or_create(bin=row["bin"], defaults=defaults)
        created += was_created
    return created

