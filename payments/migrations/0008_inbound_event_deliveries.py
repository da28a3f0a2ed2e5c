"""A webhook delivered again is counted on its first row instead of being stored again. Replays
stored before (state `duplicate`, same provider, no key of their own, pointing at the first row)
are folded into that row's count and removed; other duplicates (the same transfer reported by
another service) stay as they are."""
from django.db import migrations, models
from django.db.models import Count, Max


def fold_replays(apps, schema_editor):
    InboundEvent = apps.get_model("payments", "InboundEvent")
    replays = InboundEvent.objects.filter(state="duplicate", dedup_key="", duplicate_of__isnull=False,
                                          duplicate_of__provider=models.F("provider"))
    counts = replays.values("duplicate_of").annotate(n=Count("id"), last=Max("received_at"))
    for row in counts.iterator():
        InboundEvent.objects.filter(pk=row["duplicate_of"]).update(
            deliveries=models.F("deliveries") + row["n"], last_delivered_at=row["last"])
    replays.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0007_bank_account_one_holder_per_number"),
    ]

    operations = [
        migrations.AddField(
            model_name="inboundevent",
            name="deliveries",
            field=models.PositiveIntegerField(default=1, verbose_name="số lần nhận"),
        ),
        migrations.AddField(
            model_name="inboundevent",
            name="last_delivered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="nhận lần cuối lúc"),
        ),
        migrations.RunPython(fold_replays, migrations.RunPython.noop),
    ]
