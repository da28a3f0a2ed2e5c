"""Tiki: OAuth2 and the asynchronous product request flow (against a fake built from the public docs)."""
from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.connectors.base import AuthError, ImageRef, RejectedError
from marketplace.connectors.tiki import TikiConnector

from .helpers import payload


@pytest.fixture
def connector():
    return TikiConnector()


def test_authorization_code_flow(tiki_fake, connector):
    url = connector.authorization_url(state="s", redirect_uri="https://ocop.example.vn/cb/")
    assert url.startswith(tiki_fake.url + "/sc/oauth2/auth?response_type=code&client_id=tiki-client")
    credentials = connector.exchange_code(code=tiki_fake.authorize(), redirect_uri="https://ocop.example.vn/cb/")
    assert credentials.shop_id == "90001" and credentials.extra["shop_name"] == "HTX Chè Shan tuyết"
    fresh = connector.refresh(credentials)
    assert fresh.access_token != credentials.access_token and fresh.shop_id == "90001"
    with pytest.raises(AuthError):
        connector.refresh(credentials)


def test_in_house_app_connects_with_client_credentials(tiki_fake, connector):
    credentials = connector.connect_in_house()
    assert credentials.shop_id == "90001" and credentials.extra["grant"] == "client_credentials"
    assert connector.refresh(credentials).access_token in tiki_fake.access_tokens


def test_product_request_pending_then_approved(tiki_fake, connector):
    credentials = tiki_fake.credentials()
    result = connector.publish(credentials, payload())
    assert result.status == "pending_review" and result.external_id in tiki_fake.requests
    assert connector.check_request(credentials, result.external_id).status == "pending_review"
    tiki_fake.approve(result.external_id, product_id=555)
    approved = connector.check_request(credentials, result.external_id)
    assert (approved.status, approved.external_id, approved.url) == ("live", "555", "https://tiki.vn/p555.html")
    assert connector.find_by_sku(credentials, "OCOP-HG-0001").external_id == "555"
    connector.update_price_stock(credentials, "555", price=99000, stock=4)
    assert (tiki_fake.products[555]["price"], tiki_fake.products[555]["quantity"]) == (99000, 4)
    connector.delist(credentials, "555")
    assert connector.find_by_sku(credentials, "OCOP-HG-0001").status == "delisted"


def test_rejected_request_carries_tikis_reason(tiki_fake, connector):
    credentials = tiki_fake.credentials()
    result = connector.publish(credentials, payload())
    tiki_fake.reject(result.external_id, "Thiếu giấy chứng nhận OCOP")
    with pytest.raises(RejectedError) as error:
        connector.check_request(credentials, result.external_id)
    assert error.value.message == "Tiki từ chối sản phẩm: Thiếu giấy chứng nhận OCOP"


def test_images_must_have_public_urls(tiki_fake, connector):
    with pytest.raises(RejectedError) as error:
        connector.publish(tiki_fake.credentials(), payload(images=[ImageRef("a.jpg", b"x")]))
    assert "đường dẫn công khai" in error.value.message


def test_expired_token_is_an_auth_error(tiki_fake, connector):
    credentials = tiki_fake.credentials()
    tiki_fake.access_tokens.clear()
    with pytest.raises(AuthError):
        connector.publish(credentials, payload())


def test_orders_are_paged(tiki_fake, connector):
    now = timezone.now()
    tiki_fake.orders = [{"code": f"T{n}", "status": "complete", "created_at": now.isoformat(),
                         "updated_at": now.isoformat(),
                         "items": [{"product": {"id": 555, "seller_product_code": "OCOP-HG-0001"}, "qty": 1,
                                    "invoice": {"row_total": 150000}}]} for n in range(60)]
    orders = connector.fetch_orders(tiki_fake.credentials(), now - timedelta(days=1))
    assert len(orders) == 60 and orders[0].status == "completed"
    assert orders[0].lines[0].sku == "OCOP-HG-0001" and orders[0].lines[0].amount == 150000


def test_pushes_are_never_trusted(connector):
    assert connector.verify_push(headers={"Authorization": "anything"}, body=b"{}", url="/") is False
