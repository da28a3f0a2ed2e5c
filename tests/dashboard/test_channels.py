"""Channels keep their bits for good: a marketplace added to (or removed from) settings changes no
stored figure, and its own orders are counted under its own code."""
import io
import threading
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse
from openpyxl import load_workbook

from dashboard import channels, selectors, services
from dashboard.models import Channel, ProductMonth, ProductMonthChannel
from dashboard.periods import Period, quarter_period
from marketplace.connectors.base import NoApiConnector

from .conftest import at, make_listing, make_product, sale

pytestmark = pytest.mark.django_db

# The bits of the figures stored before channels had a table. They must never change.
EXISTING_BITS = {"sandbox": 0, "shopee": 1, "lazada": 2, "tiki": 3, "postmart": 4, "voso": 5,
                 "bank": 6, "manual": 7, "other": 8}
Q3 = {"period": "quarter", "year": "2026", "quarter": "3"}
THROWAWAY = "tests.dashboard.test_channels.ChoMoiConnector"


class ChoMoiConnector(NoApiConnector):
    """A throw-away marketplace, registered only through settings."""

    code = "chomoi"
    name = "Chợ Mới"


def test_existing_channels_keep_their_bits():
    # given the channel table (seeded by its migration; an emptied table gets the same bits back)
    assert channels.bits_for(EXISTING_BITS) == EXISTING_BITS
    # then every existing code has the bit its stored figures were written with
    assert dict(Channel.objects.values_list("code", "bit")) == EXISTING_BITS
    assert channels.FROZEN_BITS == EXISTING_BITS


def test_an_emptied_channel_table_gives_the_frozen_bits_back_and_new_codes_come_after(producer):
    Channel.objects.all().delete()
    product = make_product(producer)
    sale(product, when=at(3, 7), marketplace="chomoi")
    sale(product, when=at(4, 7), source="bank_transfer")
    assert dict(Channel.objects.values_list("code", "bit")) == {"chomoi": 9, "bank": 6}
    assert ProductMonth.objects.get().mask == 1 << 9 | 1 << 6


def test_a_new_code_takes_the_next_bit_after_every_bit_ever_assigned():
    assert channels.bits_for(["chomoi"]) == {"chomoi": 9}
    assert channels.bits_for(["sendo", "chomoi"]) == {"chomoi": 9, "sendo": 10}
    Channel.objects.filter(code="chomoi").delete()  # never done by the code; even so, bit 9 is not handed out
    assert channels.bits_for(["bachhoa"]) == {"bachhoa": 11}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections to the test database: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_writers_taking_new_codes_at_once_get_different_bits():
    channels.bits_for(EXISTING_BITS)
    holding, release, results = threading.Event(), threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                results.update(channels.bits_for(["chomoi"]))
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    def second():
        holding.wait(10)
        try:  # reads bit 8 as the highest, waits on first()'s uncommitted bit 9, then retries
            results.update(channels.bits_for(["sendo"]))
        finally:
            connection.close()

    writers = [threading.Thread(target=first), threading.Thread(target=second)]
    for writer in writers:
        writer.start()
    time.sleep(0.5)
    release.set()
    for writer in writers:
        writer.join(20)
    assert results == {"chomoi": 9, "sendo": 10}
    assert dict(Channel.objects.filter(bit__gte=9).values_list("code", "bit")) == {"chomoi": 9, "sendo": 10}


@pytest.fixture
def sales(producer):
    """Every kind of channel, in Q3 2026 and before, on full months and edge days."""
    tea, honey, rice = make_product(producer, name="Chè"), make_product(producer, name="Mật ong"), make_product(
        producer, name="Gạo")
    make_listing(tea, live_at=at(1, 6))
    make_listing(honey, live_at=at(2, 7), delisted_at=at(20, 9), marketplace="lazada")
    make_listing(rice, live_at=at(5, 5), marketplace="postmart")
    sale(tea, when=at(3, 6), amount=70_000)
    sale(tea, when=at(3, 7), amount=120_000, quantity=2)
    sale(tea, when=at(31, 7, hour=23, minute=59), source="bank_transfer", amount=80_000)
    sale(honey, when=at(1, 8, hour=0, minute=1), marketplace="lazada", amount=95_000)
    sale(honey, when=at(2, 8), source="manual", confirmed=True, amount=40_000)
    sale(honey, when=at(2, 8), source="manual", amount=1_000)
    sale(honey, when=at(3, 8), status="cancelled")
    sale(honey, when=at(4, 8), source="import", marketplace="", amount=30_000)
    sale(rice, when=at(16, 9), source="import", marketplace="postmart", amount=55_000, quantity=5)
    return {"tea": tea, "honey": honey, "rice": rice}


def _stored():
    return {
        "months": list(ProductMonth.objects.order_by("product_id", "month").values_list("product_id", "month", "mask")),
        "channels": sorted(ProductMonthChannel.objects.values_list(
            "product_id", "month", "channel__code", "channel_id", "orders", "quantity", "revenue")),
    }


