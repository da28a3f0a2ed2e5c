"""One HTTP call to a marketplace: timeout, a CallRecord with secrets redacted (common.redaction,
the one rule for every record we keep), errors classified.

Transport problems are the same everywhere (timeouts, connection errors, 5xx, 429 with its
Retry-After) and become TransientError here. What a marketplace says in a 2xx/4xx body differs:
each connector passes `classify(status_code, body) -> ConnectorError | None`.
"""
from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from datetime import UTC, datetime

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from common.redaction import MASK, redact, redact_url

from .connectors.base import CallRecord, Connector, ConnectorError, TransientError

MAX_TEXT = 2000


def _request_summary(summary):
    """What we sent, secrets masked by common.redaction's rule; in a request a one-time `code` is
    an OAuth code, a secret too (in answers "code" is the marketplace's status, kept)."""
    if isinstance(summary, dict):
        summary = {k: MASK if k == "code" and v not in ("", None) else v for k, v in summary.items()}
    return redact(summary)


def parse_retry_after(value: str | None) -> int | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int((when - datetime.now(UTC)).total_seconds()))


def _body(response: requests.Response):
    try:
        return response.json()
    except ValueError:
        return response.text[:MAX_TEXT]


def call(
    connector: Connector,
    operation: str,
    method: str,
    url: str,
    *,
    params: dict | None = None,
    json: dict | None = None,
    data: dict | None = None,
    files: dict | None = None,
    headers: dict | None = None,
    auth=None,
    summary: dict | None = None,
    classify: Callable[[int, object], ConnectorError | None] | None = None,
):
    """Send one request and return the decoded body (dict, list or text), or raise ConnectorError."""
    timeout = float(settings.MARKETPLACE_HTTP_TIMEOUT)
    name = str(connector.name)
    started = time.monotonic()
    full_url = requests.Request(method, url, params=params).prepare().url
    if summary is None:
        summary = json if json is not None else (data or {})
    if files:
        summary = {**summary, "files": {k: _file_summary(v) for k, v in files.items()}}

    def record(status_code, response, error=""):
        connector.calls.append(CallRecord(
            operation=operation, method=method, url=redact_url(full_url),
            request_summary=_request_summary(summary), status_code=status_code,
            response=redact(response) if response is not None else None, error=str(error),
            duration_ms=int((time.monotonic() - started) * 1000),
        ))

    try:
        response = requests.request(
            method, url, params=params, json=json, data=data, files=files, headers=headers,
            auth=auth, timeout=timeout,
        )
    except requests.Timeout:
        message = _("%(name)s không phản hồi kịp (quá %(seconds)s giây), sẽ thử lại sau.") % {
            "name": name, "seconds": f"{timeout:g}"}
        record(None, None, message)
        raise TransientError(message, code="timeout") from None
    except requests.ConnectionError:
        message = _("Không kết nối được tới %(name)s, sẽ thử lại sau.") % {"name": name}
        record(None, None, message)
        raise TransientError(message, code="connection_error") from None

    body = _body(response)
    if response.status_code == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        message = _("%(name)s đang giới hạn số lượt gọi, sẽ thử lại sau.") % {"name": name}
        record(429, body, message)
        raise TransientError(message, code="rate_limited", retry_after=retry_after, raw=body)
    if response.status_code >= 500:
        error = classify(response.status_code, body) if classify else None
        if error is None or not error.retryable:
            error = TransientError(
                _("%(name)s đang gặp sự cố (mã %(status)s), sẽ thử lại sau.") % {
                    "name": name, "status": response.status_code},
                code=f"http_{response.status_code}", raw=body,
            )
        error.retry_after = error.retry_after or parse_retry_after(response.headers.get("Retry-After"))
        record(response.status_code, body, error.message)
        raise error
    error = classify(response.status_code, body) if classify else None
    if error is None and response.status_code >= 400:
        error = ConnectorError(
            _("%(name)s trả lỗi không rõ (mã %(status)s).") % {"name": name, "status": response.status_code},
            code=f"http_{response.status_code}", raw=body,
        )
    if error is not None:
        record(response.status_code, body, error.message)
        raise error
    record(response.status_code, body)
    return body


def _file_summary(value):
    if isinstance(value, tuple):
        name, content = value[0], value[1]
        return {"name": name, "bytes": len(content) if isinstance(content, bytes | bytearray) else None}
    return {"bytes": None}
