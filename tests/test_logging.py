import json
import logging

import pytest

from common.logging import JsonFormatter, RedactPersonalDataFilter, redact


@pytest.mark.parametrize("text", [
    "gọi 0912345678 ngay", "so +84 912 345 678", "sdt 84912345678", "0912.345.678",
])
def test_phone_numbers_never_reach_the_logs(text):
    assert "345" not in redact(text).replace("[số điện thoại]", "")


def test_account_and_national_id_numbers_masked_to_their_last_digits():
    line = redact("chuyen vao tai khoan 0071000123456 CCCD 001203004567")
    assert "0071000123456" not in line and "001203004567" not in line
    assert "***456" in line and "***567" in line


def test_filter_applies_to_formatted_arguments_and_adds_the_request_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "phone %s account %s", ("0987654321", "12345678901"), None)
    RedactPersonalDataFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert "0987654321" not in entry["message"] and "12345678901" not in entry["message"]
    assert entry["request_id"] == "-"


@pytest.mark.django_db
def test_every_answer_carries_a_request_id(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    assert len(client.get("/healthz", HTTP_X_REQUEST_ID="bad id!")["X-Request-ID"]) == 32
