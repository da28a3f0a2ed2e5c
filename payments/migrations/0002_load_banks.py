import json
from pathlib import Path

from django.db import migrations

BANKS_FILE = Path(__file__).resolve().parent.parent / "data" / "banks.json"


def load_banks(apps, schema_editor):
    """The NAPAS bank list as shipped; banks already present (edited by an administrator) are kept."""
    Bank = apps.get_model("payments", "Bank")
    for row in json.loads(BANKS_FILE.read_text(encoding="utf-8")):
        Bank.objects.get_or_create(bin=row["bin"], defaults={"short_name": row["short_name"], "name": row["name"]})


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunPython(load_banks, migrations.RunPython.noop)]
