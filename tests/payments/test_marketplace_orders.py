"""Order polling (celery beat, eager here) against the local Shopee and Lazada fakes, Shopee's
lost pushes, and the sandbox's simulated buyers through the same sync path."""
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from listings import services as listings_services
from listings.models import Listing, ListingAttempt, MarketplaceAccount
from marketplace.connectors.base import TransientError
from payments import tasks
from payments.models import InboundEvent, Transaction
from payments.services import polling as services
from tests.factories import make_member
from tests.marketplace.fakes import sample
from tests.marketplace.order_fixtures import (
    LAZADA_ORDER,
    lazada_time,
    shopee_order,
)

pytestmark = pytest.mark.django_db
ORDER_LIST = "/api/v2/order/get_order_list"


@pytest.fixture(autouse=True)
def _fast_backoff(settings):
    settings.LISTING_RETRY_BASE_SECONDS = 1


def _order_list_calls(fake):
    return [c for c in fake.calls if c.path == ORDER_LIST]


def test_polling_catches_a_shopee_order_whose_push_was_lost(shopee_fake, shopee_account, honey, tea):
    # given an order Shopee never pushed to us, and a shop never synced before
    shopee_order(shopee_fake, "2101010LOST01", honey, tea, update_time=int(time.time()) - 3600)
    started = timezone.now()
    # when the periodic sync of the shop runs
    summary = tasks.sync_account_orders.delay(shopee_account.pk).get()
    # then the order is recorded, one transaction per line
    assert summary["orders"] == 1 and summary["created"] == 2
    assert set(Transaction.objects.values_list("product", flat=True)) == {honey.pk, tea.pk}
    # and the first sync looked back 30 days, and the shop's sync time moved on
    first = int(_order_list_calls(shopee_fake)[0].query["time_from"])
    assert abs(first - (started - timedelta(days=30)).timestamp()) < 5
    shopee_account.refresh_from_db()
    assert shopee_account.last_order_sync_at >= started
    # the calls are on record with the shop, secrets masked
    attempt = ListingAttempt.objects.filter(account=shopee_account, call="order.get_order_list").first()
    assert attempt is not None and "access_token=***" in attempt.url
    assert shopee_fake.rejected == []


def test_next_sync_starts_at_the_last_one_minus_a_small_overlap(shopee_fake, shopee_account):
    last = timezone.now() - timedelta(hours=2)
    MarketplaceAccount.objects.filter(pk=shopee_account.pk).update(last_order_sync_at=last)
    shopee_account.refresh_from_db()
    services.account_orders_sync(account=shopee_account)
    first = int(_order_list_calls(shopee_fake)[0].query["time_from"])
    assert first == int((last - services.ORDER_SYNC_OVERLAP).timestamp())


def test_polling_a_lazada_shop_records_its_orders(lazada_fake, lazada_account, honey):
    lazada_fake.add_order(LAZADA_ORDER, updated_at=lazada_time(timezone.now() - timedelta(hours=1)),
                          sku=honey.sku, quantity=3, price=150000)
    summary = tasks.sync_account_orders.delay(lazada_account.pk).get()
    assert summary["created"] == 1
    tx = Transaction.objects.get()
    assert (tx.product, tx.quantity, tx.amount, tx.marketplace) == (honey, 3, 450000, "lazada")
    lazada_account.refresh_from_db()
    assert lazada_account.last_order_sync_at is not None
    assert lazada_fake.rejected == []


def test_polling_updates_a_cancelled_order_and_skips_unknown_products(shopee_fake, shopee_account, honey):
    shopee_order(shopee_fake, "2101010CANC01", honey)
    services.account_orders_sync(account=shopee_account)
    assert Transaction.objects.get().status == "completed"
    # the buyer cancels; meanwhile another order sells something we do not know
    shopee_fake.orders["2101010CANC01"].update(order_status="CANCELLED", update_time=int(time.time()))
    stranger = shopee_fake.add_order("2101010UNKN01", update_time=int(time.time()), sku="KHONG-CO", item_id=1)
    assert stranger["item_list"][0]["item_sku"] == "KHONG-CO"
    summary = services.account_orders_sync(account=shopee_account)
    assert summary["updated"] == 1 and summary["unmatched"] == 1
    assert Transaction.objects.get().status == Transaction.Status.CANCELLED


def test_last_sync_time_moves_only_after_a_successful_sync(shopee_fake, shopee_account, honey):
    last = timezone.now() - timedelta(hours=1)
    MarketplaceAccount.objects.filter(pk=shopee_account.pk).update(last_order_sync_at=last)
    shopee_account.refresh_from_db()
    shopee_order(shopee_fake, "2101010LATE01", honey)
    # when Shopee fails (500) the sync raises for the task to retry, and nothing moves
    shopee_fake.fail(ORDER_LIST, "status", status=500)
    with pytest.raises(TransientError):
        services.account_orders_sync(account=shopee_account)
    shopee_account.refresh_from_db()
    assert shopee_account.last_order_sync_at == last
    assert not Transaction.objects.exists()
    # when it works again, the order is caught and the time moves on
    services.account_orders_sync(account=shopee_account)
    shopee_account.refresh_from_db()
    assert shopee_account.last_order_sync_at > last
    assert Transaction.objects.count() == 1


