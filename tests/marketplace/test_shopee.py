"""Shopee connector against a local fake that checks every signature as Shopee does."""
import json
import time
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from marketplace.connectors.base import AuthError, ConnectorError, RejectedError, TransientError
from marketplace.connectors.shopee import ShopeeConnector
from marketplace.connectors.shopee import api as shopee_api
from marketplace.connectors.shopee.signing import push_signature

from .fakes import sample
from .helpers import payload

ADD_ITEM = "/api/v2/product/add_item"


@pytest.fixture
def connector():
    return ShopeeConnector()


def test_authorization_link_is_signed_and_carries_our_state(shopee_fake, connector):
    url = connector.authorization_url(state="abc123", redirect_uri="https://ocop.example.vn/niem-yet/ket-noi/")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path == "/api/v2/shop/auth_partner"
    assert query["sign"] == shopee_fake.sign("/api/v2/shop/auth_partner", query["timestamp"])
    assert query["redirect"] == "https://ocop.example.vn/niem-yet/ket-noi/?state=abc123"


def test_exchange_code_then_refresh(shopee_fake, connector):
    # given a shop that authorised our app and came back with a code
    code = shopee_fake.authorize_shop(14701711)
    # when we exchange it
    credentials = connector.exchange_code(code=code, shop_id="14701711")
    # then we hold tokens valid 4 hours (refresh 30 days) and the authorisation's end date
    assert credentials.shop_id == "14701711"
    assert credentials.access_token in shopee_fake.access_tokens
    assert timedelta(hours=3, minutes=59) < credentials.access_expires_at - timezone.now() <= timedelta(hours=4)
    assert timedelta(days=29) < credentials.refresh_expires_at - timezone.now() <= timedelta(days=30)
    assert credentials.extra["shop_name"] == "HTX Mật ong Hà Giang"
    assert credentials.extra["authorization_expires_at"]
    # when the access token is refreshed
    fresh = connector.refresh(credentials)
    # then both tokens are new and the old refresh token is spent
    assert fresh.access_token != credentials.access_token
    assert fresh.refresh_token != credentials.refresh_token
    assert fresh.extra["shop_name"] == "HTX Mật ong Hà Giang"
    with pytest.raises(AuthError):
        connector.refresh(credentials)  # a spent refresh token: the shop must reconnect
    # and no secret reached the call records
    for call in connector.calls:
        assert credentials.access_token not in json.dumps([call.url, call.request_summary, call.response])
        assert credentials.refresh_token not in json.dumps([call.url, call.request_summary, call.response])


def test_publish_uploads_images_and_adds_the_item(shopee_fake, connector):
    credentials = shopee_fake.credentials()
    result = connector.publish(credentials, payload())
    item = shopee_fake.items[int(result.external_id)]
    assert result.status == "live"
    assert result.url == f"https://shopee.vn/product/14701711/{result.external_id}"
    assert item["item_sku"] == "OCOP-HG-0001"
    assert item["original_price"] == 150000 and item["weight"] == 0.5
    assert item["logistic_info"] == [{"logistic_id": 50011, "enabled": True}]
    assert item["image"]["image_id_list"][0] in shopee_fake.images
    assert item["gtin_code"] == "8936000000017"
    assert shopee_fake.rejected == []
    assert [c.operation for c in connector.calls] == [
        "logistics.channels", "image.upload", "product.add_item"]
    assert all("sign=***" in c.url and "access_token=" not in c.url.replace("access_token=***", "")
               for c in connector.calls)


def test_shipping_channels_are_asked_once_per_shop_until_a_product_is_refused(shopee_fake, connector):
    credentials = shopee_fake.credentials()
    channels = "/api/v2/logistics/get_channel_list"
    # given two products published to one shop
    connector.publish(credentials, payload(sku="OCOP-HG-0001"))
    ShopeeConnector().publish(credentials, payload(sku="OCOP-HG-0002"))
    # then the shop's channels were asked once, and both items carry them
    assert shopee_fake.paths().count(channels) == 1
    assert all(item["logistic_info"] == [{"logistic_id": 50011, "enabled": True}]
               for item in shopee_fake.items.values())
    # another shop asks for its own
    ShopeeConnector().publish(shopee_fake.credentials(shop_id=999), payload(sku="OCOP-HG-0003"))
    assert shopee_fake.paths().count(channels) == 2
    # when the seller changes channels and Shopee refuses a product
    shopee_fake.channels = [{"logistics_channel_id": 50012, "logistics_channel_name": "Viettel Post", "enabled": True}]
    shopee_fake.fail(ADD_ITEM, "error", error="error_param", message="logistic channel is not enabled")
    with pytest.raises(RejectedError):
        ShopeeConnector().publish(credentials, payload(sku="OCOP-HG-0004"))
    # then the next publish asks again and uses the new channel
    result = ShopeeConnector().publish(credentials, payload(sku="OCOP-HG-0004"))
    assert shopee_fake.paths().count(channels) == 3
    assert shopee_fake.items[int(result.external_id)]["logistic_info"] == [{"logistic_id": 50012, "enabled": True}]


