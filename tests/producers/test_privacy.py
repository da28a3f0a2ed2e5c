import json

import pytest
from django.urls import reverse

from producers.models import DataDeletionRequest, Membership, Producer
from tests.factories import OcopProductFactory, make_member

pytestmark = pytest.mark.django_db


def test_owner_downloads_everything_held_about_the_producer(client, owner, producer):
    OcopProductFactory(producer=producer, name="Mật ong bạc hà")
    client.force_login(owner)
    response = client.get(reverse("portal:personal_data_export", args=[producer.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["producer"]["name"] == producer.name
    assert data["members"][0]["username"] == owner.username
    assert data["products"][0]["name"] == "Mật ong bạc hà"
    assert {"bank_accounts", "listings", "transactions", "marketplace_accounts"} <= set(data)
    assert "access_token" not in response.content.decode()


def test_staff_and_other_producers_cannot_download(client, producer, other_owner_and_producer):
    staff, _ = make_member(producer=producer, role=Membership.Role.STAFF)
    client.force_login(staff)
    assert client.get(reverse("portal:personal_data_export", args=[producer.pk])).status_code == 403
    client.force_login(other_owner_and_producer[0])
    assert client.get(reverse("portal:personal_data_export", args=[producer.pk])).status_code == 404


def test_deletion_request_carried_out_by_an_officer_erases_people_keeps_products(client, owner, producer, officer):
    product = OcopProductFactory(producer=producer)
    client.force_login(owner)
    client.post(reverse("portal:personal_data", args=[producer.pk]), {"reason": "Ngừng hoạt động"})
    request = DataDeletionRequest.objects.get(producer=producer)
    client.force_login(officer)
    client.post(reverse("portal:deletion_requests"), {"request": request.pk, "action": "carry_out"})
    producer.refresh_from_db()
    owner.refresh_from_db()
    assert (producer.representative, producer.phone, producer.email, producer.address) == ("", "", "", "")
    assert producer.status == Producer.Status.SUSPENDED
    assert not owner.is_active and owner.email == "" and owner.username.startswith("da-xoa-")
    assert not owner.has_usable_password()
    assert not Membership.objects.filter(producer=producer).exists()
    assert producer.products.filter(pk=product.pk).exists()
    request.refresh_from_db()
    assert request.status == DataDeletionRequest.Status.DONE and request.handled_by == officer


def test_only_one_pending_request_and_only_owners_ask(client, owner, producer):
    staff, _ = make_member(producer=producer, role=Membership.Role.STAFF)
    client.force_login(staff)
    assert client.post(reverse("portal:personal_data", args=[producer.pk])).status_code == 403
    client.force_login(owner)
    client.post(reverse("portal:personal_data", args=[producer.pk]))
    client.post(reverse("portal:personal_data", args=[producer.pk]))
    assert DataDeletionRequest.objects.filter(producer=producer).count() == 1
