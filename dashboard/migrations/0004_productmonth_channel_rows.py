"""ProductMonth's per-channel columns carried over into ProductMonthChannel rows, unchanged.

A migration of its own: on PostgreSQL, a table whose rows were just written in a transaction
cannot be altered in the same one, and both ways ALTER ProductMonth next to this (0003, 0005)."""
from django.db import migrations

# code -> bit, as the masks stored before 0003 numbered them (0003 seeds the same). Never change.
BITS = {"sandbox": 0, "shopee": 1, "lazada": 2, "tiki": 3, "postmart": 4, "voso": 5,
        "bank": 6, "manual": 7, "other": 8}
OTHER = BITS["other"]


def _tables(apps, schema_editor):
    quote = schema_editor.quote_name
    return (quote(apps.get_model("dashboard", "ProductMonth")._meta.db_table),
            quote(apps.get_model("dashboard", "ProductMonthChannel")._meta.db_table), quote)


def columns_to_rows(apps, schema_editor):
    """One ProductMonthChannel row per channel column set of each ProductMonth row, as stored."""
    months, rows, quote = _tables(apps, schema_editor)
    with schema_editor.connection.cursor() as cursor:
        for code, bit in BITS.items():
            orders, quantity, revenue = (quote(f"{code}_{measure}") for measure in ("orders", "quantity", "revenue"))
            cursor.execute(
                f"INSERT INTO {rows} (product_id, month, channel_id, orders, quantity, revenue) "
                f"SELECT product_id, month, %s, {orders}, {quantity}, {revenue} FROM {months} "
                f"WHERE {orders} <> 0 OR {quantity} <> 0 OR {revenue} <> 0 ORDER BY month, product_id", [bit])


def rows_to_columns(apps, schema_editor):
    """The way back: each channel's row into its columns; a channel added since had no columns and
    goes to `other`, as the old code counted a marketplace it did not know."""
    months, rows, quote = _tables(apps, schema_editor)
    same_bucket = f"r.product_id = {months}.product_id AND r.month = {months}.month"
    with schema_editor.connection.cursor() as cursor:
        for code, bit in BITS.items():
            which = "(r.channel_id = %s OR r.channel_id > %s)" if code == "other" else "r.channel_id = %s"
            params = [bit, OTHER] if code == "other" else [bit]
            assignments = ", ".join(
                f"{quote(f'{code}_{measure}')} = COALESCE((SELECT SUM(r.{measure}) FROM {rows} r "
                f"WHERE {same_bucket} AND {which}), 0)" for measure in ("orders", "quantity", "revenue"))
            cursor.execute(f"UPDATE {months} SET {assignments}", params * 3)
        cursor.execute(
            f"UPDATE {months} SET mask = CASE WHEN EXISTS (SELECT 1 FROM {rows} r WHERE {same_bucket} "
            f"AND r.channel_id > %s) THEN (mask & %s) | %s ELSE mask END", [OTHER, (1 << OTHER + 1) - 1, 1 << OTHER])


class Migration(migrations.Migration):

    dependencies = [
        ('dashboard', '0003_channels'),
    ]

    operations = [
        migrations.RunPython(columns_to_rows, rows_to_columns),
    ]
