"""Celery tasks: load by id, call a service. Inbound events are queued after commit by
services.inbound_event_receive; the order polling runs from settings.CELERY_BEAT_SCHEDULE."""
import logging

from celery import shared_task

from common.exceptions import INFRASTRUCTURE_ERRORS, DomainError
from listings.models import MarketplaceAccount
from listings.services import retry_delay
from marketplace.connectors.base import TransientError
from marketplace.ratelimit import RateLimited

from . import services
from .services import polling, pushes

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True)
def process_inbound_event(self, event_id):
    """Idempotent: an event already processed is left as it is. Run eagerly (no broker), a
    transient infrastructure error is tried again at once a few times; with a worker the event
    stays `received` for the next drain or the sweep."""
    if self.request.is_eager:
        event = services.inbound_event_process_eagerly(event_id=event_id)
    else:
        event = services.inbound_event_process(event_id=event_id)
    return event.state if event else None


@shared_task(acks_late=True, autoretry_for=INFRASTRUCTURE_ERRORS, retry_backoff=5, max_retries=5)
def drain_inbound_events():
    """Every event still `received` (one task for a burst of webhooks, see services)."""
    return services.inbound_events_drain()


@shared_task(acks_late=True)
def sweep_inbound_events():
    """Every 10 minutes (settings.CELERY_BEAT_SCHEDULE): events left `received`."""
    return services.inbound_events_sweep()


# --- marketplace orders ----------------------------------------------------------------------

SYNC_MAX_RETRIES = 5


@shared_task(acks_late=True)
def poll_marketplace_orders():
    """Every 15 minutes (settings.CELERY_BEAT_SCHEDULE): one sync task per connected shop with an
    order API, and the pushes the marketplaces kept for us."""
    account_ids = [account.pk for account in polling.order_sync_accounts()]
    for account_id in account_ids:
        sync_account_orders.delay(account_id)
    recover_lost_pushes.delay()
    return len(account_ids)


@shared_task(bind=True, acks_late=True, max_retries=SYNC_MAX_RETRIES)
def sync_account_orders(self, account_id):
    """Retried (bounded, with backoff) on transient marketplace errors; the shop's
    last_order_sync_at stays where it was until a sync succeeds."""
    retries = self.request.retries
    while True:
        account = MarketplaceAccount.objects.select_related("producer").filter(pk=account_id).first()
        if account is None or account.status != MarketplaceAccount.Status.CONNECTED:
            return None
        try:
            return polling.account_orders_sync(account=account)
        except (TransientError, RateLimited) as exc:
            retry_after = exc.retry_after if isinstance(exc, TransientError) else exc.wait
            if retries >= self.max_retries:
                logger.warning("order sync of account %s gave up after %s tries: %s", account_id, retries + 1, exc)
                return None
            if not self.request.is_eager:
                raise self.retry(countdown=retry_delay(retries, retry_after), exc=exc) from exc
            retries += 1  # eager mode (no broker): retry at once, as listings.tasks.publish_listing does
        except DomainError as exc:
            logger.info("order sync of account %s: %s", account_id, exc.message)
            return None


@shared_task(acks_late=True)
def recover_lost_pushes():
    try:
        return polling.lost_pushes_recover()
    except Exception as exc:  # noqa: BLE001 - Shopee keeps them for 3 days: the next run tries again
        logger.warning("fetching lost pushes failed: %s", exc)
        return None


@shared_task(acks_late=True)
def retry_order_event(event_id, attempt):
    event = pushes.order_event_retry(event_id=event_id, attempt=attempt)
    return event.state if event else None
