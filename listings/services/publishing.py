"""The publishing run, inside the Celery task (listings.tasks.publish_listing), and the sweeps.

`listing_publish_run` claims the listing (queued -> publishing), asks the marketplace through a
shop session (every call recorded as a ListingAttempt), and ends in live / in_review / rejected /
failed, or back in queued with a `RetryLater` for the task to retry.
"""
import logging
import random
from contextlib import ExitStack
from datetime import timedelta

from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import INFRASTRUCTURE_ERRORS, DomainError
from marketplace.connectors.base import ConnectorError, RejectedError, TransientError
from marketplace.connectors.registry import codes
from marketplace.ratelimit import RateLimited

from ..models import Listing, ListingAttempt
from ..shops import shop_session
from .payloads import build_payload

logger = logging.getLogger(__name__)


class RetryLater(Exception):
    """A transient failure: the task retries after `delay` seconds."""

    def __init__(self, delay, message=""):
        super().__init__(message)
        self.delay = delay
        self.message = message


def retry_delay(retries, retry_after=None):
    """Exponential backoff with jitter, never sooner than the marketplace's own retry-after."""
    base = getattr(settings, "LISTING_RETRY_BASE_SECONDS", 30)
    cap = getattr(settings, "LISTING_RETRY_MAX_SECONDS", 600)
    delay = min(cap, base * (2 ** retries))
    delay += random.uniform(0, delay / 4)
    if retry_after:
        delay = max(delay, float(retry_after))
    return round(delay, 1)


def enqueue_publish(listing_id):
    """After commit, and robust: with the broker down the caller still gets its answer and the
    listing stays `queued`; listings_sweep_stuck sends it once the broker is back."""
    from ..tasks import publish_listing

    transaction.on_commit(lambda: publish_listing.delay(listing_id), robust=True)


def _finish(listing, status, reason):
    listing.refresh_from_db(fields=["status"])
    listing.transition(status, reason=str(reason))


def _claim(listing_id):
    with transaction.atomic():
        listing = (
            Listing.objects.select_for_update()
            .select_related("product__producer", "product__group", "account__producer")
            .filter(pk=listing_id)
            .first()
        )
        if listing is None or listing.status != Listing.Status.QUEUED:
            return None
        listing.transition(Listing.Status.PUBLISHING, reason=_("Đang gửi lên sàn."))
        return listing


def _send(shop, listing, *, tried_before):
    """The item on the marketplace: the one an earlier try left there, else a new one."""
    if tried_before:
        found = shop.call("find_by_sku", listing.product.sku)
        if found is not None and found.status in ("live", "pending_review"):
            return found
    return shop.call("publish", build_payload(listing))


@disable_auditlog()
def listing_publish_run(*, listing_id, retries=0, max_retries=5):
    """Publish one queued listing. Idempotent: when an earlier try may have created the item
    (a lost answer, a crashed worker), the marketplace is first asked for the SKU and the item found
    there is adopted instead of creating a second one.

    The worker's status changes are written to the listing's history (ListingStatusChange, with
    their reasons), not also to the audit log, which keeps what people did (the click that
    queued the listing is there, with its author)."""
    listing = _claim(listing_id)
    if listing is None:
        return None
    account = listing.account
    tried_before = listing.status_changes.filter(to_status=Listing.Status.PUBLISHING).count() > 1
    # the session stays open across the outcome: a success commits with the calls that led to it
    with ExitStack() as session:
        try:
            shop = session.enter_context(
                shop_session(account, listing=listing, operation=ListingAttempt.Operation.PUBLISH))
            if not shop.connector.supports_api:
                _finish(listing, Listing.Status.IN_REVIEW, _(
                    "Đã đưa vào tệp danh sách cho %(market)s: tải tệp, gửi đội hỗ trợ của sàn, rồi dán đường dẫn "
                    "sản phẩm khi sản phẩm lên sàn.") % {"market": account.get_marketplace_display()})
                return listing
            result = _send(shop, listing, tried_before=tried_before)
        except RejectedError as exc:
            _finish(listing, Listing.Status.REJECTED, exc.message)
        except (TransientError, RateLimited) as exc:
            _retry_or_fail(listing, exc, retries=retries, max_retries=max_retries)
        except (ConnectorError, DomainError) as exc:  # AccountUnavailable: the shop must reconnect
            _finish(listing, Listing.Status.FAILED, exc.message)
        except INFRASTRUCTURE_ERRORS:
            logger.warning("publishing listing %s interrupted by the infrastructure; the sweep resends it", listing.pk)
            raise
        except Exception as exc:  # a bug must not leave the listing "publishing" forever
            logger.exception("publishing listing %s failed", listing.pk)
            _finish(listing, Listing.Status.FAILED, _("Lỗi hệ thống khi gửi lên sàn (%(e)s). Hãy thử lại sau.")
                    % {"e": exc.__class__.__name__})
        else:
            with transaction.atomic():
                _adopt(listing, result)
                shop.record()
    return listing


