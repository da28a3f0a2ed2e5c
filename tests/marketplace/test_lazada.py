"""Lazada connector against a local fake that checks every signature as Lazada's gateway does."""
import json
import time
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from marketplace.connectors.base import AuthError, ConnectorError, RejectedError, TransientError
from marketplace.connectors.lazada import LazadaConnector
from marketplace.connectors.lazada import api as lazada_api
from marketplace.connectors.lazada.signing import push_signature

from .fakes import sample
from .helpers import payload

CREATE = "/product/create"


@pytest.fixture
def connector():
    return LazadaConnector()


def test_authorization_link(lazada_fake, connector):
    url = connector.authorization_url(state="st4te", redirect_uri="https://ocop.example.vn/cb/")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert url.startswith(lazada_fake.url + "/auth/oauth/authorize?")
    assert query == {"response_type": "code", "force_auth": "true", "redirect_uri": "https://ocop.example.vn/cb/",
                     "client_id": lazada_fake.app_key, "state": "st4te"}


def test_exchange_code_and_refresh_on_the_auth_host(lazada_fake, connector):
    code = lazada_fake.authorize_seller("1000001234")
    credentials = connector.exchange_code(code=code)
    assert credentials.shop_id == "1000001234"
    assert credentials.access_token in lazada_fake.access_tokens
    assert timedelta(days=6) < credentials.access_expires_at - timezone.now() <= timedelta(days=7)
    assert timedelta(days=29) < credentials.refresh_expires_at - timezone.now() <= timedelta(days=30)
    assert all(c.path.startswith("/auth/rest/") for c in lazada_fake.calls)
    fresh = connector.refresh(credentials)
    assert fresh.access_token != credentials.access_token and fresh.shop_id == "1000001234"
    with pytest.raises(AuthError):
        connector.refresh(credentials)  # a refresh token is spent once used
    assert lazada_fake.rejected == []


def test_publish_uploads_images_and_creates_the_product(lazada_fake, connector):
    credentials = lazada_fake.credentials()
    result = connector.publish(credentials, payload())
    product = lazada_fake.products[int(result.external_id)]
    assert result.status == "live" and "QC" in result.message
    assert result.url == f"https://www.lazada.vn/products/i{result.external_id}.html"
    assert product["attributes"]["name"] == "Mật ong hoa bạc hà Hà Giang"
    assert product["attributes"]["brand"] == "HTX Mật ong Hà Giang"
    assert product["skus"][0]["SellerSku"] == "OCOP-HG-0001"
    assert product["skus"][0]["price"] == 150000 and product["skus"][0]["quantity"] == 20
    assert product["images"][0] in lazada_fake.images
    assert lazada_fake.rejected == []
    assert [c.operation for c in connector.calls] == ["image.upload", "product.create"]
    assert all("access_token=***" in c.url and "sign=***" in c.url for c in connector.calls)


def test_lost_response_then_retry_finds_the_product_by_seller_sku(lazada_fake, connector):
    credentials = lazada_fake.credentials()
    lazada_fake.fail(CREATE, "lost_response")
    with pytest.raises(TransientError):
        connector.publish(credentials, payload())
    found = connector.find_by_sku(credentials, "OCOP-HG-0001")
    assert found is not None and int(found.external_id) in lazada_fake.products
    assert len(lazada_fake.products) == 1
    assert connector.find_by_sku(credentials, "OTHER") is None


def test_a_second_create_of_the_same_sku_is_refused_with_lazadas_detail(lazada_fake, connector):
    credentials = lazada_fake.credentials()
    connector.publish(credentials, payload())
    with pytest.raises(RejectedError) as error:
        connector.publish(credentials, payload())
    assert error.value.message.startswith("Lazada từ chối: E0501: Validation failed")
    assert "SellerSku: SellerSku is already exists" in error.value.message


def test_update_price_stock_and_deactivate(lazada_fake, connector):
    credentials = lazada_fake.credentials()
    result = connector.publish(credentials, payload())
    connector.update_price_stock(credentials, result.external_id, price=170000, stock=3)
    sku = lazada_fake.products[int(result.external_id)]["skus"][0]
    assert (sku["price"], sku["quantity"]) == (170000, 3)
    connector.delist(credentials, result.external_id)
    assert lazada_fake.products[int(result.external_id)]["status"] == "inactive"
    assert connector.find_by_sku(credentials, "OCOP-HG-0001").status == "delisted"


