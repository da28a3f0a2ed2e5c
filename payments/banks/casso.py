"""Casso webhooks (v2).

Casso webhook v2: header `X-Casso-Signature: t=<ms>,v1=<hex>`; v1 = HMAC-SHA512(checksum key,
  t + "." + JSON of the body with keys sorted recursively, no spaces). Checked against the test
  vector of CassoHQ/casso-webhook-v2-verify-signature (tests/data/payments/casso_vector.json).
  Body: {"error": 0, "data": {id, reference, description, amount (negative when money goes out),
  runningBalance, transactionDateTime, accountNumber, bankName, bankAbbreviation, ...}}; `reference` is
  the bank's own reference. The same transfer reported by both services is counted once, on
  (receiving account, bank reference).
"""
import hashlib
import hmac
import json

from django.conf import settings

from .base import (
    BankNotice,
    BankNotificationService,
    MalformedBody,
    fresh,
    is_timestamp,
    normalised_reference,
    parse_amount,
    parse_json_object,
    texts,
    vietnam_time,
)


def casso_canonical(data, *, ensure_ascii=False):
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=ensure_ascii)


def casso_signature(key, timestamp_ms, data, *, ensure_ascii=False):
    message = f"{timestamp_ms}.{casso_canonical(data, ensure_ascii=ensure_ascii)}"
    return hmac.new(key.encode(), message.encode(), hashlib.sha512).hexdigest()


def parse_casso_header(value):
    parts = dict(part.strip().split("=", 1) for part in (value or "").split(",") if "=" in part)
    timestamp, signature = parts.get("t", ""), parts.get("v1", "")
    if not is_timestamp(timestamp) or not signature:
        return None, None
    return int(timestamp), signature.lower()


def verify_casso(headers, data, *, now=None, check_time=True):
    """`data` is the parsed body. Non-ASCII text is signed as Casso's JSON.stringify writes it
    (raw UTF-8); the \\u-escaped form of their Python sample is accepted too."""
    key = settings.CASSO_CHECKSUM_KEY
    timestamp, signature = parse_casso_header(headers.get("X-Casso-Signature", ""))
    if not key or timestamp is None:
        return False
    if check_time and not fresh(timestamp / 1000, now):
        return False
    candidates = {casso_signature(key, timestamp, data), casso_signature(key, timestamp, data, ensure_ascii=True)}
    return any(hmac.compare_digest(signature.encode(), c.encode()) for c in candidates)


def parse_casso(data):
    if data.get("error") not in (0, "0") or not isinstance(data.get("data"), dict):
        raise MalformedBody("data")
    item = data["data"]
    for name in ("id", "accountNumber", "amount"):
        if item.get(name) in (None, ""):
            raise MalformedBody(name)
    amount = parse_amount(item["amount"])
    return BankNotice(
        provider="casso", external_id=str(item["id"])[:100], account_number=str(item["accountNumber"]).strip(),
        amount=amount, incoming=amount > 0, content=str(item.get("description") or "")[:500],
        occurred_at=vietnam_time(item.get("transactionDateTime")),
        bank_names=texts(item.get("bankName"), item.get("bankAbbreviation")),
        bank_reference=normalised_reference(item.get("reference")),
    )



class Casso(BankNotificationService):
    code, name = "casso", "Casso"
    unverified = "bad signature, stale timestamp or unreadable body"

    def verify(self, headers, body):
        try:
            data = parse_json_object(body)
        except MalformedBody:
            return False
        return verify_casso(headers, data)

    def parse(self, data):
        return parse_casso(data)