def _figures(client, officer):
    """Everything the dashboard shows for Q3 and for a period with edge days, and the export."""
    result = {}
    edges = Period("custom", at(15, 6).date(), at(20, 9).date())
    for name, period in (("q3", quarter_period(2026, 3)), ("edges", edges)):
        result[name] = {"summary": selectors.summary(user=officer, period=period),
                        "trend": selectors.trend(user=officer, period=period)}
    client.force_login(officer)
    workbook = load_workbook(io.BytesIO(client.get(reverse("dashboard:export"), Q3).content))
    result["export"] = {name: [list(row) for row in workbook[name].iter_rows(values_only=True)]
                        for name in workbook.sheetnames}
    return result


def test_a_new_marketplace_changes_no_stored_figure_and_counts_its_own_orders(client, officer, producer, sales,
                                                                              settings):
    stored, figures = _stored(), _figures(client, officer)
    channel_rows = {row["marketplace"] or row["kind"]: row for row in figures["q3"]["summary"]["channels"]}
    assert set(channel_rows) == {"shopee", "lazada", "postmart", "bank", "manual", "other"}
    # when a marketplace is added to settings, first in the list
    settings.MARKETPLACE_CONNECTORS = [THROWAWAY, *settings.MARKETPLACE_CONNECTORS]
    # then every stored row and every figure, page, API and export, is what it was
    assert _stored() == stored
    assert _figures(client, officer) == figures
    # when the new marketplace lists a product and sells it
    jam = make_product(producer, name="Mứt")
    make_listing(jam, live_at=at(1, 7), marketplace="chomoi")
    sale(jam, when=at(10, 8), marketplace="chomoi", amount=60_000, quantity=3)
    # then its orders are counted under its own code and bit, and nothing else moved
    assert Channel.objects.get(code="chomoi").bit == 9
    after = _stored()
    assert set(stored["channels"]) < set(after["channels"]) and set(stored["months"]) < set(after["months"])
    assert [row for row in after["channels"] if row[0] == jam.pk] == [
        (jam.pk, at(1, 8).date(), "chomoi", 9, 1, 3, 60_000)]
    summary = selectors.summary(user=officer, period=quarter_period(2026, 3))
    new = [row for row in summary["channels"] if row["marketplace"] == "chomoi"]
    assert new == [{"kind": "marketplace", "marketplace": "chomoi", "label": "Đơn trên sàn · Chợ Mới", "orders": 1,
                    "quantity": 3, "revenue": 60_000}]
    others = [row for row in summary["channels"] if row["marketplace"] != "chomoi"]
    assert others == figures["q3"]["summary"]["channels"]
    by_marketplace = {row["key"]: row for row in summary["breakdowns"]["marketplace"]}
    assert (by_marketplace["chomoi"]["label"], by_marketplace["chomoi"]["listed"],
            by_marketplace["chomoi"]["listed_with_sales"]) == ("Chợ Mới", 1, 1)
    before_totals = figures["q3"]["summary"]["totals"]
    assert summary["totals"]["listed_with_sales"] == before_totals["listed_with_sales"] + 1
    assert summary["totals"]["products"] == before_totals["products"] + 1
    # and a full rebuild gives the same rows as the writes did
    services.summaries_rebuild()
    assert _stored() == after


def test_a_marketplace_disabled_in_settings_still_shows_its_figures_under_its_code(client, officer, sales, settings):
    figures = _figures(client, officer)["q3"]["summary"]
    settings.MARKETPLACE_CONNECTORS = [path for path in settings.MARKETPLACE_CONNECTORS if "lazada" not in path.lower()]
    summary = selectors.summary(user=officer, period=quarter_period(2026, 3))
    lazada = [row for row in summary["channels"] if row["marketplace"] == "lazada"]
    assert lazada == [{**next(row for row in figures["channels"] if row["marketplace"] == "lazada"),
                       "label": "Đơn trên sàn · lazada"}]
    assert summary["totals"] == figures["totals"]
    by_marketplace = {row["key"]: row for row in summary["breakdowns"]["marketplace"]}
    assert by_marketplace["lazada"]["label"] == "lazada" and by_marketplace["lazada"]["listed"] == 1


def test_a_new_marketplace_listed_without_sales_shows_in_the_breakdown(officer, producer, settings):
    settings.MARKETPLACE_CONNECTORS = [*settings.MARKETPLACE_CONNECTORS, THROWAWAY]
    make_listing(make_product(producer), live_at=at(1, 7), marketplace="chomoi")

    def listed_on_chomoi():
        rows = selectors.summary(user=officer, period=quarter_period(2026, 3))["breakdowns"]["marketplace"]
        return [(row["label"], row["listed"], row["listed_with_sales"]) for row in rows if row["key"] == "chomoi"]

    assert listed_on_chomoi() == [("Chợ Mới", 1, 0)]
    # a rebuild registers it too
    Channel.objects.filter(code="chomoi").delete()
    services.summaries_rebuild()
    assert listed_on_chomoi() == [("Chợ Mới", 1, 0)]
