from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from listings.models import Listing, MarketplaceAccount
from producers.models import Membership
from tests.factories import OcopProductFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(producer):
    user, _producer = make_member(producer=producer, role=Membership.Role.STAFF, username="nhanvien")
    return user


def _pages(listing):
    return [reverse("listings:list"), reverse("listings:accounts"), reverse("listings:detail", args=[listing.pk])]


@pytest.mark.parametrize("who", ["owner", "staff", "officer"])
def test_members_and_officers_see_the_pages(client, request, listing, who):
    client.force_login(request.getfixturevalue(who))
    for url in _pages(listing):
        response = client.get(url)
        assert response.status_code == 200, url
    response = client.get(reverse("listings:list"))
    assert listing.product.name in response.content.decode()


def test_another_producer_gets_404_and_sees_nothing(client, listing, other_owner_and_producer):
    other, _ = other_owner_and_producer
    client.force_login(other)
    assert client.get(reverse("listings:detail", args=[listing.pk])).status_code == 404
    assert client.post(reverse("listings:action", args=[listing.pk, "publish"])).status_code == 404
    assert client.get(reverse("listings:feed_download", args=[listing.account.pk])).status_code == 404
    assert client.post(reverse("listings:account_disconnect", args=[listing.account.pk])).status_code == 404
    assert listing.product.name not in client.get(reverse("listings:list")).content.decode()
    assert listing.account.shop_name not in client.get(reverse("listings:accounts")).content.decode()


def test_anonymous_is_sent_to_login(client, listing):
    for url in _pages(listing):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_an_officer_cannot_act(client, officer, listing):
    client.force_login(officer)
    client.post(reverse("listings:action", args=[listing.pk, "publish"]))
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DRAFT


def test_connect_sandbox_then_publish_many_products_from_the_portal(client, owner, producer,
                                                                   django_capture_on_commit_callbacks):
    # given an owner with three products
    products = [OcopProductFactory(producer=producer) for _ in range(3)]
    client.force_login(owner)
    # when they connect the sandbox shop
    response = client.post(reverse("listings:account_connect"), {"producer": producer.pk, "marketplace": "sandbox"})
    assert response.status_code == 302
    shop = MarketplaceAccount.objects.get(producer=producer, marketplace="sandbox")
    page = client.get(reverse("listings:accounts")).content.decode()
    assert "Sàn thử nghiệm (sandbox)" in page
    # and publish the three products to it in one action
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("listings:publish"), {
            "products": [p.pk for p in products], "accounts": [shop.pk],
        })
    response = client.get(response["Location"])
    # then the three are live and shown as such
    assert response.status_code == 200
    assert Listing.objects.filter(account=shop, status="live").count() == 3
    page = response.content.decode()
    assert page.count('data-status="live"') == 3 and "Xem trên sàn" in page


def test_the_publish_form_preselects_a_product(client, owner, product, sandbox_account):
    client.force_login(owner)
    response = client.get(reverse("listings:publish") + f"?product={product.pk}")
    assert response.status_code == 200
    assert f'value="{product.pk}"' in response.content.decode()


def test_detail_shows_attempts_and_actions(client, owner, listing, django_capture_on_commit_callbacks):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("listings:action", args=[listing.pk, "publish"]))
    page = client.get(reverse("listings:detail", args=[listing.pk])).content.decode()
    assert "Đang bán" in page and "product.add" in page and 'data-testid="delist"' in page
    client.post(reverse("listings:action", args=[listing.pk, "delist"]))
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DELISTED


def test_rejected_listing_shows_the_reason_and_can_be_retried(client, owner, listing,
                                                              django_capture_on_commit_callbacks):
    listing.attributes = {"sandbox_outcome": "reject"}
    listing.save()
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("listings:action", args=[listing.pk, "publish"]))
    page = client.get(reverse("listings:detail", args=[listing.pk])).content.decode()
    assert "vi phạm chính sách" in page and 'data-testid="retry"' in page
    Listing.objects.filter(pk=listing.pk).update(attributes={})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("listings:action", args=[listing.pk, "retry"]))
    listing.refresh_from_db()
    assert listing.status == Listing.Status.LIVE


def test_shops_page_warns_before_authorisation_expires(client, owner, sandbox_account):
    MarketplaceAccount.objects.filter(pk=sandbox_account.pk).update(
        authorization_expires_at=timezone.now() + timedelta(days=3)
    )
    client.force_login(owner)
    for name in ("listings:accounts", "listings:list"):
        page = client.get(reverse(name)).content.decode()
        assert 'data-testid="expiry-warning"' in page and "hết hạn ngày" in page


def test_feed_shop_download_and_mark_live(client, owner, producer, product, django_capture_on_commit_callbacks):
    client.force_login(owner)
    client.post(reverse("listings:account_connect"), {"producer": producer.pk, "marketplace": "voso"})
    shop = MarketplaceAccount.objects.get(marketplace="voso")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("listings:publish"), {"products": [product.pk], "accounts": [shop.pk]})
    listing = Listing.objects.get(account=shop)
    download = client.get(reverse("listings:feed_download", args=[shop.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'data-testid="mark-live"' in client.get(reverse("listings:detail", args=[listing.pk])).content.decode()
    client.post(reverse("listings:mark_live", args=[listing.pk]), {"url": "https://voso.vn/che-ta-xua-p123"})
    listing.refresh_from_db()
    assert listing.status == Listing.Status.LIVE


def test_oauth_marketplace_redirects_to_the_consent_page(client, owner, producer, settings):
    settings.SHOPEE_PARTNER_ID = 1001
    settings.SHOPEE_PARTNER_KEY = "k" * 32
    settings.SHOPEE_API_BASE = "http://127.0.0.1:9/"
    client.force_login(owner)
    response = client.post(reverse("listings:account_connect"), {"producer": producer.pk, "marketplace": "shopee"})
    assert response.status_code == 302
    assert response["Location"].startswith("http://127.0.0.1:9/api/v2/shop/auth_partner?")
    assert "state%3D" in response["Location"] or "state=" in response["Location"]


def test_a_user_with_no_producer_sees_empty_pages(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("listings:list")).status_code == 200
    assert client.get(reverse("listings:accounts")).status_code == 200
