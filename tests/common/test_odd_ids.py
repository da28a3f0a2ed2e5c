"""Ids in query strings that str.isdigit() accepts but int() or the database does not (`²`, Arabic-Indic
digits, 30 digits): a 404 or the unfiltered page, never a 500 (hostile review)."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

ODD = ["²", "١٢", "9" * 30, "9" * 5000]


@pytest.mark.parametrize("value", ODD)
def test_portal_query_ids(client, owner, value):
    client.raise_request_exception = False
    client.force_login(owner)
    assert client.get(reverse("payments:transactions"), {"producer": value}).status_code in (200, 404)
    assert client.get(reverse("payments:manual_sale"), {"product": value}).status_code == 200


@pytest.mark.parametrize("value", ODD)
def test_api_query_ids(owner, value):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(owner)
    assert api.get("/api/listings/", {"marketplace_account": value}).status_code in (200, 400)


@pytest.mark.parametrize("value", ["9" * 30, "-1", "²"])
def test_api_product_filter_by_commune(officer, value):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(officer)
    assert api.get("/api/products/", {"commune": value}).status_code in (200, 400)


@pytest.mark.parametrize("value", ["abc", "²", "9" * 30, "\x00"])
def test_portal_pages_preselecting_from_the_query(client, owner, officer, value):
    client.raise_request_exception = False
    for who in (owner, officer):
        client.force_login(who)
        assert client.get(reverse("portal:product_create"), {"producer": value}).status_code in (302, 404)
        assert client.get(reverse("listings:publish"), {"product": value}).status_code == 200
        assert client.get(reverse("dashboard:index"), {"commune": value}).status_code < 500
