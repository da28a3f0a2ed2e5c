"""Writes for marketplace shops and listings; views, the API and tasks call these.

    permissions  who may act on a producer's shops and listings
    accounts     connecting shops, keeping their tokens alive, disconnecting
    listings     what people do with listings (create, publish, delist, price and stock)
    payloads     a listing as a marketplace sees it
    publishing   the publishing run inside the task, the review check and the stuck sweep
    feeds        the spreadsheet of a marketplace with no seller API

Every call to a marketplace goes through listings.shops (shop_session, marketplace_session).
"""
from ..shops import AccountUnavailable, account_refresh_if_needed
from .accounts import (
    account_authorization_complete,
    account_authorization_url,
    account_connect,
    account_disconnect,
    accounts_refresh_expiring,
)
from .feeds import feed_spreadsheet
from .listings import (
    listing_create,
    listing_delist,
    listing_mark_live_manually,
    listing_publish,
    listing_retry,
    listing_update_price_stock,
    listings_bulk_create,
    listings_publish_many,
)
from .payloads import _images
from .permissions import can_manage
from .publishing import (
    RetryLater,
    listing_publish_run,
    listings_check_review,
    listings_sweep_stuck,
    retry_delay,
)

__all__ = [
    "AccountUnavailable",
    "RetryLater",
    "_images",
    "account_authorization_complete",
    "account_authorization_url",
    "account_connect",
    "account_disconnect",
    "account_refresh_if_needed",
    "accounts_refresh_expiring",
    "can_manage",
    "feed_spreadsheet",
    "listing_create",
    "listing_delist",
    "listing_mark_live_manually",
    "listing_publish",
    "listing_publish_run",
    "listing_retry",
    "listing_update_price_stock",
    "listings_bulk_create",
    "listings_check_review",
    "listings_publish_many",
    "listings_sweep_stuck",
    "retry_delay",
]
