"""Secrets never reach a ListingAttempt row, even if a connector forgot to hide one."""
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
SECRET_KEYS = re.compile(
    r"(access_token|refresh_token|token|sign|signature|secret|partner_key|app_secret|client_secret|"
    r"password|authorization|api_key|apikey)$",
    re.IGNORECASE,
)
# A one-time authorisation code is a secret in a URL; in a JSON answer "code" is an error code.
URL_SECRET_KEYS = {"code"}


def _is_secret(key):
    return bool(SECRET_KEYS.search(str(key).replace("-", "_")))


def redact(value):
    if isinstance(value, dict):
        return {k: MASK if _is_secret(k) and v not in (None, "") else redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(item) for item in value]
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, str) and "?" in value and "://" in value:
        return redact_url(value)
    return value


def redact_url(url):
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    query = [(k, MASK if _is_secret(k) or k in URL_SECRET_KEYS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))
