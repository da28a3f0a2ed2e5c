"""Issue 8, item 3 — growing past one machine: two gunicorn web processes (two ports, as behind a
proxy) and two Celery worker processes, one PostgreSQL and one Redis. A burst of webhook deliveries
(each event three times, spread over both web processes) and publications (through the API, on both
web processes) is processed by both workers: no loss, no duplicate.

Sizes: RELIABILITY_SCALE_EVENTS (CI default 200), RELIABILITY_SCALE_LISTINGS (CI default 60).
Full size: RELIABILITY_SCALE_EVENTS=1000 RELIABILITY_SCALE_LISTINGS=200 make reliability
"""
import random
import re
import threading
import time

import requests
from rest_framework.authtoken.models import Token

from payments.models import InboundEvent, Transaction
from tests.marketplace.fakes import lazada_fake  # noqa: F401  (pytest fixture)

from .harness import (  # noqa: F401  (pytest fixtures)
    SHOPEE_SHOP,
    PublishingScenario,
    SalesScenario,
    cluster,
    deliver_all,
    env_int,
    post,
    slow_shopee,
    wait_for,
)

EVENTS = env_int("RELIABILITY_SCALE_EVENTS", 200)
LISTINGS = env_int("RELIABILITY_SCALE_LISTINGS", 60)
DELIVERIES_PER_EVENT = 3


def _succeeded(worker, task):
    return len(re.findall(rf"Task {re.escape(task)}\[[^\]]+\] succeeded", worker.log_path.read_text()))


def test_two_web_processes_and_two_workers_lose_and_duplicate_nothing(cluster, slow_shopee, lazada_fake, capsys):
    # given two web processes and two workers on one database and one broker
    slow_shopee.latency = 0.05
    sales = SalesScenario(slow_shopee, lazada_fake)
    publishing = PublishingScenario(slow_shopee, LISTINGS, shop_id=SHOPEE_SHOP + 1)
    events = sales.events(EVENTS)
    cluster.env.update(sales.env())
    webs = [cluster.web(workers=2), cluster.web(workers=2)]
    workers = [cluster.worker(concurrency=2), cluster.worker(concurrency=2)]
    token = Token.objects.create(user=publishing.owner).key
    deliveries = [event for event in events for _ in range(DELIVERIES_PER_EVENT)]
    random.Random(8).shuffle(deliveries)

    # when the burst comes in, spread over both web processes
    publish_statuses = []

    def publish_all():
        session = requests.Session()
        for index, listing in enumerate(publishing.listings):
            response = post(session, f"{webs[index % 2].url}/api/listings/{listing.pk}/publish/", b"",
                            {"Authorization": f"Token {token}"})
            publish_statuses.append(response.status_code)

    started = time.monotonic()
    publisher = threading.Thread(target=publish_all)
    publisher.start()
    statuses = deliver_all(deliveries, [web.url for web in webs], clients=20)
    publisher.join(timeout=300)
    assert statuses == [200] * len(deliveries) and publish_statuses == [202] * LISTINGS, cluster.logs()

    wait_for(lambda: not InboundEvent.objects.filter(state=InboundEvent.State.RECEIVED).exists()
             and sum(InboundEvent.objects.values_list("deliveries", flat=True)) >= len(deliveries)
             and publishing.all_live(),
             60 + EVENTS // 2 + LISTINGS, what="the burst to be processed")
    elapsed = time.monotonic() - started

    # then nothing is lost and nothing duplicated
    firsts = InboundEvent.objects.filter(duplicate_of__isnull=True)
    assert firsts.count() == EVENTS and set(firsts.values_list("state", flat=True)) == {"matched"}
    assert sorted(Transaction.objects.values_list("external_id", flat=True)) == sorted(
        event.expected_external_id for event in events)
    assert slow_shopee.created_per_sku() == dict.fromkeys(publishing.skus, 1)
    assert slow_shopee.items_per_sku() == dict.fromkeys(publishing.skus, 1)
    assert slow_shopee.rejected == [] and lazada_fake.rejected == []
    # and both workers took part in both kinds of work
    # (events are processed by drain tasks, one queued per burst; a task per event where the cache is not shared)
    share = {worker.name: (_succeeded(worker, "payments.tasks.drain_inbound_events")
                           + _succeeded(worker, "payments.tasks.process_inbound_event"),
                           _succeeded(worker, "listings.tasks.publish_listing")) for worker in workers}
    assert all(events_done > 0 and listings_done > 0 for events_done, listings_done in share.values()), share

    with capsys.disabled():
        print(f"\n[reliability] scale-out: 2 web x 2 workers: {len(deliveries)} deliveries of {EVENTS} events and "
              f"{LISTINGS} publications done in {elapsed:.1f} s; (events, publications) per worker {share}")
