"""The summary tables equal what they summarise: kept on every write, equal to a full rebuild, and
the figures read from them equal a naive computation straight from the source rows."""
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from dashboard import bench, selectors, services
from dashboard.models import LiveSpan, ProductMonth, ProductMonthChannel
from dashboard.periods import Period, quarter_period
from listings.models import Listing, ListingStatusChange
from payments.models import Transaction
from producers.models import OcopProduct

from .conftest import at, make_listing, make_product, sale

pytestmark = pytest.mark.django_db


def _rows(model, exclude=("id",)):
    rows = [model_to_dict(row, exclude=exclude) for row in model.objects.all()]
    return sorted(rows, key=lambda row: sorted((k, str(v)) for k, v in row.items()))


def _by_channel(product, month):
    """{channel code: (orders, quantity, revenue)} of one product and month."""
    return {row[0]: row[1:] for row in ProductMonthChannel.objects.filter(product=product, month=month).values_list(
        "channel__code", "orders", "quantity", "revenue")}


def test_rows_kept_on_write_equal_a_full_rebuild(producer):
    product, other = make_product(producer), make_product(producer)
    make_listing(product, live_at=at(1, 6), delisted_at=at(9, 8))
    make_listing(other, live_at=at(2, 7), marketplace="lazada")
    sale(product, when=at(3, 7), amount=120_000, quantity=2)
    sale(product, when=at(31, 7, hour=23, minute=59), source="bank_transfer", amount=80_000)
    sale(other, when=at(1, 8, hour=0, minute=1), marketplace="lazada")
    sale(other, when=at(2, 8), source="manual", confirmed=True)
    sale(other, when=at(2, 8), source="manual")
    sale(other, when=at(3, 8), status="cancelled")
    sale(other, when=at(4, 8), source="import", marketplace="")
    sale(other, when=at(5, 8), marketplace="chomoi", amount=60_000)  # a marketplace no longer (or not yet) enabled
    kept_sales, kept_channels, kept_spans = _rows(ProductMonth), _rows(ProductMonthChannel), _rows(LiveSpan)
    assert len(kept_sales) == 2 and len(kept_channels) == 6 and len(kept_spans) == 2
    services.summaries_rebuild()
    assert _rows(ProductMonth) == kept_sales
    assert _rows(ProductMonthChannel) == kept_channels
    assert _rows(LiveSpan) == kept_spans
    july, august = dt.date(2026, 7, 1), dt.date(2026, 8, 1)
    assert _by_channel(product, july) == {"shopee": (1, 2, 120_000), "bank": (1, 1, 80_000)}
    assert _by_channel(other, august) == {"lazada": (1, 1, 100_000), "manual": (1, 1, 100_000),
                                          "other": (1, 1, 100_000), "chomoi": (1, 1, 60_000)}
    assert ProductMonth.objects.get(product=product, month=july).mask == 1 << 1 | 1 << 6
    assert ProductMonth.objects.get(product=other, month=august).mask == 1 << 2 | 1 << 7 | 1 << 8 | 1 << 9


def test_an_edit_moves_a_sale_between_buckets_and_a_delete_removes_it(producer):
    product, other = make_product(producer), make_product(producer)
    tx = sale(product, when=at(10, 7))
    tx.occurred_at = at(10, 9)
    tx.product = other
    tx.save()
    assert list(ProductMonth.objects.values_list("product_id", "month")) == [(other.pk, dt.date(2026, 9, 1))]
    assert _by_channel(other, dt.date(2026, 9, 1)) == {"shopee": (1, 1, 100_000)}
    tx.delete()
    assert not ProductMonth.objects.exists() and not ProductMonthChannel.objects.exists()


def test_a_listing_going_live_again_opens_a_new_span(producer):
    listing = make_listing(make_product(producer), live_at=at(1, 5), delisted_at=at(1, 6))
    for old, new, moment in (("delisted", "queued", at(1, 8)), ("queued", "publishing", at(1, 8, hour=11)),
                             ("publishing", "live", at(2, 8))):
        ListingStatusChange.objects.create(listing=listing, from_status=old, to_status=new, at=moment)
    spans = list(LiveSpan.objects.order_by("started_at").values_list("started_at", "ended_at"))
    assert spans == [(at(1, 5), at(1, 6)), (at(2, 8), None)]
    services.live_spans_rebuild()
    assert list(LiveSpan.objects.order_by("started_at").values_list("started_at", "ended_at")) == spans


def test_a_listing_live_without_history_still_counts(officer, producer):
    from .conftest import make_account

    product = make_product(producer)
    Listing.objects.create(product=product, account=make_account(producer), status="live", live_since=at(1, 6))
    assert selectors.summary(user=officer, period=quarter_period(2026, 3))["totals"]["listed"] == 1


def _naive_listed(product, period):
    for listing in Listing.objects.filter(product=product):
        changes = list(ListingStatusChange.objects.filter(listing=listing).order_by("at", "id"))
        for index, change in enumerate(changes):
            if change.to_status != "live":
                continue
            ended = changes[index + 1].at if index + 1 < len(changes) else None
            if change.at < period.end_at and (ended is None or ended > period.start_at):
                return True
    return False


