"""Structured logs with a request id, and no personal data in them.

Vietnam's Law on Personal Data Protection (91/2025/QH15) and Decree 356/2025/NĐ-CP: phone numbers,
national id (CCCD, 12 digits) and bank account numbers must not reach the logs. The filter masks
them in every record, whatever logger wrote it.
"""
import contextvars
import json
import logging
import re

request_id_var = contextvars.ContextVar("request_id", default="-")

# Links that carry a secret in their path (an invitation, a password reset): the secret is masked.
SECRET_PATH_RE = re.compile(r"(/loi-moi/|/dat-lai-mat-khau/(?=[^/\s]+/[^/\s]))(?:[^/\s?#\"']+/)?[^/\s?#\"']+")

# One pass, left to right: at each place the first alternative that matches wins, so what looks
# like a number but is an id, a time, a duration or a price is kept before the masks are tried.
_KEEP = r"""
    (?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})      # Celery task ids
  | (?P<hexid>(?<![0-9a-z])(?=[0-9a-f]*[a-f])[0-9a-f]{32}(?:[0-9a-f]{8}|[0-9a-f]{32})?(?![0-9a-z]))
                                                                            # request ids, hashes
  | (?P<isotime>\d{4}-\d{2}-\d{2}[T\ ]\d{2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)
  | (?P<compacttime>(?<!\d)20\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:(?:[01]\d|2[0-3])[0-5]\d[0-5]\d)?(?!\d))
  | (?P<keyed>\b(?:timestamp|time|ts|eta|exp|iat|expires_at|price|amount|total|size|bytes)["']?\s*[:=]\s*["']?\d+)
  | (?P<money>\d{1,3}(?:[.,\ ]\d{3})+\s?(?:₫|đ|vnd|đồng)(?!\w)|\d+\s?(?:₫|đ|vnd|đồng)(?!\w))
  | (?P<duration>\d+(?:[.,]\d+)?\s?(?:ms|µs|us|ns|s|giây|phút)(?!\w))
"""
_MASK = r"""
  | (?P<phone>(?<![\d+])(?:(?:\+|00)?84[\s.\-]?|0)(?:[35789]\d|2\d\d)(?:[\s.\-]?\d){7}(?!\d))
  | (?P<card>(?<!\d)\d{4}(?:[\s\-]\d{4}){3}\d{0,3}(?!\d))
  | (?P<number>(?<!\d)\d{8,19}(?!\d))                                          # accounts, CCCD
"""
PERSONAL_DATA_RE = re.compile(_KEEP + _MASK, re.IGNORECASE | re.VERBOSE)


def _mask(match):
    if match.lastgroup == "phone":
        return "[số điện thoại]"
    if match.lastgroup in ("card", "number"):
        return "***" + re.sub(r"\D", "", match.group())[-3:]
    return match.group()


def personal_data_in(text):
    """What `redact` would mask in `text` (to look for leaks in a log)."""
    return [m.group() for m in PERSONAL_DATA_RE.finditer(text) if m.lastgroup in ("phone", "card", "number")]


def redact(text):
    """Phones, account, card and ID numbers masked, secret links cut; durations, task and request
    ids, timestamps and prices kept as they are."""
    text = SECRET_PATH_RE.sub(r"\1***", text)
    return PERSONAL_DATA_RE.sub(_mask, text)


def redact_record(record):
    message = record.getMessage()
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, ()
    if not hasattr(record, "request_id"):
        record.request_id = request_id_var.get()
    return record


def install_record_factory():
    """Redact every log record where it is created, so no handler (a file, Sentry, pytest's
    capture) ever sees personal data, whatever its own filters."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacts_personal_data", False):
        return

    def factory(*args, **kwargs):
        return redact_record(previous(*args, **kwargs))

    factory.redacts_personal_data = True
    logging.setLogRecordFactory(factory)


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record):
        redact_record(record)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)
