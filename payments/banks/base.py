"""What every bank-notification service shares: the notice it reports, the body it must send,
timestamps, amounts and bank names read the same way, and the JSON answer the services expect
(`{"success": true}` with 200; `{"success": false, "message": ...}` with the refusal's status).

A service is a channel of its own kind (payments.banks.registry, settings.BANK_NOTIFICATION_SERVICES):
one module per service declares how to verify a request, parse its body and key a delivery.
"""
import json
import math
import re
import time
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import JsonResponse

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


def tolerance():
    return getattr(settings, "WEBHOOK_TOLERANCE_SECONDS", 300)


def fresh(timestamp_seconds, now=None):
    now = time.time() if now is None else now
    return abs(now - timestamp_seconds) <= tolerance()


def is_timestamp(text):
    """ASCII digits, seconds or milliseconds: str.isdigit() also takes `²` and 5,000-digit strings,
    which int() then refuses (a 500 for an unsigned stranger)."""
    return text.isascii() and text.isdigit() and len(text) <= 15


def vietnam_time(value):
    if not value:
        return None
    try:
        naive = datetime.strptime(str(value).strip()[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return naive.replace(tzinfo=VIETNAM)


def parse_amount(value):
    if isinstance(value, bool) or value is None:
        raise MalformedBody("amount")
    if isinstance(value, str) and not re.fullmatch(r"-?[0-9]{1,16}", value.strip()):
        raise MalformedBody("amount")  # "150.000": 150 or 150,000? Neither is guessed.
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise MalformedBody("amount") from exc
    if math.isnan(number) or abs(number) > 10**15:
        raise MalformedBody("amount")
    return round(number)


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
    from ..vietqr import to_ascii

    return "".join(ch for ch in to_ascii(text).lower() if ch.isalnum())


def texts(*values):
    return tuple(str(v).strip()[:100] for v in values if isinstance(v, (str, int)) and str(v).strip())


def normalised_reference(value):
    """The bank's reference (SePay `referenceCode`, Casso `reference`), compared without case or spaces."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return ""
    return "".join(str(value).split()).upper()[:100]



class BankNotificationService:
    """One service that tells us of transfers into producers' accounts (SePay, Casso...)."""

    code = ""
    name = ""
    unverified = "bad credentials or signature"  # what the log says of a refused request

    def verify(self, headers, body):
        """True only for a request the service really sent (its key, or a fresh valid signature)."""
        raise NotImplementedError

    def parse(self, data):
        """The BankNotice of a parsed JSON body; MalformedBody when it is not what the service documents."""
        raise NotImplementedError

    def dedup_key(self, notice):
        """The service's own id of the transfer: a second delivery of it is counted, not stored."""
        return notice.external_id

    def accepted(self):
        return JsonResponse({"success": True}, status=200)

    def refused(self, status, message):
        return JsonResponse({"success": False, "message": message}, status=status)
