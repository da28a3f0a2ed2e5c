"""A `next` taken from a form never sends anyone off-site."""
import pytest
from django.urls import reverse

from producers.models import Producer
from tests.factories import ProducerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("target", [
    "https://evil.example/phish", "//evil.example/", "/\\evil.example/", "\\\\evil.example", "http:evil.example",
    "javascript:alert(1)", " https://evil.example",
])
def test_officer_status_form_does_not_redirect_off_site(client, officer, target):
    # given a producer waiting for verification and a form whose `next` points elsewhere
    producer = ProducerFactory(status=Producer.Status.PENDING)
    client.force_login(officer)
    # when the officer verifies it
    response = client.post(reverse("portal:producer_set_status", args=[producer.pk]),
                           {"status": "verified", "next": target})
    # then the answer goes back to our own queue, and the change is made
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:verification_queue")
    producer.refresh_from_db()
    assert producer.status == Producer.Status.VERIFIED


def test_officer_status_form_returns_to_our_own_page(client, officer):
    producer = ProducerFactory(status=Producer.Status.PENDING)
    client.force_login(officer)
    page = reverse("portal:producer", args=[producer.pk])
    response = client.post(reverse("portal:producer_set_status", args=[producer.pk]),
                           {"status": "verified", "next": page})
    assert response["Location"] == page
