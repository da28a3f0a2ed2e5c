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

# +84 / 84 / 0 followed by a Vietnamese number, with optional separators; then any long digit run
# (bank accounts, card numbers, CCCD). Order matters: phones first, so they read as phones.
PHONE_RE = re.compile(r"(?<!\d)(?:\+?84|0)[\s.\-]?(?:\d[\s.\-]?){8}\d(?!\d)")
LONG_NUMBER_RE = re.compile(r"(?<!\d)\d{8,19}(?!\d)")


def redact(text):
    text = PHONE_RE.sub("[số điện thoại]", text)
    return LONG_NUMBER_RE.sub(lambda m: "***" + m.group()[-3:], text)


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
