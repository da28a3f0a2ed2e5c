"""Signatures, byte for byte as the marketplaces document them."""
import hashlib
import hmac

from marketplace.connectors.lazada import signing as lazada
from marketplace.connectors.shopee import signing as shopee


def test_shopee_shop_api_base_string_is_the_documented_one():
    # given the worked example of Shopee's "API calls" guide (shop API)
    args = (2001887, "/api/v2/shop/get_shop_info", 1655714431, "59777174636562737266615546704c6d", 14701711)
    # when we build the base string and sign it
    base = shopee.base_string(*args)
    signature = shopee.sign("partner-key", *args)
    # then the base string is exactly the guide's, and the sign is lower-case hex HMAC-SHA256 of it
    assert base == "2001887/api/v2/shop/get_shop_info165571443159777174636562737266615546704c6d14701711"
    assert signature == hmac.new(b"partner-key", base.encode(), hashlib.sha256).hexdigest()
    assert signature == signature.lower() and len(signature) == 64


def test_shopee_merchant_and_public_base_strings_follow_the_guide():
    assert shopee.base_string(2001887, "/api/v2/global_product/get_category", 1655714431,
                              "09777174636962737266615546704c6d", 1000000) == (
        "2001887/api/v2/global_product/get_category165571443109777174636962737266615546704c6d1000000")
    assert shopee.base_string(2001887, "/api/v2/public/get_shops_by_partner", 1655714431) == (
        "2001887/api/v2/public/get_shops_by_partner1655714431")


def test_shopee_public_api_sign_uses_partner_path_and_timestamp_only():
    expected = hmac.new(b"k", b"2001887/api/v2/public/get_shops_by_partner1655714431", hashlib.sha256).hexdigest()
    assert shopee.sign("k", 2001887, "/api/v2/public/get_shops_by_partner", 1655714431) == expected


def test_lazada_sign_matches_the_documented_example():
    # given the "HTTP request sample" of Lazada's documentation (/order/get, secret "helloworld")
    params = {"app_key": "123456", "access_token": "test", "timestamp": "1517820392000",
              "sign_method": "sha256", "order_id": "1234"}
    # when / then
    assert lazada.sign("helloworld", "/order/get", params) == (
        "4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A")


def test_lazada_sign_sorts_parameters_by_ascii_name():
    # the documentation's own sort example: bar, foo, foo_bar, foobar
    text = b"/test/apibar2foo1foo_bar3foobar4"
    expected = hmac.new(b"s", text, hashlib.sha256).hexdigest().upper()
    assert lazada.sign("s", "/test/api", {"foo": "1", "bar": "2", "foo_bar": "3", "foobar": "4"}) == expected


def test_shopee_push_signature_is_hmac_of_url_bar_body():
    body = (b'{"shop_id": 123, "code": 1, "success": 1, "extra": "shop_id 123 is authorized successfully", '
            b'"data": {"more_info": "more info"}, "timestamp": 1470198856}')
    url = "http://www.example.com/example/uri"
    expected = hmac.new(b"pk", url.encode() + b"|" + body, hashlib.sha256).hexdigest()
    assert shopee.push_signature("pk", url, body) == expected


def test_lazada_push_signature_is_hmac_of_app_key_and_body():
    body = b'{"seller_id":"1","message_type":0,"data":{}}'
    assert lazada.push_signature("100101", "secret", body) == hmac.new(
        b"secret", b"100101" + body, hashlib.sha256).hexdigest()
