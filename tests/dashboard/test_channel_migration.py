"""The migration to channel rows carries the figures stored in per-marketplace columns over unchanged."""
import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import OcopProductFactory

BEFORE = [("dashboard", "0002_product_sales")]
JULY, AUGUST = dt.date(2026, 7, 1), dt.date(2026, 8, 1)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return [("dashboard", name) for _app, name in MigrationExecutor(connection).loader.graph.leaf_nodes("dashboard")]


@pytest.mark.django_db(transaction=True)
def test_stored_columns_become_channel_rows_with_the_same_bits_and_figures():
    latest = _latest()
    try:
        _carried_over_and_back(latest)
    finally:
        _migrate(latest)


def _carried_over_and_back(latest):
    tea, honey = OcopProductFactory(), OcopProductFactory()
    # given rows written the old way: three columns per channel, bits by position
    old = _migrate(BEFORE).get_model("dashboard", "ProductMonth")
    july = old.objects.create(product_id=tea.pk, month=JULY, mask=1 << 1 | 1 << 6 | 1 << 8,
                              shopee_orders=2, shopee_quantity=3, shopee_revenue=250_000,
                              bank_orders=1, bank_quantity=1, bank_revenue=80_000,
                              other_orders=1, other_quantity=4, other_revenue=30_000)
    august = old.objects.create(product_id=honey.pk, month=AUGUST, mask=1 << 5 | 1 << 7,
                                voso_orders=1, voso_quantity=2, voso_revenue=95_000,
                                manual_orders=3, manual_quantity=3, manual_revenue=120_000)
    # when migrated
    new = _migrate(latest)
    # then the masks are untouched and each channel's figures are a row under its permanent bit
    Channel, ProductMonth = new.get_model("dashboard", "Channel"), new.get_model("dashboard", "ProductMonth")
    ProductMonthChannel = new.get_model("dashboard", "ProductMonthChannel")
    assert dict(Channel.objects.values_list("code", "bit")) == {
        "sandbox": 0, "shopee": 1, "lazada": 2, "tiki": 3, "postmart": 4, "voso": 5, "bank": 6, "manual": 7,
        "other": 8}
    assert sorted(ProductMonth.objects.values_list("pk", "product_id", "month", "mask")) == [
        (july.pk, tea.pk, JULY, 1 << 1 | 1 << 6 | 1 << 8), (august.pk, honey.pk, AUGUST, 1 << 5 | 1 << 7)]
    assert sorted(ProductMonthChannel.objects.values_list(
        "product_id", "month", "channel__code", "orders", "quantity", "revenue")) == sorted([
            (tea.pk, JULY, "shopee", 2, 3, 250_000), (tea.pk, JULY, "bank", 1, 1, 80_000),
            (tea.pk, JULY, "other", 1, 4, 30_000),
            (honey.pk, AUGUST, "voso", 1, 2, 95_000), (honey.pk, AUGUST, "manual", 3, 3, 120_000)])
    assert not {f"{code}_orders" for code in ("shopee", "bank")} & {
        field.name for field in ProductMonth._meta.get_fields()}
    # and the way back restores the columns; a marketplace added since had none: it goes to "other"
    Channel.objects.create(code="chomoi", bit=9)
    ProductMonthChannel.objects.create(product_id=honey.pk, month=AUGUST, channel_id=9, orders=2, quantity=2,
                                       revenue=50_000)
    ProductMonth.objects.filter(pk=august.pk).update(mask=1 << 5 | 1 << 7 | 1 << 9)
    back = _migrate(BEFORE).get_model("dashboard", "ProductMonth")
    row = back.objects.get(pk=july.pk)
    assert (row.shopee_orders, row.shopee_revenue, row.bank_revenue, row.other_quantity, row.lazada_orders,
            row.mask) == (2, 250_000, 80_000, 4, 0, 1 << 1 | 1 << 6 | 1 << 8)
    row = back.objects.get(pk=august.pk)
    assert (row.voso_revenue, row.manual_orders, row.other_orders, row.other_revenue, row.mask) == (
        95_000, 3, 2, 50_000, 1 << 5 | 1 << 7 | 1 << 8)
