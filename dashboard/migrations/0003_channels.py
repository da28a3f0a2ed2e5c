"""Channels get a table of permanent bits, and ProductMonthChannel rows the figures of each channel
(0004 carries ProductMonth's per-channel columns over into them, 0005 drops the columns).

The bits seeded here are the ones the stored masks were written with: the position of each code in
the marketplace choices, then bank, manual, other. They are frozen in this file on purpose."""
import django.db.models.deletion
from django.db import migrations, models

# code -> bit, as the masks stored before this migration numbered them. Never change.
BITS = {"sandbox": 0, "shopee": 1, "lazada": 2, "tiki": 3, "postmart": 4, "voso": 5,
        "bank": 6, "manual": 7, "other": 8}


def seed_channels(apps, schema_editor):
    Channel = apps.get_model("dashboard", "Channel")
    Channel.objects.using(schema_editor.connection.alias).bulk_create(
        Channel(code=code, bit=bit) for code, bit in BITS.items())


class Migration(migrations.Migration):

    dependencies = [
        ('dashboard', '0002_product_sales'),
        ('producers', '0004_data_deletion_requests'),
    ]

    operations = [
        migrations.CreateModel(
            name='Channel',
            fields=[
                ('bit', models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ('code', models.CharField(help_text='a marketplace\'s code, or bank / manual / other', max_length=20,
                                          unique=True)),
            ],
        ),
        migrations.RunPython(seed_channels, migrations.RunPython.noop),
        migrations.CreateModel(
            name='ProductMonthChannel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('orders', models.PositiveIntegerField()),
                ('quantity', models.BigIntegerField()),
                ('revenue', models.BigIntegerField()),
                ('channel', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                              related_name='+', to='dashboard.channel')),
                ('product', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                              related_name='+', to='producers.ocopproduct')),
            ],
            options={
                'indexes': [models.Index(fields=['month', 'channel'], name='productmonthchannel_month')],
                'constraints': [models.UniqueConstraint(fields=('product', 'month', 'channel'),
                                                        name='productmonthchannel_unique')],
            },
        ),
        migrations.AlterField(
            model_name='productmonth',
            name='mask',
            field=models.BigIntegerField(default=0, help_text='1 << Channel.bit for each channel with orders'),
        ),
    ]