def test_the_sync_task_retries_transient_errors_a_bounded_number_of_times(shopee_fake, shopee_account, honey):
    shopee_order(shopee_fake, "2101010RETR01", honey)
    shopee_fake.fail(ORDER_LIST, "status", status=503, times=2)
    assert tasks.sync_account_orders.delay(shopee_account.pk).get()["created"] == 1

    MarketplaceAccount.objects.filter(pk=shopee_account.pk).update(last_order_sync_at=None)
    shopee_fake.fail(ORDER_LIST, "status", status=503, times=50)
    assert tasks.sync_account_orders.delay(shopee_account.pk).get() is None
    assert len(shopee_fake._failures[ORDER_LIST]) == 50 - (tasks.SYNC_MAX_RETRIES + 1)
    shopee_account.refresh_from_db()
    assert shopee_account.last_order_sync_at is None


def test_a_refused_token_marks_the_shop_expired_and_keeps_the_sync_time(shopee_fake, shopee_account, owner):
    MarketplaceAccount.objects.filter(pk=shopee_account.pk).update(access_token="revoked-by-the-seller")
    shopee_account.refresh_from_db()
    with pytest.raises(listings_services.AccountUnavailable):
        services.account_orders_sync(account=shopee_account)
    shopee_account.refresh_from_db()
    assert shopee_account.status == MarketplaceAccount.Status.EXPIRED
    assert shopee_account.last_order_sync_at is None
    assert len(mail.outbox) == 1  # the producer is told, as listings does
    # and polling leaves an expired shop alone
    assert tasks.sync_account_orders.delay(shopee_account.pk).get() is None


def test_an_expired_access_token_is_refreshed_through_the_listings_path(shopee_fake, shopee_account, honey):
    MarketplaceAccount.objects.filter(pk=shopee_account.pk).update(
        access_expires_at=timezone.now() - timedelta(minutes=1))
    shopee_account.refresh_from_db()
    old_token = shopee_account.access_token
    shopee_order(shopee_fake, "2101010REFR01", honey)
    services.account_orders_sync(account=shopee_account)
    shopee_account.refresh_from_db()
    assert shopee_account.access_token != old_token and shopee_account.access_token in shopee_fake.access_tokens
    assert ListingAttempt.objects.filter(account=shopee_account, operation="refresh_token").exists()
    assert Transaction.objects.count() == 1


def test_shopee_lost_pushes_are_stored_processed_then_confirmed(shopee_fake, shopee_account, honey):
    # given Shopee kept a push we never acknowledged, about an order we do not have
    messages = sample("shopee_lost_push_message.json")["response"]["push_message_list"]
    shopee_fake.lost_pushes = [{**m, "timestamp": int(time.time()), "message_id": 31187} for m in messages]
    shopee_order(shopee_fake, "2012190LOST01", honey, status="READY_TO_SHIP")
    # when the periodic run fetches lost pushes
    assert tasks.recover_lost_pushes.delay().get() == 1
    # then the push is an event like any other, processed into the sale, and confirmed to Shopee
    event = InboundEvent.objects.get()
    assert event.provider == "shopee" and event.headers == {"X-Source": "get_lost_push_message"}
    assert event.dedup_key == "14701711:2012190LOST01:READY_TO_SHIP:1608621123"
    assert event.state == InboundEvent.State.MATCHED, (event.note, event.error)
    tx = Transaction.objects.get()
    assert tx.product == honey and tx.status == Transaction.Status.PENDING  # not shipped yet: not counted
    confirm = [c for c in shopee_fake.calls if c.path == "/api/v2/push/confirm_consumed_lost_push_message"]
    assert [c.json for c in confirm] == [{"last_message_id": 31187}]
    assert shopee_fake.lost_pushes == []


# --- the sandbox and the fan-out ---------------------------------------------------------------


@pytest.fixture
def sandbox_shop(owner, producer):
    return listings_services.account_connect(producer=producer, user=owner, marketplace="sandbox")


@pytest.fixture
def sandbox_listing(sandbox_shop, honey, owner, django_capture_on_commit_callbacks):
    listing = listings_services.listing_create(product=honey, account=sandbox_shop, user=owner)
    with django_capture_on_commit_callbacks(execute=True):
        listings_services.listing_publish(listing=listing, user=owner)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.LIVE
    return listing


