"""What each marketplace declares on its connector class: how shops connect, what the
marketplace can do, how often it may be called, and how its pushes are read. Each declaration
states today's behaviour (feed marketplaces: Postmart, Voso; consent page: Shopee, Lazada, Tiki;
pushes: Shopee, Lazada; lost pushes fetched back: Shopee)."""
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from marketplace import ratelimit
from marketplace.connectors.base import Capabilities, Connector, RateLimit
from marketplace.connectors.lazada import LazadaConnector
from marketplace.connectors.postmart import PostmartConnector
from marketplace.connectors.registry import get_connector
from marketplace.connectors.sandbox import SandboxConnector
from marketplace.connectors.shopee import ShopeeConnector
from marketplace.connectors.tiki import TikiConnector
from marketplace.connectors.voso import VosoConnector

DATA = Path(__file__).resolve().parent.parent / "data" / "marketplace"


def sample(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("connector", "expected"), [
    (SandboxConnector, Capabilities(auth="api_key", orders_polling=True, price_stock_updates=True)),
    (ShopeeConnector, Capabilities(auth="oauth", orders_push=True, orders_polling=True, categories=True,
                                   price_stock_updates=True, lost_push_recovery=True)),
    (LazadaConnector, Capabilities(auth="oauth", orders_push=True, orders_polling=True, categories=True,
                                   price_stock_updates=True)),
    (TikiConnector, Capabilities(auth="oauth", orders_polling=True, categories=True, price_stock_updates=True)),
    (PostmartConnector, Capabilities(auth="feed")),
    (VosoConnector, Capabilities(auth="feed")),
])
def test_each_marketplace_declares_its_capabilities(connector, expected):
    assert connector.capabilities == expected
    assert connector().supports_api is (expected.auth != "feed")


def test_capabilities_are_frozen_and_know_their_auth_kinds():
    with pytest.raises(AttributeError):
        ShopeeConnector.capabilities.orders_push = False
    with pytest.raises(ValueError):
        Capabilities(auth="password")


@pytest.mark.parametrize(("connector", "expected"), [
    (SandboxConnector, RateLimit(per_second=50.0, burst=100)),
    (ShopeeConnector, RateLimit(per_second=5.0, burst=10)),
    (LazadaConnector, RateLimit(per_second=5.0, burst=10)),
    (TikiConnector, RateLimit(per_second=20.0, burst=40)),
    (PostmartConnector, None),
    (VosoConnector, None),
])
def test_each_marketplace_declares_its_rate_limit_and_the_limiter_reads_it(connector, expected, settings):
    settings.MARKETPLACE_RATE_LIMITS = {}
    assert connector.rate_limit == expected
    declared = expected or ratelimit.DEFAULT_RATE
    assert ratelimit.rate_for(connector.code) == (declared.per_second, declared.burst)


def test_settings_still_override_a_declared_rate_and_the_default(settings):
    settings.MARKETPLACE_RATE_LIMITS = {"shopee": (2.0, 3), "default": (1.0, 2)}
    assert ratelimit.rate_for("shopee") == (2.0, 3)
    assert ratelimit.rate_for("lazada") == (5.0, 10)
    assert ratelimit.rate_for("voso") == (1.0, 2)
    assert ratelimit.rate_for("amazon") == (1.0, 2)


def test_an_unknown_marketplace_is_limited_at_the_default_rate(settings):
    settings.MARKETPLACE_RATE_LIMITS = {}
    assert ratelimit.rate_for("amazon") == (2.0, 4)


def test_the_order_exports_read_are_declared_by_shopee_and_lazada_only():
    assert Connector.order_export is None
    exports = {code: get_connector(code).order_export for code in ("sandbox", "shopee", "lazada", "tiki",
                                                                   "postmart", "voso")}
    assert {code for code, export in exports.items() if export} == {"shopee", "lazada"}
    assert exports["shopee"].required == ("order", "status", "quantity", "date")
    assert not exports["shopee"].row_is_unit
    assert exports["lazada"].required == ("order", "status", "unit", "date")
    assert exports["lazada"].row_is_unit
    for export in (exports["shopee"], exports["lazada"]):  # spellings are folded as the reader folds
        assert all(spelling == spelling.lower() and spelling.isascii()
                   for spellings in export.columns.values() for spelling in spellings)
        assert set(export.required) <= set(export.columns)


