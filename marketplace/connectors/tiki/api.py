"""The thin Tiki Open Platform client: configuration, Bearer calls, what an answer means."""
from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from marketplace import http

from ..base import AuthError, ConnectorError, RejectedError


def config():
    """(client id, client secret, API base URL), or a ConnectorError saying what is missing."""
    if not settings.TIKI_CLIENT_ID or not settings.TIKI_CLIENT_SECRET:
        raise ConnectorError(_("Chưa cấu hình ứng dụng Tiki (TIKI_CLIENT_ID, TIKI_CLIENT_SECRET)."),
                             code="not_configured")
    return settings.TIKI_CLIENT_ID, settings.TIKI_CLIENT_SECRET, settings.TIKI_API_BASE.rstrip("/")


def classify(status_code, body):
    """The ConnectorError an answer means, or None for success."""
    if status_code < 400 and not (isinstance(body, dict) and body.get("errors")):
        return None
    detail = ""
    if isinstance(body, dict):
        errors = body.get("errors")
        detail = "; ".join(str(e) for e in errors) if isinstance(errors, list) else str(
            errors or body.get("message") or body.get("error_description") or body.get("error") or "")
    detail = detail or str(body)[:300]
    code = str(body.get("error", status_code)) if isinstance(body, dict) else str(status_code)
    if status_code in (401, 403) or code in ("invalid_grant", "invalid_token", "unauthorized"):
        return AuthError(_("Tiki không chấp nhận quyền truy cập của gian hàng, "
                           "hãy kết nối lại gian hàng (%(detail)s).") % {"detail": detail}, code=code, raw=body)
    return RejectedError(_("Tiki từ chối: %(detail)s") % {"detail": detail}, code=code, raw=body)


def call(connector, operation, method, path, credentials, *, params=None, body=None):
    """One call with the shop's access token, recorded on `connector.calls`."""
    _id, _secret, base = config()
    return http.call(connector, operation, method, base + path, params=params, json=body,
                     headers={"Authorization": f"Bearer {credentials.access_token}"}, classify=classify)
