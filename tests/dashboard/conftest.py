import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from listings.models import Listing, ListingStatusChange, MarketplaceAccount
from payments.models import Transaction
from tests.factories import OcopProductFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_ids = itertools.count(1)


def at(day, month, year=2026, hour=10, minute=0):
    """A moment in Vietnam time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


def make_product(producer=None, *, certified=dt.date(2025, 1, 10), expiry=None, **kwargs):
    values = {"certificate_date": certified, **kwargs}
    if producer is not None:
        values["producer"] = producer
    if expiry is not None:
        values["certificate_expiry"] = expiry
    return OcopProductFactory(**values)


def make_account(producer, marketplace="shopee"):
    account, _ = MarketplaceAccount.objects.get_or_create(
        producer=producer, marketplace=marketplace, defaults={"shop_id": f"shop-{next(_ids)}"})
    return account


def make_listing(product, *, live_at, delisted_at=None, marketplace="shopee"):
    """A listing whose history says: queued and published just before `live_at`, live then, and
    delisted at `delisted_at` if given (rows written as `Listing.transition` writes them)."""
    listing = Listing.objects.create(product=product, account=make_account(product.producer, marketplace))
    steps = [("draft", "queued", live_at - dt.timedelta(minutes=10)),
             ("queued", "publishing", live_at - dt.timedelta(minutes=5)),
             ("publishing", "live", live_at)]
    if delisted_at:
        steps.append(("live", "delisted", delisted_at))
    for old, new, moment in steps:
        ListingStatusChange.objects.create(listing=listing, from_status=old, to_status=new, at=moment)
    status = "delisted" if delisted_at else "live"
    Listing.objects.filter(pk=listing.pk).update(status=status, live_since=live_at, delisted_at=delisted_at)
    listing.refresh_from_db()
    return listing


def sale(product, *, when, source="marketplace_order", amount=100_000, quantity=1, status="completed",
         marketplace=None, confirmed=False):
    if marketplace is None:
        marketplace = "shopee" if source in ("marketplace_order", "import") else ""
    return Transaction.objects.create(
        product=product, producer=product.producer, source=source, marketplace=marketplace,
        dedup_scope=f"test:{source}", external_id=f"tx-{next(_ids)}", quantity=quantity, amount=amount,
        occurred_at=when, status=status, confirmed_at=when + dt.timedelta(days=1) if confirmed else None)


@pytest.fixture
def q3():
    from dashboard.periods import quarter_period

    return quarter_period(2026, 3)
