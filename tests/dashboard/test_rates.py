"""The rates on hand-built cases at their edges, for the third quarter of 2026 (01/07 - 30/09)."""
import datetime as dt

import pytest

from dashboard import follow_up, selectors
from dashboard.periods import Period, month_period
from payments.models import InboundEvent

from .conftest import at, make_listing, make_product, sale

pytestmark = pytest.mark.django_db


def totals(user, period, **filters):
    return selectors.summary(user=user, period=period, filters=selectors.Filters(**filters))["totals"]


def test_listed_then_delisted_within_the_period_counts_as_listed(officer, producer, q3):
    # given a product live from 05/08 to 20/08 only
    product = make_product(producer)
    make_listing(product, live_at=at(5, 8), delisted_at=at(20, 8))
    # then it is listed in Q3, and in August, but not in July or September
    assert totals(officer, q3)["listed"] == 1
    assert totals(officer, month_period(2026, 8))["listed"] == 1
    assert totals(officer, month_period(2026, 7))["listed"] == 0
    assert totals(officer, month_period(2026, 9))["listed"] == 0


def test_listed_after_the_period_or_delisted_before_it_does_not_count(officer, producer, q3):
    late = make_product(producer)
    make_listing(late, live_at=at(1, 10, hour=0, minute=0))  # midnight after 30/09
    gone = make_product(producer)
    make_listing(gone, live_at=at(1, 5), delisted_at=at(1, 7, hour=0))  # left at the first instant
    still = make_product(producer)
    make_listing(still, live_at=at(1, 1))  # live since January, never delisted
    figures = totals(officer, q3)
    assert figures["products"] == 3
    assert figures["listed"] == 1
    assert figures["listed_rate"] == pytest.approx(33.3)


def test_a_cancelled_order_does_not_count(officer, producer, q3):
    product = make_product(producer)
    make_listing(product, live_at=at(1, 6))
    order = sale(product, when=at(10, 8), status="cancelled")
    sale(product, when=at(11, 8), status="pending")
    sale(product, when=at(12, 8), status="refunded")
    assert totals(officer, q3)["listed_with_sales"] == 0
    # when the cancelled order is in fact completed (its status saved again), it counts
    order.status = "completed"
    order.save(update_fields=["status", "updated_at"])
    assert totals(officer, q3)["listed_with_sales"] == 1
    # and a cancellation afterwards takes it back out
    order.status = "cancelled"
    order.save(update_fields=["status", "updated_at"])
    assert totals(officer, q3)["listed_with_sales"] == 0


def test_a_certificate_expired_at_period_end_excludes_the_product(officer, producer, q3):
    expired = make_product(producer, expiry=dt.date(2026, 9, 29))
    make_listing(expired, live_at=at(1, 6))
    sale(expired, when=at(10, 8))
    last_day = make_product(producer, expiry=dt.date(2026, 9, 30))
    make_product(producer, certified=dt.date(2026, 10, 1))  # certified after the period
    figures = totals(officer, q3)
    assert figures["products"] == 1
    assert figures["listed"] == 0 and figures["listed_with_sales"] == 0
    # the earlier month still counts the expired one
    assert totals(officer, month_period(2026, 8))["products"] == 2
    assert last_day.certificate_valid_on(q3.end)


def test_a_bank_transfer_counts_only_in_the_second_rate(officer, producer, q3):
    product = make_product(producer)
    make_listing(product, live_at=at(1, 6))
    sale(product, when=at(3, 9), source="bank_transfer", amount=250_000)
    figures = totals(officer, q3)
    assert (figures["listed_with_sales"], figures["listed_with_sales_or_transfer"]) == (0, 1)
    assert (figures["sales_rate"], figures["sales_or_transfer_rate"]) == (0.0, 100.0)
    # and a transfer for a product that is not listed is not a "listed with sales" either way
    unlisted = make_product(producer)
    sale(unlisted, when=at(3, 9), source="bank_transfer")
    assert totals(officer, q3)["listed_with_sales_or_transfer"] == 1


def test_manual_sales_count_apart_and_only_once_confirmed(officer, producer, q3):
    product = make_product(producer)
    make_listing(product, live_at=at(1, 6))
    unconfirmed = sale(product, when=at(4, 8), source="manual")
    figures = totals(officer, q3)
    assert (figures["listed_with_sales"], figures["listed_with_sales_or_transfer"], figures["confirmed_manual"]) \
        == (0, 0, 0)
    channels = selectors.channels(user=officer, period=q3)
    assert channels == []
    # when an officer confirms it
    unconfirmed.confirmed_at = at(5, 8)
    unconfirmed.save(update_fields=["confirmed_at", "updated_at"])
    figures = totals(officer, q3)
    assert (figures["listed_with_sales"], figures["listed_with_sales_or_transfer"], figures["confirmed_manual"]) \
        == (0, 0, 1)
    assert [(c["kind"], c["orders"], c["revenue"]) for c in selectors.channels(user=officer, period=q3)] == [
        ("manual", 1, 100_000)]


def test_a_transfer_with_no_product_is_not_a_sale(officer, producer, q3):
    product = make_product(producer)
    make_listing(product, live_at=at(1, 6))
    # given a bank notification that matched no product: an event, never a transaction
    InboundEvent.objects.create(provider="sepay", body="{}", state=InboundEvent.State.NO_MATCH, amount=150_000,
                                occurred_at=at(5, 8), content="CHUYEN TIEN")
    figures = totals(officer, q3)
    assert figures["listed_with_sales_or_transfer"] == 0
    assert selectors.channels(user=officer, period=q3) == []