def test_lost_response_then_retry_finds_the_item_instead_of_creating_a_second(shopee_fake, connector):
    credentials = shopee_fake.credentials()
    # given Shopee creates the item but its answer never arrives
    shopee_fake.fail(ADD_ITEM, "lost_response")
    with pytest.raises(TransientError):
        connector.publish(credentials, payload())
    assert len(shopee_fake.items) == 1
    # when the retry first looks the SKU up
    found = connector.find_by_sku(credentials, "OCOP-HG-0001")
    # then it finds the created item: no second one
    assert found is not None and found.status == "live"
    assert int(found.external_id) in shopee_fake.items
    assert len(shopee_fake.items) == 1


def test_find_by_sku_ignores_partial_matches_and_other_shops(shopee_fake, connector):
    credentials = shopee_fake.credentials()
    connector.publish(credentials, payload(sku="OCOP-HG-00011"))
    connector.publish(shopee_fake.credentials(shop_id=999), payload(sku="OCOP-HG-0001"))
    assert connector.find_by_sku(credentials, "OCOP-HG-0001") is None
    assert connector.find_by_sku(credentials, "NOTHING") is None


def test_update_price_stock_and_delist(shopee_fake, connector):
    credentials = shopee_fake.credentials()
    result = connector.publish(credentials, payload())
    connector.update_price_stock(credentials, result.external_id, price=165000, stock=7)
    item = shopee_fake.items[int(result.external_id)]
    assert (item["original_price"], item["stock"]) == (165000, 7)
    connector.delist(credentials, result.external_id)
    assert item["item_status"] == "UNLIST"
    assert connector.find_by_sku(credentials, "OCOP-HG-0001").status == "delisted"


def test_update_price_failure_list_is_a_rejection(shopee_fake, connector):
    credentials = shopee_fake.credentials()
    result = connector.publish(credentials, payload())
    with pytest.raises(RejectedError) as error:
        connector.update_price_stock(credentials, result.external_id, price=0, stock=1)
    assert "Invalid price." in error.value.message


def test_timeout_is_transient(shopee_fake, connector):
    shopee_fake.fail(ADD_ITEM, "timeout")
    with pytest.raises(TransientError) as error:
        connector.publish(shopee_fake.credentials(), payload())
    assert error.value.code == "timeout"
    assert "không phản hồi kịp" in error.value.message
    assert connector.calls[-1].status_code is None and connector.calls[-1].error


def test_429_is_transient_with_its_retry_after(shopee_fake, connector):
    shopee_fake.fail(ADD_ITEM, "status", status=429, headers={"Retry-After": "17"},
                     body={"error": "error_too_many_request", "message": "Too many requests"})
    with pytest.raises(TransientError) as error:
        connector.publish(shopee_fake.credentials(), payload())
    assert error.value.retry_after == 17
    assert connector.calls[-1].status_code == 429


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(shopee_fake, connector, status):
    shopee_fake.fail(ADD_ITEM, "status", status=status, body={"error": "error_server", "message": "oops"})
    with pytest.raises(TransientError) as error:
        connector.publish(shopee_fake.credentials(), payload())
    assert error.value.retryable


def test_error_param_is_a_rejection_in_vietnamese_with_shopees_reason(shopee_fake, connector):
    shopee_fake.fail(ADD_ITEM, "error", error="product.error_param", message="Item name contains banned keyword.")
    with pytest.raises(RejectedError) as error:
        connector.publish(shopee_fake.credentials(), payload())
    assert error.value.message == "Shopee từ chối: Item name contains banned keyword."
    assert error.value.code == "product.error_param"
    assert not error.value.retryable


def test_a_missing_category_is_rejected_before_any_call(shopee_fake, connector):
    with pytest.raises(RejectedError) as error:
        connector.publish(shopee_fake.credentials(), payload(category_id=""))
    assert error.value.code == "missing_category" and "Shopee" in error.value.message
    assert shopee_fake.calls == []


def test_content_checked_by_the_fake_is_rejected(shopee_fake, connector):
    with pytest.raises(RejectedError) as error:
        connector.publish(shopee_fake.credentials(), payload(price=0))
    assert "original_price" in error.value.message


def test_revoked_token_asks_the_shop_to_reconnect(shopee_fake, connector):
    credentials = shopee_fake.credentials()
    shopee_fake.access_tokens.clear()
    with pytest.raises(AuthError) as error:
        connector.publish(credentials, payload())
    assert "kết nối lại" in error.value.message and "Invalid access_token." in error.value.message