def _retry_or_fail(listing, exc, *, retries, max_retries):
    message = exc.message if isinstance(exc, TransientError) else _("sàn đang giới hạn số lần gọi")
    retry_after = exc.retry_after if isinstance(exc, TransientError) else exc.wait
    if retries >= max_retries:
        _finish(listing, Listing.Status.FAILED, _("Không gửi được sau %(n)d lần thử: %(m)s")
                % {"n": retries + 1, "m": message})
        return
    delay = retry_delay(retries, retry_after)
    _finish(listing, Listing.Status.QUEUED, _("Lỗi tạm thời (%(m)s). Tự động thử lại sau %(s)d giây.")
            % {"m": message, "s": round(delay)})
    Listing.objects.filter(pk=listing.pk).update(enqueued_at=timezone.now() + timedelta(seconds=delay))
    raise RetryLater(delay, message) from exc


def _adopt(listing, result):
    listing.external_id = str(result.external_id or "")[:100]
    listing.url = str(result.url or "")[:500]
    listing.save(update_fields=["external_id", "url", "updated_at"])
    if result.status == "pending_review":
        _finish(listing, Listing.Status.IN_REVIEW, result.message or _("Sàn đang duyệt sản phẩm."))
    else:
        _finish(listing, Listing.Status.LIVE, result.message or _("Sản phẩm đang bán trên sàn."))


def listings_check_review(*, limit=200):
    """Ask the marketplace about listings waiting for its review (Lazada QC, Tiki requests)."""
    promoted = 0
    pending = Listing.objects.filter(status=Listing.Status.IN_REVIEW).exclude(
        account__marketplace__in=codes(auth="feed")
    ).select_related("account", "product")[:limit]
    for listing in pending:
        try:
            with shop_session(listing.account, listing=listing, operation=ListingAttempt.Operation.FIND) as shop:
                found = shop.call("find_by_sku", listing.product.sku)
        except (DomainError, ConnectorError, RateLimited) as exc:
            logger.info("review check of listing %s: %s", listing.pk, exc)
            continue
        if found is not None and found.status == "live":
            _adopt(listing, found)
            promoted += 1
        elif found is not None and found.status == "rejected":
            _finish(listing, Listing.Status.REJECTED, found.message or _("Sàn từ chối sản phẩm."))
    return promoted


def listings_sweep_stuck(*, older_than=None):
    """Listings left queued/publishing too long (the broker lost the message, a worker died):
    send them again. The publish task is idempotent, so a duplicate send is harmless."""
    older_than = older_than or timedelta(seconds=getattr(settings, "LISTING_STUCK_AFTER_SECONDS", 1800))
    cutoff = timezone.now() - older_than
    resent = []
    candidates = Listing.objects.filter(
        status__in=Listing.IN_FLIGHT, enqueued_at__lt=cutoff, status_changed_at__lt=cutoff
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            listing = Listing.objects.select_for_update().filter(pk=pk).first()
            if listing is None or listing.status not in Listing.IN_FLIGHT:
                continue
            if listing.status == Listing.Status.PUBLISHING:
                listing.transition(Listing.Status.QUEUED, reason=_("Lần gửi trước bị gián đoạn; gửi lại."))
            else:
                Listing.objects.filter(pk=pk).update(enqueued_at=timezone.now())
            enqueue_publish(pk)
            resent.append(pk)
    return resent
