import pytest
from rest_framework.test import APIClient

from tests.factories import OcopProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def test_text_fields_refuse_numbers(api, producer):
    response = api.patch(f"/api/producers/{producer.pk}/", {"old_district": 0}, format="json")
    assert response.status_code == 400
    assert "old_district" in response.json()["fields"]


def test_stars_filter_takes_only_three_to_five(api, producer):
    OcopProductFactory(producer=producer, stars=4)
    assert api.get("/api/products/?stars=0.5").status_code == 400
    assert api.get("/api/products/?stars=4").json()["count"] == 1
    assert api.get("/api/products/?stars=").json()["count"] == 1


def test_create_product_through_the_api(api, producer):
    response = api.post("/api/products/", {
        "producer": producer.pk, "name": "Miến dong Bát Xát", "group": "thuc-pham", "stars": 3,
        "price": 45000, "certificate_date": "2024-05-20",
    }, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["certificate_expiry"] == "2027-05-20"
    assert response.json()["sku"].startswith("OCOP-")


def test_api_refuses_a_product_for_another_producer(api, other_owner_and_producer):
    other_producer = other_owner_and_producer[1]
    response = api.post("/api/products/", {
        "producer": other_producer.pk, "name": "X", "group": "thuc-pham", "stars": 3, "price": 1,
    }, format="json")
    assert response.status_code == 400
    assert "producer" in response.json()["fields"]