def test_wrong_partner_key_fails_the_signature_check(shopee_fake, connector, settings):
    settings.SHOPEE_PARTNER_KEY = "not-the-key"
    with pytest.raises(ConnectorError) as error:
        connector.publish(shopee_fake.credentials(), payload())
    assert type(error.value) is ConnectorError and error.value.code == "error_sign"
    assert shopee_fake.rejected and shopee_fake.rejected[0][1].startswith("(200")


def test_stale_timestamp_is_refused_by_the_fake(shopee_fake, connector, monkeypatch):
    # given our clock is 10 minutes late (Shopee accepts 5)
    monkeypatch.setattr(shopee_api, "time", SimpleNamespace(time=lambda: time.time() - 600))
    with pytest.raises(ConnectorError) as error:
        connector.find_by_sku(shopee_fake.credentials(), "X")
    assert error.value.code == "error_param" and "Invalid timestamp" in error.value.message


def test_missing_configuration_is_said_plainly(settings, connector):
    settings.SHOPEE_PARTNER_KEY = ""
    with pytest.raises(ConnectorError) as error:
        connector.authorization_url(state="s", redirect_uri="https://x/")
    assert "SHOPEE_PARTNER_KEY" in error.value.message


def test_fetch_orders_pages_windows_and_batches(shopee_fake, connector):
    # given 130 orders updated over the last 20 days (more than one 15-day window, more than a page)
    now = int(time.time())
    for n in range(130):
        shopee_fake.add_order(f"2405{n:05d}ABC", update_time=now - 20 * 86400 + n * 3600 * 3, quantity=1 + n % 3)
    shopee_fake.add_order("OLD", update_time=now - 40 * 86400)
    # when we fetch orders since 21 days ago
    orders = connector.fetch_orders(shopee_fake.credentials(), timezone.now() - timedelta(days=21))
    # then every order comes once, with its lines, and no call broke a documented limit
    assert len(orders) == 130 and len({o.external_id for o in orders}) == 130
    first = next(o for o in orders if o.external_id == "240500001ABC")
    assert first.status == "completed"
    assert first.lines[0].sku == "OCOP-HG-0001" and first.lines[0].quantity == 2
    assert first.lines[0].amount == 300000
    list_calls = [c for c in shopee_fake.calls if c.path.endswith("get_order_list")]
    detail_calls = [c for c in shopee_fake.calls if c.path.endswith("get_order_detail")]
    assert len(list_calls) >= 3  # two windows, the first one paged
    assert [len(c.query["order_sn_list"].split(",")) for c in detail_calls] == [50, 50, 30]
    assert shopee_fake.rejected == []


def test_order_status_mapping(shopee_fake, connector):
    now = int(time.time())
    for sn, status in [("A", "CANCELLED"), ("B", "READY_TO_SHIP"), ("C", "TO_RETURN")]:
        shopee_fake.add_order(sn, update_time=now - 60, status=status)
    orders = {o.external_id: o.status for o in
              connector.fetch_orders(shopee_fake.credentials(), timezone.now() - timedelta(hours=1))}
    assert orders == {"A": "cancelled", "B": "pending", "C": "refunded"}


def test_push_verification(settings, connector):
    settings.SHOPEE_PARTNER_KEY = "push-key"
    url = "https://ocop.example.vn/webhooks/shopee/"
    body = json.dumps(sample("shopee_push_order_status.json")).encode()
    good = push_signature("push-key", url, body)
    assert connector.verify_push(headers={"Authorization": good}, body=body, url=url)
    assert connector.verify_push(headers={"authorization": good}, body=body, url=url)
    assert not connector.verify_push(headers={"Authorization": good}, body=body.replace(b"3", b"4"), url=url)
    assert not connector.verify_push(headers={"Authorization": good}, body=body, url=url + "x")
    assert not connector.verify_push(headers={"Authorization": push_signature("other-key", url, body)}, body=body,
                                     url=url)
    assert not connector.verify_push(headers={}, body=body, url=url)


def test_parse_order_push(connector):
    body = json.dumps(sample("shopee_push_order_status.json")).encode()
    [event] = connector.parse_push(body)
    assert (event.kind, event.external_id, event.shop_id) == ("order", "201218V2Y6E59M", "14701711")
    [other] = connector.parse_push(json.dumps(sample("shopee_push_shop_authorized.json")).encode())
    assert other.kind == "other"
    assert connector.parse_push(b"not json") == []


def test_lost_push_messages_are_fetched_and_confirmed(shopee_fake, connector):
    shopee_fake.lost_pushes = [
        {"message_id": n, "shop_id": 14701711, "code": 3, "timestamp": 1608621125,
         "data": json.dumps({"ordersn": f"SN{n}", "status": "READY_TO_SHIP"})} for n in (1, 2)]
    events, last_id, has_next = connector.get_lost_push_message()
    assert [e.external_id for e in events] == ["SN1", "SN2"] and last_id == 2 and not has_next
    connector.confirm_consumed_lost_push_message(last_id)
    assert shopee_fake.lost_pushes == []
