"""The thin Lazada Open Platform client (Vietnam gateway): configuration, signed calls, what an
answer means.

System parameters: app_key, access_token, timestamp (ms, within 7200 s), sign_method=sha256. Like
the SDK, POST requests carry the system parameters and `sign` in the query and the business
parameters as a form body. `code: "0"` is success.
"""
from __future__ import annotations

import time

from django.conf import settings
from django.utils.translation import gettext as _

from marketplace import http

from ..base import AuthError, ConnectorError, RejectedError, TransientError
from .constants import AUTH_ERRORS, CONFIG_ERRORS, TRANSIENT_ERRORS
from .signing import sign


def config():
    """(app key, app secret), or a ConnectorError saying what is missing."""
    if not settings.LAZADA_APP_KEY or not settings.LAZADA_APP_SECRET:
        raise ConnectorError(_("Chưa cấu hình ứng dụng Lazada (LAZADA_APP_KEY, LAZADA_APP_SECRET)."),
                             code="not_configured")
    return settings.LAZADA_APP_KEY, settings.LAZADA_APP_SECRET


def classify(status_code, body):
    """The ConnectorError an answer means, or None for success."""
    if not isinstance(body, dict):
        return None if status_code < 400 else ConnectorError(
            _("Lazada trả lời không đọc được (mã %(status)s).") % {"status": status_code},
            code=f"http_{status_code}")
    code = str(body.get("code", "0"))
    if code == "0":
        return None
    detail = str(body.get("message") or code)
    details = [f"{d.get('field', '')}: {d.get('message', '')}".strip(": ")
               for d in body.get("detail") or [] if isinstance(d, dict)]
    if details:
        detail = f"{detail} ({'; '.join(details)})"
    args = {"code": code, "raw": body}
    if code in AUTH_ERRORS:
        return AuthError(_("Lazada không chấp nhận quyền truy cập của gian hàng, "
                           "hãy kết nối lại gian hàng (%(detail)s).") % {"detail": detail}, **args)
    if code in TRANSIENT_ERRORS or body.get("type") == "SYSTEM":
        return TransientError(_("Lazada đang bận hoặc giới hạn số lượt gọi, sẽ thử lại sau (%(detail)s).")
                              % {"detail": detail}, **args)
    if code in CONFIG_ERRORS:
        return ConnectorError(
            _("Lỗi kết nối với Lazada do cấu hình của hệ thống: %(detail)s") % {"detail": detail}, **args)
    return RejectedError(_("Lazada từ chối: %(detail)s") % {"detail": detail}, **args)


def call(connector, operation, method, path, *, credentials=None, params=None, files=None, base=None):
    """One signed call (a shop call when `credentials` are given), recorded on `connector.calls`."""
    app_key, secret = config()
    system = {"app_key": app_key, "sign_method": "sha256", "timestamp": str(int(time.time() * 1000))}
    if credentials is not None:
        system["access_token"] = credentials.access_token
    business = {k: str(v) for k, v in (params or {}).items()}
    system["sign"] = sign(secret, path, {**system, **business})
    url = (base or settings.LAZADA_API_BASE).rstrip("/") + path
    if method == "GET":
        return http.call(connector, operation, "GET", url, params={**system, **business}, summary=business,
                         classify=classify)
    return http.call(connector, operation, "POST", url, params=system, data=business, files=files,
                     summary=business, classify=classify)


def data(body) -> dict:
    value = body.get("data") if isinstance(body, dict) else None
    return value if isinstance(value, dict) else {}