def test_e901_too_frequent_is_transient(lazada_fake, connector):
    lazada_fake.fail(CREATE, "error", error="E901", message="Call api too frequently")
    with pytest.raises(TransientError) as error:
        connector.publish(lazada_fake.credentials(), payload())
    assert error.value.code == "E901"


def test_timeout_429_and_500_are_transient(lazada_fake, connector):
    credentials = lazada_fake.credentials()
    lazada_fake.fail(CREATE, "timeout")
    lazada_fake.fail(CREATE, "status", status=429, headers={"Retry-After": "30"})
    lazada_fake.fail(CREATE, "status", status=500)
    errors = []
    for _ in range(3):
        with pytest.raises(TransientError) as error:
            connector.publish(credentials, payload())
        errors.append(error.value)
    assert [e.code for e in errors] == ["timeout", "rate_limited", "http_500"]
    assert errors[1].retry_after == 30
    connector.publish(credentials, payload())  # and then it goes through
    assert len(lazada_fake.products) == 1


def test_invalid_token_is_an_auth_error(lazada_fake, connector):
    credentials = lazada_fake.credentials()
    lazada_fake.access_tokens.clear()
    with pytest.raises(AuthError) as error:
        connector.find_by_sku(credentials, "X")
    assert "The specified access token is invalid or expired" in error.value.message


def test_wrong_secret_fails_the_signature_check(lazada_fake, connector, settings):
    settings.LAZADA_APP_SECRET = "wrong"
    with pytest.raises(ConnectorError) as error:
        connector.find_by_sku(lazada_fake.credentials(), "X")
    assert error.value.code == "IncompleteSignature" and not error.value.retryable
    assert lazada_fake.rejected


def test_stale_timestamp_is_refused(lazada_fake, connector, monkeypatch):
    monkeypatch.setattr(lazada_api, "time", SimpleNamespace(time=lambda: time.time() - 7300))
    with pytest.raises(ConnectorError) as error:
        connector.find_by_sku(lazada_fake.credentials(), "X")
    assert error.value.code == "InvalidTimestamp"


def test_fetch_orders_pages_and_adds_up_items_per_sku(lazada_fake, connector):
    base = timezone.now() - timedelta(days=3)
    for n in range(1, 131):
        lazada_fake.add_order(16000 + n, updated_at=(base + timedelta(minutes=n)).isoformat(), quantity=1 + n % 3)
    lazada_fake.add_order(1, updated_at=(base - timedelta(days=10)).isoformat())
    orders = connector.fetch_orders(lazada_fake.credentials(), base)
    assert len(orders) == 130
    first = next(o for o in orders if o.external_id == "16001")
    assert first.status == "completed"
    assert [(line.sku, line.quantity, line.amount) for line in first.lines] == [("OCOP-HG-0001", 2, 300000)]
    offsets = [c.query["offset"] for c in lazada_fake.calls if c.path == "/rest/orders/get"]
    assert offsets == ["0", "100"]
    assert lazada_fake.rejected == []


def test_order_sample_statuses(lazada_fake, connector):
    when = timezone.now().isoformat()
    lazada_fake.add_order(1, updated_at=when, status="canceled")
    lazada_fake.add_order(2, updated_at=when, status="ready_to_ship")
    orders = {o.external_id: o.status for o in
              connector.fetch_orders(lazada_fake.credentials(), timezone.now() - timedelta(hours=1))}
    assert orders == {"1": "cancelled", "2": "pending"}


def test_push_verification(settings, connector):
    settings.LAZADA_APP_KEY, settings.LAZADA_APP_SECRET = "100101", "push-secret"
    body = json.dumps(sample("lazada_push_order.json")).encode()
    good = push_signature("100101", "push-secret", body)
    assert connector.verify_push(headers={"Authorization": good}, body=body, url="")
    assert not connector.verify_push(headers={"Authorization": good}, body=body + b" ", url="")
    assert not connector.verify_push(headers={"Authorization": push_signature("100101", "other", body)}, body=body,
                                     url="")
    assert not connector.verify_push(headers={}, body=body, url="")


def test_parse_order_push(connector):
    [event] = connector.parse_push(json.dumps(sample("lazada_push_order.json")).encode())
    assert (event.kind, event.external_id, event.shop_id) == ("order", "260422900198363", "1000001234")