# --- pushes ------------------------------------------------------------------------------------


def test_a_shopee_push_says_when_it_was_sent_when_the_order_changed_and_what_it_is():
    push = sample("shopee_push_order_status.json")
    shopee = ShopeeConnector()
    assert shopee.push_sent_at(push) == datetime.fromtimestamp(1608621125, tz=UTC)
    assert shopee.push_changed_at(push) == datetime.fromtimestamp(1608621123, tz=UTC)
    assert shopee.push_dedup_key(push) == "14701711:201218V2Y6E59M:COMPLETED:1608621123"


def test_a_shopee_push_with_its_data_as_a_json_string_is_read_the_same():
    push = sample("shopee_push_order_status.json")
    push["data"] = json.dumps(push["data"])
    shopee = ShopeeConnector()
    assert shopee.push_changed_at(push) == datetime.fromtimestamp(1608621123, tz=UTC)
    assert shopee.push_dedup_key(push) == "14701711:201218V2Y6E59M:COMPLETED:1608621123"


def test_a_lazada_push_in_milliseconds_and_its_status_update_time():
    push = sample("lazada_push_order.json")
    lazada = LazadaConnector()
    assert lazada.push_sent_at(push) == datetime.fromtimestamp(1603766859.191, tz=UTC)
    assert lazada.push_changed_at(push) == datetime.fromtimestamp(1603698638, tz=UTC)
    assert lazada.push_dedup_key(push) == "1000001234:260422900198363:260422900298363:delivered:1603698638"


def test_a_push_that_does_not_say_when_the_order_changed_starts_from_when_it_was_sent():
    push = sample("shopee_push_shop_authorized.json")
    for connector in (ShopeeConnector(), LazadaConnector()):
        assert connector.push_changed_at(push) == connector.push_sent_at(push)


@pytest.mark.parametrize("stamp", ["NaN", "Infinity", 1e300, 10**30, "1" * 400, True, [1], {"a": 1}, None, -5])
def test_a_timestamp_that_is_not_a_time_is_none(stamp):
    assert ShopeeConnector().push_sent_at({"timestamp": stamp}) is None
    assert LazadaConnector().push_changed_at({"timestamp": stamp, "data": {"status_update_time": stamp}}) is None


def test_a_push_without_its_own_identifiers_is_keyed_by_its_content():
    push = sample("shopee_push_shop_authorized.json")
    reordered = dict(reversed(list(push.items())))
    keys = {ShopeeConnector().push_dedup_key(push), LazadaConnector().push_dedup_key(reordered),
            TikiConnector().push_dedup_key(push)}
    assert len(keys) == 1
    key = keys.pop()
    assert key.startswith("sha256:") and len(key) == len("sha256:") + 64
    assert TikiConnector().push_dedup_key({**push, "code": 99}) != key


def test_shopee_checks_pushes_against_the_address_registered_in_its_console(settings):
    arrived = "http://10.0.0.5/webhooks/shopee/"
    settings.SHOPEE_PUSH_URL = ""
    assert ShopeeConnector().push_callback_url(arrived) == arrived
    settings.SHOPEE_PUSH_URL = "https://ocop.example.gov.vn/webhooks/shopee/"
    assert ShopeeConnector().push_callback_url(arrived) == "https://ocop.example.gov.vn/webhooks/shopee/"
    assert LazadaConnector().push_callback_url(arrived) == arrived


def test_a_marketplace_that_gives_back_lost_pushes_implements_both_calls():
    from marketplace.connectors.registry import codes

    for code in codes(lost_push_recovery=True):
        cls = type(get_connector(code))
        assert cls.get_lost_push_message is not Connector.get_lost_push_message
        assert cls.confirm_consumed_lost_push_message is not Connector.confirm_consumed_lost_push_message
    with pytest.raises(NotImplementedError):
        TikiConnector().get_lost_push_message()
