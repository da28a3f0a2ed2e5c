"""Bank webhooks: a body nested too deeply is refused before parsing (400, nothing written), and a
notification delivered again is not stored again: its first row counts the deliveries."""

import pytest

from payments.models import InboundEvent, Transaction

from .conftest import casso_headers, load, raw, sepay_key_headers

pytestmark = pytest.mark.django_db

SEPAY_URL = "/webhooks/sepay/"
CASSO_URL = "/webhooks/casso/"


def post(client, url, body, **headers):
    return client.post(url, data=body, content_type="application/json", **headers)


def nothing_written():
    return not InboundEvent.objects.exists() and not Transaction.objects.exists()


def nested(depth, inner="1"):
    return ("[" * depth + inner + "]" * depth).encode()


@pytest.mark.parametrize("depth", [100_000, 2_000, 100])
def test_deeply_nested_sepay_body_is_refused_with_400_and_nothing_written(client, webhook_secrets, depth):
    # given SePay's valid API key and a genuine transfer carrying a field nested `depth` levels
    # (100,000 raised RecursionError, a 500; 100 was stored)
    body = raw(load("sepay_in.json"))[:-1] + b', "extra": ' + nested(depth) + b"}"
    # when it is delivered
    response = post(client, SEPAY_URL, body, **sepay_key_headers())
    # then it is refused as malformed, before anything is stored
    assert response.status_code == 400 and response.json()["success"] is False
    assert nothing_written()


@pytest.mark.parametrize("depth", [100_000, 2_000, 100])
def test_deeply_nested_casso_body_is_refused_with_400_and_nothing_written(client, webhook_secrets, depth):
    body = b'{"error": 0, "data": ' + nested(depth, '{"id": 1}') + b"}"
    response = post(client, CASSO_URL, body, HTTP_X_CASSO_SIGNATURE="t=1,v1=00")
    assert response.status_code == 400 and response.json()["success"] is False
    assert nothing_written()


def test_brackets_inside_strings_do_not_count_as_nesting(client, webhook_secrets, static_code,
                                                         django_capture_on_commit_callbacks):
    # given a genuine transfer whose memo is full of brackets
    data = load("sepay_in.json")
    data["description"] = "[[[[{{{{" * 50 + '\\"]]' + "}" * 40
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, SEPAY_URL, raw(data), **sepay_key_headers())
    # then it is an ordinary notification
    assert response.status_code == 200
    assert Transaction.objects.count() == 1


def test_a_notification_delivered_three_times_is_one_row_counting_three_deliveries(
        client, webhook_secrets, static_code, django_capture_on_commit_callbacks):
    # given a SePay notification
    body = raw(load("sepay_in.json"))
    # when SePay delivers it three times (its retries, or a replay)
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [post(client, SEPAY_URL, body, **sepay_key_headers()).status_code for _ in range(3)]
    # then each delivery is answered 200, one row is kept and it counts the deliveries
    assert statuses == [200, 200, 200]
    event = InboundEvent.objects.get()
    assert event.state == InboundEvent.State.MATCHED
    assert event.deliveries == 3
    assert event.last_delivered_at is not None and event.last_delivered_at >= event.received_at
    # and the transfer is one sale
    assert Transaction.objects.count() == 1


def test_casso_redelivery_is_counted_on_the_first_row(client, webhook_secrets, static_code,
                                                      django_capture_on_commit_callbacks):
    data = load("casso_in.json")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            assert post(client, CASSO_URL, raw(data), **casso_headers(data)).status_code == 200
    event = InboundEvent.objects.get()
    assert event.deliveries == 2 and event.state == InboundEvent.State.MATCHED


def test_a_single_delivery_counts_one(client, webhook_secrets, static_code, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, SEPAY_URL, raw(load("sepay_in.json")), **sepay_key_headers())
    event = InboundEvent.objects.get()
    assert event.deliveries == 1 and event.last_delivered_at is None


def test_officer_event_pages_show_how_many_times_an_event_arrived(client, officer, webhook_secrets, static_code,
                                                                  django_capture_on_commit_callbacks):
    body = raw(load("sepay_in.json"))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            post(client, SEPAY_URL, body, **sepay_key_headers())
    event = InboundEvent.objects.get()
    client.force_login(officer)
    listing = client.get("/thanh-toan/su-kien/").content.decode()
    detail = client.get(f"/thanh-toan/su-kien/{event.pk}/").content.decode()
    assert 'data-testid="event-row"' in listing and listing.count('data-testid="event-row"') == 1
    assert "4 lần" in listing
    assert "Nhận 4 lần" in detail and "lần cuối" in detail
    # and so does the API
    row = client.get("/api/inbound-events/").json()["results"][0]
    assert row["deliveries"] == 4 and row["last_delivered_at"]


def test_a_redelivery_of_an_event_left_waiting_gets_it_processed(client, webhook_secrets, static_code,
                                                                 django_capture_on_commit_callbacks):
    # given a notification stored 15 minutes ago whose processing was lost (no sweep ran since)
    from datetime import timedelta

    from django.utils import timezone

    from payments.services import inbound_event_receive

    body = raw(load("sepay_in.json"))
    event, _new = inbound_event_receive(provider="sepay", body=body, headers={}, dedup_key="92704")
    InboundEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - timedelta(minutes=15))
    assert InboundEvent.objects.get().state == InboundEvent.State.RECEIVED
    # when SePay delivers it again
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, SEPAY_URL, body, **sepay_key_headers()).status_code == 200
    # then it is processed now, still one row
    event = InboundEvent.objects.get()
    assert event.state == InboundEvent.State.MATCHED and event.deliveries == 2
    assert Transaction.objects.count() == 1


def test_a_fresh_redelivery_does_not_process_again(client, webhook_secrets, static_code,
                                                   django_capture_on_commit_callbacks):
    from payments.services import inbound_event_receive

    body = raw(load("sepay_in.json"))
    inbound_event_receive(provider="sepay", body=body, headers={}, dedup_key="92704")  # its task still queued
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post(client, SEPAY_URL, body, **sepay_key_headers())
    assert callbacks == [] and InboundEvent.objects.get().state == InboundEvent.State.RECEIVED


def test_a_body_far_larger_than_any_notification_is_refused_before_parsing(client, webhook_secrets):
    # given a genuine transfer padded to 300 KB (a notification is under 2 KB)
    data = load("sepay_in.json")
    data["description"] = "x" * 300_000
    response = post(client, SEPAY_URL, raw(data), **sepay_key_headers())
    assert response.status_code == 400 and "too large" in response.json()["message"]
    assert nothing_written()
