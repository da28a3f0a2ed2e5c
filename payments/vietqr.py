"""The VietQR payload: EMVCo merchant-presented mode as profiled by NAPAS for transfers (NAPAS247).

Specification: NAPAS, "Quy định về định dạng mã VietQR trong Dịch vụ Chuyển nhanh NAPAS247", v1.0,
09/2021. A payload is a chain of TLV data objects: two-digit id, two-digit length, value.

    00 "01"                      payload format indicator
    01 "11" | "12"               point of initiation: static (reusable, no amount) / dynamic (amount)
    38 template                  beneficiary: 00 GUID "A000000727";
                                 01 template (00 acquirer BIN, 6 digits; 01 account or card, <= 19);
                                 02 service "QRIBFTTA" (to an account) or "QRIBFTTC" (to a card)
    53 "704"                     currency (VND, no decimals)
    54 amount                    optional, digits only, <= 13
    58 "VN"                      country
    62 template                  optional: 01 bill number, 08 purpose (each <= 25)
    63 CRC                       CRC-16/CCITT-FALSE over everything up to and including "6304"

Banks' apps mangle diacritics, so every text field is ASCII: Vietnamese marks are stripped
(`Đ` -> `D`) before building, and anything still outside printable ASCII is refused.
"""
import binascii
import re
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from common.exceptions import DomainError
from producers.text import strip_diacritics

NAPAS_GUID = "A000000727"
SERVICE_ACCOUNT = "QRIBFTTA"
SERVICE_CARD = "QRIBFTTC"
SERVICES = (SERVICE_ACCOUNT, SERVICE_CARD)
INITIATION_STATIC = "11"
INITIATION_DYNAMIC = "12"
INITIATIONS = {INITIATION_STATIC: "static", INITIATION_DYNAMIC: "dynamic"}
CURRENCY_VND = "704"
COUNTRY_VN = "VN"

MAX_ACCOUNT_LENGTH = 19
MAX_AMOUNT_DIGITS = 13
MAX_ADDITIONAL_FIELD_LENGTH = 25
MAX_TEMPLATE_LENGTH = 99
MAX_PAYLOAD_LENGTH = 512

# [0-9], not \d: \d also matches other scripts' digits ("٠"), which no bank takes.
_BIN_RE = re.compile(r"[0-9]{6}")
_ACCOUNT_RE = re.compile(r"[0-9A-Za-z]+")
_CARD_RE = re.compile(r"[0-9]+")
_PRINTABLE_ASCII_RE = re.compile(r"[\x20-\x7e]*")
_AMOUNT_RE = re.compile(r"[1-9][0-9]*")
_TLV_HEADER_RE = re.compile(r"[0-9]{4}")
_CRC_RE = re.compile(r"[0-9A-Fa-f]{4}")


class VietQRError(DomainError):
    code = "vietqr_invalid"


