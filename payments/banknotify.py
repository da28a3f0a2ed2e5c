"""Bank-transfer notification services: signature checks and body parsing for SePay and Casso.

SePay (developer.sepay.vn, "Xác thực"): a webhook uses one of API key, HMAC-SHA256 or OAuth 2.0.
  - API key: header `Authorization: Apikey <key>` (settings.SEPAY_API_KEY). Confirmed on their page.
  - HMAC-SHA256 (settings.SEPAY_HMAC_SECRET): headers `X-SePay-Timestamp` (Unix seconds, refused
    beyond settings.WEBHOOK_TOLERANCE_SECONDS, their page says 5 minutes) and `X-SePay-Signature`.
    UNCONFIRMED DETAIL: the stored copy of SePay's page stops before the exact signed string. We
    sign `<timestamp> + "." + <raw body>` and compare lower-case hex, with or without a leading
    "sha256=", which is what three independent public integrations do. Check against a real SePay
    delivery before relying on HMAC mode; the API-key mode is confirmed.
  Body: id, gateway, transactionDate ("2024-07-25 14:02:37", Vietnam time), accountNumber,
  subAccount, code, content, transferType "in"/"out", transferAmount, accumulated, referenceCode,
  description. `gateway` names the receiving bank; `referenceCode` is the bank's own reference. SePay expects `{"success": true}` with HTTP 200.

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
import re
import time
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class MalformedBody(ValueError):
    """The body is not the JSON the provider documents: refused with 400, nothing written."""


@dataclass
class BankNotice:
    provider: str
    external_id: str
    account_number: str
    amount: int  # VND; negative or zero means the money did not come in
    incoming: bool
    content: str
    occurred_at: datetime | None
    provider_code: str = ""  # SePay's own detected payment code, when configured
    bank_names: tuple = ()  # how the service names the receiving bank (SePay `gateway`; Casso's name, abbreviation)
    bank_reference: str = ""  # the bank's own transaction reference: the same whichever service reports it


def _tolerance():
    return getattr(settings, "WEBHOOK_TOLERANCE_SECONDS", 300)


def _fresh(timestamp_seconds, now=None):
    now = time.time() if now is None else now
    return abs(now - timestamp_seconds) <= _tolerance()


# --- SePay ----------------------------------------------------------------------------------------

def sepay_signature(secret, timestamp, body):
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def verify_sepay(headers, body, *, now=None):
    """True only for a request carrying the configured API key or a fresh, valid HMAC signature.
    With neither secret configured nothing is accepted."""
    authorization = headers.get("Authorization", "")
    api_key = settings.SEPAY_API_KEY
    if api_key and authorization[:7].lower() == "apikey ":
        return hmac.compare_digest(authorization[7:].strip().encode(), api_key.encode())
    secret = settings.SEPAY_HMAC_SECRET
    signature = headers.get("X-SePay-Signature", "").strip()
    timestamp = headers.get("X-SePay-Timestamp", "").strip()
    if not (secret and signature and _is_timestamp(timestamp)):
        return False
    if not _fresh(int(timestamp), now):
        return False
    if signature.lower().startswith("sha256="):
        signature = signature[7:]
    return hmac.compare_digest(signature.lower().encode(), sepay_signature(secret, timestamp, body).encode())


def _is_timestamp(text):
    """ASCII digits, seconds or milliseconds: str.isdigit() also takes `²` and 5,000-digit strings,
    which int() then refuses (a 500 for an unsigned stranger)."""
    return text.isascii() and text.isdigit() and len(text) <= 15


def _vietnam_time(value):
    if not value:
        return None
    try:
        naive = datetime.strptime(str(value).strip()[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return naive.replace(tzinfo=VIETNAM)


def _amount(value):
    if isinstance(value, bool) or value is None:
        raise MalformedBody("amount")
    if isinstance(value, str) and not re.fullmatch(r"-?[0-9]{1,16}", value.strip()):
        raise MalformedBody("amount")  # "150.000": 150 or 150,000? Neither is guessed.
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise MalformedBody("amount") from exc
    if number != number or abs(number) > 10**15:
        raise MalformedBody("amount")
    return int(round(number))


def parse_json_object(body):
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedBody("json") from exc
    if not isinstance(data, dict):
        raise MalformedBody("object")
    return data


# Abbreviations the services use for a bank (Casso's `bankAbbreviation`, some SePay gateways), by NAPAS
# BIN; full and short names are matched against payments.Bank itself.
BANK_ALIASES = {
    "vcb": "970436", "ctg": "970415", "icb": "970415", "vtb": "970415", "tcb": "970407", "vba": "970405",
    "mbb": "970422", "vpb": "970432", "tpb": "970423", "stb": "970403", "hdb": "970437", "eib": "970431",
    "lpb": "970449", "ssb": "970440", "bab": "970409", "nab": "970428", "klb": "970452", "abb": "970425",
    "vab": "970427", "pvcb": "970412", "bvb": "970438", "sgb": "970400", "vccb": "970454", "oceanbank": "970414",
}


def bank_key(text):
    """'Vietcombank', 'VIETCOMBANK ', 'Viet-com Bank' -> 'vietcombank'."""
    from .vietqr import to_ascii

    return "".join(ch for ch in to_ascii(text).lower() if ch.isalnum())


def _texts(*values):
    return tuple(str(v).strip()[:100] for v in values if isinstance(v, (str, int)) and str(v).strip())


def _reference(value):
    """The bank's reference (SePay `referenceCode`, Casso `reference`), compared without case or spaces."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return ""
    return "".join(str(value).split()).upper()[:100]


