"""The VietQR payload: published vectors byte for byte, a round-trip property, every malformed input refused."""
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payments.vietqr import (
    MAX_ACCOUNT_LENGTH,
    VietQRError,
    build_payload,
    crc16,
    parse_payload,
    to_ascii,
)

VECTORS = json.loads((Path(__file__).parent.parent / "data" / "payments" / "vietqr_vectors.json").read_text("utf-8"))
BUILD = VECTORS["build"]
MALFORMED = VECTORS["malformed"]


def _expected_initiation(vector):
    return vector["input"].get("initiation") or ("dynamic" if vector["input"].get("amount") else "static")


def test_crc_is_ccitt_false():
    # The check value of CRC-16/CCITT-FALSE is 29B1 for "123456789"; "00" and "01" from subiz's tests.
    assert crc16("123456789") == "29B1"
    assert crc16("00") == "2EC9"
    assert crc16("01") == "3EE8"


@pytest.mark.parametrize("vector", BUILD, ids=[v["name"] for v in BUILD])
def test_builder_reproduces_published_payloads_byte_for_byte(vector):
    # given the inputs of a published example, when we build, then we get exactly its payload
    assert build_payload(**vector["input"]) == vector["payload"]


@pytest.mark.parametrize("vector", BUILD, ids=[v["name"] for v in BUILD])
def test_parser_reads_published_payloads(vector):
    parsed = parse_payload(vector["payload"])
    given = vector["input"]
    assert parsed.crc_valid is True
    assert parsed.bank_bin == given["bank_bin"]
    assert parsed.account == given["account"]
    assert parsed.service == ("QRIBFTTC" if given.get("is_card") else "QRIBFTTA")
    assert parsed.amount == given.get("amount")
    assert parsed.bill_number == given.get("bill_number", "")
    assert parsed.purpose == to_ascii(given.get("purpose", ""))
    assert parsed.initiation == _expected_initiation(vector)


@pytest.mark.parametrize("vector", MALFORMED, ids=[v["name"] for v in MALFORMED])
def test_flawed_published_examples_are_refused(vector):
    # the CRC recorded in the data file is what the text really gives (so the check is not circular)
    assert crc16(vector["payload"][:-4]) == vector["crc_of_text"]
    with pytest.raises(VietQRError) as caught:
        parse_payload(vector["payload"])
    assert caught.value.code == "vietqr_malformed"
    assert "không hợp lệ" in str(caught.value.message)


def test_napas_611_printed_length_is_the_only_difference_from_the_corrected_vector():
    printed = MALFORMED[0]["payload"]
    corrected = BUILD[0]["payload"]
    assert printed[:-4].replace("01120011012345678", "01130011012345678") == corrected[:-4]


def test_purpose_diacritics_are_stripped_including_d_bar():
    payload = build_payload(bank_bin="970436", account="1234567890", purpose="Đặc sản Chè Shan tuyết")
    assert "0822Dac san Che Shan tuyet" in payload
    assert payload.isascii()


def test_amount_makes_a_dynamic_code_and_no_amount_a_static_one():
    assert build_payload(bank_bin="970436", account="1").startswith("000201010211")
    assert build_payload(bank_bin="970436", account="1", amount=150000).startswith("000201010212")
    assert "5406150000" in build_payload(bank_bin="970436", account="1", amount="150000")


@pytest.mark.parametrize("kwargs, field", [
    ({"bank_bin": "97043"}, "bank_bin"),
    ({"bank_bin": "97043A"}, "bank_bin"),
    ({"bank_bin": ""}, "bank_bin"),
    ({"account": ""}, "account"),
    ({"account": "1" * (MAX_ACCOUNT_LENGTH + 1)}, "account"),
    ({"account": "12345/678"}, "account"),
    ({"account": "9704ABCD", "is_card": True}, "account"),
    ({"amount": 0}, "amount"),
    ({"amount": -5}, "amount"),
    ({"amount": "150.000"}, "amount"),
    ({"amount": "12.5"}, "amount"),
    ({"amount": 10 ** 13}, "amount"),
    ({"purpose": "x" * 26}, "purpose"),
    ({"purpose": "Thanh toán chè Shan tuyết đặc biệt"}, "purpose"),
    ({"bill_number": "B" * 26}, "bill_number"),
    ({"purpose": "trà 茶"}, "purpose"),
])
def test_builder_refuses_what_breaks_a_limit_with_a_vietnamese_message(kwargs, field):
    arguments = {"bank_bin": "970436", "account": "1234567890", **kwargs}
    with pytest.raises(VietQRError) as caught:
        build_payload(**arguments)
    assert field in caught.value.fields
    message = str(caught.value.message)
    assert message.rstrip().endswith(".") and not message.isascii()  # a Vietnamese sentence, with diacritics


@pytest.mark.parametrize("kwargs", [
    {"bank_bin": "97043٦"}, {"account": "12٣4"}, {"account": "１２３", "is_card": True}, {"bank_bin": "970 436"},
])
def test_digits_of_other_scripts_are_not_digits_here(kwargs):
    with pytest.raises(VietQRError):
        build_payload(**{"bank_bin": "970436", "account": "1234567890", **kwargs})


def test_longest_allowed_fields_still_build():
    payload = build_payload(
        bank_bin="970436", account="9" * 19, amount=9_999_999_999_999, bill_number="B" * 25, purpose="P" * 25
    )
    parsed = parse_payload(payload)
    assert parsed.account == "9" * 19 and parsed.amount == 9_999_999_999_999
    assert parsed.bill_number == "B" * 25 and parsed.purpose == "P" * 25


