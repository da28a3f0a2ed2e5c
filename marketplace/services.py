"""Marketplace orders into sales (payments.Transaction): pushes, polling, the sandbox's buyers.

Two ways in, one way to record:
- a push (Shopee, Lazada) is verified and stored as an InboundEvent by `push_accept`; its
  processor (`order_event_process`, registered with payments in apps.ready) fetches the order it
  names from the marketplace (a push only says that something changed) and records it;
- `account_orders_sync` (celery beat, every 15 minutes, and the portal's "Đồng bộ đơn hàng")
  fetches every order updated since the last successful sync, which catches lost pushes.
Both call payments.services.record_marketplace_order, which is idempotent per order line.
"""
import hashlib
import json
import logging
import math
import random
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import jsonbody
from common.exceptions import DomainError, PermissionDenied
from common.redaction import kept_headers
from listings.models import Listing, Marketplace, MarketplaceAccount
from listings.services import (
    AccountUnavailable,
    account_mark_expired,
    account_refresh_if_needed,
    can_manage,
    credentials_of,
    record_calls,
    retry_delay,
)
from payments.models import InboundEvent
from payments.services import inbound_event_process, inbound_event_receive, record_marketplace_order

from . import ratelimit
from .connectors.base import AuthError, ConnectorError, TransientError
from .connectors.registry import UnknownConnector, get_connector

logger = logging.getLogger(__name__)

PUSH_PROVIDERS = (Marketplace.SHOPEE.value, Marketplace.LAZADA.value)
# A push older than this is refused: Lazada re-sends for 6 hours (12 times, every 30 minutes),
# Shopee does not re-send at all (lost pushes are fetched through its API instead).
PUSH_MAX_AGE = timedelta(hours=24)
PUSH_MAX_SKEW = timedelta(minutes=10)
PUSH_FETCH_MARGIN = timedelta(minutes=10)
ORDER_SYNC_OVERLAP = timedelta(minutes=10)
FIRST_SYNC_WINDOW = timedelta(days=30)
EVENT_MAX_RETRIES = 5
LOST_PUSH_MAX_PAGES = 10


# --- pushes ----------------------------------------------------------------------------------


