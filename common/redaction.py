"""One rule for secrets, for every record we keep: the call log (ListingAttempt, even if a connector
forgot to hide one) and inbound events (the webhook headers kept)."""
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


# What an inbound event keeps of a request's headers, whichever channel sent it (bank-notification
# service or marketplace push). Authorization is kept apart: its scheme only, never its value.
KEPT_HEADERS = (
    "Content-Type", "User-Agent", "X-Forwarded-For", "X-Request-Id",
    "X-SePay-Timestamp", "X-SePay-Signature", "X-Casso-Signature",
)
AUTH_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9-]{0,19}) +\S")


def masked_authorization(value):
    """'Apikey s3cret' -> 'Apikey ***'; a bare value (a marketplace's signature) -> '***'."""
    scheme = AUTH_SCHEME.match(value)
    return f"{scheme.group(1)} {MASK}" if scheme else MASK


def kept_headers(headers):
    """The listed headers (names as listed, looked up without case) and the Authorization scheme."""
    lowered = {str(name).lower(): str(value) for name, value in headers.items()}
    kept = {name: lowered[name.lower()] for name in KEPT_HEADERS if name.lower() in lowered}
    if lowered.get("authorization"):
        kept["Authorization"] = masked_authorization(lowered["authorization"])
    return kept
