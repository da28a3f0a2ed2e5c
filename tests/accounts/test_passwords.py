"""Password change and reset by e-mail, in Vietnamese; a new password ends every other session and the
API tokens; Django's validators speak Vietnamese and common Vietnamese weak passwords are refused."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.django_db
User = get_user_model()
OLD = "mat-khau-an-toan-123"
NEW = "Che-Shan-tuyet-Ta-Xua-7"


def _logged_in(username, password=OLD):
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def _without_csrf(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def _reset_link(message):
    return re.search(r"https?://[^/\s]+(/dat-lai-mat-khau/\S+/)", message.body).group(1)


def test_login_page_and_user_menu_link_to_reset_and_change(client):
    given = UserFactory(username="htx")
    login_page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in login_page and "Quên mật khẩu" in login_page
    client.force_login(given)
    home = client.get(reverse("portal:home")).content.decode()
    assert reverse("password_change") in home and "Đổi mật khẩu" in home


def test_change_password_keeps_this_session_ends_the_others_and_revokes_api_tokens():
    given, _producer = make_member(username="htx")
    phone, laptop = _logged_in("htx"), _logged_in("htx")
    token = Token.objects.create(user=given)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/producers/").status_code == 200

    page = phone.get(reverse("password_change"))
    assert page.status_code == 200 and "Đổi mật khẩu" in page.content.decode()
    response = phone.post(reverse("password_change"),
                          {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})

    assert response.status_code == 302
    assert phone.get(reverse("portal:home")).status_code == 200  # this session kept
    assert laptop.get(reverse("portal:home")).status_code == 302  # the other one logged out
    assert not Token.objects.filter(user=given).exists()
    assert api.get("/api/producers/").status_code in (401, 403)
    given.refresh_from_db()
    assert given.check_password(NEW)


def test_change_password_refuses_a_wrong_old_password_in_vietnamese():
    UserFactory(username="htx")
    phone = _logged_in("htx")
    response = phone.post(reverse("password_change"),
                          {"old_password": "sai", "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 200
    assert "Mật khẩu cũ không đúng" in response.content.decode()


def test_reset_by_email_sends_a_vietnamese_link_that_sets_a_new_password_and_ends_sessions(client):
    given = UserFactory(username="htx", email="mai@htxtule.vn")
    laptop = _logged_in("htx")
    token = Token.objects.create(user=given)

    page = client.get(reverse("password_reset")).content.decode()
    assert "Quên mật khẩu" in page
    response = client.post(reverse("password_reset"), {"email": "MAI@htxtule.vn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Đặt lại mật khẩu OCOP Market"
    assert "Xin chào" in message.body and "htx" in message.body and "Password reset" not in message.body

    form = client.get(_reset_link(message), follow=True)
    assert "Đặt mật khẩu mới" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    given.refresh_from_db()
    assert given.check_password(NEW)
    assert laptop.get(reverse("portal:home")).status_code == 302
    assert not Token.objects.filter(pk=token.pk).exists()
    assert client.get(done["Location"]).status_code == 200


def test_reset_page_answers_the_same_for_an_unknown_address_and_says_what_to_do_without_email(client):
    UserFactory(username="htx", email="mai@htxtule.vn")
    page = client.get(reverse("password_reset")).content.decode()
    assert "không có email" in page and "chủ sở hữu" in page and "Sở Công Thương" in page

    known = client.post(reverse("password_reset"), {"email": "mai@htxtule.vn"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "ai-do@example.vn"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain
    assert _without_csrf(known) == _without_csrf(unknown)
    assert len(mail.outbox) == 1


def test_reset_link_works_once(client):
    UserFactory(username="htx", email="mai@htxtule.vn")
    client.post(reverse("password_reset"), {"email": "mai@htxtule.vn"})
    link = _reset_link(mail.outbox[0])
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    again = Client().get(link, follow=True).content.decode()
    assert "Đường dẫn đặt lại mật khẩu không còn hiệu lực" in again


# Validators -------------------------------------------------------------------------------------

@pytest.mark.parametrize("weak", [
    "ocop2025", "OCOP2025", "ocop123", "matkhau", "matkhau123", "MatKhau123", "anhyeuem", "123456a",
    "abc123", "Ocop@2025", "anhyeuem2024",
])
def test_common_vietnamese_weak_passwords_are_refused_at_change(weak):
    UserFactory(username="htx")
    phone = _logged_in("htx")
    response = phone.post(reverse("password_change"),
                          {"old_password": OLD, "new_password1": weak, "new_password2": weak})
    assert response.status_code == 200
    assert "quá dễ đoán" in response.content.decode() or "quá ngắn" in response.content.decode()


def test_the_users_own_phone_number_and_username_are_refused():
    UserFactory(username="suoigiang", phone="+84912345678")
    phone = _logged_in("suoigiang")
    for weak in ("0912345678", "84912345678", "suoigiang", "SuoiGiang2025"):
        response = phone.post(reverse("password_change"),
                              {"old_password": OLD, "new_password1": weak, "new_password2": weak})
        assert response.status_code == 200, weak
        body = response.content.decode()
        assert "số điện thoại" in body or "tên đăng nhập" in body, weak


def test_djangos_validators_speak_vietnamese_in_the_portal():
    UserFactory(username="htx")
    phone = _logged_in("htx")
    short = phone.post(reverse("password_change"),
                       {"old_password": OLD, "new_password1": "x7Kq", "new_password2": "x7Kq"})
    numeric = phone.post(reverse("password_change"),
                         {"old_password": OLD, "new_password1": "58203917465", "new_password2": "58203917465"})
    mismatch = phone.post(reverse("password_change"),
                          {"old_password": OLD, "new_password1": NEW, "new_password2": NEW + "x"})
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in short.content.decode()
    assert "Mật khẩu không được chỉ gồm chữ số." in numeric.content.decode()
    assert "Hai mật khẩu không khớp." in mismatch.content.decode()
    for response in (short, numeric, mismatch):
        assert "This password" not in response.content.decode()


def test_weak_password_refused_at_sign_up_and_at_reset(client):
    from tests.producers.test_portal import signup_data

    refused = client.post(reverse("portal:signup"),
                          signup_data(**{"account-password1": "ocop2025", "account-password2": "ocop2025"}))
    assert refused.status_code == 200 and "quá dễ đoán" in refused.content.decode()
    with_phone = client.post(reverse("portal:signup"),
                             signup_data(**{"account-password1": "0912345678", "account-password2": "0912345678"}))
    assert with_phone.status_code == 200 and "số điện thoại" in with_phone.content.decode()
    assert not User.objects.filter(username="htxtule").exists()

    UserFactory(username="htx", email="mai@htxtule.vn")
    client.post(reverse("password_reset"), {"email": "mai@htxtule.vn"})
    form = client.get(_reset_link(mail.outbox[0]), follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": "matkhau123", "new_password2": "matkhau123"})
    assert response.status_code == 200 and "quá dễ đoán" in response.content.decode()


def test_seeded_demo_password_still_logs_in(client):
    """`make demo` seeds `ocop2025` without validation: the demo logins keep working."""
    user = UserFactory(username="htx")
    user.set_password("ocop2025")
    user.save()
    assert client.post(reverse("login"), {"username": "htx", "password": "ocop2025"}).status_code == 302


def test_reset_requests_are_limited_per_client_address_so_nobody_floods_a_mailbox(settings):
    settings.PASSWORD_RESET_ATTEMPTS_PER_HOUR = 3
    UserFactory(username="htx", email="mai@htxtule.vn")
    flooder = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert flooder.post(reverse("password_reset"), {"email": "mai@htxtule.vn"}).status_code == 302
    refused = flooder.post(reverse("password_reset"), {"email": "mai@htxtule.vn"})
    assert refused.status_code == 429 and "thử lại sau" in refused.content.decode()
    assert len(mail.outbox) == 3
    owner = Client(REMOTE_ADDR="198.51.100.20").post(reverse("password_reset"), {"email": "mai@htxtule.vn"})
    assert owner.status_code == 302 and len(mail.outbox) == 4


def test_the_reset_email_leaves_the_request_so_known_and_unknown_addresses_take_as_long(client, monkeypatch):
    """With a worker, the request only queues the e-mail: nothing slow happens for a known address.
    The queueing is caught at `delay` (the broker's door), so no Celery configuration is touched."""
    from accounts.tasks import send_password_reset

    UserFactory(username="htx", email="mai@htxtule.vn")
    queued = []
    monkeypatch.setattr(send_password_reset, "delay", lambda *args: queued.append(("accounts.tasks.send_password_reset", args)))
    assert client.post(reverse("password_reset"), {"email": "mai@htxtule.vn"}).status_code == 302
    assert client.post(reverse("password_reset"), {"email": "ai-do@example.vn"}).status_code == 302

    assert mail.outbox == []  # nothing sent inside the request
    assert [name for name, _args in queued] == ["accounts.tasks.send_password_reset"]
    send_password_reset(*queued[0][1])  # what the worker does
    assert len(mail.outbox) == 1 and "/dat-lai-mat-khau/" in mail.outbox[0].body