GOOD = "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E"


def _with_crc(body):
    return body + crc16(body)


@pytest.mark.parametrize("payload, reason", [
    ("", "rỗng"),
    ("   ", "rỗng"),
    ("0002", "chỉ còn 0"),
    ("00020", "chỉ còn 1"),
    ("000", "bị cắt"),
    ("00AB01", "bị cắt"),
    ("0002010102", "chỉ còn 0"),
    (GOOD[:-10], "khai báo dài 34 ký tự nhưng chỉ còn 32"),
    (GOOD[:60], "chỉ còn"),
    ("0002020102116304ABCD", "000201"),
    (_with_crc("01021100020138540010A00000072701240006970423011001234567890208QRIBFTTA53037045802VN6304"), "000201"),
    (_with_crc("00020101021338540010A00000072701240006970423011001234567890208QRIBFTTA53037045802VN6304"), "11 hoặc 12"),
    (_with_crc("0002010102115303704" + "5802VN6304"), "trường 38"),
    (_with_crc("00020101021138540010A00000072801240006970423011001234567890208QRIBFTTA53037045802VN6304"), "A000000727"),
    (_with_crc("00020101021138540010A00000072701240006970423011001234567890208QRPUSHXX53037045802VN6304"), "QRIBFTTA"),
    (_with_crc("00020101021138540010A00000072701240006970A23011001234567890208QRIBFTTA53037045802VN6304"), "BIN"),
    (_with_crc("00020101021138540010A00000072701240006970423011001234567/90208QRIBFTTA53037045802VN6304"), "38-01-01"),
    (_with_crc("00020101021138540010A00000072701240006970423011001234567890208QRIBFTTA53038405802VN6304"), "704"),
    (_with_crc("00020101021138540010A00000072701240006970423011001234567890208QRIBFTTA53037045802US6304"), "VN"),
    (_with_crc("00020101021238540010A00000072701240006970423011001234567890208QRIBFTTA53037045406150.005802VN6304"), "54"),
    (_with_crc("00020101021238540010A00000072701240006970423011001234567890208QRIBFTTA530370454010" + "5802VN6304"), "54"),
    (_with_crc("00020101021138540010A00000072701240006970423011001234567890208QRIBFTTA53037045802VN5802VN6304"), "lặp lại"),
    (_with_crc("00020101021138540010A00000072701240006970423011001234567890208QRIBFTTA53037045802VN6205XX1236304"), "62"),
    ("00020101021138540010A00000072701240006970423011001234567890208QRIBFTTA53037045802VN6304ZZZZ", "hệ mười sáu"),
    ("00020101021138540010A00000072701240006970423011001234567890208QRIBFTTA53037045802VN630312", "chỉ còn 2"),
    ("00020101021138540010A00000072701240006970423011001234567890208QRIBFTTA53037045802VN", "CRC"),
    ("00020101021138540010A00000072701240006970423011001234567890208QRIBFTTA53037045802VN62040801Đ6304ABCD", "ASCII"),
    ("0" * 513, "512"),
    (GOOD[:-4] + "2E2F", "2E2E"),
])
def test_parser_refuses_malformed_payloads_with_a_clear_reason(payload, reason):
    with pytest.raises(VietQRError) as caught:
        parse_payload(payload)
    assert reason in str(caught.value.message)


def test_parser_can_report_a_wrong_crc_instead_of_refusing():
    parsed = parse_payload(GOOD[:-4] + "2E2F", require_valid_crc=False)
    assert parsed.crc_valid is False and parsed.amount == 180000


def test_parser_accepts_lower_case_crc_and_extra_emv_tags():
    body = "00020101021138540010A00000072701240006970423011001234567890208QRIBFTTA5204581253037045802VN5905HOA B6304"
    parsed = parse_payload(body + crc16(body).lower())
    assert parsed.crc_valid and parsed.fields["52"] == "5812"


# Text the builder accepts: printable ASCII plus Vietnamese letters, which it strips to ASCII.
_vietnamese = "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđĐ"
_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from(_vietnamese),
                max_size=25)


@settings(max_examples=300, deadline=None)
@given(
    bank_bin=st.from_regex(r"\A[0-9]{6}\Z"),
    account=st.from_regex(r"\A[0-9A-Za-z]{1,19}\Z"),
    is_card=st.booleans(),
    amount=st.one_of(st.none(), st.integers(min_value=1, max_value=9_999_999_999_999)),
    bill_number=_text,
    purpose=_text,
)
def test_round_trip_build_then_parse(bank_bin, account, is_card, amount, bill_number, purpose):
    if is_card:
        account = "".join(ch for ch in account if ch.isdigit()) or "9704"
    payload = build_payload(
        bank_bin=bank_bin, account=account, is_card=is_card, amount=amount, bill_number=bill_number, purpose=purpose
    )
    assert payload.isascii() and len(payload) <= 512
    parsed = parse_payload(payload)
    assert parsed.crc_valid
    assert (parsed.bank_bin, parsed.account) == (bank_bin, account)
    assert parsed.service == ("QRIBFTTC" if is_card else "QRIBFTTA")
    assert parsed.amount == amount
    assert parsed.initiation == ("static" if amount is None else "dynamic")
    assert parsed.bill_number == to_ascii(bill_number)
    assert parsed.purpose == to_ascii(purpose)
