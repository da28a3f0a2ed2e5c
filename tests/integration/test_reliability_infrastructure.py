"""Issue 7, items 4 and 5, in-process (any database, eager tasks): no task for a rolled-back
transaction, and our own infrastructure failing (the broker, the Redis cache that holds the rate
limits) never loses a listing or an event nor blames it on them: the row stays where the sweeps pick
it up. test_reliability_broker_restart.py shows the same with a real Redis restart."""
import json
from datetime import timedelta

import kombu.exceptions
import pytest
from django.db import transaction

from common.exceptions import INFRASTRUCTURE_ERRORS
from listings import services as listing_services
from listings import tasks as listing_tasks
from listings.models import Listing
from payments import services as payment_services
from payments.models import InboundEvent, Transaction
from tests.factories import OcopProductFactory, make_member
from tests.marketplace.fakes import shopee_fake  # noqa: F401  (pytest fixture)
from tests.marketplace.order_fixtures import honey, push_sample, shopee_account, shopee_order, tea  # noqa: F401

pytestmark = pytest.mark.django_db
DEAD_REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": "redis://127.0.0.1:1/0"}}
NOW = timedelta(seconds=-1)  # "stuck" from the first instant (timedelta(0) would mean the default)


@pytest.fixture
def sandbox_listing():
    owner, producer = make_member()
    account = listing_services.account_connect(producer=producer, user=owner, marketplace="sandbox")
    listing = listing_services.listing_create(product=OcopProductFactory(producer=producer), account=account,
                                              user=owner)
    return listing, owner


@pytest.mark.parametrize("provider", ["sepay", "shopee"])
def test_no_task_is_sent_for_an_inbound_event_whose_transaction_rolls_back(
        provider, django_capture_on_commit_callbacks):
    # given an event stored inside a transaction that then rolls back
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                payment_services.inbound_event_receive(provider=provider, body=b"{}", headers={}, dedup_key="1")
                raise RuntimeError("rolled back")
    # then no processing task was ever sent, and nothing is stored
    assert callbacks == []
    assert not InboundEvent.objects.exists()
    # while the same call committed sends exactly one
    with django_capture_on_commit_callbacks() as callbacks:
        payment_services.inbound_event_receive(provider=provider, body=b"{}", headers={}, dedup_key="1")
    assert len(callbacks) == 1


def test_publishing_with_the_broker_down_answers_and_the_sweep_sends_it_later(
        sandbox_listing, monkeypatch, django_capture_on_commit_callbacks):
    listing, owner = sandbox_listing

    def broker_down(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    # given the broker does not answer
    monkeypatch.setattr(listing_tasks.publish_listing, "delay", broker_down)
    # when the owner publishes: no error for them, the listing is queued
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_publish(listing=listing, user=owner)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.QUEUED
    # then, the broker back, the sweep sends it and it goes live
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert listing_services.listings_sweep_stuck(older_than=NOW) == [listing.pk]
    listing.refresh_from_db()
    assert listing.status == Listing.Status.LIVE


def test_redis_down_in_the_middle_of_publishing_leaves_the_listing_to_the_sweep_not_failed(
        sandbox_listing, settings, django_capture_on_commit_callbacks):
    listing, owner = sandbox_listing
    locmem = settings.CACHES
    # given Redis (rate limits) goes away while the worker publishes
    settings.CACHES = DEAD_REDIS
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_publish(listing=listing, user=owner)
    # then the listing is not marked failed: the run stopped, the listing is still being published
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PUBLISHING
    assert not listing.status_changes.filter(to_status=Listing.Status.FAILED).exists()
    # and once Redis is back the sweep resumes it to live
    settings.CACHES = locmem
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listings_sweep_stuck(older_than=NOW)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.LIVE


def test_redis_down_while_an_order_push_is_processed_leaves_the_event_to_the_sweep(
        shopee_fake, shopee_account, honey, tea, settings, django_capture_on_commit_callbacks):
    # given a stored Shopee push for an order the marketplace has
    shopee_order(shopee_fake, "201218V2Y6E59M", honey, tea)
    body = json.dumps(push_sample("shopee_push_order_status.json")).encode()
    with django_capture_on_commit_callbacks(execute=False):
        event, _new = payment_services.inbound_event_receive(provider="shopee", body=body, headers={},
                                                             dedup_key="push-1")
    # when Redis (rate limits) is down while the worker processes it
    locmem = settings.CACHES
    settings.CACHES = DEAD_REDIS
    with pytest.raises(INFRASTRUCTURE_ERRORS):
        payment_services.inbound_event_process(event_id=event.pk)
    # then the event is still waiting, not in error
    event.refresh_from_db()
    assert event.state == InboundEvent.State.RECEIVED and event.error == ""
    # and the sweep, Redis back, gets it processed into the order's sales
    settings.CACHES = locmem
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_services.inbound_events_sweep(older_than=NOW) == 1
    event.refresh_from_db()
    assert event.state == InboundEvent.State.MATCHED
    assert Transaction.objects.count() == 2