def test_a_simulated_sandbox_order_is_recorded_through_the_sync(sandbox_shop, sandbox_listing, honey, owner):
    order, summary = services.sandbox_order_simulate(account=sandbox_shop, user=owner, quantity=2)
    assert summary["created"] == 1
    tx = Transaction.objects.get()
    assert (tx.product, tx.quantity, tx.amount, tx.marketplace) == (honey, 2, 300000, "sandbox")
    assert tx.external_id == f"{order.external_id}:{honey.sku}" and tx.listing == sandbox_listing
    # a second sync finds the same order and changes nothing
    again = services.account_orders_sync(account=sandbox_shop)
    assert again["created"] == 0 and Transaction.objects.count() == 1


def test_simulating_needs_a_live_product_and_a_manager(sandbox_shop, officer):
    from common.exceptions import DomainError, PermissionDenied

    with pytest.raises(PermissionDenied):
        services.sandbox_order_simulate(account=sandbox_shop, user=officer)
    with pytest.raises(DomainError, match="chưa có sản phẩm nào đang bán"):
        services.sandbox_order_simulate(account=sandbox_shop, user=sandbox_shop.connected_by)


def test_poll_fans_out_to_connected_shops_with_an_order_api(
        shopee_fake, shopee_account, honey, sandbox_shop, sandbox_listing, producer, owner):
    from marketplace.connectors.sandbox import simulate_order

    simulate_order(sandbox_shop.shop_id, honey.sku, 1)
    shopee_order(shopee_fake, "2101010POLL01", honey)
    feed = listings_services.account_connect(producer=producer, user=owner, marketplace="postmart")
    expired = MarketplaceAccount.objects.create(producer=producer, marketplace="lazada", shop_id="999",
                                                status=MarketplaceAccount.Status.EXPIRED)

    assert tasks.poll_marketplace_orders.delay().get() == 2

    synced = set(MarketplaceAccount.objects.filter(last_order_sync_at__isnull=False).values_list("pk", flat=True))
    assert synced == {shopee_account.pk, sandbox_shop.pk}
    assert feed.pk not in synced and expired.pk not in synced
    assert set(Transaction.objects.values_list("marketplace", flat=True)) == {"shopee", "sandbox"}


def test_beat_runs_the_poll_every_15_minutes():
    from config.celery_app import app

    entry = app.conf.beat_schedule["payments-poll-marketplace-orders"]
    assert entry["task"] == "payments.tasks.poll_marketplace_orders" and entry["schedule"] == 900.0


# --- portal buttons ----------------------------------------------------------------------------


def test_owner_creates_a_test_order_from_the_shops_page(client, owner, sandbox_shop, sandbox_listing, honey):
    client.force_login(owner)
    page = client.get(reverse("listings:accounts")).content.decode()
    assert reverse("orders:sandbox_order", args=[sandbox_shop.pk]) in page
    assert reverse("orders:account_sync", args=[sandbox_shop.pk]) in page

    response = client.post(reverse("orders:sandbox_order", args=[sandbox_shop.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("listings:accounts")
    tx = Transaction.objects.get()
    assert tx.product == honey and tx.marketplace == "sandbox"
    assert "Đơn thử" in response.content.decode() and "150.000 ₫" in response.content.decode()


def test_owner_syncs_a_shop_now(client, owner, shopee_fake, shopee_account, honey):
    shopee_order(shopee_fake, "2101010BTN001", honey)
    client.force_login(owner)
    response = client.post(reverse("orders:account_sync", args=[shopee_account.pk]), follow=True)
    assert "Đã đồng bộ 1 đơn" in response.content.decode()
    assert Transaction.objects.count() == 1
    shopee_account.refresh_from_db()
    assert shopee_account.last_order_sync_at is not None


def test_order_buttons_are_for_members_only(client, officer, sandbox_shop, sandbox_listing):
    # an officer sees the shop but not the buttons, and a forged POST does nothing
    client.force_login(officer)
    page = client.get(reverse("listings:accounts")).content.decode()
    assert reverse("orders:sandbox_order", args=[sandbox_shop.pk]) not in page
    response = client.post(reverse("orders:sandbox_order", args=[sandbox_shop.pk]), follow=True)
    assert "không có quyền" in response.content.decode()
    assert not Transaction.objects.exists()
    # another producer's owner gets 404; GET is refused; anonymous goes to the login page
    other, _producer = make_member(username="htxkhac2")
    client.force_login(other)
    assert client.post(reverse("orders:sandbox_order", args=[sandbox_shop.pk])).status_code == 404
    assert client.post(reverse("orders:account_sync", args=[sandbox_shop.pk])).status_code == 404
    client.force_login(sandbox_shop.connected_by)
    assert client.get(reverse("orders:account_sync", args=[sandbox_shop.pk])).status_code == 405
    client.logout()
    response = client.post(reverse("orders:account_sync", args=[sandbox_shop.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not Transaction.objects.exists()