class PushRefused(Exception):
    """The webhook answers `status` and writes nothing."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _push_data(payload):
    data = payload.get("data") or {}
    if isinstance(data, str):  # Shopee sends `data` as a JSON string in some pushes (lost pushes)
        try:
            data = json.loads(data)
        except ValueError:
            data = {}
    return data if isinstance(data, dict) else {}


def _epoch(value):
    """Seconds or milliseconds since 1970 (Lazada's `timestamp` is in ms) as an aware datetime."""
    if isinstance(value, bool) or (isinstance(value, str) and len(value) > 20):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(number) or number <= 0:  # NaN, infinity: not a time, so stale
        return None
    if number > 10**11:
        number /= 1000
    try:
        return datetime.fromtimestamp(number, tz=dt_timezone.utc)
    except (OverflowError, ValueError, OSError):  # past year 9999
        return None


def push_sent_at(payload):
    """When the marketplace sent the push (its top-level `timestamp`), if it says."""
    return _epoch(payload.get("timestamp"))


def push_order_changed_at(provider, payload):
    """When the order changed, per the push: where to start fetching it."""
    data = _push_data(payload)
    value = data.get("update_time") if provider == Marketplace.SHOPEE else data.get("status_update_time")
    return _epoch(value) or push_sent_at(payload)


def push_dedup_key(provider, payload):
    """The push's own identifiers: the same change delivered again gets the same key. A push
    without them (shop authorised, product banned...) is keyed by a hash of its content."""
    data = _push_data(payload)
    if provider == Marketplace.SHOPEE:
        order_sn = data.get("ordersn") or data.get("order_sn")
        if order_sn:
            parts = (payload.get("shop_id"), order_sn, data.get("status"), data.get("update_time"))
            return ":".join(str(p if p is not None else "") for p in parts)[:120]
    elif provider == Marketplace.LAZADA:
        order_id = data.get("trade_order_id")
        if order_id:
            parts = (payload.get("seller_id"), order_id, data.get("trade_order_line_id"), data.get("order_status"),
                     data.get("status_update_time"))
            return ":".join(str(p if p is not None else "") for p in parts)[:120]
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def push_accept(*, provider, body, headers, url, now=None):
    """Verify a push with the marketplace's connector and store it. Raises PushRefused (nothing
    written) for a forged or tampered signature (401), a stale push or one without its `timestamp`
    (401: a replay could not be told from a fresh push) or a body that is not a JSON object, or is
    nested too deeply (400). Returns (event, is_new); the processing is enqueued after commit."""
    if provider not in PUSH_PROVIDERS:
        raise PushRefused(404, "unknown marketplace")
    try:
        connector = get_connector(provider)
    except UnknownConnector:
        raise PushRefused(404, "marketplace not enabled") from None
    headers = dict(headers)
    if not connector.verify_push(headers=headers, body=body, url=url):
        raise PushRefused(401, "bad signature")
    try:
        payload = jsonbody.loads(body)
    except jsonbody.MalformedJson:
        payload = None
    if not isinstance(payload, dict):
        raise PushRefused(400, "malformed body")
    now = now or timezone.now()
    sent_at = push_sent_at(payload)
    if sent_at is None or not (now - PUSH_MAX_AGE <= sent_at <= now + PUSH_MAX_SKEW):
        raise PushRefused(401, "stale push")
    return inbound_event_receive(
        provider=provider, body=body, headers=kept_headers(headers), dedup_key=push_dedup_key(provider, payload),
    )


# --- processing a push -------------------------------------------------------------------------


def _fetch_pushed_order(connector, account, push, provider):
    """The order a push names, as the marketplace has it now. The connectors fetch by time:
    ask from a little before the change the push reports and pick the order out."""
    account = account_refresh_if_needed(account=account)
    now = timezone.now()
    changed_at = push_order_changed_at(provider, push.raw) or now
    since = min(changed_at, now) - PUSH_FETCH_MARGIN
    ratelimit.acquire(account.marketplace, account.shop_id)
    try:
        orders = connector.fetch_orders(credentials_of(account), since)
    except AuthError as exc:
        account_mark_expired(account=account, reason=exc.message)
        raise AccountUnavailable(exc.message) from exc
    return next((o for o in orders if str(o.external_id) == str(push.external_id)), None)


def _describe(result, order_id):
    created, updated = len(result["created"]), len(result["updated"])
    unchanged, unmatched = len(result["unchanged"]), result["unmatched"]
    note = _("Đơn %(order)s: %(created)s dòng bán mới, %(updated)s dòng cập nhật, %(unchanged)s dòng không đổi.") % {
        "order": order_id, "created": created, "updated": updated, "unchanged": unchanged}
    if unmatched:
        skus = ", ".join(sorted({line.sku or line.external_item_id for line in unmatched}))
        note += " " + _("Không tìm thấy sản phẩm cho: %(skus)s.") % {"skus": skus}
    return note[:500]


def _schedule_retry(event, attempt, exc):
    message = exc.message if isinstance(exc, ConnectorError) else _("sàn đang giới hạn số lần gọi")
    event.state = InboundEvent.State.ERROR
    event.error = f"{type(exc).__name__}: {exc}"[:2000]
    if attempt >= EVENT_MAX_RETRIES:
        event.note = _("Sàn không phản hồi sau %(n)s lần thử (%(m)s); lần đồng bộ định kỳ sẽ lấy lại đơn này.") % {
            "n": attempt + 1, "m": message}
        return
    retry_after = exc.retry_after if isinstance(exc, ConnectorError) else getattr(exc, "wait", None)
    delay = retry_delay(attempt, retry_after)
    event.note = _("Sàn tạm thời không phản hồi (%(m)s); tự động thử lại sau %(s)s giây (lần %(n)s/%(max)s).") % {
        "m": message, "s": round(delay), "n": attempt + 1, "max": EVENT_MAX_RETRIES}
    event_id = event.pk

    def send():
        from .tasks import retry_order_event

        retry_order_event.apply_async((event_id, attempt + 1), countdown=delay)

    # robust: with the broker down the event stays `error` with its note, the drain that runs this
    # goes on with the next event, and the 15-minute order polling fetches the order anyway
    transaction.on_commit(send, robust=True)


def order_event_process(event, *, attempt=0):
    """The processor registered with payments for Shopee and Lazada pushes: sets the event's
    state (matched, no_match, ignored, error) and note. Transient marketplace errors schedule a
    bounded retry of this event (and polling catches the order anyway)."""
    connector = get_connector(event.provider)
    pushes = connector.parse_push(event.body.encode())
    if not pushes:
        event.state, event.note = InboundEvent.State.ERROR, _("Không đọc được nội dung thông báo của sàn.")
        return
    push = pushes[0]
    if push.kind != "order" or not push.external_id:
        event.state, event.note = InboundEvent.State.IGNORED, _("Thông báo không phải về đơn hàng: không cần xử lý.")
        return
    event.external_id = push.external_id[:120]
    account = (MarketplaceAccount.objects.filter(marketplace=event.provider, shop_id=push.shop_id)
               .select_related("producer").first())
    if account is None:
        event.state = InboundEvent.State.NO_MATCH
        event.note = _("Gian hàng %(shop)s chưa được kết nối với hệ thống.") % {"shop": push.shop_id or "?"}
        return
    event.producer = account.producer
    try:
        order = _fetch_pushed_order(connector, account, push, event.provider)
    except (TransientError, ratelimit.RateLimited) as exc:
        _schedule_retry(event, attempt, exc)
        return
    except DomainError as exc:  # the shop is not connected or its authorisation ended
        event.state, event.error = InboundEvent.State.ERROR, str(exc.message)[:2000]
        event.note = (_("%(m)s Đơn sẽ được đồng bộ khi gian hàng kết nối lại.") % {"m": exc.message})[:500]
        return
    except ConnectorError as exc:
        event.state, event.error = InboundEvent.State.ERROR, f"{type(exc).__name__}: {exc}"[:2000]
        event.note = str(exc.message)[:500]
        return
    finally:
        record_calls(connector, account=account)
    if order is None:
        event.state = InboundEvent.State.NO_MATCH
        event.note = _("Sàn không trả về đơn %(order)s; lần đồng bộ định kỳ sẽ thử lại.") % {"order": push.external_id}
        return
    result = record_marketplace_order(account=account, order=order)
    for tx in result["created"]:
        tx.inbound_event = event
        tx.save(update_fields=["inbound_event", "updated_at"])
    recorded = result["created"] or result["updated"] or result["unchanged"]
    event.state = InboundEvent.State.MATCHED if recorded else InboundEvent.State.NO_MATCH
    event.note = _describe(result, order.external_id)


def order_event_retry(*, event_id, attempt):
    """A push whose order could not be fetched (transient error): try again. Only an event still
    in `error` is touched, so a retry delivered twice does nothing the second time."""
    with transaction.atomic():
        event = InboundEvent.objects.select_for_update().filter(pk=event_id, provider__in=PUSH_PROVIDERS).first()
        if event is None or event.state != InboundEvent.State.ERROR:
            return event
        event.error = ""
        try:
            with transaction.atomic():
                order_event_process(event, attempt=attempt)
        except Exception as exc:  # noqa: BLE001 - kept on the row for people to see
            logger.exception("retry of inbound event %s failed", event.pk)
            event.state, event.error = InboundEvent.State.ERROR, f"{type(exc).__name__}: {exc}"[:2000]
        event.processed_at = timezone.now()
        event.save()
    return event


# --- polling -----------------------------------------------------------------------------------


def order_sync_accounts():
    """Connected shops whose marketplace has an order API (the sandbox included)."""
    accounts = MarketplaceAccount.objects.filter(status=MarketplaceAccount.Status.CONNECTED).select_related("producer")
    result = []
    for account in accounts:
        if account.is_feed:
            continue
        try:
            connector = get_connector(account.marketplace)
        except UnknownConnector:
            continue
        if connector.supports_api:
            result.append(account)
    return result


def account_orders_sync(*, account, since=None):
    """Fetch the shop's orders updated since the last successful sync (minus a small overlap;
    the first time, the last 30 days) and record each; `last_order_sync_at` moves only after
    everything was recorded. TransientError / RateLimited propagate (the task retries);
    AuthError marks the shop expired and raises AccountUnavailable."""
    if account.is_feed:
        raise DomainError(_("Sàn này không có API đơn hàng: hãy nhập tệp đơn hàng xuất từ trang người bán."))
    try:
        connector = get_connector(account.marketplace)
    except UnknownConnector as exc:
        raise DomainError(_("Sàn này chưa được bật trên hệ thống.")) from exc
    account = account_refresh_if_needed(account=account)
    started = timezone.now()
    if since is None:
        since = (account.last_order_sync_at - ORDER_SYNC_OVERLAP if account.last_order_sync_at
                 else started - FIRST_SYNC_WINDOW)
    try:
        ratelimit.acquire(account.marketplace, account.shop_id)
        orders = connector.fetch_orders(credentials_of(account), since)
    except AuthError as exc:
        account_mark_expired(account=account, reason=exc.message)
        raise AccountUnavailable(
            _("Ủy quyền của gian hàng “%(shop)s” đã hết hạn: hãy kết nối lại. (%(reason)s)")
            % {"shop": account.shop_name or account.shop_id, "reason": exc.message}
        ) from exc
    finally:
        record_calls(connector, account=account)
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
    except ratelimit.RateLimited as exc:
        message = _("Sàn đang giới hạn số lần gọi, hãy thử lại sau %(s)d giây.") % {"s": int(exc.wait) + 1}
        raise DomainError(message) from exc
    except ConnectorError as exc:
        raise DomainError(exc.message, code="marketplace_error") from exc


def shopee_lost_pushes_recover(*, max_pages=LOST_PUSH_MAX_PAGES):
    """Shopee keeps the pushes we did not acknowledge (last 3 days, 100 at a time): store each as
    an event, process it, then confirm them as consumed. Returns the number of pushes fetched."""
    from django.conf import settings

    if not (settings.SHOPEE_PARTNER_ID and settings.SHOPEE_PARTNER_KEY):
        return 0
    if not MarketplaceAccount.objects.filter(marketplace=Marketplace.SHOPEE,
                                             status=MarketplaceAccount.Status.CONNECTED).exists():
        return 0
    try:
        connector = get_connector(Marketplace.SHOPEE)
    except UnknownConnector:
        return 0
    fetched = 0
    try:
        for _page in range(max_pages):
            pushes, last_message_id, has_next = connector.get_lost_push_message()
            for push in pushes:
                body = json.dumps(push.raw, ensure_ascii=False)
                event, is_new = inbound_event_receive(
                    provider=Marketplace.SHOPEE, body=body, headers={"X-Source": "get_lost_push_message"},
                    dedup_key=push_dedup_key(Marketplace.SHOPEE, push.raw),
                )
                if is_new:
                    inbound_event_process(event_id=event.pk)
                fetched += 1
            if last_message_id:
                connector.confirm_consumed_lost_push_message(int(last_message_id))
            if not has_next or not pushes:
                break
    finally:
        connector.calls.clear()  # partner-level calls: no shop to file them under
    return fetched


# --- the sandbox's buyers ----------------------------------------------------------------------


def sandbox_order_simulate(*, account, user, listing=None, quantity=1, rng=None):
    """"Tạo đơn thử": a buyer orders a live listing of a sandbox shop (one chosen at random if none
    is given), then the shop is synced so the sale shows at once. Returns (order, sync summary)."""
    from .connectors.sandbox import simulate_order

    _require_manage(user, account)
    if account.marketplace != Marketplace.SANDBOX:
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
