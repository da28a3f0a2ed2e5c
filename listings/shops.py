"""The one way to call a shop on a marketplace.

    with shop_session(account, listing=listing, operation=ListingAttempt.Operation.PUBLISH) as shop:
        result = shop.call("publish", payload)      # connector.publish(shop.credentials, payload)

The session finds the connector (a marketplace not enabled is a DomainError), refuses a shop that
is not connected, refreshes the access token when it is near its end, and for each `shop.call`
takes a rate-limit token (`RateLimited` propagates: the caller decides when to try again) and
passes the shop's credentials. An `AuthError` from the marketplace marks the shop expired, tells
its members by email and raises `AccountUnavailable`; other ConnectorErrors propagate unchanged.
Every call is written as a ListingAttempt when the block ends, whether it succeeded or not.

Calls made before a shop exists (authorisation) or that belong to no shop go through
`marketplace_session` instead: no credentials, no rate limit, recorded once `session.account`
is known.
"""
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import DomainError
from marketplace.connectors.base import AuthError, ShopCredentials
from marketplace.connectors.registry import UnknownConnector, get_connector
from marketplace.ratelimit import acquire
from producers.models import Membership

from .calls import record_calls
from .models import ListingAttempt, MarketplaceAccount

REFRESH_MARGIN = timedelta(minutes=10)


class AccountUnavailable(DomainError):
    """The shop cannot be called until its owner connects it again."""

    code = "account_unavailable"


def connector_for(marketplace):
    """A fresh connector for the marketplace code; one not enabled in settings is a DomainError."""
    try:
        return get_connector(marketplace)
    except UnknownConnector as exc:
        raise DomainError(_("Sàn này chưa được bật trên hệ thống.")) from exc


# --- the shop's tokens -------------------------------------------------------------------------


def credentials_of(account):
    return ShopCredentials(
        shop_id=account.shop_id,
        access_token=account.access_token,
        refresh_token=account.refresh_token,
        access_expires_at=account.access_expires_at,
        refresh_expires_at=account.refresh_expires_at,
        extra=account.extra,
    )


def _as_datetime(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=UTC)
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def store_credentials(account, credentials):
    """Copy what the marketplace gave onto the account (not saved)."""
    account.access_token = credentials.access_token or ""
    account.refresh_token = credentials.refresh_token or ""
    account.access_expires_at = credentials.access_expires_at
    account.refresh_expires_at = credentials.refresh_expires_at
    extra = dict(credentials.extra or {})
    authorization_expiry = _as_datetime(extra.get("authorization_expires_at"))
    if authorization_expiry:
        account.authorization_expires_at = authorization_expiry
    account.extra = extra


def _shop_label(account):
    return account.shop_name or account.shop_id


def _member_emails(producer):
    emails = set(
        Membership.objects.filter(producer=producer).exclude(user__email="").values_list("user__email", flat=True)
    )
    if producer.email:
        emails.add(producer.email)
    return sorted(emails)


def account_mark_expired(*, account, reason=""):
    """The marketplace refused our tokens: the shop stops, and the producer is told by email."""
    already = account.status == MarketplaceAccount.Status.EXPIRED
    account.status = MarketplaceAccount.Status.EXPIRED
    account.status_message = str(reason)[:500]
    account.save(update_fields=["status", "status_message", "updated_at"])
    if already:
        return account
    recipients = _member_emails(account.producer)
    if recipients:
        send_mail(
            _("Gian hàng %(shop)s cần kết nối lại") % {"shop": account},
            _(
                "Sàn %(market)s đã từ chối ủy quyền của gian hàng “%(shop)s” (%(reason)s). "
                "Việc đăng và cập nhật sản phẩm trên gian hàng này đã tạm dừng. "
                "Hãy đăng nhập Cổng OCOP, mở mục Gian hàng và kết nối lại."
            ) % {"market": account.get_marketplace_display(), "shop": _shop_label(account),
                 "reason": reason or _("hết hạn")},
            settings.DEFAULT_FROM_EMAIL,
            recipients,
            fail_silently=True,
        )
    return account


