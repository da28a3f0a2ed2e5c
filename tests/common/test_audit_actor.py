"""Changes made through the REST API carry their actor in the audit log, whether the caller
authenticated by token or by session, with the client's address as the proxy configuration says."""
import pytest
from auditlog.models import LogEntry
from django.db.models.signals import pre_save
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from producers.models import OcopProduct
from tests.factories import OcopProductFactory

pytestmark = pytest.mark.django_db


def _last_change(product):
    return LogEntry.objects.get_for_object(product).filter(action=LogEntry.Action.UPDATE).latest("pk")


def test_a_change_by_token_names_its_actor_and_address(owner, producer):
    # given a product and its owner's API token
    product = OcopProductFactory(producer=producer, price=120000)
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    # when the owner changes the price through the API
    response = client.patch(f"/api/products/{product.pk}/", {"price": 150000}, format="json")
    # then the audit entry says who did it and from where
    assert response.status_code == 200, response.content
    entry = _last_change(product)
    assert entry.actor == owner and entry.remote_addr == "203.0.113.7"
    assert entry.changes_dict["price"] == ["120000", "150000"]


def test_a_change_by_session_names_its_actor(owner, producer):
    product = OcopProductFactory(producer=producer)
    client = APIClient()
    client.force_login(owner)
    response = client.patch(f"/api/products/{product.pk}/", {"stars": 5}, format="json")
    assert response.status_code == 200, response.content
    assert _last_change(product).actor == owner


def test_a_client_written_forwarded_for_is_not_the_audit_address(owner, producer, settings):
    # given no proxy configured in front of us, a client that writes its own X-Forwarded-For
    settings.TRUSTED_PROXY_COUNT = 0
    product = OcopProductFactory(producer=producer)
    client = APIClient(REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR="10.9.8.7", HTTP_X_FORWARDED_PORT="6666")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    client.patch(f"/api/products/{product.pk}/", {"stars": 5}, format="json")
    assert _last_change(product).remote_addr == "198.51.100.20"
    assert _last_change(product).remote_port is None


def test_behind_the_documented_proxy_the_address_is_the_one_it_appended(owner, producer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    product = OcopProductFactory(producer=producer)
    client = APIClient(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.8.7, 203.0.113.9")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    client.patch(f"/api/products/{product.pk}/", {"stars": 5}, format="json")
    assert _last_change(product).remote_addr == "203.0.113.9"


def test_portal_changes_still_name_their_actor(client, owner, producer):
    product = OcopProductFactory(producer=producer, price=100000)
    client.force_login(owner)
    client.post(f"/san-pham/{product.pk}/sua/", {
        "name": product.name, "group": product.group_id, "stars": "4", "price": "120000"})
    assert _last_change(product).actor == owner


def test_api_requests_leave_no_audit_receiver_behind(owner, producer):
    product = OcopProductFactory(producer=producer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    client.patch(f"/api/products/{product.pk}/", {"stars": 5}, format="json")
    before = len(pre_save.receivers)
    for stars in (3, 4, 5, 3):
        client.patch(f"/api/products/{product.pk}/", {"stars": stars}, format="json")
    assert len(pre_save.receivers) == before
    assert OcopProduct.objects.get(pk=product.pk).stars == 3
