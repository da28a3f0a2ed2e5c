"""Writes for logins. The reset e-mail leaves the request: the answer takes as long whether or not
the address belongs to an account (sending mail would otherwise tell them apart)."""
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

log = logging.getLogger(__name__)
SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
BODY_TEMPLATE = "registration/password_reset_email.txt"


def password_reset_request(*, users, domain, protocol):
    from .tasks import send_password_reset

    language = translation.get_language()
    for user in users:
        try:
            send_password_reset.delay(user.pk, domain, protocol, language)
        except Exception:  # noqa: BLE001 - no broker: send it now rather than not at all
            log.warning("password reset e-mail sent inline: the broker is unreachable", exc_info=True)
            password_reset_send(user_id=user.pk, domain=domain, protocol=protocol, language=language)


def password_reset_send(*, user_id, domain, protocol, language):
    """The link is made here, from the user as it is now (a token is void once the password changes)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not user.has_usable_password():
        return
    context = {
        "email": user.email, "domain": domain, "site_name": "OCOP Market", "protocol": protocol, "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user),
    }
    with translation.override(language):
        PasswordResetForm().send_mail(SUBJECT_TEMPLATE, BODY_TEMPLATE, context, None, user.email)
