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
from django.db import models

logger = logging.getLogger(__name__)


def _keys():
    configured = [key.strip() for key in (settings.FIELD_ENCRYPTION_KEY or "").split(",") if key.strip()]
    if configured:
        return configured
    digest = hashlib.sha256(f"ocop-field-encryption:{settings.SECRET_KEY}".encode()).digest()
    return [base64.urlsafe_b64encode(digest).decode()]


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
