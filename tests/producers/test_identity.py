"""A producer's identity (name, tax code, kind, representative) is its owners' (issue 12): staff and
officers keep the contact details current but cannot rename the producer or change its tax code."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from common.exceptions import PermissionDenied
from producers import authority, services
from producers.models import Membership
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(producer):
    return make_member(producer=producer, role=Membership.Role.STAFF, username="nhanvien")[0]


def _form(producer, **changes):
    data = {"kind": producer.kind, "name": producer.name, "tax_code": producer.tax_code,
            "representative": producer.representative, "phone": "0912345678", "email": producer.email,
            "address": producer.address, "commune": producer.commune_id, "old_district": ""}
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["staff", "officer"])
def test_staff_and_officers_edit_contacts_but_not_identity(client, request, who, producer):
    user = request.getfixturevalue(who)
    name, tax_code = producer.name, producer.tax_code
    client.force_login(user)
    # the identity fields are shown but not editable
    form = client.get(reverse("portal:producer", args=[producer.pk])).context["form"]
    assert all(form.fields[field].disabled for field in authority.IDENTITY_FIELDS)
    # a forged POST changes the address only
    client.post(reverse("portal:producer", args=[producer.pk]),
                _form(producer, name="HTX Của Tôi", tax_code="0109999982", kind="DN", address="Thôn Mới"))
    producer.refresh_from_db()
    assert (producer.name, producer.tax_code, producer.kind, producer.address) == (name, tax_code, "HTX", "Thôn Mới")
    # the API refuses the identity with a 403 and still takes the phone number
    api = APIClient()
    api.force_authenticate(user)
    refused = api.patch(f"/api/producers/{producer.pk}/", {"tax_code": "0109999982"}, format="json")
    assert refused.status_code == 403 and refused.json()["error"] == "owner_only"
    assert "tax_code" in refused.json()["fields"]
    assert api.patch(f"/api/producers/{producer.pk}/", {"phone": "0987654321"}, format="json").status_code == 200
    with pytest.raises(PermissionDenied):
        services.producer_update(producer=producer, user=user, name="Tên khác")


def test_the_owner_changes_the_identity(client, owner, producer):
    client.force_login(owner)
    response = client.post(reverse("portal:producer", args=[producer.pk]),
                           _form(producer, name="HTX Chè Tà Xùa", representative="Lò Thị Mai"))
    assert response.status_code == 302
    producer.refresh_from_db()
    assert (producer.name, producer.representative) == ("HTX Chè Tà Xùa", "Lò Thị Mai")
    api = APIClient()
    api.force_authenticate(owner)
    assert api.patch(f"/api/producers/{producer.pk}/", {"kind": "DN"}, format="json").status_code == 200


def test_saving_unchanged_identity_fields_is_not_an_identity_change(staff, producer):
    services.producer_update(producer=producer, user=staff, name=producer.name, address="Bản Lướt")
    producer.refresh_from_db()
    assert producer.address == "Bản Lướt"


def test_an_officer_who_is_a_member_does_not_verify_their_own_producer(client, officer, producer):
    from producers.models import Producer

    # given an officer who is also a member of a pending producer
    Producer.objects.filter(pk=producer.pk).update(status=Producer.Status.PENDING)
    producer.refresh_from_db()
    Membership.objects.create(user=officer, producer=producer, role=Membership.Role.STAFF)
    # when they verify it, through the service or the officers' queue
    with pytest.raises(PermissionDenied):
        services.producer_set_status(producer=producer, user=officer, status=Producer.Status.VERIFIED)
    client.force_login(officer)
    client.post(reverse("portal:producer_set_status", args=[producer.pk]), {"status": "verified"})
    # then it stays pending: another officer decides
    producer.refresh_from_db()
    assert producer.status == Producer.Status.PENDING
