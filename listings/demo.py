"""Demo shops, listings and sales for `seed_demo` (called after producers.demo with its `base`).

Most verified producers get a sandbox shop; about 70% of their products are published to it
through the real pipeline (listing_publish, then the publish task run eagerly); a few end rejected
or failed (the sandbox's `sandbox_outcome`), a few go on Postmart through the feed path and are
marked live. Then sandbox buyers order about 60% of the live products over the past six months
and payments.demo syncs each shop through the same path as the periodic polling, so the
dashboard shows products listed with sales, listed without, and not listed at all.
Idempotent: a second run finds every shop already synced and stops at once.
"""
import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from producers.models import Producer

from . import services
from .models import Listing, ListingAttempt, ListingStatusChange, MarketplaceAccount

SHARE_CONNECTED = 0.85
SHARE_LISTED = 0.7
SHARE_SELLING = 0.6
SHARE_REJECTED = 0.05
SHARE_FAILED = 0.04
POSTMART_PRODUCERS = 3
HISTORY_DAYS = 180
DEMO_STOCK = 1000
CANCELLED_SHARE = 0.06


def _rng(*parts):
    """A generator per name: the same choices on every run, whatever the database ids."""
    return random.Random("ocop-demo:" + ":".join(str(p) for p in parts))


def _chosen_producers(base):
    producers = [p for p in base.get("producers", []) if p.status == Producer.Status.VERIFIED]
    # The demo owner's producer (the first) always has a shop; most others too.
    return [p for i, p in enumerate(producers) if i == 0 or _rng("shop", p.name).random() < SHARE_CONNECTED]


def _account(producer, marketplace, user, shop_name):
    account = MarketplaceAccount.objects.filter(producer=producer, marketplace=marketplace).first()
    if account is not None:
        return account, False
    return services.account_connect(producer=producer, user=user, marketplace=marketplace, shop_name=shop_name), True


def _publish(listing, user):
    """The real service queues it; the task is then run here, eagerly, so the demo does not depend
    on on_commit having fired (it has not inside a test's transaction). The task is idempotent:
    when on_commit already ran it, this finds nothing queued and does nothing."""
    from .tasks import publish_listing

    if listing.status == Listing.Status.DRAFT:
        services.listing_publish(listing=listing, user=user)
    listing.refresh_from_db()
    if listing.status == Listing.Status.QUEUED:
        publish_listing.apply(args=(listing.pk,))
        listing.refresh_from_db()
    return listing


def _backdate(listing, live_at):
    """Make the listing's history start at `live_at` (the dashboard reads it); the last history
    row is saved through the model so the dashboard's signal recomputes the listing's spans."""
    Listing.objects.filter(pk=listing.pk).update(
        created_at=live_at - timedelta(hours=1), enqueued_at=live_at - timedelta(minutes=5),
        status_changed_at=live_at, live_since=live_at if listing.status == Listing.Status.LIVE else None,
    )
    ListingAttempt.objects.filter(listing=listing).update(created_at=live_at - timedelta(minutes=1))
    changes = list(listing.status_changes.order_by("at", "id"))
    for index, change in enumerate(changes[:-1]):
        ListingStatusChange.objects.filter(pk=change.pk).update(
            at=live_at - timedelta(minutes=len(changes) - 1 - index))
    if changes:
        changes[-1].at = live_at
        changes[-1].save(update_fields=["at"])


def _simulate_sales(account, listing, live_at, now):
    """Buyers order this product from time to time since it went live; a few orders are cancelled."""
    from marketplace.connectors.sandbox import simulate_order
    from marketplace.models import SandboxOrder

    if SandboxOrder.objects.filter(shop_id=account.shop_id, sku=listing.product.sku).exists():
        return 0
    rng = _rng("sales", listing.product.name, listing.product.producer.name)
    days_live = max((now - live_at).days, 1)
    count = max(1, min(int(rng.expovariate(1 / 5)) + 1, 18))
    created = 0
    for _n in range(count):
        at = live_at + timedelta(seconds=rng.uniform(3600, days_live * 86400))
        quantity = rng.choices((1, 2, 3, 5, 10), weights=(50, 25, 12, 8, 5))[0]
        order = simulate_order(account.shop_id, listing.product.sku, quantity)
        status = SandboxOrder.Status.CANCELLED if rng.random() < CANCELLED_SHARE else SandboxOrder.Status.COMPLETED
        SandboxOrder.objects.filter(external_id=order.external_id).update(
            created_at=at, updated_at=min(at + timedelta(days=rng.randint(1, 4)), now), status=status)
        created += 1
    return created


