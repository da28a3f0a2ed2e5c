"""Issue 13's promise: a marketplace is one package plus one settings line. The throw-away
marketplace in `tests/channels/throwaway/` is added with `settings.MARKETPLACE_CONNECTORS` alone;
a shop connects, a product publishes, a signed push arrives at the one webhook door, the order is
recorded, and the department's figures count it — while every figure stored before stays the same."""
import datetime as dt
import json
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from dashboard import selectors
from dashboard.periods import quarter_period, today
from listings import services as listing_services
from listings.models import Listing
from payments.models import InboundEvent, Transaction
from tests.dashboard.conftest import make_listing, make_product, sale

from .throwaway import SHOPS, sign
from .throwaway.connector import sell

pytestmark = pytest.mark.django_db

THROWAWAY = "tests.channels.throwaway.ThrowawayConnector"


@pytest.fixture(autouse=True)
def _empty_shops():
    SHOPS.clear()
    yield
    SHOPS.clear()


def _period():
    day = today()
    return quarter_period(day.year, (day.month - 1) // 3 + 1)


def _figures(user):
    return json.loads(json.dumps(selectors.summary(user=user, period=_period()), default=str))


def _stored_figures_before_the_new_marketplace(producer):
    """Sales on each existing channel this quarter: Shopee and Lazada orders, a VietQR transfer,
    a confirmed self-reported sale, an import naming no marketplace."""
    now = timezone.now()
    for marketplace in ("shopee", "lazada", "sandbox"):
        product = make_product(producer)
        make_listing(product, live_at=now - dt.timedelta(minutes=30), marketplace=marketplace)
        sale(product, when=now, marketplace=marketplace, amount=150_000)
    sale(make_product(producer), when=now, source="bank_transfer", amount=90_000)
    sale(make_product(producer), when=now, source="manual", amount=40_000, confirmed=True)
    sale(make_product(producer), when=now, source="import", marketplace="", amount=20_000)


def test_a_new_marketplace_is_one_package_and_one_setting(settings, client, officer, owner, producer,
                                                         django_capture_on_commit_callbacks):
    # given figures stored while only today's marketplaces were enabled
    _stored_figures_before_the_new_marketplace(producer)
    before = _figures(officer)

    # when the throw-away marketplace is added by its settings line, and nothing else
    settings.MARKETPLACE_CONNECTORS = [*settings.MARKETPLACE_CONNECTORS, THROWAWAY]

    # then every stored figure reads the same
    assert _figures(officer) == before

    # and a producer connects a shop and publishes a product to it
    account = listing_services.account_connect(producer=producer, user=owner, marketplace="throwaway")
    assert account.get_marketplace_display() == "Throwaway"
    product = make_product(producer, price=210_000)
    listing = listing_services.listing_create(product=product, account=account, user=owner)
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_publish(listing=listing, user=owner)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.LIVE, listing.status_message
    assert listing.external_id == f"tw-item-{product.sku}"
    assert listing.attempts.filter(call="add_item", error="").exists()

    # and a buyer orders it; the marketplace's signed push arrives at the one webhook door
    sell(account.shop_id, sku=product.sku, external_item_id=listing.external_id, quantity=2, amount=420_000,
         order_id="TW-1")
    body = json.dumps({"shop_id": account.shop_id, "order_id": "TW-1", "timestamp": int(time.time())}).encode()
    with django_capture_on_commit_callbacks(execute=True):
        forged = client.post("/webhooks/throwaway/", body, content_type="application/json",
                             HTTP_X_THROWAWAY_SIGNATURE="0" * 64)
        answer = client.post("/webhooks/throwaway/", body, content_type="application/json",
                             HTTP_X_THROWAWAY_SIGNATURE=sign(body))
    assert forged.status_code == 401
    assert answer.status_code == 200
    event = InboundEvent.objects.get(provider="throwaway")
    assert event.state == InboundEvent.State.MATCHED, event.note
    sold = Transaction.objects.get(marketplace="throwaway")
    assert (sold.product, sold.quantity, sold.amount, sold.status) == (product, 2, 420_000, "completed")

    # and the department's figures count it under its own code, the earlier ones unchanged
    after = _figures(officer)
    assert after["totals"]["products"] == before["totals"]["products"] + 1
    assert after["totals"]["listed_with_sales"] == before["totals"]["listed_with_sales"] + 1
    by_marketplace = {row["key"]: row for row in after["breakdowns"]["marketplace"]}
    assert by_marketplace["throwaway"]["listed_with_sales"] == 1
    assert by_marketplace["throwaway"]["label"] == "Throwaway"
    assert [row for row in after["breakdowns"]["marketplace"] if row["key"] != "throwaway"] == [
        {**row, "listed_rate": by_marketplace[row["key"]]["listed_rate"],
         "sales_rate": by_marketplace[row["key"]]["sales_rate"]}  # shares of a larger whole
        for row in before["breakdowns"]["marketplace"]]
    channels = {row["marketplace"] or row["kind"]: row for row in after["channels"]}
    assert channels["throwaway"]["revenue"] == 420_000
    assert [row for row in after["channels"] if row["marketplace"] != "throwaway"] == before["channels"]

    # and a rebuild of the summary tables gives the same figures
    call_command("rebuild_dashboard", verbosity=0)
    assert _figures(officer) == after
