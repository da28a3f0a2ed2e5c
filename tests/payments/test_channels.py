"""One door for webhooks: /webhooks/<channel>/ serves every bank-notification service listed in
settings.BANK_NOTIFICATION_SERVICES and every enabled marketplace that pushes orders; anything
else is a 404. A service added in settings is a channel at once (its webhook, its events' choices,
their processing) with no migration and no other file changed."""
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from payments import channels
from payments.banks.base import BankNotice, BankNotificationService, MalformedBody
from payments.models import InboundEvent, Transaction

from .conftest import load, raw, sepay_key_headers

pytestmark = pytest.mark.django_db


class ThuNgan(BankNotificationService):
    """A bank-notification service that exists only in this test: a shared token in a header."""

    code, name = "thungan", "Thu Ngân"

    def verify(self, headers, body):
        return headers.get("X-Thungan-Token") == "dung-token"

    def parse(self, data):
        if "id" not in data or "amount" not in data:
            raise MalformedBody("id")
        return BankNotice(provider=self.code, external_id=str(data["id"]), account_number=str(data.get("account", "")),
                          amount=int(data["amount"]), incoming=int(data["amount"]) > 0,
                          content=str(data.get("memo", "")), occurred_at=None)


@pytest.fixture
def with_thungan(settings):
    settings.BANK_NOTIFICATION_SERVICES = [*settings.BANK_NOTIFICATION_SERVICES, f"{__name__}.ThuNgan"]


def test_a_service_added_in_settings_is_a_channel_with_its_webhook(client, with_thungan,
                                                                    django_capture_on_commit_callbacks):
    body = json.dumps({"id": 7, "amount": 150000, "account": "0071000123456", "memo": "OCOP ABC234"}).encode()
    assert reverse("webhook", args=["thungan"]) == "/webhooks/thungan/"
    refused = client.post("/webhooks/thungan/", body, content_type="application/json", HTTP_X_THUNGAN_TOKEN="sai")
    assert refused.status_code == 401 and refused.json() == {"success": False, "message": "unauthorized"}
    assert not InboundEvent.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/webhooks/thungan/", body, content_type="application/json",
                               HTTP_X_THUNGAN_TOKEN="dung-token")
    assert response.status_code == 200 and response.json() == {"success": True}
    event = InboundEvent.objects.get()
    assert (event.provider, event.dedup_key, event.get_provider_display()) == ("thungan", "7", "Thu Ngân")
    assert event.is_bank and event.state == InboundEvent.State.NO_MATCH  # processed as a bank transfer
    assert event.account_number == "0071000123456" and event.amount == 150000
    malformed = client.post("/webhooks/thungan/", b'{"amount": 1}', content_type="application/json",
                            HTTP_X_THUNGAN_TOKEN="dung-token")
    assert malformed.status_code == 400 and InboundEvent.objects.count() == 1


def test_adding_a_channel_needs_no_migration(with_thungan, settings):
    settings.MARKETPLACE_CONNECTORS = settings.MARKETPLACE_CONNECTORS[:2]
    call_command("makemigrations", "payments", "--check", "--dry-run", verbosity=0)


def test_the_events_choices_are_the_channels():
    codes = [code for code, _name in InboundEvent._meta.get_field("provider").choices]
    assert codes[:2] == ["sepay", "casso"]
    assert {"shopee", "lazada", "tiki", "sandbox"} <= set(codes)
    assert channels.kind("sepay") == channels.BANK and channels.kind("shopee") == channels.MARKETPLACE
    assert channels.kind("tiki") is None  # no order pushes: no webhook


@pytest.mark.parametrize("path", ["/webhooks/tiki/", "/webhooks/sandbox/", "/webhooks/amazon/", "/webhooks/thungan/"])
def test_a_channel_that_is_not_there_is_a_404_whatever_the_method(client, path):
    assert client.post(path, b"{}", content_type="application/json").status_code == 404
    assert client.get(path).status_code == 404
    assert not InboundEvent.objects.exists()


def test_a_disabled_channel_is_a_404_and_its_stored_events_wait(client, settings, webhook_secrets, static_code,
                                                                 django_capture_on_commit_callbacks):
    settings.BANK_NOTIFICATION_SERVICES = ["payments.banks.casso.Casso"]
    settings.MARKETPLACE_CONNECTORS = [c for c in settings.MARKETPLACE_CONNECTORS if "lazada" not in c]
    body = raw(load("sepay_in.json"))
    assert client.post("/webhooks/sepay/", body, content_type="application/json",
                       **sepay_key_headers()).status_code == 404
    assert client.post("/webhooks/lazada/", b"{}", content_type="application/json").status_code == 404
    from payments.services import inbound_event_process, inbound_event_receive

    event, _new = inbound_event_receive(provider="sepay", body=body, headers={}, dedup_key="1")
    assert inbound_event_process(event_id=event.pk).state == InboundEvent.State.RECEIVED
    assert not Transaction.objects.exists()
