"""The one way to call a shop (listings.shops): each duty of the session, against the fakes."""
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from common.exceptions import DomainError
from listings.models import Listing, ListingAttempt, MarketplaceAccount
from listings.shops import AccountUnavailable, marketplace_session, shop_session
from marketplace.connectors.base import AuthError, RejectedError, TransientError
from marketplace.ratelimit import RateLimited
from tests.marketplace.helpers import payload
from tests.marketplace.order_fixtures import SHOPEE_SHOP

pytestmark = pytest.mark.django_db
Op = ListingAttempt.Operation
SEARCH = "/api/v2/product/search_item"
ADD_ITEM = "/api/v2/product/add_item"
REFRESH = "/api/v2/auth/access_token/get"


def api_paths(fake):
    return [request.path for request in fake.calls]


def test_each_call_takes_a_rate_limit_token_and_a_long_wait_propagates(shopee_fake, shopee_account, settings):
    # given a bucket of two calls per window and no patience
    settings.MARKETPLACE_RATE_LIMITS = {"shopee": (0.001, 2)}
    settings.MARKETPLACE_RATE_MAX_WAIT = 0
    # when three calls are made in one session
    with pytest.raises(RateLimited), shop_session(shopee_account) as shop:
        shop.call("find_by_sku", "OCOP-1")
        shop.call("find_by_sku", "OCOP-2")
        shop.call("find_by_sku", "OCOP-3")
    # then the third never reached the marketplace
    assert api_paths(shopee_fake).count(SEARCH) == 2


def test_the_calls_are_recorded_with_the_listing_and_operation(shopee_fake, shopee_account):
    listing = shopee_account.listings.first()
    with shop_session(shopee_account, listing=listing, operation=Op.FIND) as shop:
        assert shop.call("find_by_sku", listing.product.sku) is None
        assert ListingAttempt.objects.count() == 0  # written when the block ends
    attempt = ListingAttempt.objects.get()
    assert attempt.listing == listing and attempt.account == shopee_account
    assert attempt.operation == Op.FIND and attempt.call == "product.search_item" and attempt.succeeded
    assert shop.connector.calls == []


def test_the_calls_of_a_failure_are_recorded_and_its_error_propagates(shopee_fake, shopee_account):
    shopee_fake.fail(ADD_ITEM, "error", error="error_param", message="Invalid price")
    listing = shopee_account.listings.first()
    publishing = shop_session(shopee_account, listing=listing, operation=Op.PUBLISH)
    with pytest.raises(RejectedError), publishing as shop:
        shop.call("publish", payload(category_id="100001"))
    attempts = ListingAttempt.objects.filter(listing=listing)
    assert attempts.filter(call="product.add_item").exclude(error="").exists()
    assert shopee_account.status == MarketplaceAccount.Status.CONNECTED


def test_a_transient_error_propagates_unchanged(shopee_fake, shopee_account):
    shopee_fake.fail(SEARCH, "status", status=503)
    with pytest.raises(TransientError), shop_session(shopee_account) as shop:
        shop.call("find_by_sku", "OCOP-1")
    assert ListingAttempt.objects.filter(operation=Op.FIND, status_code=503).exists()


def test_a_token_near_its_expiry_is_refreshed_first(shopee_fake, shopee_account):
    # given a shop whose access token ends in five minutes
    MarketplaceAccount.objects.filter(pk=shopee_account.pk).update(access_expires_at=timezone.now() + timedelta(minutes=5))
    account = MarketplaceAccount.objects.get(pk=shopee_account.pk)
    old = account.access_token
    # when a session calls the shop
    with shop_session(account, listing=account.listings.first(), operation=Op.FIND) as shop:
        shop.call("find_by_sku", "OCOP-1")
    # then the token was refreshed before the call, stored, and the call used the new one
    assert api_paths(shopee_fake) == [REFRESH, SEARCH]
    account.refresh_from_db()
    assert account.access_token != old and account.access_expires_at > timezone.now() + timedelta(hours=1)
    assert shopee_fake.calls[-1].query["access_token"] == account.access_token
    refresh = ListingAttempt.objects.get(operation=Op.REFRESH_TOKEN)
    assert refresh.listing is None and refresh.account == account


