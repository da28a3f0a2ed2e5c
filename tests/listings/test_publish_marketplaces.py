"""Publishing end to end (eager Celery) against the local Shopee and Lazada fakes, which check
every signature as the marketplaces do."""
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from listings import services
from listings.models import CategoryMapping, Listing, ListingAttempt, MarketplaceAccount

pytestmark = pytest.mark.django_db
S = Listing.Status
ADD_ITEM = "/api/v2/product/add_item"
LAZADA_CREATE = "/product/create"


@pytest.fixture(autouse=True)
def _fast_backoff(settings):
    settings.LISTING_RETRY_BASE_SECONDS = 1


def _account(producer, marketplace, credentials, *, category_id, group):
    CategoryMapping.objects.get_or_create(group=group, marketplace=marketplace, defaults={"category_id": category_id})
    now = timezone.now()
    return MarketplaceAccount.objects.create(
        producer=producer, marketplace=marketplace, shop_id=credentials.shop_id, shop_name="HTX Mật ong",
        access_token=credentials.access_token, refresh_token=credentials.refresh_token,
        access_expires_at=now + timedelta(hours=4), refresh_expires_at=now + timedelta(days=30),
    )


@pytest.fixture
def shopee_listing(shopee_fake, producer, owner, product_with_photo):
    account = _account(producer, "shopee", shopee_fake.credentials(), category_id="100629",
                       group=product_with_photo.group)
    return services.listing_create(product=product_with_photo, account=account, user=owner)


@pytest.fixture
def lazada_listing(lazada_fake, producer, owner, product_with_photo):
    account = _account(producer, "lazada", lazada_fake.credentials(), category_id="10002019",
                       group=product_with_photo.group)
    return services.listing_create(product=product_with_photo, account=account, user=owner)


def _publish(listing, owner, capture):
    with capture(execute=True):
        services.listing_publish(listing=listing, user=owner)
    listing.refresh_from_db()
    return listing


def _calls(fake, path):
    return [call for call in fake.calls if call.path == path]


def test_shopee_shop_connects_through_the_consent_page(client, owner, producer, shopee_fake):
    # given the owner starts connecting a Shopee shop
    client.force_login(owner)
    response = client.post(reverse("listings:account_connect"), {"producer": producer.pk, "marketplace": "shopee"})
    redirect = parse_qs(urlsplit(response["Location"]).query)["redirect"][0]
    state = parse_qs(urlsplit(redirect).query)["state"][0]
    # when Shopee sends them back with a code and the shop id
    code = shopee_fake.authorize_shop(14701711)
    response = client.get(reverse("listings:account_callback", args=["shopee"]),
                          {"state": state, "code": code, "shop_id": "14701711"})
    # then the shop is connected with its tokens, name and authorisation end
    assert response.status_code == 302
    account = MarketplaceAccount.objects.get(marketplace="shopee", shop_id="14701711")
    assert account.producer == producer and account.shop_name == "HTX Mật ong Hà Giang"
    assert account.access_token in shopee_fake.access_tokens
    assert account.authorization_expires_at > timezone.now() + timedelta(days=300)
    assert shopee_fake.rejected == []


def test_shopee_publish_goes_live(shopee_listing, owner, shopee_fake, django_capture_on_commit_callbacks):
    listing = _publish(shopee_listing, owner, django_capture_on_commit_callbacks)
    assert listing.status == S.LIVE, listing.status_message
    assert listing.url == f"https://shopee.vn/product/{listing.account.shop_id}/{listing.external_id}"
    [item] = shopee_fake.items.values()
    assert item["item_sku"] == listing.product.sku and item["original_price"] == 180000
    assert shopee_fake.rejected == []  # every signature was right
    operations = set(listing.attempts.values_list("operation", flat=True))
    assert {"upload_images", "publish"} <= operations
    # no token in the records
    token = listing.account.access_token
    for attempt in listing.attempts.all():
        assert token not in attempt.url and token not in str(attempt.request_summary)


def test_shopee_timeouts_end_failed_with_the_reason(shopee_listing, owner, shopee_fake,
                                                    django_capture_on_commit_callbacks):
    shopee_fake.fail(ADD_ITEM, "timeout", times=10)
    listing = _publish(shopee_listing, owner, django_capture_on_commit_callbacks)
    assert listing.status == S.FAILED
    assert "6 lần thử" in listing.status_message
    assert listing.attempts.filter(call="product.add_item").count() == 6
    assert shopee_fake.items == {}


def test_shopee_429_retry_after_is_honoured(shopee_listing, owner, shopee_fake,
                                            django_capture_on_commit_callbacks):
    shopee_fake.fail(ADD_ITEM, "status", status=429, headers={"Retry-After": "7"})
    listing = _publish(shopee_listing, owner, django_capture_on_commit_callbacks)
    assert listing.status == S.LIVE
    retry = listing.status_changes.get(from_status=S.PUBLISHING, to_status=S.QUEUED)
    assert "sau 7 giây" in retry.reason  # backoff base is 1 s here: the wait is the marketplace's 7 s
    assert listing.attempts.filter(call="product.add_item", status_code=429).count() == 1
    assert len(shopee_fake.items) == 1


