"""Issue 7, item 6 — retries are bounded: the Shopee fake answers 503 to every add_item; a real
worker retries with exponential backoff (Celery countdowns through Redis), gives up after
LISTING_PUBLISH_MAX_RETRIES (5) retries, i.e. 6 calls, and the listing shows `failed` with the
reason; the portal's retry button then publishes it once the marketplace is back.
(tests/listings/test_publish_marketplaces.py covers the same with eager tasks and no waiting.)

Backoff here: LISTING_RETRY_BASE_SECONDS=0.5, LISTING_RETRY_MAX_SECONDS=4 for the worker (production:
30 s doubling up to 10 minutes), so the 6 calls take about 12 seconds.
"""
import itertools
import time

from django.urls import reverse

from listings.models import Listing

from .harness import ADD_ITEM, PublishingScenario, cluster, slow_shopee, wait_for  # noqa: F401

BASE, CAP, MAX_RETRIES = 0.5, 4.0, 5


def test_a_marketplace_answering_503_forever_gets_six_calls_with_backoff_then_failed_and_retry_works(
        cluster, slow_shopee, client, capsys):
    # given Shopee answers 503 to every item creation, and a worker with a short backoff
    slow_shopee.latency = 0
    slow_shopee.fail(ADD_ITEM, "status", status=503, times=1000)
    scenario = PublishingScenario(slow_shopee, 1)
    cluster.env.update(scenario.env(), LISTING_RETRY_BASE_SECONDS=str(BASE), LISTING_RETRY_MAX_SECONDS=str(CAP))
    cluster.worker(concurrency=2)
    listing = scenario.listings[0]

    # when the listing is published
    scenario.publish_all()
    wait_for(lambda: Listing.objects.get(pk=listing.pk).status == Listing.Status.FAILED, 90, what="failed")
    time.sleep(2 * CAP)  # nothing more comes after the last try

    # then Shopee got exactly 1 + 5 calls, each further apart than the backoff asks
    attempts = slow_shopee.attempts(ADD_ITEM)
    assert len(attempts) == 1 + MAX_RETRIES
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    for retry, gap in enumerate(gaps):
        assert gap >= min(CAP, BASE * 2 ** retry) - 0.05, gaps
    # and the listing says why, in the portal too, with the retry button
    listing.refresh_from_db()
    assert "Không gửi được sau 6 lần thử" in listing.status_message and "503" in listing.status_message
    assert listing.attempts.filter(call="product.add_item", status_code=503).count() == 6
    client.force_login(scenario.owner)
    page = client.get(reverse("listings:detail", args=[listing.pk])).content.decode()
    assert "Không gửi được sau 6 lần thử" in page and 'data-testid="retry"' in page

    # when the marketplace is back and the owner presses retry
    slow_shopee._failures.clear()
    response = client.post(reverse("listings:action", args=[listing.pk, "retry"]))
    assert response.status_code == 302
    # then the worker publishes it, once
    wait_for(lambda: Listing.objects.get(pk=listing.pk).status == Listing.Status.LIVE, 60, what="live")
    assert slow_shopee.items_per_sku() == {listing.product.sku: 1}
    assert len(slow_shopee.attempts(ADD_ITEM)) == 1 + MAX_RETRIES + 1

    with capsys.disabled():
        print(f"\n[reliability] retries: 503 forever -> {len(attempts)} calls, gaps "
              f"{', '.join(f'{g:.1f}' for g in gaps)} s, then failed; retry button -> live")
