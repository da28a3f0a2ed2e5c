"""Celery tasks: load by id, call a service. The beat entries join the schedule in apps.ready."""
import logging

from celery import shared_task

from common.exceptions import DomainError
from listings.models import MarketplaceAccount
from listings.services import retry_delay

from . import ratelimit, services
from .connectors.base import TransientError

logger = logging.getLogger(__name__)

SYNC_MAX_RETRIES = 5

BEAT_SCHEDULE = {
    "marketplace-poll-orders": {"task": "marketplace.tasks.poll_marketplace_orders", "schedule": 900.0},
}


@shared_task(acks_late=True)
def poll_marketplace_orders():
    """Every 15 minutes: one sync task per connected shop with an order API, and Shopee's lost pushes."""
    account_ids = [account.pk for account in services.order_sync_accounts()]
    for account_id in account_ids:
        sync_account_orders.delay(account_id)
    recover_shopee_lost_pushes.delay()
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
            return services.account_orders_sync(account=account)
        except (TransientError, ratelimit.RateLimited) as exc:
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
def recover_shopee_lost_pushes():
    try:
        return services.shopee_lost_pushes_recover()
    except Exception as exc:  # noqa: BLE001 - Shopee keeps them for 3 days: the next run tries again
        logger.warning("fetching Shopee lost pushes failed: %s", exc)
        return None


@shared_task(acks_late=True)
def retry_order_event(event_id, attempt):
    event = services.order_event_retry(event_id=event_id, attempt=attempt)
    return event.state if event else None
