"""Password rules with Vietnamese messages (msgids in Vietnamese like the rest of the portal).

Django's own validators, worded as the portal speaks; plus the common Vietnamese weak passwords
(accounts/data/weak_passwords.txt), the user's phone numbers and the username.
"""
import re
from functools import lru_cache
from pathlib import Path

from django.contrib.auth import password_validation as django_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.text import strip_diacritics

WEAK_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "weak_passwords.txt"


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
                        "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.", self.min_length)

    def get_help_text(self):
        return _("Ít nhất %(min_length)d ký tự.") % {"min_length": self.min_length}


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def get_error_message(self):
        return _("Mật khẩu không được chỉ gồm chữ số.")

    def get_help_text(self):
        return _("Không chỉ gồm chữ số.")


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def get_error_message(self):
        return _("Mật khẩu này quá dễ đoán: nó nằm trong danh sách mật khẩu phổ biến nhất.")

    def get_help_text(self):
        return _("Không phải mật khẩu phổ biến.")


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    DEFAULT_USER_ATTRIBUTES = ("username", "full_name", "email", "phone")

    def __init__(self, user_attributes=DEFAULT_USER_ATTRIBUTES, max_similarity=0.7):
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError as error:
            raise ValidationError(
                _("Mật khẩu quá giống thông tin cá nhân của bạn (tên đăng nhập, họ tên, email hoặc số điện thoại)."),
                code=error.code,
            ) from None

    def get_help_text(self):
        return _("Không giống tên đăng nhập, họ tên, email hay số điện thoại của bạn.")


@lru_cache(maxsize=1)
def weak_passwords():
    lines = WEAK_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(_plain(line) for line in lines if line.strip() and not line.startswith("#"))


def _plain(text):
    """'Ocop@2025' -> 'ocop2025': lower case, no diacritics, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", strip_diacritics(text).lower())


def _candidates(password):
    plain = _plain(password)
    return {plain, plain.rstrip("0123456789"), plain.lstrip("0123456789")} - {""}


def _phone_cores(phones):
    """The nine significant digits of each Vietnamese number (+84912345678, 0912345678 -> 912345678)."""
    cores = set()
    for phone in phones:
        digits = re.sub(r"\D", "", phone or "")
        if digits.startswith("84"):
            digits = digits[2:]
        digits = digits.lstrip("0")
        if len(digits) >= 8:
            cores.add(digits)
    return cores


def user_phones(user):
    phones = [getattr(user, "phone", "")]
    if getattr(user, "pk", None):
        phones += list(user.memberships.values_list("producer__phone", flat=True))
    return phones


class VietnameseWeakPasswordValidator:
    """Common Vietnamese weak passwords (and those words with digits around them), the user's own
    phone numbers, and the username, all compared case-insensitively."""

    def validate(self, password, user=None):
        candidates = _candidates(password)
        if candidates & weak_passwords():
            raise ValidationError(
                _("Mật khẩu này quá dễ đoán (như ocop2025, matkhau123, 123456a). "
                  "Hãy chọn một cụm từ dài hơn mà chỉ bạn biết."),
                code="password_too_weak",
            )
        if user is None:
            return
        digits = re.sub(r"\D", "", password)
        if any(core in digits for core in _phone_cores(user_phones(user))):
            raise ValidationError(_("Mật khẩu không được chứa số điện thoại của bạn."), code="password_has_phone")
        username = _plain(getattr(user, "username", "") or "")
        if username and username in candidates:
            raise ValidationError(_("Mật khẩu không được giống tên đăng nhập."), code="password_is_username")

    def get_help_text(self):
        return _("Không phải mật khẩu dễ đoán như ocop2025, không chứa số điện thoại hay tên đăng nhập của bạn.")
