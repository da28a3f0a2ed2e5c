"""The sandbox marketplace: in-process, no network, state in the database."""
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from marketplace.connectors.base import AuthError, ConnectorError, RejectedError, ShopCredentials, TransientError
from marketplace.connectors.sandbox import SandboxConnector, simulate_order
from marketplace.models import SandboxImage, SandboxItem, SandboxOrder

from .helpers import payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def connector():
    return SandboxConnector()


@pytest.fixture
def credentials(connector):
    url = connector.authorization_url(state="s1", redirect_uri="https://ocop.example.vn/cb/?next=1")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    return connector.exchange_code(code=query["code"], shop_id=query["shop_id"])


def test_connecting_goes_straight_back_with_a_code_and_a_shop(connector):
    url = connector.authorization_url(state="s1", redirect_uri="https://ocop.example.vn/cb/?next=1")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert url.startswith("https://ocop.example.vn/cb/?next=1&")
    assert query["state"] == "s1" and query["code"].startswith("sandbox-") and query["shop_id"].startswith("sbx-")
    credentials = connector.exchange_code(code=query["code"], shop_id=query["shop_id"])
    assert credentials.shop_id == query["shop_id"]
    assert credentials.access_expires_at > timezone.now() + timedelta(hours=23)
    assert credentials.refresh_expires_at > timezone.now() + timedelta(days=364)
    assert str(connector.name) == "Sàn thử nghiệm (sandbox)"
    with pytest.raises(AuthError):
        connector.exchange_code(code="forged", shop_id="x")


def test_publish_creates_an_item_with_a_page(connector, credentials, client):
    result = connector.publish(credentials, payload())
    item = SandboxItem.objects.get(external_id=result.external_id)
    assert result.status == "live" and result.url == f"/san/sandbox/{result.external_id}/"
    assert (item.sku, item.price, item.stock, item.shop_id) == ("OCOP-HG-0001", 150000, 20, credentials.shop_id)
    assert SandboxImage.objects.filter(image_id__in=item.image_ids).count() == 1
    assert [c.operation for c in connector.calls][-2:] == ["image.upload", "product.add"]
    # the public page shows it, named as the sandbox it is
    page = client.get(result.url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Mật ong hoa bạc hà Hà Giang" in content and "150.000" in content and "Sàn thử nghiệm" in content
    image = client.get(f"/san/sandbox/anh/{item.image_ids[0]}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert client.get("/san/sandbox/khong-co/").status_code == 404


def test_retry_finds_by_sku_and_republishing_never_duplicates(connector, credentials):
    first = connector.publish(credentials, payload())
    assert connector.find_by_sku(credentials, "OCOP-HG-0001").external_id == first.external_id
    again = connector.publish(credentials, payload(price=160000))
    assert again.external_id == first.external_id
    assert SandboxItem.objects.count() == 1 and SandboxItem.objects.get().price == 160000
    assert connector.find_by_sku(credentials, "NONE") is None


def test_same_sku_in_two_shops_is_two_items(connector, credentials):
    other = connector.exchange_code(code="sandbox-x", shop_id="sbx-other")
    connector.publish(credentials, payload())
    connector.publish(other, payload())
    assert SandboxItem.objects.count() == 2


def test_forced_outcomes(connector, credentials):
    with pytest.raises(RejectedError) as error:
        connector.publish(credentials, payload(attributes={"sandbox_outcome": "reject"}))
    assert "từ chối" in error.value.message
    with pytest.raises(TransientError) as transient:
        connector.publish(credentials, payload(attributes={"sandbox_outcome": "transient"}))
    assert transient.value.retry_after == 1
    assert connector.publish(credentials, payload(attributes={"sandbox_outcome": "pending_review"})).status == (
        "pending_review")
    with pytest.raises(RejectedError):
        connector.publish(credentials, payload(sku="B", price=0))


def test_expired_or_foreign_token_asks_to_reconnect(connector, credentials):
    credentials.access_expires_at = timezone.now() - timedelta(minutes=1)
    with pytest.raises(AuthError):
        connector.publish(credentials, payload())
    with pytest.raises(AuthError):
        connector.publish(ShopCredentials(shop_id="x", access_token="abc"), payload())


def test_refresh_keeps_the_shop_and_its_authorisation_end(connector, credentials):
    fresh = connector.refresh(credentials)
    assert fresh.shop_id == credentials.shop_id and fresh.access_token != credentials.access_token
    assert fresh.refresh_expires_at == credentials.refresh_expires_at


def test_price_stock_delist_and_simulated_orders(connector, credentials):
    result = connector.publish(credentials, payload())
    connector.update_price_stock(credentials, result.external_id, price=155000, stock=5)
    since = timezone.now() - timedelta(seconds=1)
    order = simulate_order(credentials.shop_id, "OCOP-HG-0001", 2)
    assert order.status == "completed" and order.lines[0].amount == 310000 and order.lines[0].quantity == 2
    assert SandboxItem.objects.get().stock == 3
    fetched = connector.fetch_orders(credentials, since)
    assert [o.external_id for o in fetched] == [order.external_id]
    assert fetched[0].lines[0].external_item_id == result.external_id
    with pytest.raises(ConnectorError):
        simulate_order(credentials.shop_id, "OCOP-HG-0001", 4)  # only 3 left
    connector.delist(credentials, result.external_id)
    assert connector.find_by_sku(credentials, "OCOP-HG-0001").status == "delisted"
    with pytest.raises(ConnectorError):
        simulate_order(credentials.shop_id, "OCOP-HG-0001", 1)
    with pytest.raises(RejectedError):
        connector.delist(credentials, "sbx-unknown")
    assert SandboxOrder.objects.count() == 1


def test_no_push(connector):
    assert connector.verify_push(headers={}, body=b"{}", url="/") is False
    assert connector.parse_push(b"{}") == []