def test_marketplace_import_counts_only_when_it_names_a_marketplace(officer, producer, q3):
    named = make_product(producer)
    make_listing(named, live_at=at(1, 6))
    sale(named, when=at(2, 8), source="import", marketplace="postmart")
    anonymous = make_product(producer)
    make_listing(anonymous, live_at=at(1, 6))
    sale(anonymous, when=at(2, 8), source="import", marketplace="")
    assert totals(officer, q3)["listed_with_sales"] == 1


def test_period_edges_use_vietnam_time_and_partial_months(officer, producer):
    product = make_product(producer)
    make_listing(product, live_at=at(1, 1))
    sale(product, when=at(14, 6, hour=23, minute=59))
    custom = Period("custom", dt.date(2026, 6, 15), dt.date(2026, 8, 20))
    assert custom.full_months() == [dt.date(2026, 7, 1)]
    assert totals(officer, custom)["listed_with_sales"] == 0
    sale(product, when=at(20, 8, hour=23, minute=30))  # 16:30 UTC, still 20/08 in Viet Nam
    assert totals(officer, custom)["listed_with_sales"] == 1
    # a sale in the full month inside the period (from the summary table) counts too
    other = make_product(producer)
    make_listing(other, live_at=at(1, 1))
    sale(other, when=at(31, 7, hour=23, minute=30))
    assert totals(officer, custom)["listed_with_sales"] == 2
    assert totals(officer, month_period(2026, 8))["listed_with_sales"] == 1


def test_breakdowns_sum_to_the_totals(officer, q3):
    from tests.factories import ProducerFactory, lao_cai_commune

    for index, (commune, kind, stars, district) in enumerate([
        ("Xã Tú Lệ", "HTX", 3, "huyện Văn Chấn"), ("Xã Tú Lệ", "DN", 4, ""),
        ("Xã Trạm Tấu", "HKD", 5, "huyện Trạm Tấu"), ("Xã Trạm Tấu", "HTX", 4, "")]):
        producer = ProducerFactory(commune=lao_cai_commune(commune), kind=kind, old_district=district)
        product = make_product(producer, stars=stars)
        if index % 2 == 0:
            make_listing(product, live_at=at(1, 6), marketplace="shopee" if index else "lazada")
            sale(product, when=at(5, 8), marketplace="shopee" if index else "lazada")
        if index == 3:
            make_listing(product, live_at=at(1, 6))
            sale(product, when=at(6, 8), source="bank_transfer")
    ProducerFactory(commune=None)  # no products: nothing to count
    result = selectors.summary(user=officer, period=q3)
    total = result["totals"]
    assert (total["products"], total["listed"], total["listed_with_sales"], total["listed_with_sales_or_transfer"]) \
        == (4, 3, 2, 3)
    for dimension in ("commune", "old_district", "group", "stars", "kind"):
        rows = result["breakdowns"][dimension]
        for measure in ("products", "listed", "listed_with_sales", "listed_with_sales_or_transfer",
                        "confirmed_manual"):
            assert sum(row[measure] for row in rows) == total[measure], (dimension, measure)
    communes = {row["label"]: row["products"] for row in result["breakdowns"]["commune"]}
    assert communes == {"Xã Tú Lệ": 2, "Xã Trạm Tấu": 2}
    districts = {row["label"]: row["listed"] for row in result["breakdowns"]["old_district"]}
    assert districts == {"huyện Văn Chấn": 1, "huyện Trạm Tấu": 1, "Không rõ": 1}
    marketplaces = {row["key"]: (row["listed"], row["listed_with_sales"]) for row in result["breakdowns"]["marketplace"]}
    assert marketplaces == {"lazada": (1, 1), "shopee": (2, 1)}


def test_a_filter_narrows_every_figure(officer, q3):
    from tests.factories import ProducerFactory, lao_cai_commune

    here = make_product(ProducerFactory(commune=lao_cai_commune("Xã Tú Lệ")))
    make_listing(here, live_at=at(1, 6))
    make_product(ProducerFactory(commune=lao_cai_commune("Xã Trạm Tấu")))
    commune = lao_cai_commune("Xã Tú Lệ").code
    assert totals(officer, q3, commune=commune)["products"] == 1
    assert totals(officer, q3, commune=commune)["listed_rate"] == 100.0
    assert totals(officer, q3)["listed_rate"] == 50.0


def test_trend_gives_one_point_per_month(officer, producer):
    product = make_product(producer)
    make_listing(product, live_at=at(15, 8))
    sale(product, when=at(3, 9))
    points = selectors.trend(user=officer, period=month_period(2026, 9), months=3)
    assert [(p["label"], p["listed"], p["listed_with_sales"]) for p in points] == [
        ("07/2026", 0, 0), ("08/2026", 1, 0), ("09/2026", 1, 1)]


def test_listed_without_sales_for_90_days(officer, producer):
    from django.utils import timezone

    now = timezone.now()
    quiet = make_product(producer, name="Quiet")
    make_listing(quiet, live_at=now - dt.timedelta(days=200))
    sale(quiet, when=now - dt.timedelta(days=91))  # just outside the window
    sale(quiet, when=now - dt.timedelta(days=5), source="bank_transfer")  # not a marketplace order
    recent = make_product(producer, name="Recent")
    make_listing(recent, live_at=now - dt.timedelta(days=200))
    sale(recent, when=now - dt.timedelta(days=89))  # inside the window, in the partial first month
    busy = make_product(producer, name="Busy")
    make_listing(busy, live_at=now - dt.timedelta(days=200))
    sale(busy, when=now - dt.timedelta(days=1))
    new = make_product(producer, name="New")
    make_listing(new, live_at=now - dt.timedelta(days=10))  # too new to be a laggard
    rows = list(follow_up.listed_without_sales(user=officer))
    assert [p.name for p in rows] == ["Quiet"]
    assert rows[0].last_sale_at == now - dt.timedelta(days=91)