def crc16(data):
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), four upper-case hex digits."""
    return format(binascii.crc_hqx(data.encode("ascii"), 0xFFFF), "04X")


def to_ascii(text):
    """'Chè Shan tuyết Đại' -> 'Che Shan tuyet Dai'; whitespace collapsed."""
    return " ".join(strip_diacritics(str(text or "")).split())


def _tlv(tag, value, *, label):
    if len(value) > MAX_TEMPLATE_LENGTH:
        raise VietQRError(
            _("Trường “%(label)s” dài %(length)d ký tự, vượt giới hạn %(limit)d ký tự.")
            % {"label": label, "length": len(value), "limit": MAX_TEMPLATE_LENGTH},
            fields={"payload": [str(tag)]},
        )
    return f"{tag}{len(value):02d}{value}"


def _ascii_field(value, *, name, label, limit=MAX_ADDITIONAL_FIELD_LENGTH):
    text = to_ascii(value)
    if not _PRINTABLE_ASCII_RE.fullmatch(text):
        raise VietQRError(
            _("“%(label)s” chỉ được chứa chữ không dấu, chữ số và dấu câu thông thường.") % {"label": label},
            fields={name: [_("Có ký tự không được phép.")]},
        )
    if len(text) > limit:
        raise VietQRError(
            _("“%(label)s” dài %(length)d ký tự (sau khi bỏ dấu), tối đa %(limit)d ký tự.")
            % {"label": label, "length": len(text), "limit": limit},
            fields={name: [_("Tối đa %(limit)d ký tự.") % {"limit": limit}]},
        )
    return text


def validate_bin(bank_bin):
    bank_bin = str(bank_bin or "").strip()
    if not _BIN_RE.fullmatch(bank_bin):
        raise VietQRError(
            _("Mã BIN ngân hàng phải gồm đúng 6 chữ số (ví dụ 970436)."),
            fields={"bank_bin": [_("Phải gồm 6 chữ số.")]},
        )
    return bank_bin


def validate_account(account, *, is_card=False):
    """An account number: letters and digits, at most 19; a card number: digits only, at most 19."""
    account = re.sub(r"[\s.-]", "", str(account or ""))
    if not account:
        raise VietQRError(_("Chưa có số tài khoản hoặc số thẻ."), fields={"account": [_("Bắt buộc.")]})
    if len(account) > MAX_ACCOUNT_LENGTH:
        raise VietQRError(
            _("Số tài khoản hoặc số thẻ dài %(length)d ký tự, tối đa %(limit)d ký tự.")
            % {"length": len(account), "limit": MAX_ACCOUNT_LENGTH},
            fields={"account": [_("Tối đa %(limit)d ký tự.") % {"limit": MAX_ACCOUNT_LENGTH}]},
        )
    if is_card and not _CARD_RE.fullmatch(account):
        raise VietQRError(_("Số thẻ chỉ gồm chữ số."), fields={"account": [_("Chỉ gồm chữ số.")]})
    if not _ACCOUNT_RE.fullmatch(account):
        raise VietQRError(
            _("Số tài khoản chỉ gồm chữ số và chữ cái không dấu."),
            fields={"account": [_("Có ký tự không được phép.")]},
        )
    return account


def validate_amount(amount):
    if amount is None or amount == "":
        return None
    try:
        value = int(str(amount).strip())
    except (TypeError, ValueError):
        raise VietQRError(
            _("Số tiền phải là số nguyên đồng, không có phần lẻ."), fields={"amount": [_("Không hợp lệ.")]}
        ) from None
    if str(amount).strip().lstrip("0") != str(value) and value != 0:
        raise VietQRError(
            _("Số tiền phải là số nguyên đồng, không có phần lẻ."), fields={"amount": [_("Không hợp lệ.")]}
        )
    if value <= 0:
        raise VietQRError(_("Số tiền phải lớn hơn 0 đồng."), fields={"amount": [_("Phải lớn hơn 0.")]})
    if len(str(value)) > MAX_AMOUNT_DIGITS:
        raise VietQRError(
            _("Số tiền quá lớn: tối đa %(limit)d chữ số.") % {"limit": MAX_AMOUNT_DIGITS},
            fields={"amount": [_("Quá lớn.")]},
        )
    return value


def build_payload(*, bank_bin, account, is_card=False, amount=None, bill_number="", purpose="",
                  initiation=None):
    """The payload string for a transfer to `account` at the bank `bank_bin`.

    `initiation` is derived from the amount (no amount: static `11`, an amount: dynamic `12`); pass
    "static" or "dynamic" only to reproduce a payload made elsewhere.
    """
    bank_bin = validate_bin(bank_bin)
    account = validate_account(account, is_card=is_card)
    amount = validate_amount(amount)
    bill_number = _ascii_field(bill_number, name="bill_number", label=_("Số hóa đơn"))
    purpose = _ascii_field(purpose, name="purpose", label=_("Nội dung chuyển khoản"))
    if initiation is None:
        initiation = "dynamic" if amount is not None else "static"
    if initiation not in ("static", "dynamic"):
        raise VietQRError(_("Phương thức khởi tạo phải là “static” hoặc “dynamic”."))
    service = SERVICE_CARD if is_card else SERVICE_ACCOUNT

    beneficiary = _tlv("00", bank_bin, label="BIN") + _tlv("01", account, label=_("Số tài khoản"))
    merchant = (
        _tlv("00", NAPAS_GUID, label="GUID")
        + _tlv("01", beneficiary, label=_("Người thụ hưởng"))
        + _tlv("02", service, label=_("Dịch vụ"))
    )
    parts = [
        _tlv("00", "01", label="00"),
        _tlv("01", INITIATION_STATIC if initiation == "static" else INITIATION_DYNAMIC, label="01"),
        _tlv("38", merchant, label=_("Thông tin người thụ hưởng (38)")),
        _tlv("53", CURRENCY_VND, label="53"),
    ]
    if amount is not None:
        parts.append(_tlv("54", str(amount), label=_("Số tiền")))
    parts.append(_tlv("58", COUNTRY_VN, label="58"))
    additional = ""
    if bill_number:
        additional += _tlv("01", bill_number, label=_("Số hóa đơn"))
    if purpose:
        additional += _tlv("08", purpose, label=_("Nội dung chuyển khoản"))
    if additional:
        parts.append(_tlv("62", additional, label=_("Thông tin bổ sung (62)")))
    body = "".join(parts) + "6304"
    return body + crc16(body)


@dataclass
class ParsedPayload:
    bank_bin: str
    account: str
    service: str
    initiation: str | None
    amount: int | None
    bill_number: str
    purpose: str
    crc: str
    crc_valid: bool
    fields: dict = field(default_factory=dict, repr=False)

    @property
    def is_card(self):
        return self.service == SERVICE_CARD

    def as_dict(self):
        data = asdict(self)
        data.pop("fields")
        return data


def _malformed(message, **params):
    return VietQRError((_("Mã VietQR không hợp lệ: %(reason)s") % {"reason": message % params if params else message}),
                       code="vietqr_malformed")


def _split_tlv(data, *, where):
    """[(tag, value), ...] in order; refuses a truncated or non-numeric header and duplicate tags."""
    items, seen, pos = [], set(), 0
    while pos < len(data):
        header = data[pos:pos + 4]
        if not _TLV_HEADER_RE.fullmatch(header):
            raise _malformed(_("phần %(where)s bị cắt hoặc sai cấu trúc ở vị trí %(pos)d."), where=where, pos=pos)
        tag, length = header[:2], int(header[2:])
        value = data[pos + 4:pos + 4 + length]
        if len(value) != length:
            raise _malformed(
                _("trường %(tag)s trong %(where)s khai báo dài %(length)d ký tự nhưng chỉ còn %(left)d."),
                tag=tag, where=where, length=length, left=len(value),
            )
        if tag in seen:
            raise _malformed(_("trường %(tag)s lặp lại trong %(where)s."), tag=tag, where=where)
        seen.add(tag)
        items.append((tag, value))
        pos += 4 + length
    return items


def parse_payload(payload, *, require_valid_crc=True):
    """Reads a payload back. Malformed structure always raises VietQRError; a wrong CRC raises
    unless `require_valid_crc` is False, in which case `crc_valid` tells."""
    if not isinstance(payload, str):
        raise _malformed(_("dữ liệu không phải chuỗi ký tự."))
    payload = payload.strip()
    if not payload:
        raise _malformed(_("chuỗi rỗng."))
    if len(payload) > MAX_PAYLOAD_LENGTH:
        raise _malformed(_("dài hơn %(limit)d ký tự."), limit=MAX_PAYLOAD_LENGTH)
    if not _PRINTABLE_ASCII_RE.fullmatch(payload):
        raise _malformed(_("có ký tự ngoài bảng mã ASCII."))

    root = _split_tlv(payload, where=_("gốc"))
    tags = [tag for tag, _value in root]
    values = dict(root)
    if tags[0] != "00" or values["00"] != "01":
        raise _malformed(_("phải bắt đầu bằng “000201”."))
    if tags[-1] != "63":
        raise _malformed(_("thiếu mã kiểm tra CRC (trường 63) ở cuối."))
    crc = values["63"]
    if not _CRC_RE.fullmatch(crc):
        raise _malformed(_("mã CRC phải gồm 4 chữ số hệ mười sáu."))
    crc_valid = crc16(payload[:-4]) == crc.upper()

    initiation = None
    if "01" in values:
        if values["01"] not in INITIATIONS:
            raise _malformed(_("phương thức khởi tạo (01) phải là 11 hoặc 12."))
        initiation = INITIATIONS[values["01"]]
    if "38" not in values:
        raise _malformed(_("thiếu thông tin người thụ hưởng (trường 38)."))
    merchant = dict(_split_tlv(values["38"], where="38"))
    if merchant.get("00") != NAPAS_GUID:
        raise _malformed(_("trường 38 không mang định danh NAPAS %(guid)s."), guid=NAPAS_GUID)
    if "01" not in merchant:
        raise _malformed(_("thiếu ngân hàng và số tài khoản (38-01)."))
    beneficiary = dict(_split_tlv(merchant["01"], where="38-01"))
    bank_bin, account = beneficiary.get("00", ""), beneficiary.get("01", "")
    if not _BIN_RE.fullmatch(bank_bin):
        raise _malformed(_("mã BIN ngân hàng (38-01-00) phải gồm 6 chữ số."))
    if not account or len(account) > MAX_ACCOUNT_LENGTH or not _ACCOUNT_RE.fullmatch(account):
        raise _malformed(_("số tài khoản (38-01-01) phải gồm 1 đến 19 chữ số hoặc chữ cái."))
    service = merchant.get("02", "")
    if service not in SERVICES:
        raise _malformed(_("dịch vụ (38-02) phải là QRIBFTTA hoặc QRIBFTTC."))
    if values.get("53") != CURRENCY_VND:
        raise _malformed(_("tiền tệ (53) phải là 704 (VND)."))
    if values.get("58") != COUNTRY_VN:
        raise _malformed(_("mã quốc gia (58) phải là VN."))
    amount = None
    if "54" in values:
        if not _AMOUNT_RE.fullmatch(values["54"]) or len(values["54"]) > MAX_AMOUNT_DIGITS:
            raise _malformed(_("số tiền (54) phải là số nguyên dương, không có phần lẻ."))
        amount = int(values["54"])
    additional = dict(_split_tlv(values["62"], where="62")) if "62" in values else {}

    if require_valid_crc and not crc_valid:
        raise VietQRError(
            _("Mã VietQR không hợp lệ: mã kiểm tra CRC là %(found)s nhưng nội dung cho ra %(expected)s.")
            % {"found": crc, "expected": crc16(payload[:-4])},
            code="vietqr_crc",
        )
    return ParsedPayload(
        bank_bin=bank_bin, account=account, service=service, initiation=initiation, amount=amount,
        bill_number=additional.get("01", ""), purpose=additional.get("08", ""), crc=crc,
        crc_valid=crc_valid, fields=values,
    )