def parse_sepay(data):
    for name in ("id", "accountNumber", "transferType", "transferAmount"):
        if data.get(name) in (None, ""):
            raise MalformedBody(name)
    transfer_type = str(data["transferType"]).lower()
    if transfer_type not in ("in", "out"):
        raise MalformedBody("transferType")
    amount = _amount(data["transferAmount"])
    return BankNotice(
        provider="sepay", external_id=str(data["id"])[:100], account_number=str(data["accountNumber"]).strip(),
        amount=amount, incoming=transfer_type == "in" and amount > 0,
        content=str(data.get("content") or data.get("description") or "")[:500],
        occurred_at=_vietnam_time(data.get("transactionDate")), provider_code=str(data.get("code") or ""),
        bank_names=_texts(data.get("gateway")), bank_reference=_reference(data.get("referenceCode")),
    )


# --- Casso ----------------------------------------------------------------------------------------

def casso_canonical(data, *, ensure_ascii=False):
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=ensure_ascii)


def casso_signature(key, timestamp_ms, data, *, ensure_ascii=False):
    message = f"{timestamp_ms}.{casso_canonical(data, ensure_ascii=ensure_ascii)}"
    return hmac.new(key.encode(), message.encode(), hashlib.sha512).hexdigest()


def parse_casso_header(value):
    parts = dict(part.strip().split("=", 1) for part in (value or "").split(",") if "=" in part)
    timestamp, signature = parts.get("t", ""), parts.get("v1", "")
    if not _is_timestamp(timestamp) or not signature:
        return None, None
    return int(timestamp), signature.lower()


def verify_casso(headers, data, *, now=None, check_time=True):
    """`data` is the parsed body. Non-ASCII text is signed as Casso's JSON.stringify writes it
    (raw UTF-8); the \\u-escaped form of their Python sample is accepted too."""
    key = settings.CASSO_CHECKSUM_KEY
    timestamp, signature = parse_casso_header(headers.get("X-Casso-Signature", ""))
    if not key or timestamp is None:
        return False
    if check_time and not _fresh(timestamp / 1000, now):
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
    amount = _amount(item["amount"])
    return BankNotice(
        provider="casso", external_id=str(item["id"])[:100], account_number=str(item["accountNumber"]).strip(),
        amount=amount, incoming=amount > 0, content=str(item.get("description") or "")[:500],
        occurred_at=_vietnam_time(item.get("transactionDateTime")),
        bank_names=_texts(item.get("bankName"), item.get("bankAbbreviation")),
        bank_reference=_reference(item.get("reference")),
    )


PARSERS = {"sepay": parse_sepay, "casso": parse_casso}
