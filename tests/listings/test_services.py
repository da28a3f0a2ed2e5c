from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from common.exceptions import DomainError, PermissionDenied
from listings import services
from listings.models import Listing, ListingStatusChange, MarketplaceAccount
from producers.models import Producer
from tests.factories import OcopProductFactory, make_member

pytestmark = pytest.mark.django_db
S = Listing.Status


def test_nothing_is_sent_when_the_transaction_rolls_back(listing, owner, django_capture_on_commit_callbacks):
    # given a publish inside a transaction that is then rolled back
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.listing_publish(listing=listing, user=owner)
                raise RuntimeError("rolled back")
    # then no task was enqueued and the listing is still a draft
    assert callbacks == []
    listing.refresh_from_db()
    assert listing.status == S.DRAFT


def test_publish_is_enqueued_only_on_commit(listing, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.listing_publish(listing=listing, user=owner)
    listing.refresh_from_db()
    assert listing.status == S.QUEUED and len(callbacks) == 1


def test_an_unverified_producer_cannot_publish(listing, owner, producer):
    Producer.objects.filter(pk=producer.pk).update(status=Producer.Status.PENDING)
    listing.refresh_from_db()
    with pytest.raises(DomainError, match="chưa được Sở Công Thương xác minh"):
        services.listing_publish(listing=listing, user=owner)
    listing.refresh_from_db()
    assert listing.status == S.DRAFT


def test_an_officer_looks_but_does_not_publish(listing, officer):
    with pytest.raises(PermissionDenied):
        services.listing_publish(listing=listing, user=officer)


def test_shopee_needs_a_category_mapping(product, owner, producer):
    account = MarketplaceAccount.objects.create(
        producer=producer, marketplace="shopee", shop_id="123", access_token="t",
        access_expires_at=timezone.now() + timedelta(hours=4),
    )
    listing = services.listing_create(product=product, account=account, user=owner)
    with pytest.raises(DomainError, match="ánh xạ ngành hàng"):
        services.listing_publish(listing=listing, user=owner)


def test_bulk_create_many_products_on_many_shops_skips_existing(owner, producer, sandbox_account):
    # given three products, two shops, and one pair already listed
    products = [OcopProductFactory(producer=producer) for _ in range(3)]
    postmart = services.account_connect(producer=producer, user=owner, marketplace="postmart")
    services.listing_create(product=products[0], account=sandbox_account, user=owner)
    # when all are chosen in one action
    listings, skipped = services.listings_bulk_create(
        products=products, accounts=[sandbox_account, postmart], user=owner
    )
    # then every pair has exactly one listing
    assert len(listings) == 6 and skipped == 1
    assert Listing.objects.filter(product__in=products).count() == 6


def test_bulk_create_never_pairs_a_product_with_another_producers_shop(owner, producer, sandbox_account):
    other_owner, other_producer = make_member(username="khac")
    foreign_shop = services.account_connect(producer=other_producer, user=other_owner, marketplace="sandbox")
    product = OcopProductFactory(producer=producer)
    listings, skipped = services.listings_bulk_create(
        products=[product], accounts=[sandbox_account, foreign_shop], user=owner
    )
    assert [listing.account for listing in listings] == [sandbox_account] and skipped == 1


def test_feed_marketplace_spreadsheet_then_pasted_url(owner, producer, product, django_capture_on_commit_callbacks):
    # given a Postmart shop (no seller API)
    account = services.account_connect(producer=producer, user=owner, marketplace="postmart")
    listing = services.listing_create(product=product, account=account, user=owner)
    # when published, it waits for the onboarding team
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_publish(listing=listing, user=owner)
    listing.refresh_from_db()
    assert listing.status == S.IN_REVIEW and "tệp danh sách" in listing.status_message
    # the spreadsheet carries it
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(services.feed_spreadsheet(account=account))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == product.sku and rows[1][1] == product.name
    # a URL of another site is refused; the marketplace's own is accepted
    with pytest.raises(DomainError):
        services.listing_mark_live_manually(listing=listing, user=owner, url="https://shopee.vn/abc")
    services.listing_mark_live_manually(listing=listing, user=owner, url="https://postmart.vn/san-pham/che-123")
    listing.refresh_from_db()
    assert listing.status == S.LIVE and listing.url == "https://postmart.vn/san-pham/che-123"


def test_delist_and_price_update_through_the_sandbox(listing, owner, django_capture_on_commit_callbacks):
    from marketplace.models import SandboxItem

    with django_capture_on_commit_callbacks(execute=True):
        services.listing_publish(listing=listing, user=owner)
    listing.refresh_from_db()
    services.listing_update_price_stock(listing=listing, user=owner, price=200000, stock=7)
    item = SandboxItem.objects.get(external_id=listing.external_id)
    assert (item.price, item.stock) == (200000, 7)
    services.listing_delist(listing=listing, user=owner)
    item.refresh_from_db()
    listing.refresh_from_db()
    assert not item.active and listing.status == S.DELISTED
    assert listing.attempts.filter(operation="delist").exists()


def test_republish_after_delist_reuses_the_item(listing, owner, django_capture_on_commit_callbacks):
    from marketplace.models import SandboxItem

    with django_capture_on_commit_callbacks(execute=True):
        services.listing_publish(listing=listing, user=owner)
    services.listing_delist(listing=listing, user=owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_publish(listing=listing, user=owner)
    listing.refresh_from_db()
    assert listing.status == S.LIVE
    assert SandboxItem.objects.filter(sku=listing.product.sku).count() == 1


def test_expired_authorisation_marks_the_shop_and_tells_the_producer(listing, owner, sandbox_account,
                                                                     django_capture_on_commit_callbacks):
    # given a shop whose access token is due and whose refresh token the marketplace refuses
    MarketplaceAccount.objects.filter(pk=sandbox_account.pk).update(access_expires_at=timezone.now())
    account = MarketplaceAccount.objects.get(pk=sandbox_account.pk)
    account.refresh_token = "revoked"
    account.save()
    listing.refresh_from_db()
    # when a listing is published
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_publish(listing=listing, user=owner)
    # then the listing failed with the reason, the shop is expired, the owner got an email
    listing.refresh_from_db()
    account.refresh_from_db()
    assert listing.status == S.FAILED and "kết nối lại" in listing.status_message
    assert account.status == MarketplaceAccount.Status.EXPIRED
    assert len(mail.outbox) == 1 and owner.email in mail.outbox[0].to
    assert account.attempts.filter(operation="refresh_token").exclude(error="").exists()


def test_tokens_are_refreshed_ahead_of_expiry(sandbox_account):
    old = sandbox_account.access_token
    MarketplaceAccount.objects.filter(pk=sandbox_account.pk).update(
        access_expires_at=timezone.now() + timedelta(minutes=5)
    )
    account = MarketplaceAccount.objects.get(pk=sandbox_account.pk)
    services.account_refresh_if_needed(account=account)
    account.refresh_from_db()
    assert account.access_token != old and account.access_expires_at > timezone.now() + timedelta(hours=1)


def test_stuck_listings_are_sent_again(listing, owner, django_capture_on_commit_callbacks):
    # given a listing left "publishing" an hour ago (its worker died)
    listing.transition(S.QUEUED)
    listing.transition(S.PUBLISHING)
    hour_ago = timezone.now() - timedelta(hours=1)
    Listing.objects.filter(pk=listing.pk).update(enqueued_at=hour_ago, status_changed_at=hour_ago)
    # when the sweep runs
    with django_capture_on_commit_callbacks(execute=True):
        resent = services.listings_sweep_stuck()
    # then it was sent again and ended live
    assert resent == [listing.pk]
    listing.refresh_from_db()
    assert listing.status == S.LIVE


def test_recent_in_flight_listings_are_left_alone(listing, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.listing_publish(listing=listing, user=owner)
    assert services.listings_sweep_stuck() == []


def test_sandbox_authorisation_flow_through_the_signed_state(owner, producer):
    from urllib.parse import parse_qs, urlsplit

    url = services.account_authorization_url(
        producer=producer, user=owner, marketplace="sandbox", redirect_uri="http://testserver/cb/"
    )
    query = parse_qs(urlsplit(url).query)
    account = services.account_authorization_complete(
        user=owner, marketplace="sandbox", state=query["state"][0], code=query["code"][0],
        shop_id=query["shop_id"][0],
    )
    assert account.producer == producer and account.is_connected
    with pytest.raises(DomainError):
        services.account_authorization_complete(
            user=owner, marketplace="sandbox", state="forged", code=query["code"][0], shop_id="x"
        )


def test_the_publish_form_sent_again_after_the_first_went_live_is_no_error(
        owner, producer, sandbox_account, django_capture_on_commit_callbacks):
    # given the bulk publish of two products went through and both are live (the first tab)
    products = [OcopProductFactory(producer=producer) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        listings, _skipped = services.listings_bulk_create(products=products, accounts=[sandbox_account], user=owner)
        services.listings_publish_many(listings=listings, user=owner)
    assert set(Listing.objects.values_list("status", flat=True)) == {S.LIVE}
    history = ListingStatusChange.objects.count()
    # when the same form arrives again (the second tab)
    with django_capture_on_commit_callbacks(execute=True):
        listings, skipped = services.listings_bulk_create(products=products, accounts=[sandbox_account], user=owner)
        sent, errors = services.listings_publish_many(listings=listings, user=owner)
    # then it answers like the first, with no error and nothing changed
    assert skipped == 2 and errors == [] and len(sent) == 2
    assert set(Listing.objects.values_list("status", flat=True)) == {S.LIVE}
    assert ListingStatusChange.objects.count() == history


def test_a_delist_refused_for_the_token_expires_the_shop_and_keeps_the_listing(shopee_fake, shopee_account, owner):
    from listings.shops import AccountUnavailable

    # given a live Shopee listing whose seller revoked our access
    shopee_fake.access_tokens.clear()
    listing = shopee_account.listings.first()
    # when the producer delists it
    with pytest.raises(AccountUnavailable, match="kết nối lại"):
        services.listing_delist(listing=listing, user=owner)
    # then the listing is still live, the shop expired, its members told, the refused call kept
    listing.refresh_from_db()
    shopee_account.refresh_from_db()
    assert listing.status == S.LIVE
    assert shopee_account.status == MarketplaceAccount.Status.EXPIRED and len(mail.outbox) == 1
    assert listing.attempts.filter(operation="delist").exclude(error="").exists()
