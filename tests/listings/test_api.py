import pytest
from rest_framework.test import APIClient

from listings.models import Listing
from tests.factories import OcopProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def test_create_publish_attempts_delist(api, product, producer, django_capture_on_commit_callbacks):
    # given a sandbox shop created through the API
    response = api.post("/api/marketplace-accounts/", {"producer": producer.pk, "marketplace": "sandbox"}, format="json")
    assert response.status_code == 201, response.data
    account_id = response.data["id"]
    assert "access_token" not in response.data
    # when a listing is created and published
    response = api.post("/api/listings/", {"product": product.pk, "marketplace_account": account_id}, format="json")
    assert response.status_code == 201, response.data
    listing_id = response.data["id"]
    assert response.data["status"] == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/listings/{listing_id}/publish/")
    assert response.status_code == 202
    # then it is live (eager mode), with its attempts
    response = api.get(f"/api/listings/{listing_id}/")
    assert response.data["status"] == "live" and response.data["url"]
    attempts = api.get(f"/api/listings/{listing_id}/attempts/").data
    assert any(a["operation"] == "publish" and not a["error"] for a in attempts)
    # and delisting works
    response = api.post(f"/api/listings/{listing_id}/delist/")
    assert response.status_code == 200 and response.data["status"] == "delisted"


def test_list_filters(api, listing, product):
    assert api.get("/api/listings/", {"status": "draft"}).data["count"] == 1
    assert api.get("/api/listings/", {"status": "live"}).data["count"] == 0
    assert api.get("/api/listings/", {"product": product.pk}).data["count"] == 1
    assert api.get("/api/listings/", {"marketplace_account": listing.account_id}).data["count"] == 1


def test_duplicate_listing_is_refused(api, listing):
    response = api.post("/api/listings/", {"product": listing.product_id, "marketplace_account": listing.account_id},
                        format="json")
    assert response.status_code == 400 and response.data["error"] == "duplicate"


def test_another_producers_objects_are_404(listing, other_owner_and_producer):
    other, _ = other_owner_and_producer
    client = APIClient()
    client.force_authenticate(other)
    assert client.get(f"/api/listings/{listing.pk}/").status_code == 404
    assert client.post(f"/api/listings/{listing.pk}/publish/").status_code == 404
    assert client.post(f"/api/listings/{listing.pk}/delist/").status_code == 404
    assert client.get(f"/api/listings/{listing.pk}/attempts/").status_code == 404
    assert client.get(f"/api/marketplace-accounts/{listing.account_id}/").status_code == 404
    assert client.get("/api/listings/").data["count"] == 0


def test_create_with_another_producers_product_is_refused(api, sandbox_account, other_owner_and_producer):
    _, other_producer = other_owner_and_producer
    foreign = OcopProductFactory(producer=other_producer)
    response = api.post("/api/listings/", {"product": foreign.pk, "marketplace_account": sandbox_account.pk},
                        format="json")
    assert response.status_code == 400 and "product" in response.data["fields"]
    assert not Listing.objects.filter(product=foreign).exists()


def test_publish_refused_for_an_unverified_producer(api, listing, producer):
    producer.status = "pending"
    producer.save()
    response = api.post(f"/api/listings/{listing.pk}/publish/")
    assert response.status_code == 400 and response.data["error"] == "producer_not_verified"


def test_anonymous_is_refused(listing):
    assert APIClient().get("/api/listings/").status_code in (401, 403)
    assert APIClient().post(f"/api/listings/{listing.pk}/publish/").status_code in (401, 403)


def test_officer_can_view_but_not_publish(listing, officer):
    client = APIClient()
    client.force_authenticate(officer)
    assert client.get(f"/api/listings/{listing.pk}/").status_code == 200
    assert client.post(f"/api/listings/{listing.pk}/publish/").status_code == 403