def test_shopee_500_fails_after_bounded_retries(shopee_listing, owner, shopee_fake,
                                                django_capture_on_commit_callbacks):
    shopee_fake.fail(ADD_ITEM, "status", status=500, times=50)
    listing = _publish(shopee_listing, owner, django_capture_on_commit_callbacks)
    assert listing.status == S.FAILED and listing.status_message
    assert listing.attempts.filter(call="product.add_item", status_code=500).count() == 6


def test_shopee_rejection_shows_the_marketplace_message(shopee_listing, owner, shopee_fake,
                                                        django_capture_on_commit_callbacks):
    shopee_fake.fail(ADD_ITEM, "error", error="product.error_param", message="Item name contains banned words.")
    listing = _publish(shopee_listing, owner, django_capture_on_commit_callbacks)
    assert listing.status == S.REJECTED
    assert "Item name contains banned words." in listing.status_message
    assert listing.attempts.filter(call="product.add_item").count() == 1  # a rejection is not retried


def test_shopee_lost_response_then_retry_creates_no_duplicate(shopee_listing, owner, shopee_fake,
                                                              django_capture_on_commit_callbacks):
    # given the marketplace creates the item but its answer never arrives
    shopee_fake.fail(ADD_ITEM, "lost_response")
    # when the task retries
    listing = _publish(shopee_listing, owner, django_capture_on_commit_callbacks)
    # then the retry found the item by SKU and adopted it: one add_item, one item
    assert listing.status == S.LIVE
    assert len(_calls(shopee_fake, ADD_ITEM)) == 1 and len(shopee_fake.items) == 1
    assert listing.external_id == str(next(iter(shopee_fake.items)))
    assert listing.attempts.filter(operation=ListingAttempt.Operation.FIND).exists()


def test_shopee_expired_token_is_refreshed_before_publishing(shopee_listing, owner, shopee_fake,
                                                             django_capture_on_commit_callbacks):
    account = shopee_listing.account
    MarketplaceAccount.objects.filter(pk=account.pk).update(access_expires_at=timezone.now() + timedelta(minutes=1))
    listing = _publish(shopee_listing, owner, django_capture_on_commit_callbacks)
    assert listing.status == S.LIVE
    account.refresh_from_db()
    assert account.access_expires_at > timezone.now() + timedelta(hours=3)
    assert account.attempts.filter(operation="refresh_token", error="").exists()


def test_shopee_price_stock_update_and_delist(shopee_listing, owner, shopee_fake,
                                              django_capture_on_commit_callbacks):
    listing = _publish(shopee_listing, owner, django_capture_on_commit_callbacks)
    services.listing_update_price_stock(listing=listing, user=owner, price=210000, stock=5)
    services.listing_delist(listing=listing, user=owner)
    listing.refresh_from_db()
    assert listing.status == S.DELISTED
    assert {"/api/v2/product/update_price", "/api/v2/product/update_stock", "/api/v2/product/unlist_item"} <= set(
        shopee_fake.paths())
    assert shopee_fake.rejected == []


def test_lazada_publish_goes_live_or_waits_for_qc(lazada_listing, owner, lazada_fake,
                                                  django_capture_on_commit_callbacks):
    listing = _publish(lazada_listing, owner, django_capture_on_commit_callbacks)
    assert listing.status in (S.LIVE, S.IN_REVIEW), listing.status_message
    assert listing.external_id and len(lazada_fake.products) == 1
    assert lazada_fake.rejected == []


def test_lazada_rejection_shows_the_reason(lazada_listing, owner, lazada_fake,
                                           django_capture_on_commit_callbacks):
    lazada_fake.fail(LAZADA_CREATE, "error", error="500", message="E0501: Validation failed")
    listing = _publish(lazada_listing, owner, django_capture_on_commit_callbacks)
    assert listing.status == S.REJECTED, listing.status_message
    assert "E0501" in listing.status_message


def test_lazada_lost_response_then_retry_creates_no_duplicate(lazada_listing, owner, lazada_fake,
                                                              django_capture_on_commit_callbacks):
    lazada_fake.fail(LAZADA_CREATE, "lost_response")
    listing = _publish(lazada_listing, owner, django_capture_on_commit_callbacks)
    assert listing.status in (S.LIVE, S.IN_REVIEW), listing.status_message
    assert len(_calls(lazada_fake, "/rest" + LAZADA_CREATE) or _calls(lazada_fake, LAZADA_CREATE)) == 1
    assert len(lazada_fake.products) == 1


def test_lazada_timeouts_end_failed(lazada_listing, owner, lazada_fake,
                                   django_capture_on_commit_callbacks):
    lazada_fake.fail(LAZADA_CREATE, "timeout", times=10)
    listing = _publish(lazada_listing, owner, django_capture_on_commit_callbacks)
    assert listing.status == S.FAILED and "6 lần thử" in listing.status_message
    assert lazada_fake.products == {}
