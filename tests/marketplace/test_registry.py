import pytest

from marketplace.connectors.base import Connector
from marketplace.connectors.registry import UnknownConnector, all_connectors, choices, get_connector


def test_every_configured_connector_is_found_by_its_code():
    codes = [c.code for c in all_connectors()]
    assert codes == ["sandbox", "shopee", "lazada", "tiki", "postmart", "voso"]
    assert all(isinstance(c, Connector) for c in all_connectors())
    assert dict(choices())["sandbox"] == "Sàn thử nghiệm (sandbox)"


def test_get_connector_gives_a_fresh_instance_each_time():
    first, second = get_connector("shopee"), get_connector("shopee")
    assert first is not second and first.calls is not second.calls


def test_unknown_code(settings):
    with pytest.raises(UnknownConnector):
        get_connector("amazon")
    settings.MARKETPLACE_CONNECTORS = ["marketplace.connectors.sandbox.SandboxConnector"]
    assert [c.code for c in all_connectors()] == ["sandbox"]
    with pytest.raises(UnknownConnector):
        get_connector("shopee")
