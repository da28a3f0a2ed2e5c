"""Marketplace orders fetched rather than pushed: the 15-minute polling of every shop with an
order API (celery beat, and the portal's "Đồng bộ đơn hàng"), the pushes a marketplace kept for
us (lost-push recovery), and the sandbox's simulated buyers. Every call to a shop goes through
its session (listings.shops); every order is recorded by record_marketplace_order."""
import json
import logging
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import DomainError, PermissionDenied
from listings.models import Listing, MarketplaceAccount
from listings.services import can_manage
from listings.shops import marketplace_session, shop_session
from marketplace.connectors import registry
from marketplace.connectors.base import ConnectorError, TransientError
from marketplace.connectors.sandbox import SandboxConnector, simulate_order
from marketplace.ratelimit import RateLimited

from .inbound import inbound_event_process, inbound_event_receive
from .orders import record_marketplace_order

logger = logging.getLogger(__name__)

ORDER_SYNC_OVERLAP = timedelta(minutes=10)
FIRST_SYNC_WINDOW = timedelta(days=30)
LOST_PUSH_MAX_PAGES = 10


def order_sync_accounts():
    """Connected shops whose marketplace has an order API (the sandbox included)."""
    polled = set(registry.codes(orders_polling=True))
    return list(MarketplaceAccount.objects.filter(
        status=MarketplaceAccount.Status.CONNECTED, marketplace__in=polled).select_related("producer"))


def account_orders_sync(*, account, since=None):
    """Fetch the shop's orders updated since the last successful sync (minus a small overlap;
    the first time, the last 30 days) and record each; `last_order_sync_at` moves only after
    everything was recorded. TransientError / RateLimited propagate (the task retries);
    AuthError marks the shop expired and raises AccountUnavailable."""
    if account.is_feed:
        raise DomainError(_("Sàn này không có API đơn hàng: hãy nhập tệp đơn hàng xuất từ trang người bán."))
    started = timezone.now()
    with shop_session(account) as shop:
        if since is None:
            since = (account.last_order_sync_at - ORDER_SYNC_OVERLAP if account.last_order_sync_at
                     else started - FIRST_SYNC_WINDOW)
        orders = shop.call("fetch_orders", since)
    summary = {"orders": len(orders), "created": 0, "updated": 0, "unchanged": 0, "unmatched": 0}
    with transaction.atomic():
        for order in orders:
            result = record_marketplace_order(account=account, order=order)
            for key in ("created", "updated", "unchanged", "unmatched"):
                summary[key] += len(result[key])
        account.last_order_sync_at = started
        account.save(update_fields=["last_order_sync_at", "updated_at"])
    return summary


def _require_manage(user, account):
    if not can_manage(user, account.producer):
        raise PermissionDenied(_("Bạn không có quyền quản lý gian hàng của chủ thể này."))


def account_orders_sync_now(*, account, user):
    """The portal button: the same sync, now, for someone waiting on the answer."""
    _require_manage(user, account)
    try:
        return account_orders_sync(account=account)
    except TransientError as exc:
        message = _("Sàn tạm thời không phản hồi, hãy thử lại sau ít phút. (%(m)s)") % {"m": exc.message}
        raise DomainError(message) from exc
    except RateLimited as exc:
        message = _("Sàn đang giới hạn số lần gọi, hãy thử lại sau %(s)d giây.") % {"s": int(exc.wait) + 1}
        raise DomainError(message) from exc
    except ConnectorError as exc:
        raise DomainError(exc.message, code="marketplace_error") from exc


# --- pushes the marketplace kept for us --------------------------------------------------------


def lost_pushes_recover(*, max_pages=LOST_PUSH_MAX_PAGES):
    """Marketplaces that keep the pushes we did not acknowledge (Shopee: last 3 days, 100 at a
    time): store each as an event, process it, then confirm them as consumed. A marketplace with
    no connected shop, or whose partner keys are not configured, is skipped. Returns the number
    of pushes fetched."""
    fetched = 0
    for code in registry.codes(lost_push_recovery=True):
        if MarketplaceAccount.objects.filter(marketplace=code, status=MarketplaceAccount.Status.CONNECTED).exists():
            fetched += _recover(code, max_pages)
    return fetched


def _recover(code, max_pages):
    fetched = 0
    # partner-level calls: no shop to file them under
    with marketplace_session(code) as session:
        connector = session.connector
        for _page in range(max_pages):
            try:
                pushes, last_message_id, has_next = session.call("get_lost_push_message")
            except ConnectorError as exc:
                if exc.code == "not_configured":
                    return fetched
                raise
            for push in pushes:
                body = json.dumps(push.raw, ensure_ascii=False)
                event, is_new = inbound_event_receive(
                    provider=code, body=body, headers={"X-Source": "get_lost_push_message"},
                    dedup_key=connector.push_dedup_key(push.raw),
                )
                if is_new:
                    inbound_event_process(event_id=event.pk)
                fetched += 1
            if last_message_id:
                session.call("confirm_consumed_lost_push_message", int(last_message_id))
            if not has_next or not pushes:
                break
    return fetched


# --- the sandbox's buyers ----------------------------------------------------------------------


def sandbox_order_simulate(*, account, user, listing=None, quantity=1, rng=None):
    """"Tạo đơn thử": a buyer orders a live listing of a sandbox shop (one chosen at random if none
    is given), then the shop is synced so the sale shows at once. Returns (order, sync summary)."""
    _require_manage(user, account)
    if account.marketplace != SandboxConnector.code:
        raise DomainError(_("Chỉ tạo được đơn thử trên sàn thử nghiệm."))
    live = Listing.objects.filter(account=account, status=Listing.Status.LIVE).select_related("product")
    if listing is not None:
        listing = live.filter(pk=listing.pk).first()
        if listing is None:
            raise DomainError(_("Sản phẩm này không đang bán trên gian hàng thử nghiệm."))
    else:
        candidates = list(live.order_by("pk"))
        if not candidates:
            raise DomainError(_("Gian hàng thử nghiệm chưa có sản phẩm nào đang bán: hãy đăng bán trước."))
        listing = (rng or random).choice(candidates)
    try:
        order = simulate_order(account.shop_id, listing.product.sku, quantity)
    except ConnectorError as exc:
        raise DomainError(exc.message) from exc
    return order, account_orders_sync_now(account=account, user=user)
