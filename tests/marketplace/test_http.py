import socket
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest

from marketplace import http
from marketplace.connectors.base import TransientError
from marketplace.connectors.shopee import ShopeeConnector


def test_retry_after_in_seconds_or_as_a_date():
    assert http.parse_retry_after("120") == 120
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=90), usegmt=True)
    assert 85 <= http.parse_retry_after(later) <= 90
    assert http.parse_retry_after("soon") is None and http.parse_retry_after(None) is None


def test_secrets_are_redacted_at_any_depth():
    data = {"access_token": "t", "nested": [{"refresh_token": "r", "sign": "s", "keep": 1}], "empty": {"code": ""}}
    assert http.redact(data) == {"access_token": "***", "nested": [{"refresh_token": "***", "sign": "***", "keep": 1}],
                                 "empty": {"code": ""}}
    assert http.redact_url("http://x/p?partner_id=1&sign=abc&access_token=t") == (
        "http://x/p?partner_id=1&sign=***&access_token=***")


def test_connection_refused_is_transient(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.SHOPEE_API_BASE, settings.SHOPEE_PARTNER_ID, settings.SHOPEE_PARTNER_KEY = (
        f"http://127.0.0.1:{port}", 1, "k")
    connector = ShopeeConnector()
    with pytest.raises(TransientError) as error:
        connector.get_lost_push_message()
    assert error.value.code == "connection_error" and "Không kết nối được tới Shopee" in error.value.message
    assert connector.calls[0].status_code is None
