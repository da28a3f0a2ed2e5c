"""listings.demo (run by seed_demo): sandbox shops, listings through the real pipeline, and six
months of simulated sales recorded through the order sync."""
import io
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Min
from django.utils import timezone

from listings.models import Listing, MarketplaceAccount
from payments.models import Transaction
from producers import demo
from producers.models import OcopProduct, Producer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _state():
    return (
        sorted(MarketplaceAccount.objects.values_list("pk", "shop_id", "last_order_sync_at")),
        sorted(Listing.objects.values_list("pk", "status", "live_since")),
        sorted(Transaction.objects.filter(source="marketplace_order")
               .values_list("pk", "external_id", "status", "occurred_at")),
    )


def test_demo_shows_listed_with_sales_listed_without_and_unlisted_products(monkeypatch):
    monkeypatch.setattr(demo, "PRODUCERS", demo.PRODUCERS[:20])  # enough for every case, and faster
    call_command("seed_demo", stdout=io.StringIO())

    verified = Producer.objects.filter(status=Producer.Status.VERIFIED)
    shops = MarketplaceAccount.objects.filter(marketplace="sandbox")
    assert shops.count() >= 0.7 * verified.count()
    assert shops.filter(producer__name="HTX Chè Suối Giàng").exists()  # the demo owner's producer
    assert not shops.filter(producer__status=Producer.Status.PENDING).exists()
    assert all(shop.last_order_sync_at for shop in shops)

    statuses = set(Listing.objects.values_list("status", flat=True))
    assert {"live", "rejected", "failed"} <= statuses
    postmart = Listing.objects.filter(account__marketplace="postmart", status="live")
    assert postmart.exists() and all(listing.url.startswith("https://postmart.vn/") for listing in postmart)

    products = OcopProduct.objects.filter(producer__in=verified)
    live = products.filter(listings__status="live").distinct()
    selling = live.filter(transactions__status="completed", transactions__source="marketplace_order").distinct()
    unlisted = products.exclude(listings__status="live")
    assert 0.4 * products.count() <= live.count() <= 0.85 * products.count()
    assert 0.4 * live.count() <= selling.count() <= 0.8 * live.count()
    assert unlisted.exists()

    sales = Transaction.objects.filter(source="marketplace_order")  # (payments.demo adds other sources)
    assert set(sales.values_list("marketplace", flat=True)) == {"sandbox"}
    assert sales.filter(status="cancelled").exists()
    oldest = sales.aggregate(first=Min("occurred_at"))["first"]
    assert oldest < timezone.now() - timedelta(days=90)
    for tx in sales.select_related("listing")[:50]:  # never sold before it went on sale
        assert tx.listing.live_since <= tx.occurred_at

    before = _state()
    started = time.monotonic()
    call_command("seed_demo", stdout=io.StringIO())
    assert time.monotonic() - started < 3
    assert _state() == before