# --- sessions ----------------------------------------------------------------------------------


class MarketplaceSession:
    """Calls to a marketplace outside any shop: `call(name, ...)` calls the connector method as
    is. The calls are recorded under `account` once it is set (the shop an authorisation just
    connected), else dropped (partner-level calls have no shop to be filed under)."""

    def __init__(self, connector, *, account=None, listing=None, operation=ListingAttempt.Operation.OTHER):
        self.connector = connector
        self.account = account
        self.listing = listing
        self.operation = operation

    def call(self, name, *args, **kwargs):
        return getattr(self.connector, name)(*args, **kwargs)

    def record(self):
        """Write the calls made so far (done anyway when the block ends)."""
        if self.account is None or self.account.pk is None:
            self.connector.calls.clear()
            return []
        return record_calls(self.connector, account=self.account, listing=self.listing,
                            default_operation=self.operation)


class ShopSession(MarketplaceSession):
    """Calls on behalf of one shop; see the module's docstring."""

    @property
    def credentials(self):
        return credentials_of(self.account)

    def call(self, name, *args, **kwargs):
        """`connector.<name>(credentials, *args, **kwargs)` after taking a rate-limit token."""
        acquire(self.account.marketplace, self.account.shop_id)
        try:
            return getattr(self.connector, name)(self.credentials, *args, **kwargs)
        except AuthError as exc:
            account_mark_expired(account=self.account, reason=exc.message)
            raise AccountUnavailable(
                _("Ủy quyền của gian hàng “%(shop)s” đã hết hạn: hãy kết nối lại. (%(reason)s)")
                % {"shop": _shop_label(self.account), "reason": exc.message}
            ) from exc

    def require_connected(self):
        account = self.account
        if account.status != MarketplaceAccount.Status.CONNECTED:
            raise AccountUnavailable(
                _("Gian hàng “%(shop)s” chưa kết nối (%(status)s): hãy kết nối lại.")
                % {"shop": _shop_label(account), "status": account.get_status_display()}
            )

    def refresh(self, *, margin=REFRESH_MARGIN, force=False):
        """A new access token when the current one ends within `margin` (or `force`), saved on
        the account. Its calls are filed under the shop alone, not the session's listing."""
        account = self.account
        if account.is_feed:
            return
        expires = account.access_expires_at
        if not force and (expires is None or expires > timezone.now() + margin):
            return
        self.record()
        try:
            credentials = self.call("refresh")
        finally:
            record_calls(self.connector, account=account, default_operation=ListingAttempt.Operation.REFRESH_TOKEN)
        store_credentials(account, credentials)
        account.save()


@contextmanager
def shop_session(account, *, listing=None, operation=ListingAttempt.Operation.OTHER):
    """A session on a connected shop, its token fresh; the calls recorded when the block ends."""
    session = ShopSession(connector_for(account.marketplace), account=account, listing=listing, operation=operation)
    try:
        session.require_connected()
        session.refresh()
        yield session
    finally:
        session.record()


@contextmanager
def marketplace_session(marketplace, *, operation=ListingAttempt.Operation.OTHER):
    """Calls before a shop exists (set `session.account` once it does) or outside any shop."""
    session = MarketplaceSession(connector_for(marketplace), operation=operation)
    try:
        yield session
    finally:
        session.record()


def account_refresh_if_needed(*, account, margin=REFRESH_MARGIN, force=False):
    """Refresh the access token ahead of its end (the sweep keeping refresh tokens alive uses
    `force`). A refusal marks the shop expired and raises AccountUnavailable; TransientError and
    RateLimited propagate."""
    session = ShopSession(connector_for(account.marketplace), account=account,
                          operation=ListingAttempt.Operation.REFRESH_TOKEN)
    session.require_connected()
    session.refresh(margin=margin, force=force)
    return account
