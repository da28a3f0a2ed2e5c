from django.db import migrations

from producers.reference import load_reference_data


def forwards(apps, schema_editor):
    load_reference_data(
        ProductGroup=apps.get_model("producers", "ProductGroup"),
        Group=apps.get_model("auth", "Group"),
        Permission=apps.get_model("auth", "Permission"),
        ContentType=apps.get_model("contenttypes", "ContentType"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("producers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
