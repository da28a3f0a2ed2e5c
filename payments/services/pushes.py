"""Marketplace order pushes: verified and stored as inbound events, then processed into sales.

A push only says that an order changed: its processing fetches the order it names from the
marketplace (through the shop's session, listings.shops) and records it with
record_marketplace_order, idempotent per order line. The 15-minute polling (polling.py) catches
what a lost push missed. Everything about one marketplace's pushes (signature, times, keys) is
declared on its connector.
"""
import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import jsonbody
from common.exceptions import DomainError
from common.redaction import kept_headers
from listings.models import MarketplaceAccount
from listings.services import retry_delay
from listings.shops import shop_session
from marketplace.connectors.base import ConnectorError, TransientError
from marketplace.connectors.registry import get_connector
from marketplace.ratelimit import RateLimited

from ..models import InboundEvent
from .inbound import inbound_event_receive
from .orders import record_marketplace_order

logger = logging.getLogger(__name__)

# A push older than this is refused: Lazada re-sends for 6 hours (12 times, every 30 minutes),
# Shopee does not re-send at all (lost pushes are fetched through its API instead).
PUSH_MAX_AGE = timedelta(hours=24)
PUSH_MAX_SKEW = timedelta(minutes=10)
PUSH_FETCH_MARGIN = timedelta(minutes=10)
EVENT_MAX_RETRIES = 5


class PushRefused(Exception):
    """The webhook answers `status` and writes nothing."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def push_accept(*, connector, body, headers, url, now=None):
    """Verify a push with the marketplace's connector and store it. Raises PushRefused (nothing
    written) for a forged or tampered signature (401), a stale push or one without its `timestamp`
    (401: a replay could not be told from a fresh push) or a body that is not a JSON object, or is
    nested too deeply (400). `url` is the address the push arrived at. Returns (event, is_new);
    the processing is enqueued after commit."""
    headers = dict(headers)
    if not connector.verify_push(headers=headers, body=body, url=connector.push_callback_url(url)):
        raise PushRefused(401, "bad signature")
    try:
        payload = jsonbody.loads(body)
    except jsonbody.MalformedJson:
        payload = None
    if not isinstance(payload, dict):
        raise PushRefused(400, "malformed body")
    now = now or timezone.now()
    sent_at = connector.push_sent_at(payload)
    if sent_at is None or not (now - PUSH_MAX_AGE <= sent_at <= now + PUSH_MAX_SKEW):
        raise PushRefused(401, "stale push")
    return inbound_event_receive(
        provider=connector.code, body=body, headers=kept_headers(headers),
        dedup_key=connector.push_dedup_key(payload),
    )


# --- processing a push -------------------------------------------------------------------------


def _fetch_pushed_order(connector, account, push):
    """The order a push names, as the marketplace has it now. The connectors fetch by time:
    ask from a little before the change the push reports and pick the order out."""
    now = timezone.now()
    changed_at = connector.push_changed_at(push.raw) or now
    since = min(changed_at, now) - PUSH_FETCH_MARGIN
    with shop_session(account) as shop:
        orders = shop.call("fetch_orders", since)
    return next((o for o in orders if str(o.external_id) == str(push.external_id)), None)


def describe(result, order_id):
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
        from ..tasks import retry_order_event

        retry_order_event.apply_async((event_id, attempt + 1), countdown=delay)

    # robust: with the broker down the event stays `error` with its note, the drain that runs this
    # goes on with the next event, and the 15-minute order polling fetches the order anyway
    transaction.on_commit(send, robust=True)


def order_event_process(event, *, attempt=0):
    """Processes a marketplace push (inbound.inbound_event_process dispatches here): sets the
    event's state (matched, no_match, ignored, error) and note. Transient marketplace errors
    schedule a bounded retry of this event (and polling catches the order anyway)."""
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
        order = _fetch_pushed_order(connector, account, push)
    except (TransientError, RateLimited) as exc:
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
    event.note = describe(result, order.external_id)


def order_event_retry(*, event_id, attempt):
    """A push whose order could not be fetched (transient error): try again. Only an event still
    in `error` is touched, so a retry delivered twice does nothing the second time."""
    from .. import channels

    with transaction.atomic():
        event = InboundEvent.objects.select_for_update().filter(
            pk=event_id, provider__in=channels.push_codes()).first()
        if event is None or event.state != InboundEvent.State.ERROR:
            return event
        event.error = ""
        try:
            with transaction.atomic():
                order_event_process(event, attempt=attempt)
        except Exception as exc:  # kept on the row for people to see
            logger.exception("retry of inbound event %s failed", event.pk)
            event.state, event.error = InboundEvent.State.ERROR, f"{type(exc).__name__}: {exc}"[:2000]
        event.processed_at = timezone.now()
        event.save()
    return event
