"""The thin Shopee Open Platform v2 client: configuration, signed calls, what an answer means.

Every answer is `{error, message, warning, request_id, response}`; an empty `error` is success.
Timestamps are valid for 5 minutes.
"""
from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from marketplace import http

from ..base import AuthError, ConnectorError, RejectedError, TransientError
from .constants import AUTH_ERRORS, CONFIG_ERRORS, TRANSIENT_ERRORS
from .signing import sign


def config():
    """(partner id, partner key, API base URL), or a ConnectorError saying what is missing."""
    partner_id, key = settings.SHOPEE_PARTNER_ID, settings.SHOPEE_PARTNER_KEY
    if not partner_id or not key:
        raise ConnectorError(_("Chưa cấu hình mã đối tác Shopee (SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY)."),
                             code="not_configured")
    return int(partner_id), key, settings.SHOPEE_API_BASE.rstrip("/")


def classify(status_code, body):
    """The ConnectorError an answer means, or None for success."""
    if not isinstance(body, dict):
        return None if status_code < 400 else ConnectorError(
            _("Shopee trả lời không đọc được (mã %(status)s).") % {"status": status_code},
            code=f"http_{status_code}")
    code = str(body.get("error") or "")
    if not code:
        return None
    short = code.rsplit(".", 1)[-1]
    detail = str(body.get("message") or code)
    args = {"code": code, "raw": body}
    if short in AUTH_ERRORS or "access_token" in short or "acceess_token" in short:
        return AuthError(_("Shopee không chấp nhận quyền truy cập của gian hàng, "
                           "hãy kết nối lại gian hàng (%(detail)s).") % {"detail": detail}, **args)
    if short in TRANSIENT_ERRORS or "busy" in short or "too_many" in short:
        return TransientError(_("Shopee đang bận, sẽ thử lại sau (%(detail)s).") % {"detail": detail}, **args)
    if short in CONFIG_ERRORS or (short == "error_param" and "timestamp" in detail.lower()):
        return ConnectorError(
            _("Lỗi kết nối với Shopee do cấu hình của hệ thống: %(detail)s") % {"detail": detail}, **args)
    return RejectedError(_("Shopee từ chối: %(detail)s") % {"detail": detail}, **args)


def call(connector, operation, method, path, *, credentials=None, query=None, body=None, files=None):
    """One signed call (a shop call when `credentials` are given), recorded on `connector.calls`."""
    partner_id, key, base = config()
    timestamp = int(time.time())
    params = {"partner_id": partner_id, "timestamp": timestamp}
    if credentials is not None:
        params["access_token"] = credentials.access_token
        params["shop_id"] = int(credentials.shop_id)
        params["sign"] = sign(key, partner_id, path, timestamp, credentials.access_token, params["shop_id"])
    else:
        params["sign"] = sign(key, partner_id, path, timestamp)
    params.update(query or {})
    return http.call(connector, operation, method, base + path, params=params, json=body, files=files,
                     summary=(query or {}) | (body or {}) if files is None else dict(query or {}),
                     classify=classify)


def response(body) -> dict:
    return body.get("response") or {} if isinstance(body, dict) else {}


def auth_partner_url(redirect: str) -> str:
    """The signed address of Shopee's consent page, sending the seller back to `redirect`."""
    partner_id, key, base = config()
    path = "/api/v2/shop/auth_partner"
    timestamp = int(time.time())
    query = urlencode({"partner_id": partner_id, "timestamp": timestamp,
                       "sign": sign(key, partner_id, path, timestamp), "redirect": redirect})
    return f"{base}{path}?{query}"
