"""Marketplace tokens encrypted at rest with Fernet.

The key is settings.FIELD_ENCRYPTION_KEY (a Fernet key; several, comma-separated, to rotate: the first
encrypts, any decrypts). Local and test settings may leave it empty: a key is then derived from
SECRET_KEY. Production settings require it.
"""
import base64
import hashlib
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.db import models
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def _keys():
    configured = [key.strip() for key in (settings.FIELD_ENCRYPTION_KEY or "").split(",") if key.strip()]
    if configured:
        return configured
    digest = hashlib.sha256(f"ocop-field-encryption:{settings.SECRET_KEY}".encode()).digest()
    return [base64.urlsafe_b64encode(digest).decode()]


@checks.register(checks.Tags.security)
def check_field_encryption_key(app_configs=None, **kwargs):
    """Every configured key must be a Fernet key, or tokens would fail only when first used."""
    configured = [key.strip() for key in (settings.FIELD_ENCRYPTION_KEY or "").split(",") if key.strip()]
    errors = []
    for position, key in enumerate(configured, start=1):
        try:
            Fernet(key)
        except ValueError:
            errors.append(checks.Error(
                _("FIELD_ENCRYPTION_KEY: khoá thứ %(position)s không phải khoá Fernet "
                  "(32 byte mã hóa base64 an toàn cho URL, 44 ký tự).") % {"position": position},
                hint=_("Tạo khoá bằng: python -c \"from cryptography.fernet import Fernet; "
                       "print(Fernet.generate_key().decode())\""),
                id="listings.E001",
            ))
    return errors


def fernet():
    return MultiFernet([Fernet(key) for key in _keys()])


def encrypt(text):
    if not text:
        return ""
    return fernet().encrypt(text.encode()).decode()


def decrypt(token):
    """A value no key opens is returned empty: the shop then fails to authenticate, is marked
    expired and the producer is asked to reconnect, rather than the whole page failing."""
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        logger.error("A marketplace token could not be decrypted: wrong FIELD_ENCRYPTION_KEY?")
        return ""


class EncryptedTextField(models.TextField):
    """Plain text in Python, Fernet ciphertext in the column. Not searchable, by design."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
