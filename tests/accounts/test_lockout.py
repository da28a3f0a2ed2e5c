"""Wrong passwords cannot be used to lock someone else out: the client's address comes from the proxy,
the hard lock is per (username, address), and across addresses a username only slows down."""
import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts import throttling
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-an-toan-123"
PROXY = "10.0.0.2"


def _login(client, username="canbo", password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _behind_proxy(client_address):
    """A browser as the documented nginx passes it on: REMOTE_ADDR is the proxy's."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address, HTTP_X_REAL_IP=client_address)


class Clock:
    def __init__(self, start=1_000_000.0):
        self.now = start

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(throttling, "now", clock)
    return clock


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_two_clients_are_told_apart():
    UserFactory(username="canbo")
    stranger, officer = _behind_proxy("203.0.113.7"), _behind_proxy("198.51.100.20")
    for _ in range(5):
        _login(stranger, password="sai-mat-khau")
    assert _login(stranger).status_code == 429  # the stranger's own address is locked
    assert _login(officer).status_code == 302  # the officer's is not


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_forged_forwarded_header_does_not_pick_the_address():
    """nginx appends the address it saw; a header the client wrote itself stays on the left."""
    UserFactory(username="canbo")
    for n in range(5):
        forged = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7")
        _login(forged, password="sai-mat-khau")
    again = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7")
    assert _login(again).status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_strangers_fifty_wrong_passwords_do_not_stop_the_owner(clock):
    UserFactory(username="canbo")
    answers = []
    for n in range(50):
        clock.now += 1
        answers.append(_login(_behind_proxy(f"203.0.{n // 200}.{n % 200 + 1}"), password="sai-mat-khau"))
    slowed = [a for a in answers if a.status_code == 429 and "thử lại sau" in a.content.decode()]
    assert slowed, "after a few failures the username is slowed down for everyone"

    owner = _behind_proxy("198.51.100.20")
    first = _login(owner)
    if first.status_code != 302:  # the owner may have to wait out the delay, which stays short
        wait = int(re.search(r"thử lại sau (\d+) giây", first.content.decode()).group(1))
        assert wait <= throttling.MAX_DELAY_SECONDS
        clock.now += wait
        first = _login(owner)
    assert first.status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_the_username_slowdown_grows_and_is_answered_in_vietnamese(clock):
    UserFactory(username="canbo")
    for n in range(throttling.FREE_FAILURES):
        assert _login(_behind_proxy(f"203.0.113.{n + 1}"), password="sai").status_code == 200
    waits = []
    for n in range(4):
        response = _login(_behind_proxy(f"198.51.100.{n + 1}"), password="sai")
        assert response.status_code == 429
        wait = int(re.search(r"Hãy thử lại sau (\d+) giây", response.content.decode()).group(1))
        waits.append(wait)
        clock.now += wait
        assert _login(_behind_proxy(f"192.0.2.{n + 1}"), password="sai").status_code == 200  # counted
    assert waits == sorted(waits) and waits[-1] > waits[0]
    assert waits[-1] <= throttling.MAX_DELAY_SECONDS


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_right_password_ends_the_slowdown(clock):
    UserFactory(username="canbo")
    for n in range(throttling.FREE_FAILURES + 1):
        clock.now += 60
        _login(_behind_proxy(f"203.0.113.{n + 1}"), password="sai")
    clock.now += throttling.MAX_DELAY_SECONDS
    assert _login(_behind_proxy("198.51.100.20")).status_code == 302
    assert throttling.wait_seconds("canbo") == 0


def test_without_a_proxy_setting_the_forwarded_header_is_ignored():
    """Run without a proxy in front (make demo), a client cannot choose its address by a header."""
    UserFactory(username="canbo")
    for n in range(5):
        _login(Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"), password="sai")
    assert _login(Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="192.0.2.50")).status_code == 429


def test_the_documented_deployment_sets_the_proxy_count():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env_example = (root / "deploy/ocop.env.example").read_text()
    assert re.search(r"^TRUSTED_PROXY_COUNT=1$", env_example, re.M)
    nginx = (root / "deploy/nginx.conf").read_text()
    assert "proxy_set_header X-Real-IP $remote_addr;" in nginx
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx
    assert "TRUSTED_PROXY_COUNT" in (root / "docs/deployment.md").read_text()


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_browser_that_logged_in_before_is_never_slowed(clock):
    UserFactory(username="canbo")
    phone = _behind_proxy("198.51.100.20")
    assert _login(phone).status_code == 302
    phone.post(reverse("logout"))
    for n in range(throttling.FREE_FAILURES + 5):
        _login(_behind_proxy(f"203.0.113.{n + 1}"), password="sai")
    assert throttling.wait_seconds("canbo") > 0
    assert _login(phone).status_code == 302  # at once: its device cookie vouches for it
    assert _login(_behind_proxy("192.0.2.1"), password="sai").status_code == 200


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_the_admin_login_is_slowed_the_same_way(clock):
    UserFactory(username="canbo", is_staff=True)
    for n in range(throttling.FREE_FAILURES):
        _login(_behind_proxy(f"203.0.113.{n + 1}"), password="sai")
    response = _behind_proxy("198.51.100.20").post(
        reverse("admin:login"), {"username": "canbo", "password": PASSWORD})
    assert "thử lại sau" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session
