"""The connector contract: dataclasses in and out, one abstract base, three error kinds, and
what a marketplace declares about itself (`Capabilities`, `RateLimit`, how its pushes are read).

The listings app only ever talks to marketplaces through this module: it builds a
`ListingPayload`, calls a `Connector` method with the shop's `ShopCredentials`, stores every
`CallRecord` of `connector.calls` as a ListingAttempt, and decides from the error class what
happens next (`TransientError` -> retry later, `RejectedError` -> listing rejected with the
marketplace's reason, `AuthError` -> the shop must reconnect).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from .pushes import content_key, epoch

AUTH_KINDS = ("oauth", "api_key", "feed")


@dataclass(frozen=True)
class Capabilities:
    """What a marketplace can do, declared once on its connector class; everything else asks the
    registry (`codes(auth="feed")`, `codes(orders_push=True)`) instead of keeping its own list.

    `auth`: "oauth" (the seller consents on the marketplace's page), "api_key" (connected at once
    with a shop name, no consent page: the sandbox) or "feed" (no seller API: a spreadsheet for
    the onboarding team, then a pasted product URL).
    `categories`: a product needs the marketplace's category (an administrator's CategoryMapping).
    `lost_push_recovery`: the marketplace keeps the pushes we missed and gives them back
    (the connector implements `get_lost_push_message` and `confirm_consumed_lost_push_message`)."""

    auth: str
    orders_push: bool = False
    orders_polling: bool = False
    categories: bool = False
    price_stock_updates: bool = False
    lost_push_recovery: bool = False

    def __post_init__(self):
        if self.auth not in AUTH_KINDS:
            raise ValueError(f"auth must be one of {AUTH_KINDS}, not {self.auth!r}")


@dataclass(frozen=True)
class OrderExport:
    """The seller centre's order export, for producers who do not connect the marketplace's API
    (payments.orders_import reads it). `columns`: each field's header spellings, ASCII-folded and
    lower-cased; a file is this marketplace's export when its header has every `required` field.
    Fields: order, date, status, quantity, sku (parent_sku when empty), item (the marketplace's
    item id), name, total (line total), unit (unit price), line, cancel_reason. `row_is_unit`: one
    row per unit sold (rows of one order and SKU are added up), else one row per order line.
    `source`: how the file is named to a person who uploaded something else."""

    columns: dict
    required: tuple
    source: str
    row_is_unit: bool = False


@dataclass(frozen=True)
class RateLimit:
    """Calls per second per shop and the burst allowed (settings.MARKETPLACE_RATE_LIMITS overrides)."""

    per_second: float
    burst: int


@dataclass
class ShopCredentials:
    """What a MarketplaceAccount stores (encrypted at rest by the listings app)."""

    shop_id: str
    access_token: str = ""
    refresh_token: str = ""
    access_expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class ImageRef:
    """A photo to upload."""

    name: str
    content: bytes
    content_type: str = "image/jpeg"
    url: str = ""  # public absolute URL of the same photo, when known (Tiki and feeds take URLs)


@dataclass
class ListingPayload:
    """One product as a marketplace sees it.

    `attributes` may carry marketplace-specific extras under the connector's code, merged as is
    into that marketplace's request, e.g. {"shopee": {"attribute_list": [...]}, "lazada":
    {"package_length": "20"}, "tiki": {"attributes": {...}}}.
    """

    sku: str
    name: str
    description: str
    price: int  # VND
    stock: int
    weight_grams: int
    category_id: str
    images: list[ImageRef]
    gtin: str = ""
    brand: str = ""
    attributes: dict = field(default_factory=dict)


@dataclass
class PublishResult:
    external_id: str
    url: str = ""
    status: str = "live"  # "live", "pending_review"; find_by_sku may also say "delisted"
    message: str = ""
    raw: dict = field(default_factory=dict)


@dataclass
class OrderLine:
    external_item_id: str
    sku: str
    quantity: int
    amount: int  # VND, line total


@dataclass
class Order:
    external_id: str
    status: str  # "completed" | "pending" | "cancelled" | "refunded"
    created_at: datetime
    updated_at: datetime
    lines: list[OrderLine]
    raw: dict


@dataclass
class PushEvent:
    kind: str  # "order" | "product" | "other"
    external_id: str
    shop_id: str
    raw: dict


@dataclass
class CallRecord:
    """One HTTP call, secrets redacted: what ListingAttempt rows store."""

    operation: str
    method: str
    url: str
    request_summary: dict
    status_code: int | None
    response: dict | str | None
    error: str
    duration_ms: int


class ConnectorError(Exception):
    """`message` is plain Vietnamese for the user, `code` the marketplace's own error code."""

    retryable = False

    def __init__(self, message, *, code="", retry_after=None, raw=None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.retry_after = retry_after
        self.raw = raw


class TransientError(ConnectorError):
    """Timeouts, connection errors, 5xx, 429 (`retry_after` in seconds when the marketplace says)."""

    retryable = True


class RejectedError(ConnectorError):
    """The marketplace refused the request or the content: show its reason."""


class AuthError(ConnectorError):
    """Token expired, invalid or revoked: the shop must reconnect."""


class Connector(ABC):
    code: str = ""
    name: str = ""
    capabilities: Capabilities = Capabilities(auth="api_key")
    rate_limit: RateLimit | None = None  # None: the default rate (marketplace.ratelimit)
    order_export: OrderExport | None = None  # the seller centre's order export, when it is read

    def __init__(self):
        self.calls: list[CallRecord] = []

    def __repr__(self):
        return f"<{type(self).__name__} {self.code}>"

    @property
    def supports_api(self) -> bool:
        """False for feed marketplaces (spreadsheet import, URL pasted by hand)."""
        return self.capabilities.auth != "feed"

    @abstractmethod
    def authorization_url(self, *, state: str, redirect_uri: str) -> str: ...

    @abstractmethod
    def exchange_code(self, *, code: str, shop_id: str = "", redirect_uri: str = "") -> ShopCredentials:
        """`shop_id` and `redirect_uri` as they came back to, and were sent from, our callback."""

    @abstractmethod
    def refresh(self, credentials: ShopCredentials) -> ShopCredentials: ...

    @abstractmethod
    def upload_images(self, credentials: ShopCredentials, images: list[ImageRef]) -> list[str]: ...

    @abstractmethod
    def publish(self, credentials: ShopCredentials, payload: ListingPayload) -> PublishResult: ...

    @abstractmethod
    def find_by_sku(self, credentials: ShopCredentials, sku: str) -> PublishResult | None:
        """The item already on the marketplace with this SKU, if any: makes retries idempotent."""

    @abstractmethod
    def update_price_stock(
        self, credentials: ShopCredentials, external_id: str, *, price: int, stock: int
    ) -> None: ...

    @abstractmethod
    def delist(self, credentials: ShopCredentials, external_id: str) -> None: ...

    @abstractmethod
    def fetch_orders(self, credentials: ShopCredentials, since: datetime) -> list[Order]: ...

    @abstractmethod
    def verify_push(self, *, headers: dict, body: bytes, url: str) -> bool: ...

    @abstractmethod
    def parse_push(self, body: bytes) -> list[PushEvent]: ...

    def push_sent_at(self, payload: dict) -> datetime | None:
        """When the marketplace sent the push (its top-level `timestamp`), if it says."""
        return epoch(payload.get("timestamp"))

    def push_changed_at(self, payload: dict) -> datetime | None:
        """When the order changed, per the push: where to start fetching it."""
        return self.push_sent_at(payload)

    def push_dedup_key(self, payload: dict) -> str:
        """The same change delivered again gets the same key: here a hash of the content;
        marketplaces whose pushes carry identifiers build the key from them."""
        return content_key(payload)

    def push_callback_url(self, request_url: str) -> str:
        """The address the marketplace signed the push for, given the one it arrived at."""
        return request_url

    def get_lost_push_message(self) -> tuple[list[PushEvent], int | None, bool]:
        """(pushes we did not acknowledge, the last one's id, whether more follow): only for a
        marketplace declaring `lost_push_recovery`."""
        raise NotImplementedError(f"{self.code} does not give back lost pushes")

    def confirm_consumed_lost_push_message(self, last_message_id: int) -> None:
        """Tell the marketplace the lost pushes up to `last_message_id` are stored."""
        raise NotImplementedError(f"{self.code} does not give back lost pushes")


def numeric_category(connector: Connector, payload: ListingPayload) -> int:
    """The marketplace category id as a number, or a rejection naming what to fix."""
    if not str(payload.category_id).strip().isdigit():
        raise RejectedError(
            _("Chưa chọn danh mục %(name)s cho sản phẩm %(sku)s (cần mã danh mục của sàn).")
            % {"name": connector.name, "sku": payload.sku},
            code="missing_category",
        )
    return int(payload.category_id)


class NoApiConnector(Connector):
    """Base for marketplaces without a seller API (feeds): every API method says so plainly."""

    capabilities = Capabilities(auth="feed")

    def _no_api(self):
        raise ConnectorError(
            _("%(name)s không có API cho người bán: dùng tệp danh sách sản phẩm.") % {"name": self.name},
            code="no_api",
        )

    def authorization_url(self, *, state, redirect_uri):
        self._no_api()

    def exchange_code(self, *, code, shop_id="", redirect_uri=""):
        return ShopCredentials(shop_id=shop_id or code)

    def refresh(self, credentials):
        return credentials

    def upload_images(self, credentials, images):
        self._no_api()

    def publish(self, credentials, payload):
        self._no_api()

    def find_by_sku(self, credentials, sku):
        return None

    def update_price_stock(self, credentials, external_id, *, price, stock):
        self._no_api()

    def delist(self, credentials, external_id):
        self._no_api()

    def fetch_orders(self, credentials, since):
        return []

    def verify_push(self, *, headers, body, url):
        return False

    def parse_push(self, body):
        return []
