"""ProductMonth's per-channel columns go: their figures are ProductMonthChannel rows since 0004."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('dashboard', '0004_productmonth_channel_rows'),
    ]

    operations = [
        migrations.RemoveField(model_name='productmonth', name='sandbox_orders'),
        migrations.RemoveField(model_name='productmonth', name='sandbox_quantity'),
        migrations.RemoveField(model_name='productmonth', name='sandbox_revenue'),
        migrations.RemoveField(model_name='productmonth', name='shopee_orders'),
        migrations.RemoveField(model_name='productmonth', name='shopee_quantity'),
        migrations.RemoveField(model_name='productmonth', name='shopee_revenue'),
        migrations.RemoveField(model_name='productmonth', name='lazada_orders'),
        migrations.RemoveField(model_name='productmonth', name='lazada_quantity'),
        migrations.RemoveField(model_name='productmonth', name='lazada_revenue'),
        migrations.RemoveField(model_name='productmonth', name='tiki_orders'),
        migrations.RemoveField(model_name='productmonth', name='tiki_quantity'),
        migrations.RemoveField(model_name='productmonth', name='tiki_revenue'),
        migrations.RemoveField(model_name='productmonth', name='postmart_orders'),
        migrations.RemoveField(model_name='productmonth', name='postmart_quantity'),
        migrations.RemoveField(model_name='productmonth', name='postmart_revenue'),
        migrations.RemoveField(model_name='productmonth', name='voso_orders'),
        migrations.RemoveField(model_name='productmonth', name='voso_quantity'),
        migrations.RemoveField(model_name='productmonth', name='voso_revenue'),
        migrations.RemoveField(model_name='productmonth', name='bank_orders'),
        migrations.RemoveField(model_name='productmonth', name='bank_quantity'),
        migrations.RemoveField(model_name='productmonth', name='bank_revenue'),
        migrations.RemoveField(model_name='productmonth', name='manual_orders'),
        migrations.RemoveField(model_name='productmonth', name='manual_quantity'),
        migrations.RemoveField(model_name='productmonth', name='manual_revenue'),
        migrations.RemoveField(model_name='productmonth', name='other_orders'),
        migrations.RemoveField(model_name='productmonth', name='other_quantity'),
        migrations.RemoveField(model_name='productmonth', name='other_revenue'),
    ]
