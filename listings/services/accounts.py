"""A producer's shops: connecting (at once, or through the marketplace's consent page),
keeping their tokens alive, disconnecting. How a shop connects is the marketplace's declared
`capabilities.auth`: "feed" and "api_key" at once, "oauth" through the consent page."""
import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import DomainError
from marketplace.connectors.base import ConnectorError, ShopCredentials
from marketplace.connectors.registry import UnknownConnector, codes, connector_class, display_name
from marketplace.ratelimit import RateLimited
from producers.models import Producer

from ..models import ListingAttempt, MarketplaceAccount
from ..shops import account_refresh_if_needed, marketplace_session, store_credentials
from .permissions import require_manage

logger = logging.getLogger(__name__)

STATE_SALT = "listings.account-authorization"
STATE_MAX_AGE = 15 * 60


def _auth_kind(marketplace):
    """"oauth", "api_key" or "feed"; None for a marketplace not enabled."""
    try:
        return connector_class(marketplace).capabilities.auth
    except UnknownConnector:
        return None


def _save_account(*, producer, marketplace, credentials, user, shop_name=""):
    existing = MarketplaceAccount.objects.filter(marketplace=marketplace, shop_id=credentials.shop_id).first()
    if existing and existing.producer_id != producer.pk:
        raise DomainError(_("Gian hàng này đã được kết nối với một chủ thể khác."))
    account = existing or MarketplaceAccount(producer=producer, marketplace=marketplace, shop_id=credentials.shop_id)
    store_credentials(account, credentials)
    account.shop_name = (
        str(credentials.extra.get("shop_name") or "") or shop_name or account.shop_name or credentials.shop_id
    )[:255]
    account.status = MarketplaceAccount.Status.CONNECTED
    account.status_message = ""
    account.connected_by = user
    account.connected_at = timezone.now()
    try:
        account.save()
    except IntegrityError as exc:
        raise DomainError(_("Gian hàng này đã được kết nối với một chủ thể khác.")) from exc
    return account


@transaction.atomic
def account_connect(*, producer, user, marketplace, shop_name="", shop_id=""):
    """Feed and API-key shops (the sandbox) connect at once; OAuth marketplaces (Shopee, Lazada,
    Tiki) go through `account_authorization_url` and the marketplace's consent page instead."""
    require_manage(user, producer)
    auth = _auth_kind(marketplace)
    if auth == "feed":
        credentials = ShopCredentials(shop_id=(shop_id or "").strip() or f"{marketplace}-{producer.pk}")
        return _save_account(
            producer=producer, marketplace=marketplace, credentials=credentials, user=user,
            shop_name=shop_name.strip() or f"{producer.name} trên {display_name(marketplace)}",
        )
    if auth == "api_key":
        with marketplace_session(marketplace, operation=ListingAttempt.Operation.AUTHORIZE) as session:
            # No consent page: the "authorisation link" redirects straight back with a code.
            url = session.call("authorization_url", state="direct", redirect_uri="http://sandbox.invalid/")
            query = parse_qs(urlsplit(url).query)
            try:
                credentials = session.call(
                    "exchange_code", code=query["code"][0], shop_id=query.get("shop_id", [""])[0])
            except ConnectorError as exc:
                raise DomainError(exc.message) from exc
            session.account = _save_account(
                producer=producer, marketplace=marketplace, credentials=credentials, user=user, shop_name=shop_name
            )
        return session.account
    if auth == "oauth":
        raise DomainError(_("Gian hàng %(name)s cần được ủy quyền trên trang của sàn.") % {
            "name": display_name(marketplace)})
    raise DomainError(_("Sàn không hợp lệ."))


def account_authorization_url(*, producer, user, marketplace, redirect_uri):
    """Where to send the seller to authorise us; the signed state brings back who asked."""
    require_manage(user, producer)
    if _auth_kind(marketplace) not in ("oauth", "api_key"):
        raise DomainError(_("Sàn này không dùng ủy quyền trực tuyến."))
    state = signing.dumps({"p": producer.pk, "m": marketplace, "u": user.pk}, salt=STATE_SALT)
    try:
        with marketplace_session(marketplace) as session:
            return session.call("authorization_url", state=state, redirect_uri=redirect_uri)
    except ConnectorError as exc:
        raise DomainError(exc.message) from exc


def account_authorization_complete(*, user, marketplace, state, code, shop_id="", redirect_uri=""):
    """The marketplace sent the seller back with a code: exchange it for tokens."""
    try:
        data = signing.loads(state or "", salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature as exc:
        raise DomainError(_("Liên kết ủy quyền không hợp lệ hoặc đã quá hạn, hãy thử kết nối lại.")) from exc
    if data.get("m") != marketplace or data.get("u") != user.pk:
        raise DomainError(_("Liên kết ủy quyền không khớp với tài khoản đang đăng nhập."))
    producer = Producer.objects.filter(pk=data.get("p")).first()
    if producer is None:
        raise DomainError(_("Không tìm thấy chủ thể."))
    require_manage(user, producer)
    if not code:
        raise DomainError(_("Sàn không trả về mã ủy quyền: người bán có thể đã từ chối."))
    with marketplace_session(marketplace, operation=ListingAttempt.Operation.AUTHORIZE) as session:
        try:
            credentials = session.call("exchange_code", code=code, shop_id=shop_id or "", redirect_uri=redirect_uri)
        except ConnectorError as exc:
            logger.warning("exchange_code failed for %s: %s", marketplace, exc)
            raise DomainError(exc.message) from exc
        session.account = _save_account(producer=producer, marketplace=marketplace, credentials=credentials, user=user)
    return session.account


def accounts_refresh_expiring(*, within=timedelta(days=7)):
    """Keep refresh tokens alive: refresh every connected API shop whose refresh token ends soon."""
    soon = timezone.now() + within
    refreshed = 0
    accounts = MarketplaceAccount.objects.filter(
        status=MarketplaceAccount.Status.CONNECTED, refresh_expires_at__lte=soon
    ).exclude(marketplace__in=codes(auth="feed"))
    for account in accounts:
        try:
            account_refresh_if_needed(account=account, force=True)
            refreshed += 1
        except (DomainError, ConnectorError, RateLimited) as exc:
            logger.warning("refresh of %s failed: %s", account, exc)
    return refreshed


def account_disconnect(*, account, user):
    require_manage(user, account.producer)
    account.status = MarketplaceAccount.Status.REVOKED
    account.status_message = _("Đã ngắt kết nối bởi %(user)s.") % {"user": user}
    account.access_token = account.refresh_token = ""
    account.save()
    return account
