"""Marketplaces with no seller API: the spreadsheet their onboarding team imports."""
from ..selectors import feed_listings
from ..shops import connector_for
from .payloads import build_payload


def feed_spreadsheet(*, account):
    """The xlsx a feed marketplace's onboarding team imports: one row per listing of the shop."""
    connector = connector_for(account.marketplace)
    return connector.build_feed([build_payload(listing, with_content=False) for listing in feed_listings(account)])
