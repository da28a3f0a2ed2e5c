"""Feed connectors (Postmart, Voso): the onboarding spreadsheet and the pasted product URL."""
from io import BytesIO

import pytest
from openpyxl import load_workbook

from marketplace.connectors.base import ConnectorError, ImageRef, ShopCredentials
from marketplace.connectors.postmart import PostmartConnector
from marketplace.connectors.voso import VosoConnector

from .helpers import payload


def test_feed_spreadsheet_opens_back_with_every_product():
    # given two products, one with two photos known by URL
    first = payload(images=[ImageRef("a.jpg", b"", url="https://ocop.example.vn/media/a.jpg"),
                            ImageRef("b.jpg", b"", url="https://ocop.example.vn/media/b.jpg")])
    second = payload(sku="OCOP-HG-0002", name="Chè Shan tuyết", price=320000, gtin="", images=[])
    # when Postmart's feed is built
    content = PostmartConnector().build_feed([first, second])
    # then it is an xlsx with Vietnamese headers and one row per product
    sheet = load_workbook(BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "Sản phẩm"
    assert rows[0][:9] == ("Mã SKU", "Tên sản phẩm", "Mô tả", "Giá (đồng)", "Tồn kho", "Khối lượng (g)",
                           "Danh mục", "Mã vạch", "Thương hiệu")
    assert rows[0][9] == "Ảnh 1"
    assert rows[1][:9] == ("OCOP-HG-0001", "Mật ong hoa bạc hà Hà Giang", "Mật ong nguyên chất, OCOP 4 sao.",
                           150000, 20, 500, "100629", "8936000000017", "HTX Mật ong Hà Giang")
    assert rows[1][9:11] == ("https://ocop.example.vn/media/a.jpg", "https://ocop.example.vn/media/b.jpg")
    assert rows[2][0] == "OCOP-HG-0002" and rows[2][3] == 320000 and rows[2][9] is None
    assert len(rows) == 3


def test_feed_connectors_have_no_api():
    for connector in (PostmartConnector(), VosoConnector()):
        assert connector.supports_api is False
        with pytest.raises(ConnectorError) as error:
            connector.publish(ShopCredentials(shop_id="x"), payload())
        assert "dán đường dẫn" in error.value.message and error.value.code == "feed_only"
        assert connector.find_by_sku(ShopCredentials(shop_id="x"), "A") is None
        assert connector.fetch_orders(ShopCredentials(shop_id="x"), None) == []
        assert connector.verify_push(headers={}, body=b"", url="") is False


def test_pasted_url_must_belong_to_the_marketplace():
    postmart, voso = PostmartConnector(), VosoConnector()
    assert postmart.validate_product_url(" https://postmart.vn/mat-ong-p123.html ") == (
        "https://postmart.vn/mat-ong-p123.html")
    assert voso.validate_product_url("https://www.voso.vn/san-pham/123") == "https://www.voso.vn/san-pham/123"
    for bad in ("https://voso.vn/x", "https://postmart.vn.evil.com/x", "javascript:alert(1)", ""):
        with pytest.raises(ConnectorError):
            postmart.validate_product_url(bad)
