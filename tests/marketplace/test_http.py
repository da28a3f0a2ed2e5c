import json
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests

from marketplace import http
from marketplace.connectors.base import TransientError
from marketplace.connectors.shopee import ShopeeConnector


def test_retry_after_in_seconds_or_as_a_date():
    assert http.parse_retry_after("120") == 120
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    assert 85 <= http.parse_retry_after(later) <= 90
    assert http.parse_retry_after("soon") is None and http.parse_retry_after(None) is None


def _answer(status, body):
    response = requests.Response()
    response.status_code, response._content = status, json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    return response


def test_a_call_is_recorded_under_the_one_rule_for_secrets(monkeypatch):
    """The rule of common.redaction, as for the call log and inbound events; a request's
    one-time `code` is masked too, while an answer's `code` (its status) is kept."""
    answer = {"code": "0", "data": {"api_key": "k", "client_secret": "s", "access_token": "t", "shop": 1}}
    monkeypatch.setattr(http.requests, "request", lambda *args, **kwargs: _answer(200, answer))
    connector = ShopeeConnector()
    http.call(connector, "auth.token", "POST", "https://x.test/token?app_key=1&sign=abc",
              data={"code": "one-time", "grant_type": "authorization_code", "nested": {"app_secret": "s"}})
    call = connector.calls[0]
    assert call.request_summary == {"code": "***", "grant_type": "authorization_code", "nested": {"app_secret": "***"}}
    assert call.response == {"code": "0", "data": {"api_key": "***", "client_secret": "***", "access_token": "***",
                                                   "shop": 1}}
    assert call.url == "https://x.test/token?app_key=1&sign=***"


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
