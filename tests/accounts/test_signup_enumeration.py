"""A stranger cannot learn from the sign-up page whether a username or a tax code exists."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from common.exceptions import InvalidTransition
from producers.models import Producer
from tests.factories import ProducerFactory, UserFactory, valid_tax_code
from tests.producers.test_portal import signup_data

pytestmark = pytest.mark.django_db
User = get_user_model()


def _messages(response):
    return [m.message for m in response.context["messages"]] if response.context else []


def test_a_taken_tax_code_signs_up_exactly_like_a_free_one_and_goes_pending(client):
    holder = ProducerFactory(name="HTX Chè Suối Giàng", tax_code="5200812343")

    taken = Client().post(reverse("portal:signup"), signup_data(), follow=True)
    free = Client().post(reverse("portal:signup"), signup_data(**{
        "account-username": "htxkhac", "producer-name": "HTX Khác", "producer-tax_code": "5200899993"}), follow=True)

    assert taken.redirect_chain == free.redirect_chain == [(reverse("portal:home"), 302)]
    assert "mã số thuế" not in " ".join(_messages(taken)).lower()
    applicant = Producer.objects.get(name="HTX Nông nghiệp Tú Lệ")
    assert applicant.status == Producer.Status.PENDING
    assert applicant.claimed_tax_code == "5200812343" and applicant.tax_code == ""
    holder.refresh_from_db()
    assert holder.tax_code == "5200812343"
    assert Producer.objects.get(name="HTX Khác").tax_code == "5200899993"


def test_the_applicant_sees_the_tax_code_they_typed(client):
    ProducerFactory(tax_code="5200812343")
    client.post(reverse("portal:signup"), signup_data())
    applicant = Producer.objects.get(name="HTX Nông nghiệp Tú Lệ")
    page = client.get(reverse("portal:producer", args=[applicant.pk])).content.decode()
    assert "MST 5200812343" in page  # the page's header line, as for any applicant
    assert 'value="5200812343"' in page  # the edit form
    assert "chủ thể khác" not in page


def test_the_officers_queue_shows_who_already_holds_the_tax_code_and_verification_waits(client, officer):
    holder = ProducerFactory(name="HTX Chè Suối Giàng", tax_code="5200812343")
    Client().post(reverse("portal:signup"), signup_data())
    applicant = Producer.objects.get(name="HTX Nông nghiệp Tú Lệ")

    client.force_login(officer)
    queue = client.get(reverse("portal:verification_queue")).content.decode()
    assert "5200812343" in queue and "HTX Chè Suối Giàng" in queue and "đã thuộc" in queue

    with pytest.raises(InvalidTransition):
        applicant.set_status(Producer.Status.VERIFIED, by=officer)
    applicant.refresh_from_db()
    assert applicant.status == Producer.Status.PENDING

    holder.tax_code = ""  # the department settles it (here: the holder's tax code was the wrong one)
    holder.save()
    applicant.set_status(Producer.Status.VERIFIED, by=officer)
    applicant.refresh_from_db()
    assert applicant.tax_code == "5200812343" and applicant.claimed_tax_code == ""


def _username_errors(response):
    return response.context["account_form"].errors.get("username")


def test_a_taken_username_gets_the_same_neutral_refusal_as_any_refused_name(client):
    UserFactory(username="htxtule")
    taken = client.post(reverse("portal:signup"), signup_data())
    taken_other_case = client.post(reverse("portal:signup"), signup_data(**{"account-username": "HTXTule"}))
    reserved = client.post(reverse("portal:signup"), signup_data(**{"account-username": "admin"}))
    too_short = client.post(reverse("portal:signup"), signup_data(**{"account-username": "ab"}))

    assert _username_errors(taken) == _username_errors(taken_other_case) == _username_errors(reserved) \
        == _username_errors(too_short)
    body = taken.content.decode()
    assert "đã có người dùng" not in body and "đã tồn tại" not in body.lower()
    assert not Producer.objects.exists()


def test_refused_sign_up_attempts_are_throttled_per_client_address(settings):
    settings.SIGNUP_ATTEMPTS_PER_HOUR = 5
    prober = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(5):
        response = prober.post(reverse("portal:signup"), signup_data(**{"account-username": f"probe{n}",
                                                                        "account-password2": "khac"}))
        assert response.status_code == 200
    throttled = prober.post(reverse("portal:signup"), signup_data(**{"account-username": "probe9"}))
    assert throttled.status_code == 429
    assert re.search(r"thử lại sau \d+ (giây|phút)", throttled.content.decode())
    assert not User.objects.filter(username="probe9").exists()

    someone_else = Client(REMOTE_ADDR="198.51.100.20").post(reverse("portal:signup"), signup_data())
    assert someone_else.status_code == 302


def _applicant(client):
    client.post(reverse("portal:signup"), signup_data())
    return Producer.objects.get(name="HTX Nông nghiệp Tú Lệ")


def _producer_form(producer, **changes):
    data = {"kind": producer.kind, "name": producer.name, "tax_code": producer.claimed_tax_code or producer.tax_code,
            "representative": producer.representative, "phone": "0912 345 678", "email": producer.email,
            "address": producer.address, "commune": producer.commune_id, "old_district": producer.old_district}
    data.update(changes)
    return data


def test_the_applicant_saves_their_page_without_learning_the_tax_code_is_held(client):
    ProducerFactory(tax_code="5200812343")
    applicant = _applicant(client)
    response = client.post(reverse("portal:producer", args=[applicant.pk]), _producer_form(applicant, address="Bản Mới"))
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.address == "Bản Mới"
    assert applicant.claimed_tax_code == "5200812343" and applicant.tax_code == ""


def test_a_pending_producer_cannot_probe_tax_codes_from_its_page_or_the_api(client):
    ProducerFactory(tax_code="5200811117")
    client.post(reverse("portal:signup"), signup_data(**{"producer-tax_code": "5200899993"}))
    applicant = Producer.objects.get(name="HTX Nông nghiệp Tú Lệ")

    portal = client.post(reverse("portal:producer", args=[applicant.pk]),
                         _producer_form(applicant, tax_code="5200811117"))
    assert portal.status_code == 302
    applicant.refresh_from_db()
    assert applicant.tax_code == "" and applicant.claimed_tax_code == "5200811117"

    api = client.patch(f"/api/producers/{applicant.pk}/", {"tax_code": "5200811117"}, content_type="application/json")
    assert api.status_code == 200, api.content
    assert api.json()["tax_code"] == "5200811117"  # shown as typed, like any other tax code
    free = client.patch(f"/api/producers/{applicant.pk}/", {"tax_code": "5200877774"}, content_type="application/json")
    assert free.status_code == 200
    applicant.refresh_from_db()
    assert applicant.tax_code == "5200877774" and applicant.claimed_tax_code == ""


def test_successful_sign_ups_from_one_address_are_not_slowed(settings):
    """A commune hall signs up its cooperatives behind one address."""
    settings.SIGNUP_ATTEMPTS_PER_HOUR = 2
    for n in range(4):
        response = Client(REMOTE_ADDR="203.0.113.7").post(reverse("portal:signup"), signup_data(**{
            "account-username": f"htx-xa-{n}", "producer-name": f"HTX số {n}", "producer-tax_code": valid_tax_code(8900 + n)}))
        assert response.status_code == 302
