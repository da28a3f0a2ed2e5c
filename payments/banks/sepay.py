"""SePay webhooks.

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
"""
import hashlib
import hmac

from django.conf import settings

from .base import (
    BankNotice,
    BankNotificationService,
    MalformedBody,
    fresh,
    is_timestamp,
    normalised_reference,
    parse_amount,
    texts,
    vietnam_time,
)


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
    if not (secret and signature and is_timestamp(timestamp)):
        return False
    if not fresh(int(timestamp), now):
        return False
    if signature.lower().startswith("sha256="):
        signature = signature[7:]
    return hmac.compare_digest(signature.lower().encode(), sepay_signature(secret, timestamp, body).encode())



def parse_sepay(data):
    for name in ("id", "accountNumber", "transferType", "transferAmount"):
        if data.get(name) in (None, ""):
            raise MalformedBody(name)
    transfer_type = str(data["transferType"]).lower()
    if transfer_type not in ("in", "out"):
        raise MalformedBody("transferType")
    amount = parse_amount(data["transferAmount"])
    return BankNotice(
        provider="sepay", external_id=str(data["id"])[:100], account_number=str(data["accountNumber"]).strip(),
        amount=amount, incoming=transfer_type == "in" and amount > 0,
        content=str(data.get("content") or data.get("description") or "")[:500],
        occurred_at=vietnam_time(data.get("transactionDate")), provider_code=str(data.get("code") or ""),
        bank_names=texts(data.get("gateway")), bank_reference=normalised_reference(data.get("referenceCode")),
    )


class SePay(BankNotificationService):
    code, name = "sepay", "SePay"

    def verify(self, headers, body):
        return verify_sepay(headers, body)

    def parse(self, data):
        return parse_sepay(data)
