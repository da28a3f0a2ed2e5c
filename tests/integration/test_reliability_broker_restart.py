"""Issue 7, item 4 — Redis (the broker, and the cache holding the rate limits) restarted with
`shutdown nosave` in the middle of a burst of publications (through the API on gunicorn) and
webhook deliveries: nothing lost. Everything queued in Redis is gone at the restart; the database is
the source of truth, and the sweeps (listings.tasks.sweep_stuck_listings,
payments.tasks.sweep_inbound_events, run here every second with thresholds of seconds instead of
the production minutes) send again what should have a task: every listing ends live, created once on
the marketplace, and every event is processed into exactly one transaction. A process that exits
(Celery's worker has been seen to die on the connection loss) is started again as systemd's
Restart=always does in production (deploy/systemd); the count is printed.

THIS TEST RESTARTS THE SHARED REDIS on 127.0.0.1:6379 (every database in it is emptied: Redis runs
without persistence here). It is marked `redis_restart`; Redis is started again in a `finally`
block whatever happens. Deselect it with `-m "not redis_restart"` when others rely on that Redis.

Sizes: RELIABILITY_BURST_EVENTS (CI default 100), RELIABILITY_BURST_LISTINGS (CI default 40),
RELIABILITY_BURST_SECONDS (how long the burst lasts, 8; Redis is down from its 2nd to its 5th second).
Full size: RELIABILITY_BURST_EVENTS=1000 RELIABILITY_BURST_LISTINGS=200 make reliability
"""
import threading
import time

import pytest
import requests
from rest_framework.authtoken.models import Token

from payments.models import InboundEvent, Transaction
from tests.marketplace.fakes import lazada_fake  # noqa: F401  (pytest fixture)

from .harness import (  # noqa: F401  (pytest fixtures)
    SHOPEE_SHOP,
    PublishingScenario,
    SalesScenario,
    cluster,
    env_int,
    post,
    redis_alive,
    redis_start,
    redis_stop,
    slow_shopee,
    sweep_events,
    sweep_listings,
)

EVENTS = env_int("RELIABILITY_BURST_EVENTS", 100)
LISTINGS = env_int("RELIABILITY_BURST_LISTINGS", 40)
BURST_SECONDS = float(env_int("RELIABILITY_BURST_SECONDS", 8))

pytestmark = pytest.mark.redis_restart


def _paced(items, send, seconds, clients=8):
    """Sends the items spread evenly over `seconds`, from `clients` threads; returns the statuses."""
    statuses = [None] * len(items)
    started = time.monotonic()
    step = seconds / max(len(items), 1)

    def run(offset):
        session = requests.Session()
        for index in range(offset, len(items), clients):
            delay = started + index * step - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            statuses[index] = send(session, items[index])

    threads = [threading.Thread(target=run, args=(offset,)) for offset in range(clients)]
    for thread in threads:
        thread.start()
    return threads, statuses


def _sweep_quietly():
    try:
        sweep_events(5)
        sweep_listings(8)
    except Exception:  # noqa: BLE001 - the broker may still be coming back; the next round sends them
        pass


def test_redis_restarted_during_a_burst_loses_nothing(cluster, slow_shopee, lazada_fake, capsys):
    # given shops with orders, a bank account, listings to publish, a web server and a worker
    assert redis_alive()
    sales = SalesScenario(slow_shopee, lazada_fake)
    publishing = PublishingScenario(slow_shopee, LISTINGS, shop_id=SHOPEE_SHOP + 1)
    events = sales.events(EVENTS)
    cluster.env.update(sales.env())
    web = cluster.web(workers=2)
    cluster.worker(concurrency=4)
    token = Token.objects.create(user=publishing.owner).key

    def deliver(session, event):
        return post(session, web.url + event.path, event.body, event.headers()).status_code

    def publish(session, listing):
        return post(session, f"{web.url}/api/listings/{listing.pk}/publish/", b"",
                    {"Authorization": f"Token {token}"}).status_code

    # when Redis goes down with everything it holds in the middle of the burst, then comes back
    started = time.monotonic()
    event_threads, event_statuses = _paced(events, deliver, BURST_SECONDS)
    listing_threads, listing_statuses = _paced(publishing.listings, publish, BURST_SECONDS)
    try:
        time.sleep(2)
        redis_stop()
        down_at = time.monotonic()
        time.sleep(3)
    finally:
        redis_start()
    outage = time.monotonic() - down_at
    for thread in event_threads + listing_threads:
        thread.join(timeout=120)
    burst = time.monotonic() - started

    # then every request was answered as usual (the broker being down is no error for the caller)
    assert event_statuses == [200] * EVENTS, cluster.logs()
    assert listing_statuses == [202] * LISTINGS, cluster.logs()

    # and, with the sweeps running, every event is processed and every listing goes live
    def done():
        return (not InboundEvent.objects.filter(state=InboundEvent.State.RECEIVED).exists()
                and publishing.all_live())

    deadline = time.monotonic() + 120 + (EVENTS + LISTINGS) // 2
    restarts = 0
    while not done():
        assert time.monotonic() < deadline, (
            f"listings {publishing.statuses()}, events "
            f"{list(InboundEvent.objects.values_list('state', 'provider', 'error')[:10])}\n{cluster.logs()}")
        time.sleep(1)
        restarts += cluster.supervise()
        _sweep_quietly()
    recovered = time.monotonic() - started

    firsts = InboundEvent.objects.filter(duplicate_of__isnull=True)
    assert firsts.count() == EVENTS
    assert set(firsts.values_list("state", flat=True)) == {"matched"}, list(
        firsts.exclude(state="matched").values("provider", "state", "note", "error")[:5])
    external_ids = sorted(Transaction.objects.values_list("external_id", flat=True))
    assert external_ids == sorted(event.expected_external_id for event in events)
    assert slow_shopee.created_per_sku() == dict.fromkeys(publishing.skus, 1)
    assert slow_shopee.items_per_sku() == dict.fromkeys(publishing.skus, 1)
    assert slow_shopee.rejected == [] and lazada_fake.rejected == []

    with capsys.disabled():
        print(f"\n[reliability] broker restart: Redis down {outage:.1f} s during a {burst:.1f} s burst of "
              f"{EVENTS} events and {LISTINGS} publications; all processed / live after {recovered:.1f} s; "
              f"{publishing.interrupted()} publications resumed by the sweep; {restarts} processes restarted "
              f"by the supervisor")
