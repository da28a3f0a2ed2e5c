"""Celery tasks: load by id, call a service. Sent only after commit (services use on_commit)."""
from celery import shared_task
from django.conf import settings

from . import services

PUBLISH_MAX_RETRIES = getattr(settings, "LISTING_PUBLISH_MAX_RETRIES", 5)


@shared_task(bind=True, acks_late=True, max_retries=PUBLISH_MAX_RETRIES)
def publish_listing(self, listing_id):
    """Retried only on transient marketplace errors (timeouts, 5xx, 429), with backoff and jitter;
    after the last retry the listing is `failed` with the reason."""
    retries = self.request.retries
    while True:
        try:
            services.listing_publish_run(listing_id=listing_id, retries=retries, max_retries=self.max_retries)
            return
        except services.RetryLater as exc:
            if not self.request.is_eager:
                raise self.retry(countdown=exc.delay, exc=exc) from exc
            # Eager mode (tests, `make demo` with no broker): Celery would propagate Retry to the
            # caller, so retry here at once; the backoff only matters with a real broker.
            retries += 1


@shared_task(acks_late=True)
def sweep_stuck_listings():
    return services.listings_sweep_stuck()


@shared_task(acks_late=True)
def refresh_marketplace_tokens():
    return services.accounts_refresh_expiring()


@shared_task(acks_late=True)
def check_listings_in_review():
    return services.listings_check_review()