def _postmart(producer, products, user, now):
    account, _created = _account(producer, "postmart", user, f"{producer.name} trên Postmart")
    live = 0
    for product in products[:2]:
        listing = Listing.objects.filter(product=product, account=account).first()
        if listing is None:
            listing = services.listing_create(product=product, account=account, user=user)
        listing = _publish(listing, user)
        if listing.status == Listing.Status.IN_REVIEW:
            services.listing_mark_live_manually(
                listing=listing, user=user, url=f"https://postmart.vn/san-pham/{product.sku.lower()}")
            listing.refresh_from_db()
            _backdate(listing, now - timedelta(days=_rng("postmart", product.name).randint(20, 150)))
        live += listing.status == Listing.Status.LIVE
    return live


def _seed_producer(number, producer, products, user, now):
    counts = dict.fromkeys(("new", "listed", "live", "postmart", "orders"), 0)
    account, created = _account(producer, "sandbox", user, f"{producer.name} (sàn thử nghiệm)")
    counts["new"] += created
    for product in products:
        rng = _rng("listing", product.name, producer.name)
        if rng.random() >= SHARE_LISTED:
            continue  # not listed anywhere: the dashboard's laggards
        listing = Listing.objects.filter(product=product, account=account).first()
        if listing is None:
            roll = rng.random()
            outcome = ("reject" if roll < SHARE_REJECTED else
                       "transient" if roll < SHARE_REJECTED + SHARE_FAILED else "")
            listing = services.listing_create(
                product=product, account=account, user=user, stock_override=DEMO_STOCK,
                attributes={"sandbox_outcome": outcome} if outcome else {},
            )
        listing = _publish(listing, user)
        counts["listed"] += 1
        if listing.status != Listing.Status.LIVE:
            continue
        counts["live"] += 1
        live_at = listing.live_since
        if live_at and live_at > now - timedelta(hours=1):  # just published: give it a past
            live_at = now - timedelta(days=rng.randint(15, HISTORY_DAYS), hours=rng.randint(0, 23))
            _backdate(listing, live_at)
        if rng.random() < SHARE_SELLING:
            counts["orders"] += _simulate_sales(account, listing, live_at or now, now)
    if number < POSTMART_PRODUCERS and len(products) >= 2:
        counts["postmart"] += _postmart(producer, products, user, now)
    return counts


def seed(stdout, base=None):
    base = base or {}
    user = base.get("admin") or get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    chosen = _chosen_producers(base)
    if user is None or not chosen:
        return {}
    synced = MarketplaceAccount.objects.filter(
        producer__in=chosen, marketplace="sandbox", last_order_sync_at__isnull=False).count()
    if synced == len(chosen):
        stdout.write(_("Gian hàng thử nghiệm: %(shops)s (0 mới), đã có đơn hàng mẫu.") % {"shops": synced})
        return {}

    now = timezone.now()
    products_by_producer = {}
    for product in base.get("products", []):
        products_by_producer.setdefault(product.producer_id, []).append(product)
    totals = dict.fromkeys(("new", "listed", "live", "postmart", "orders"), 0)
    for number, producer in enumerate(chosen):
        with transaction.atomic():  # one commit per producer: fast on SQLite, and partial runs resume
            counts = _seed_producer(number, producer, products_by_producer.get(producer.pk, []), user, now)
        for key, value in counts.items():
            totals[key] += value

    stdout.write(
        _("Gian hàng thử nghiệm: %(shops)s (%(new)s mới), %(listed)s sản phẩm đã gửi lên sàn, %(live)s đang bán, "
          "%(postmart)s trên Postmart, %(orders)s đơn hàng mẫu.")
        % {"shops": len(chosen), **totals}
    )
    return {"shops": len(chosen), **totals}
