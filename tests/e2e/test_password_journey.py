"""Forgotten password on a phone: the login page's link, the e-mail, a new password, logged in again;
then the password is changed from the portal's menu. Nothing overflows a 390 px screen."""
import re

import pytest
from django.core import mail

from tests.factories import make_member

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
NEW = "Mang-tre-Bat-Xat-2026"
NEWER = "Gao-Seng-Cu-Muong-Khuong"


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_forgotten_password_reset_by_email_and_changed_from_the_menu(phone, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_member(username="htxbatxat", email="lan@batxat.vn")

    phone.goto("/dang-nhap/")
    phone.click("[data-testid=forgot-password]")
    assert "Tài khoản không có email?" in phone.content() and _fits(phone)
    phone.fill("#id_email", "lan@batxat.vn")
    phone.click("[data-testid=password-reset-submit]")
    phone.wait_for_url("**/quen-mat-khau/da-gui/")
    assert _fits(phone)

    link = re.search(r"https?://\S+/dat-lai-mat-khau/\S+/", mail.outbox[-1].body).group(0)
    phone.goto(link)
    assert _fits(phone)
    phone.fill("#id_new_password1", "ocop2025")
    phone.fill("#id_new_password2", "ocop2025")
    phone.click("[data-testid=password-reset-confirm-submit]")
    assert "quá dễ đoán" in phone.content() and _fits(phone)
    phone.fill("#id_new_password1", NEW)
    phone.fill("#id_new_password2", NEW)
    phone.click("[data-testid=password-reset-confirm-submit]")
    phone.wait_for_url("**/dat-lai-mat-khau/xong/")

    log_in(phone, "htxbatxat", NEW)
    assert _fits(phone)
    phone.click("[data-testid=password-change]")
    phone.fill("#id_old_password", NEW)
    phone.fill("#id_new_password1", NEWER)
    phone.fill("#id_new_password2", NEWER)
    assert _fits(phone)
    phone.click("[data-testid=password-change-submit]")
    phone.wait_for_url("**/tai-khoan/doi-mat-khau/xong/")
    assert "Đã đổi mật khẩu" in phone.content() and _fits(phone)
