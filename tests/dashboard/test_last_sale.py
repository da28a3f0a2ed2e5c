"""ProductSales (a product's last counted marketplace order) is kept on every write, equals a full
rebuild, and drives the "listed without sales for 90 days" list; the trend and the aggregate
statements give the same figures whatever the database."""
import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from dashboard import follow_up, selectors, services
from dashboard.models import ProductSales
from payments.models import Transaction

from .conftest import at, make_listing, make_product, sale

pytestmark = pytest.mark.django_db


def _last_sales():
    return dict(ProductSales.objects.values_list("product_id", "last_marketplace_sale_at"))


def test_last_sale_kept_on_write_equals_a_full_rebuild(producer):
    # given sales of every kind, an edit moving one to another product and a delete
    product, other, quiet = make_product(producer), make_product(producer), make_product(producer)
    sale(product, when=at(3, 7))
    latest = sale(product, when=at(20, 7))
    sale(product, when=at(25, 7), status="cancelled")  # not counted
    sale(quiet, when=at(26, 7), source="bank_transfer")  # not a marketplace order
    sale(quiet, when=at(27, 7), source="import", marketplace="")  # an import naming no marketplace
    moved = sale(other, when=at(5, 8))
    moved.product = product
    moved.save()
    sale(other, when=at(1, 7))
    latest.delete()
    kept = _last_sales()
    # then the rows are what the transactions say
    assert kept == {product.pk: at(5, 8), other.pk: at(1, 7)}
    # and equal a rebuild from scratch
    services.sales_rebuild()
    assert _last_sales() == kept


def test_a_product_whose_last_sale_is_cancelled_or_deleted_has_no_row(producer):
    product = make_product(producer)
    tx = sale(product, when=at(3, 7))
    assert _last_sales() == {product.pk: at(3, 7)}
    tx.status = Transaction.Status.CANCELLED
    tx.save()
    assert _last_sales() == {}
    tx.status = Transaction.Status.COMPLETED
    tx.save()
    tx.delete()
    assert _last_sales() == {}


def test_listed_without_sales_follows_the_last_sale(officer, producer):
    # given a product live for long whose only recent order is then cancelled
    now = timezone.now()
    product = make_product(producer, name="Quiet")
    make_listing(product, live_at=now - dt.timedelta(days=300))
    old = sale(product, when=now - dt.timedelta(days=120))
    recent = sale(product, when=now - dt.timedelta(days=10))
    assert list(follow_up.listed_without_sales(user=officer)) == []
    # when the recent order is cancelled
    recent.status = Transaction.Status.CANCELLED
    recent.save()
    # then the product is a laggard again, with the older order as its last sale
    rows = list(follow_up.listed_without_sales(user=officer))
    assert [(p.name, p.last_sale_at) for p in rows] == [("Quiet", old.occurred_at)]
    assert follow_up.follow_ups(user=officer)["no_sales"]["count"] == 1


def test_trend_counts_each_kind_of_sale_in_its_own_month(officer, producer):
    # given a product listed all along with a marketplace order, a transfer and a confirmed
    # manual sale in three different months
    from dashboard.periods import month_period

    product = make_product(producer)
    make_listing(product, live_at=at(1, 5))
    sale(product, when=at(10, 6))
    sale(product, when=at(10, 7), source="bank_transfer")
    sale(product, when=at(10, 8), source="manual", confirmed=True)
    points = selectors.trend(user=officer, period=month_period(2026, 9), months=5)
    # then each month shows its own kind only
    assert [(p["label"], p["listed"], p["listed_with_sales"], p["listed_with_sales_or_transfer"],
             p["confirmed_manual"]) for p in points] == [
        ("05/2026", 1, 0, 0, 0), ("06/2026", 1, 1, 1, 0), ("07/2026", 1, 0, 1, 0),
        ("08/2026", 1, 0, 0, 1), ("09/2026", 1, 0, 0, 0)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="settings exist on PostgreSQL only")
def test_aggregate_statements_restore_the_session_settings(officer, producer):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('work_mem')")
        before = cursor.fetchone()
    assert selectors._fetchall("SELECT current_setting('jit'), current_setting('random_page_cost')", []) == [("off", "1.1")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('work_mem')")
        assert cursor.fetchone() == before
