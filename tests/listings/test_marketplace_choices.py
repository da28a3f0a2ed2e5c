"""Shops' marketplaces come from the marketplace registry: a marketplace added in settings is a
choice at once, with its name and capabilities, and needs no migration."""
import pytest
from django.core.management import call_command
from django.utils.translation import gettext_lazy

from common.exceptions import DomainError
from listings.forms import ConnectForm
from listings.models import CategoryMapping, MarketplaceAccount
from listings.services import account_connect
from marketplace.connectors.base import Capabilities
from marketplace.connectors.feed import FeedConnector
from producers.models import Producer

pytestmark = pytest.mark.django_db


class ChoPhienConnector(FeedConnector):
    """A feed marketplace that exists only in this test."""

    code = "chophien"
    name = gettext_lazy("Chợ phiên")
    capabilities = Capabilities(auth="feed")


@pytest.fixture
def with_cho_phien(settings):
    settings.MARKETPLACE_CONNECTORS = [*settings.MARKETPLACE_CONNECTORS, f"{__name__}.ChoPhienConnector"]


def test_a_marketplace_added_in_settings_is_a_choice_with_its_name(with_cho_phien, producer):
    for model in (MarketplaceAccount, CategoryMapping):
        assert ("chophien", "Chợ phiên") in [(code, str(name)) for code, name in
                                             model._meta.get_field("marketplace").choices]
    account = MarketplaceAccount(producer=producer, marketplace="chophien", shop_id="cp-1")
    account.full_clean()
    assert account.get_marketplace_display() == "Chợ phiên" and str(account) == "Chợ phiên · cp-1"
    assert account.is_feed
    assert "chophien" in dict(ConnectForm(producers=Producer.objects.all()).fields["marketplace"].choices)


def test_a_marketplace_no_longer_enabled_still_shows_its_code(settings, producer):
    account = MarketplaceAccount.objects.create(producer=producer, marketplace="shopee", shop_id="1")
    settings.MARKETPLACE_CONNECTORS = ["marketplace.connectors.sandbox.SandboxConnector"]
    assert account.get_marketplace_display() == "shopee"
    assert MarketplaceAccount(producer=producer, marketplace="sandbox").get_marketplace_display() != "sandbox"


def test_adding_a_marketplace_needs_no_migration(with_cho_phien):
    call_command("makemigrations", "listings", "--check", "--dry-run", verbosity=0)


def test_how_a_shop_connects_is_its_marketplace_s_declared_authorisation(owner, producer):
    for code in ("shopee", "lazada", "tiki"):
        with pytest.raises(DomainError, match="ủy quyền trên trang của sàn"):
            account_connect(producer=producer, user=owner, marketplace=code)
    assert account_connect(producer=producer, user=owner, marketplace="voso").is_feed
    assert not account_connect(producer=producer, user=owner, marketplace="sandbox").is_feed
    with pytest.raises(DomainError, match="Sàn không hợp lệ"):
        account_connect(producer=producer, user=owner, marketplace="amazon")
