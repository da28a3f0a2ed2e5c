import pytest
from django.db import models
from django.utils.translation import gettext_lazy

from marketplace import ratelimit
from marketplace.connectors import registry
from marketplace.connectors.base import Capabilities, Connector, RateLimit
from marketplace.connectors.registry import (
    UnknownConnector,
    all_connectors,
    choices,
    codes,
    get_connector,
)
from marketplace.connectors.sandbox import SandboxConnector

DEFAULT_PATHS = [
    "marketplace.connectors.sandbox.SandboxConnector",
    "marketplace.connectors.shopee.ShopeeConnector",
    "marketplace.connectors.lazada.LazadaConnector",
    "marketplace.connectors.tiki.TikiConnector",
    "marketplace.connectors.postmart.PostmartConnector",
    "marketplace.connectors.voso.VosoConnector",
]


class ThrowAwayConnector(SandboxConnector):
    """A marketplace that exists only in this test: one class and one settings line."""

    code = "chophien"
    name = gettext_lazy("Chợ phiên")
    capabilities = Capabilities(auth="api_key", orders_push=True, orders_polling=True)
    rate_limit = RateLimit(per_second=7.0, burst=3)


@pytest.fixture
def with_throw_away(settings):
    settings.MARKETPLACE_CONNECTORS = [*DEFAULT_PATHS, f"{__name__}.ThrowAwayConnector"]
    settings.MARKETPLACE_RATE_LIMITS = {}


def test_the_settings_default_names_one_package_per_marketplace(settings):
    from config.settings import base

    assert base.MARKETPLACE_CONNECTORS == DEFAULT_PATHS


def test_every_configured_connector_is_found_by_its_code():
    codes_ = [c.code for c in all_connectors()]
    assert codes_ == ["sandbox", "shopee", "lazada", "tiki", "postmart", "voso"]
    assert all(isinstance(c, Connector) for c in all_connectors())
    assert dict(choices())["sandbox"] == "Sàn thử nghiệm (sandbox)"


def test_choices_are_code_and_name_in_settings_order(settings):
    assert [(code, str(name)) for code, name in choices()] == [
        ("sandbox", "Sàn thử nghiệm (sandbox)"), ("shopee", "Shopee"), ("lazada", "Lazada"), ("tiki", "Tiki"),
        ("postmart", "Postmart"), ("voso", "Voso")]
    settings.MARKETPLACE_CONNECTORS = list(reversed(DEFAULT_PATHS[1:3]))
    assert [code for code, _name in choices()] == ["lazada", "shopee"]


def test_codes_by_capability():
    assert codes() == ["sandbox", "shopee", "lazada", "tiki", "postmart", "voso"]
    assert codes(auth="feed") == ["postmart", "voso"]
    assert codes(auth="oauth") == ["shopee", "lazada", "tiki"]
    assert codes(auth="api_key") == ["sandbox"]
    assert codes(orders_push=True) == ["shopee", "lazada"]
    assert codes(lost_push_recovery=True) == ["shopee"]
    assert codes(orders_polling=True) == ["sandbox", "shopee", "lazada", "tiki"]
    assert codes(categories=True) == ["shopee", "lazada", "tiki"]
    assert codes(auth="oauth", orders_push=False) == ["tiki"]
    with pytest.raises(TypeError):
        codes(pushes=True)


def test_display_name_falls_back_to_the_code():
    assert registry.display_name("lazada") == "Lazada"
    assert registry.display_name("gone") == "gone"


def test_a_throw_away_marketplace_is_listed_with_its_capabilities_and_rate_limit(with_throw_away):
    assert ("chophien", "Chợ phiên") in [(code, str(name)) for code, name in choices()]
    assert codes()[-1] == "chophien"
    assert codes(orders_push=True) == ["shopee", "lazada", "chophien"]
    assert codes(auth="api_key") == ["sandbox", "chophien"]
    assert "chophien" not in codes(auth="feed")
    assert registry.display_name("chophien") == "Chợ phiên"
    assert isinstance(get_connector("chophien"), ThrowAwayConnector)
    assert ratelimit.rate_for("chophien") == (7.0, 3)


def test_a_model_field_takes_the_choices_lazily_without_the_database(with_throw_away, settings):
    """No django_db mark: any query here would fail the test."""
    field = models.CharField(max_length=20, choices=registry.choices)
    assert "chophien" in dict(field.choices)
    settings.MARKETPLACE_CONNECTORS = DEFAULT_PATHS
    assert "chophien" not in dict(field.choices)


def test_get_connector_gives_a_fresh_instance_each_time():
    first, second = get_connector("shopee"), get_connector("shopee")
    assert first is not second and first.calls is not second.calls


def test_unknown_code(settings):
    with pytest.raises(UnknownConnector):
        get_connector("amazon")
    settings.MARKETPLACE_CONNECTORS = ["marketplace.connectors.sandbox.SandboxConnector"]
    assert [c.code for c in all_connectors()] == ["sandbox"]
    assert codes() == ["sandbox"]
    with pytest.raises(UnknownConnector):
        get_connector("shopee")