def test_a_fresh_token_is_not_refreshed(shopee_fake, shopee_account):
    with shop_session(shopee_account) as shop:
        shop.call("find_by_sku", "OCOP-1")
    assert api_paths(shopee_fake) == [SEARCH]


def test_a_refused_token_expires_the_shop_tells_its_members_and_says_reconnect(shopee_fake, shopee_account, owner):
    # given a shop whose seller revoked our access
    shopee_fake.access_tokens.clear()
    listing = shopee_account.listings.first()
    # when it is called
    finding = shop_session(shopee_account, listing=listing, operation=Op.FIND)
    with pytest.raises(AccountUnavailable) as error, finding as shop:
        shop.call("find_by_sku", "OCOP-1")
    # then the error is a DomainError asking to reconnect, chained from the marketplace's refusal
    assert isinstance(error.value, DomainError) and isinstance(error.value.__cause__, AuthError)
    assert "kết nối lại" in str(error.value.message)
    # and the shop is expired, its members told, the refused call kept
    shopee_account.refresh_from_db()
    assert shopee_account.status == MarketplaceAccount.Status.EXPIRED
    assert len(mail.outbox) == 1 and owner.email in mail.outbox[0].to
    assert ListingAttempt.objects.filter(listing=listing, operation=Op.FIND).exclude(error="").exists()


def test_a_refused_refresh_expires_the_shop_before_any_call(shopee_fake, shopee_account, owner):
    MarketplaceAccount.objects.filter(pk=shopee_account.pk).update(
        access_expires_at=timezone.now(), refresh_token="spent")
    account = MarketplaceAccount.objects.get(pk=shopee_account.pk)
    with pytest.raises(AccountUnavailable), shop_session(account) as shop:
        shop.call("find_by_sku", "OCOP-1")
    account.refresh_from_db()
    assert account.status == MarketplaceAccount.Status.EXPIRED and len(mail.outbox) == 1
    assert SEARCH not in api_paths(shopee_fake)
    assert ListingAttempt.objects.filter(operation=Op.REFRESH_TOKEN).exclude(error="").exists()


def test_a_shop_not_connected_is_not_called(shopee_fake, shopee_account):
    MarketplaceAccount.objects.filter(pk=shopee_account.pk).update(status=MarketplaceAccount.Status.EXPIRED)
    shopee_account.refresh_from_db()
    with pytest.raises(AccountUnavailable, match="kết nối lại"), shop_session(shopee_account):
        pass
    assert shopee_fake.calls == []


def test_an_unknown_or_disabled_marketplace_is_a_vietnamese_domain_error(producer):
    account = MarketplaceAccount.objects.create(producer=producer, marketplace="amazon", shop_id="1")
    with pytest.raises(DomainError, match="chưa được bật"), shop_session(account):
        pass


def test_a_feed_shop_opens_a_session_without_any_token(owner, producer):
    account = MarketplaceAccount.objects.create(producer=producer, marketplace="postmart", shop_id="pm-1")
    with shop_session(account) as shop:
        assert shop.connector.code == "postmart" and shop.account == account
        assert shop.credentials.shop_id == "pm-1"


def test_calls_before_a_shop_exists_are_filed_under_it_once_known(shopee_fake, producer):
    code = shopee_fake.authorize_shop(SHOPEE_SHOP)
    with marketplace_session("shopee", operation=Op.AUTHORIZE) as session:
        credentials = session.call("exchange_code", code=code, shop_id=str(SHOPEE_SHOP))
        session.account = MarketplaceAccount.objects.create(
            producer=producer, marketplace="shopee", shop_id=credentials.shop_id)
    assert ListingAttempt.objects.filter(account=session.account, operation=Op.AUTHORIZE).count() >= 1


def test_calls_that_belong_to_no_shop_are_dropped(shopee_fake):
    code = shopee_fake.authorize_shop(SHOPEE_SHOP)
    with marketplace_session("shopee") as session:
        session.call("exchange_code", code=code, shop_id=str(SHOPEE_SHOP))
    assert session.connector.calls == [] and not ListingAttempt.objects.exists()
    assert Listing.objects.count() == 0
