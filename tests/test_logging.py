import json
import logging
import os
import shutil

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


# Real lines that carry no personal data and must read the same after redaction.
UNTOUCHED = [
    ("Task payments.tasks.drain_inbound_events[3c9a2a39-8f6e-4f54-9d5c-123456789012] succeeded in "
     "0.012345678s: None"),
    "Task listings.tasks.listing_publish[0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0] received",
    ("Task listings.tasks.listing_publish[d2b7f1a0-1234-4567-8901-234567890123] retry: Retry in 30s: "
     "TransientError('Shopee 503')"),
    ("Task marketplace.tasks.poll_orders[8e0b1c2d-3f40-4152-9a6b-7c8d9e0f1a2b] succeeded in 12.345678901s: "
     "{'fetched': 3}"),
    "Scheduler: Sending due task payments-sweep-inbound-events (payments.tasks.sweep_inbound_events)",
    "request 7f9c2b1e4a5d4e3f8a9b0c1d2e3f4a5b done in 0.20345678s",
    'Internal Server Error: /api/v1/products/ id=0af7651916cd43dd8448eb211c80319c',
    "eta 2026-12-07T20:26:52.123456+07:00 expires 2026-12-08 20:26:52,123456789",
    "shopee push timestamp=1765139212 partner 2001234",
    "bank notification at 20261207153012 for order 20261207",
    "price=150000000 amount: 1500000000 giá 1.500.000.000 ₫ và 84.500.000.000 đ, 250000000₫",
    "slow query took 1234567890.5 ms",
]


@pytest.mark.parametrize("line", UNTOUCHED)
def test_durations_task_ids_request_ids_timestamps_and_prices_are_left_alone(line):
    assert redact(line) == line


@pytest.mark.parametrize("text, secret", [
    ("SĐT 0912345678, gọi lại", "0912345678"),
    ("sdt:0912.345.678", "345.678"),
    ("liên hệ 0912-345-678", "345-678"),
    ("so +84 912 345 678", "345 678"),
    ("máy bàn 0214 3840 123", "3840 123"),
    ("chuyen khoan toi STK 0071000123456 VCB", "0071000123456"),
    ("MBVCB.5544332211.012345.NGUYEN VAN A chuyen tien", "5544332211"),
    ("CCCD 001203004567 cap ngay 01/02/2021", "001203004567"),
    ("the 9704 0000 0000 0018 het han", "0000 0000 0018"),
    ("account=19031234567890 bank=970407", "19031234567890"),
    (("Task payments.tasks.process_inbound_event[3c9a2a39-8f6e-4f54-9d5c-123456789012] raised: "
      "NoMatch('0071000123456')"), "0071000123456"),
])
def test_phones_account_and_id_numbers_are_masked_in_real_lines(text, secret):
    assert secret not in redact(text)


def test_invitation_and_password_reset_links_lose_their_secret():
    line = redact('Gone: /loi-moi/Zx9_aB-c3dEf0123456789abcdefGhIj/ "GET /dat-lai-mat-khau/MTI/cf3k-9a8b7c6d5e4f/ HTTP/1.1"')
    assert "Zx9_aB" not in line and "cf3k" not in line and "MTI" not in line
    assert "/loi-moi/***/" in line and "/dat-lai-mat-khau/MTI" not in line


def test_a_leak_finder_sees_what_is_masked_and_nothing_else():
    from common.logging import personal_data_in

    assert personal_data_in(UNTOUCHED[0]) == []
    assert personal_data_in("STK 0071000123456") == ["0071000123456"]


def test_gunicorn_access_log_masks_invitation_tokens_and_personal_data():
    # given the deployed gunicorn configuration and its access-log format
    import runpy
    from datetime import timedelta
    from pathlib import Path
    from types import SimpleNamespace

    from gunicorn.config import Config

    conf = runpy.run_path(str(Path(__file__).resolve().parents[1] / "deploy" / "gunicorn.conf.py"))
    cfg = Config()
    for name in ("logger_class", "access_log_format", "accesslog"):
        if name in conf:
            cfg.set(name, conf[name])
    logger = cfg.logger_class(cfg)
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logger.access_log.addHandler(handler)
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": "/loi-moi/Zx9_aB-c3dEf0123456789abcdef/?sdt=0912345678",
        "PATH_INFO": "/loi-moi/Zx9_aB-c3dEf0123456789abcdef/", "QUERY_STRING": "sdt=0912345678",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.7",
        "HTTP_REFERER": "https://ocop.example.vn/loi-moi/Zx9_aB-c3dEf0123456789abcdef/",
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[("X-Request-ID", "abc123")])
    # when a request for an invitation link is logged, by gunicorn alone (no Django record factory)
    factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(logging.LogRecord)
    try:
        logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))
    finally:
        logging.setLogRecordFactory(factory)
        logger.access_log.removeHandler(handler)
    # then the line keeps the page and the timing, not the token or the phone
    assert len(lines) == 1
    assert "Zx9_aB" not in lines[0] and "0912345678" not in lines[0]
    assert '"GET /loi-moi/***/?sdt=[số điện thoại] HTTP/1.1" 302' in lines[0] and "12ms id=abc123" in lines[0]


@pytest.mark.skipif(not shutil.which("nginx") and not os.path.exists("/usr/sbin/nginx"), reason="nginx not installed")
def test_nginx_access_log_masks_invitation_tokens(tmp_path):
    # given the deployed nginx site, run on a free port in front of nothing (the 502 is logged too)
    import socket
    import subprocess
    import time
    import urllib.error
    import urllib.request
    from pathlib import Path

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    site = (Path(__file__).resolve().parents[1] / "deploy" / "nginx.conf").read_text()
    site = site.replace("server web:8000", "server 127.0.0.1:9").replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("/var/log/nginx/access.log", str(tmp_path / "access.log"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; daemon off;\n"
        f"events {{}}\nhttp {{ access_log off; client_body_temp_path {tmp_path}; proxy_temp_path {tmp_path};\n{site}\n}}\n")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    server = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(50):
            try:
                # when an invitation link is opened, coming from a page whose address carries one too
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/loi-moi/Zx9_aB-c3dEf0123456789abcdef/?a=1",
                    headers={"Referer": "https://ocop.example.vn/loi-moi/Qq7-referer-token/"})
                urllib.request.urlopen(request, timeout=2)
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)
    # then the access log has the request, without either token
    log = (tmp_path / "access.log").read_text()
    assert '"GET /loi-moi/*** HTTP/1.1" 502' in log and "/loi-moi/***" in log.split('"')[3]
    assert "Zx9_aB" not in log and "Qq7" not in log