def _naive_kinds(product, period):
    kinds = set()
    for tx in Transaction.objects.filter(product=product, occurred_at__gte=period.start_at,
                                         occurred_at__lt=period.end_at, status="completed"):
        if tx.source == "marketplace_order" or tx.source == "import" and tx.marketplace:
            kinds.add("marketplace")
        elif tx.source == "bank_transfer":
            kinds.add("bank")
        elif tx.source == "manual" and tx.confirmed_at:
            kinds.add("manual")
    return kinds


@pytest.mark.parametrize("period", [quarter_period(2026, 3), Period("custom", dt.date(2026, 2, 11), dt.date(2026, 5, 3))],
                         ids=["quarter", "custom"])
def test_figures_equal_a_naive_count_over_bench_data(period):
    # given generated data (bench seed: listings with history, every source and status)
    bench.seed(products=60, listings=150, transactions=400, log=lambda line: None)
    user = bench.officer()
    # when the summary is read from the summary tables
    totals = selectors.summary(user=user, period=period)["totals"]
    # then it equals a count made row by row from the source tables
    expected = {"products": 0, "listed": 0, "listed_with_sales": 0, "listed_with_sales_or_transfer": 0,
                "confirmed_manual": 0}
    for product in OcopProduct.objects.all():
        if not product.certificate_valid_on(period.as_of) or (
                product.certificate_date and product.certificate_date > period.as_of):
            continue
        expected["products"] += 1
        listed, kinds = _naive_listed(product, period), _naive_kinds(product, period)
        expected["listed"] += listed
        expected["listed_with_sales"] += listed and "marketplace" in kinds
        expected["listed_with_sales_or_transfer"] += listed and bool(kinds & {"marketplace", "bank"})
        expected["confirmed_manual"] += "manual" in kinds
    assert {key: totals[key] for key in expected} == expected
    assert 0 < expected["listed_with_sales"] < expected["listed"] < expected["products"]


def test_bench_command_runs_at_tiny_size():
    out = StringIO()
    call_command("bench", "dashboard", "--products", "30", "--transactions", "300", "--repeat", "1", stdout=out)
    text = out.getvalue()
    lines = [json.loads(line) for line in text.split("\n\n")[0].splitlines()]
    assert [line["phase"] for line in lines if "phase" in line] == ["base", "doubled"]
    base, doubled = lines[0], lines[1]
    assert base["summary_ms"] > 0 and base["floor_ms"] >= 0 and base["totals"]["products"] > 0
    assert {"summary_slowdown_pct", "ratio", "goal_within_2x_floor", "goal_under_20pct_slower"} <= set(doubled)
    assert lines[2]["name"] == "dashboard slowdown when transactions double"
    assert "figure" in text and "<= 2x floor" in text  # the table at the end
    # and it removed what it seeded
    assert not OcopProduct.objects.filter(name__startswith=bench.PREFIX).exists()
    assert not Transaction.objects.exists()


def test_deleting_a_listing_product_or_history_row_leaves_no_dangling_summary(producer):
    from django.db import connection

    product = make_product(producer)
    listing = make_listing(product, live_at=at(1, 6), delisted_at=at(1, 8))
    sale(product, when=at(2, 6))
    # a history row deleted on its own: the spans follow
    ListingStatusChange.objects.filter(listing=listing, to_status="delisted").delete()
    assert list(LiveSpan.objects.values_list("ended_at", flat=True)) == [None]
    # the listing deleted: its spans go with it and are not re-created from its own fields
    listing.delete()
    assert not LiveSpan.objects.exists()
    # the product deleted (its sales first: transactions protect their product): nothing is left
    make_listing(product, live_at=at(1, 6))
    for tx in Transaction.objects.filter(product=product):
        tx.delete()
    product.delete()
    assert not ProductMonth.objects.exists() and not ProductMonthChannel.objects.exists()
    assert not LiveSpan.objects.exists()
    connection.check_constraints()


@pytest.mark.parametrize("months", [1, 2, 6])
def test_trend_points_equal_the_month_summaries(months):
    from dashboard.periods import month_period

    bench.seed(products=50, listings=120, transactions=1200, log=lambda line: None)
    user = bench.officer()
    points = selectors.trend(user=user, period=quarter_period(2026, 3), months=months)
    assert [p["label"] for p in points][-1] == "09/2026" and len(points) == months
    for point in points:
        first = dt.date.fromisoformat(point["month"])
        expected = selectors.summary(user=user, period=month_period(first.year, first.month))["totals"]
        assert {k: point[k] for k in expected} == expected


def test_rebuild_command_repairs_rows_written_behind_the_signals(producer):
    product = make_product(producer)
    tx = sale(product, when=at(3, 7))
    Transaction.objects.filter(pk=tx.pk).update(amount=999_000)  # a write the signals never saw
    assert ProductMonthChannel.objects.get().revenue == 100_000
    out = StringIO()
    call_command("rebuild_dashboard", stdout=out)
    assert ProductMonthChannel.objects.get().revenue == 999_000 and "ProductMonth: 1" in out.getvalue()
