"""Writes for marketplace accounts and listings. Views, the API and tasks call these.

Publishing runs in a Celery task (listings.tasks.publish_listing) that calls `listing_publish_run`:
it claims the listing (queued -> publishing), asks the marketplace, records every call as a
ListingAttempt, and ends in live / in_review / rejected / failed, or back in queued with a
`RetryLater` for the task to retry.
"""
import logging
import random
from datetime import datetime, timedelta, timezone as dt_timezone
from urllib.parse import parse_qs, urlsplit

from auditlog.context import disable_auditlog
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import INFRASTRUCTURE_ERRORS, DomainError, PermissionDenied
from marketplace import ratelimit
from marketplace.connectors.base import (
    AuthError,
    ConnectorError,
    ImageRef,
    ListingPayload,
    RejectedError,
    ShopCredentials,
    TransientError,
)
from marketplace.connectors.registry import UnknownConnector, get_connector
from producers.models import Membership, Producer
from producers.selectors import membership_of

from .models import (
    FEED_MARKETPLACES,
    OAUTH_MARKETPLACES,
    CategoryMapping,
    Listing,
    ListingAttempt,
    Marketplace,
    MarketplaceAccount,
)
from .redaction import redact, redact_url

logger = logging.getLogger(__name__)

STATE_SALT = "listings.account-authorization"
STATE_MAX_AGE = 15 * 60
MAX_IMAGES = 8  # Lazada takes at most 8, Shopee fewer than 9
REFRESH_MARGIN = timedelta(minutes=10)




class RetryLater(Exception):
    """A transient failure: the task retries after `delay` seconds."""

    def __init__(self, delay, message=""):
        super().__init__(message)
        self.delay = delay
        self.message = message


class AccountUnavailable(DomainError):
    code = "account_unavailable"


# --- who may act -------------------------------------------------------------------------------


def can_manage(user, producer):
    """Members (owner or staff) manage their producer's shops and listings; officers only look."""
    if not user or not user.is_authenticated:
        return False
    return user.is_superuser or membership_of(user, producer) is not None


def _require_manage(user, producer):
    if not can_manage(user, producer):
        raise PermissionDenied(_("Bạn không có quyền quản lý gian hàng và niêm yết của chủ thể này."))


# --- calls on record ---------------------------------------------------------------------------

OPERATION_BY_CALL = [
    ("image", ListingAttempt.Operation.UPLOAD_IMAGES),
    ("find", ListingAttempt.Operation.FIND),
    ("search", ListingAttempt.Operation.FIND),
    ("tracking", ListingAttempt.Operation.FIND),
    ("get_item", ListingAttempt.Operation.FIND),
    ("refresh", ListingAttempt.Operation.REFRESH_TOKEN),
    ("access_token", ListingAttempt.Operation.REFRESH_TOKEN),
    ("auth", ListingAttempt.Operation.AUTHORIZE),
    ("token", ListingAttempt.Operation.AUTHORIZE),
    ("unlist", ListingAttempt.Operation.DELIST),
    ("delist", ListingAttempt.Operation.DELIST),
    ("deactivate", ListingAttempt.Operation.DELIST),
    ("price", ListingAttempt.Operation.UPDATE),
    ("stock", ListingAttempt.Operation.UPDATE),
    ("update", ListingAttempt.Operation.UPDATE),
    ("add", ListingAttempt.Operation.PUBLISH),
    ("create", ListingAttempt.Operation.PUBLISH),
    ("request", ListingAttempt.Operation.PUBLISH),
]


def _operation_for(call_name, default):
    name = (call_name or "").lower()
    for needle, operation in OPERATION_BY_CALL:
        if needle in name:
            return operation
    return default


def record_calls(connector, *, account, listing=None, default_operation=ListingAttempt.Operation.OTHER):
    """Every CallRecord of the connector becomes a ListingAttempt row; the list is then emptied."""
    rows = []
    for call in connector.calls:
        response = call.response
        if isinstance(response, str):
            response = {"text": response[:5000]}
        rows.append(
            ListingAttempt(
                listing=listing,
                account=account,
                operation=_operation_for(call.operation, default_operation),
                call=str(call.operation)[:80],
                method=str(call.method or "")[:10],
                url=redact_url(str(call.url or ""))[:1000],
                request_summary=redact(call.request_summary or {}),
                response=redact(response),
                error=str(call.error or ""),
                status_code=call.status_code,
                duration_ms=max(int(call.duration_ms or 0), 0),
            )
        )
    connector.calls.clear()
    if rows:
        ListingAttempt.objects.bulk_create(rows)
    return rows


def _limit(account):
    ratelimit.acquire(account.marketplace, account.shop_id)


def _connector(marketplace):
    try:
        return get_connector(marketplace)
    except UnknownConnector as exc:
        raise DomainError(_("Sàn này chưa được bật trên hệ thống.")) from exc


# --- shops -------------------------------------------------------------------------------------


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
        return datetime.fromtimestamp(value, tz=dt_timezone.utc)
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _store_credentials(account, credentials):
    account.access_token = credentials.access_token or ""
    account.refresh_token = credentials.refresh_token or ""
    account.access_expires_at = credentials.access_expires_at
    account.refresh_expires_at = credentials.refresh_expires_at
    extra = dict(credentials.extra or {})
    authorization_expiry = _as_datetime(extra.get("authorization_expires_at"))
    if authorization_expiry:
        account.authorization_expires_at = authorization_expiry
    account.extra = extra


def _save_account(*, producer, marketplace, credentials, user, shop_name=""):
    existing = MarketplaceAccount.objects.filter(marketplace=marketplace, shop_id=credentials.shop_id).first()
    if existing and existing.producer_id != producer.pk:
        raise DomainError(_("Gian hàng này đã được kết nối với một chủ thể khác."))
    account = existing or MarketplaceAccount(producer=producer, marketplace=marketplace, shop_id=credentials.shop_id)
    _store_credentials(account, credentials)
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
    """Sandbox and feed shops connect at once; Shopee, Lazada and Tiki go through
    `account_authorization_url` and the marketplace's consent page instead."""
    _require_manage(user, producer)
    if marketplace in FEED_MARKETPLACES:
        label = Marketplace(marketplace).label
        credentials = ShopCredentials(shop_id=(shop_id or "").strip() or f"{marketplace}-{producer.pk}")
        return _save_account(
            producer=producer, marketplace=marketplace, credentials=credentials, user=user,
            shop_name=shop_name.strip() or f"{producer.name} trên {label}",
        )
    if marketplace == Marketplace.SANDBOX:
        connector = _connector(marketplace)
        # The sandbox "consent page" is a redirect straight back with a code: follow it here.
        url = connector.authorization_url(state="direct", redirect_uri="http://sandbox.invalid/")
        query = parse_qs(urlsplit(url).query)
        try:
            credentials = connector.exchange_code(code=query["code"][0], shop_id=query.get("shop_id", [""])[0])
        except ConnectorError as exc:
            raise DomainError(exc.message) from exc
        account = _save_account(
            producer=producer, marketplace=marketplace, credentials=credentials, user=user, shop_name=shop_name
        )
        record_calls(connector, account=account, default_operation=ListingAttempt.Operation.AUTHORIZE)
        return account
    if marketplace in OAUTH_MARKETPLACES:
        raise DomainError(_("Gian hàng %(name)s cần được ủy quyền trên trang của sàn.") % {
            "name": Marketplace(marketplace).label})
    raise DomainError(_("Sàn không hợp lệ."))


def account_authorization_url(*, producer, user, marketplace, redirect_uri):
    """Where to send the seller to authorise us; the signed state brings back who asked."""
    _require_manage(user, producer)
    if marketplace not in OAUTH_MARKETPLACES and marketplace != Marketplace.SANDBOX:
        raise DomainError(_("Sàn này không dùng ủy quyền trực tuyến."))
    state = signing.dumps({"p": producer.pk, "m": marketplace, "u": user.pk}, salt=STATE_SALT)
    try:
        return _connector(marketplace).authorization_url(state=state, redirect_uri=redirect_uri)
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
    _require_manage(user, producer)
    if not code:
        raise DomainError(_("Sàn không trả về mã ủy quyền: người bán có thể đã từ chối."))
    connector = _connector(marketplace)
    try:
        credentials = connector.exchange_code(code=code, shop_id=shop_id or "", redirect_uri=redirect_uri)
    except ConnectorError as exc:
        logger.warning("exchange_code failed for %s: %s", marketplace, exc)
        raise DomainError(exc.message) from exc
    account = _save_account(producer=producer, marketplace=marketplace, credentials=credentials, user=user)
    record_calls(connector, account=account, default_operation=ListingAttempt.Operation.AUTHORIZE)
    return account


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
            ) % {"market": account.get_marketplace_display(), "shop": account.shop_name or account.shop_id,
                 "reason": reason or _("hết hạn")},
            settings.DEFAULT_FROM_EMAIL,
            recipients,
            fail_silently=True,
        )
    return account


def account_refresh_if_needed(*, account, margin=REFRESH_MARGIN, force=False):
    """Refresh the access token ahead of its expiry. AuthError: the shop is marked expired,
    the producer told, and AccountUnavailable raised. TransientError propagates (retry later)."""
    if account.status != MarketplaceAccount.Status.CONNECTED:
        raise AccountUnavailable(
            _("Gian hàng “%(shop)s” chưa kết nối (%(status)s): hãy kết nối lại.")
            % {"shop": account.shop_name or account.shop_id, "status": account.get_status_display()}
        )
    if account.is_feed:
        return account
    expires = account.access_expires_at
    if not force and (expires is None or expires > timezone.now() + margin):
        return account
    connector = _connector(account.marketplace)
    try:
        _limit(account)
        credentials = connector.refresh(credentials_of(account))
    except AuthError as exc:
        account_mark_expired(account=account, reason=exc.message)
        raise AccountUnavailable(
            _("Ủy quyền của gian hàng “%(shop)s” đã hết hạn: hãy kết nối lại. (%(reason)s)")
            % {"shop": account.shop_name or account.shop_id, "reason": exc.message}
        ) from exc
    finally:
        record_calls(connector, account=account, default_operation=ListingAttempt.Operation.REFRESH_TOKEN)
    _store_credentials(account, credentials)
    account.save()
    return account


def accounts_refresh_expiring(*, within=timedelta(days=7)):
    """Keep refresh tokens alive: refresh every connected API shop whose refresh token ends soon."""
    soon = timezone.now() + within
    refreshed = 0
    accounts = MarketplaceAccount.objects.filter(
        status=MarketplaceAccount.Status.CONNECTED, refresh_expires_at__lte=soon
    ).exclude(marketplace__in=FEED_MARKETPLACES)
    for account in accounts:
        try:
            account_refresh_if_needed(account=account, force=True)
            refreshed += 1
        except (DomainError, ConnectorError, ratelimit.RateLimited) as exc:
            logger.warning("refresh of %s failed: %s", account, exc)
    return refreshed


def account_disconnect(*, account, user):
    _require_manage(user, account.producer)
    account.status = MarketplaceAccount.Status.REVOKED
    account.status_message = _("Đã ngắt kết nối bởi %(user)s.") % {"user": user}
    account.access_token = account.refresh_token = ""
    account.save()
    return account


# --- listings ----------------------------------------------------------------------------------


def listing_create(*, product, account, user, price_override=None, stock_override=None, attributes=None):
    _require_manage(user, product.producer)
    if product.producer_id != account.producer_id:
        raise DomainError(
            _("Sản phẩm và gian hàng phải thuộc cùng một chủ thể."), fields={"marketplace_account": [_("Không hợp lệ.")]}
        )
    if Listing.objects.filter(product=product, account=account).exists():
        raise DomainError(_("Sản phẩm này đã có niêm yết trên gian hàng đó."), code="duplicate")
    try:
        with transaction.atomic():
            return Listing.objects.create(
                product=product, account=account, price_override=price_override,
                stock_override=stock_override, attributes=attributes or {}, created_by=user,
            )
    except IntegrityError as exc:
        raise DomainError(_("Sản phẩm này đã có niêm yết trên gian hàng đó."), code="duplicate") from exc


@transaction.atomic
def listings_bulk_create(*, products, accounts, user):
    """Every product on every shop of its own producer, in one action; existing pairs are skipped.
    Returns (listings to publish: the new ones and the existing ones, number of pairs skipped)."""
    result, skipped = [], 0
    accounts = list(accounts)
    for product in products:
        _require_manage(user, product.producer)
        for account in accounts:
            if account.producer_id != product.producer_id:
                skipped += 1
                continue
            listing, created = Listing.objects.get_or_create(
                product=product, account=account, defaults={"created_by": user}
            )
            if not created:
                skipped += 1
            result.append(listing)
    return result, skipped


def _check_publishable(listing):
    producer = listing.product.producer
    if producer.status != Producer.Status.VERIFIED:
        raise DomainError(
            _("Chủ thể “%(name)s” chưa được Sở Công Thương xác minh nên chưa thể đăng bán.") % {"name": producer.name},
            code="producer_not_verified",
        )
    account = listing.account
    if account.status != MarketplaceAccount.Status.CONNECTED:
        raise DomainError(
            _("Gian hàng “%(shop)s” chưa kết nối (%(status)s): hãy kết nối lại trước khi đăng.")
            % {"shop": account.shop_name or account.shop_id, "status": account.get_status_display()},
            code="account_unavailable",
        )
    if account.marketplace in OAUTH_MARKETPLACES and category_for(listing) is None:
        raise DomainError(
            _("Chưa có ngành hàng %(market)s cho nhóm “%(group)s”: nhờ quản trị viên thêm ánh xạ ngành hàng.")
            % {"market": account.get_marketplace_display(), "group": listing.product.group},
            code="category_missing",
        )


def category_for(listing):
    return CategoryMapping.objects.filter(
        group_id=listing.product.group_id, marketplace=listing.account.marketplace
    ).first()


def _enqueue(listing_id):
    """After commit, and robust: with the broker down the caller still gets its answer and the
    listing stays `queued`; listings_sweep_stuck sends it once the broker is back."""
    from .tasks import publish_listing

    transaction.on_commit(lambda: publish_listing.delay(listing_id), robust=True)


def listing_publish(*, listing, user, keep_published=False):
    """Queue the listing; the task is sent only once the database has committed. With
    `keep_published`, a listing already on the marketplace (live or in review) is left as it is."""
    _require_manage(user, listing.product.producer)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().select_related(
            "product__producer", "product__group", "account"
        ).get(pk=listing.pk)
        if listing.status in Listing.IN_FLIGHT:
            return listing
        if keep_published and listing.status in (Listing.Status.LIVE, Listing.Status.IN_REVIEW):
            return listing
        _check_publishable(listing)
        listing.transition(Listing.Status.QUEUED, reason=_("Đã xếp hàng chờ gửi lên sàn."))
        _enqueue(listing.pk)
    return listing


def listing_retry(*, listing, user):
    listing.refresh_from_db()
    if listing.status not in (Listing.Status.FAILED, Listing.Status.REJECTED):
        raise DomainError(_("Chỉ thử lại được niêm yết gửi thất bại hoặc bị sàn từ chối."), code="invalid_transition")
    return listing_publish(listing=listing, user=user)


def listings_publish_many(*, listings, user):
    """Publish each; returns (listings sent, [(listing, error message)]). One already on the
    marketplace counts as sent: the same form submitted twice (two tabs, a double click) gets the
    first one's answer, not an error per listing."""
    queued, errors = [], []
    for listing in listings:
        try:
            queued.append(listing_publish(listing=listing, user=user, keep_published=True))
        except DomainError as exc:
            errors.append((listing, str(exc.message)))
    return queued, errors


def _call(listing, operation, fn):
    """A synchronous call for an action a person is waiting on (delist, price/stock update)."""
    account = listing.account
    connector = _connector(account.marketplace)
    try:
        account_refresh_if_needed(account=account)
        _limit(account)
        return fn(connector, credentials_of(account))
    except ratelimit.RateLimited as exc:
        raise DomainError(_("Sàn đang giới hạn số lần gọi, hãy thử lại sau %(s)d giây.") % {"s": int(exc.wait) + 1}) from exc
    except AuthError as exc:
        account_mark_expired(account=account, reason=exc.message)
        raise DomainError(exc.message, code="account_unavailable") from exc
    except ConnectorError as exc:
        raise DomainError(exc.message, code="marketplace_error") from exc
    finally:
        record_calls(connector, account=account, listing=listing, default_operation=operation)


def listing_delist(*, listing, user):
    _require_manage(user, listing.product.producer)
    listing.refresh_from_db()
    if not listing.can_transition(Listing.Status.DELISTED):
        raise DomainError(_("Chỉ gỡ được sản phẩm đang bán hoặc đang chờ sàn duyệt."), code="invalid_transition")
    if listing.account.is_feed or not listing.external_id:
        reason = _("Đã gỡ trên hệ thống; hãy gỡ cả trên trang của sàn nếu sản phẩm còn hiển thị.")
    else:
        _call(listing, ListingAttempt.Operation.DELIST, lambda c, creds: c.delist(creds, listing.external_id))
        reason = _("Đã gỡ khỏi sàn.")
    listing.transition(Listing.Status.DELISTED, reason=reason)
    return listing


def listing_update_price_stock(*, listing, user, price=None, stock=None):
    """New overrides; a live listing is updated on the marketplace at once."""
    _require_manage(user, listing.product.producer)
    listing.refresh_from_db()
    if price is not None and price <= 0:
        raise DomainError(_("Giá phải lớn hơn 0."), fields={"price": [_("Giá phải lớn hơn 0.")]})
    if stock is not None and stock < 0:
        raise DomainError(_("Tồn kho không được âm."), fields={"stock": [_("Tồn kho không được âm.")]})
    if listing.status == Listing.Status.LIVE and listing.external_id and not listing.account.is_feed:
        new_price = price if price is not None else listing.price
        new_stock = stock if stock is not None else listing.stock
        _call(
            listing, ListingAttempt.Operation.UPDATE,
            lambda c, creds: c.update_price_stock(creds, listing.external_id, price=new_price, stock=new_stock),
        )
    listing.price_override = price
    listing.stock_override = stock
    listing.save(update_fields=["price_override", "stock_override", "updated_at"])
    return listing


def listing_mark_live_manually(*, listing, user, url):
    """Feed marketplaces: the onboarding team imported the spreadsheet; the producer pastes the
    product's address once it is on sale."""
    _require_manage(user, listing.product.producer)
    listing.refresh_from_db()
    if not listing.account.is_feed:
        raise DomainError(_("Chỉ sàn nhập bằng tệp danh sách mới đánh dấu đang bán bằng tay."))
    connector = _connector(listing.account.marketplace)
    try:
        url = connector.validate_product_url(url)
    except ConnectorError as exc:
        raise DomainError(exc.message, fields={"url": [exc.message]}) from exc
    if listing.status != Listing.Status.IN_REVIEW:
        raise DomainError(_("Hãy gửi sản phẩm vào tệp danh sách trước khi đánh dấu đang bán."), code="invalid_transition")
    listing.url = url
    listing.save(update_fields=["url", "updated_at"])
    listing.transition(Listing.Status.LIVE, reason=_("Người bán xác nhận sản phẩm đã lên sàn."))
    return listing


# --- the publishing run (inside the Celery task) -----------------------------------------------


def retry_delay(retries, retry_after=None):
    """Exponential backoff with jitter, never sooner than the marketplace's own retry-after."""
    base = getattr(settings, "LISTING_RETRY_BASE_SECONDS", 30)
    cap = getattr(settings, "LISTING_RETRY_MAX_SECONDS", 600)
    delay = min(cap, base * (2 ** retries))
    delay += random.uniform(0, delay / 4)
    if retry_after:
        delay = max(delay, float(retry_after))
    return round(delay, 1)


def _description(product):
    lines = [product.description.strip()] if product.description.strip() else [product.name]
    facts = [_("Sản phẩm OCOP %(stars)s sao") % {"stars": product.stars}]
    if product.certificate_number:
        facts.append(_("quyết định công nhận số %(n)s") % {"n": product.certificate_number})
    lines.append(", ".join(facts) + ".")
    if product.unit:
        lines.append(_("Quy cách: %(unit)s.") % {"unit": product.unit})
    lines.append(_("Chủ thể sản xuất: %(name)s.") % {"name": product.producer.name})
    return "\n\n".join(lines)


def _public_url(path):
    """Absolute URL of a media file (Tiki and the feeds take image URLs, not bytes)."""
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    return f"{base}{path}" if base and path.startswith("/") else path


def _images(product, *, with_content=True):
    images = []
    for photo in product.photos.all()[:MAX_IMAGES]:
        source = photo.square or photo.image
        if not source:
            continue
        content = b""
        if with_content:
            with source.open("rb") as handle:
                content = handle.read()
        name = source.name.rsplit("/", 1)[-1]
        content_type = "image/png" if name.lower().endswith(".png") else "image/jpeg"
        images.append(ImageRef(name=name, content=content, content_type=content_type, url=_public_url(source.url)))
    return images


def build_payload(listing, *, with_content=True):
    product = listing.product
    mapping = category_for(listing)
    return ListingPayload(
        sku=product.sku,
        name=product.name,
        description=_description(product),
        price=int(listing.price),
        stock=int(listing.stock),
        weight_grams=int(product.weight_grams or 0),
        category_id=mapping.category_id if mapping else "",
        images=_images(product, with_content=with_content),
        gtin=product.gtin,
        brand="",
        attributes=dict(listing.attributes or {}),
    )


def _finish(listing, status, reason):
    listing.refresh_from_db(fields=["status"])
    listing.transition(status, reason=str(reason))


def _claim(listing_id):
    with transaction.atomic():
        listing = (
            Listing.objects.select_for_update()
            .select_related("product__producer", "product__group", "account__producer")
            .filter(pk=listing_id)
            .first()
        )
        if listing is None or listing.status != Listing.Status.QUEUED:
            return None
        listing.transition(Listing.Status.PUBLISHING, reason=_("Đang gửi lên sàn."))
        return listing


@disable_auditlog()
def listing_publish_run(*, listing_id, retries=0, max_retries=5):
    """Publish one queued listing. Idempotent: when an earlier try may have created the item
    (a lost answer, a crashed worker), the marketplace is first asked for the SKU and the item found
    there is adopted instead of creating a second one.

    The worker's status changes are written to the listing's history (ListingStatusChange, with
    their reasons), not also to the audit log, which keeps what people did (the click that
    queued the listing is there, with its author)."""
    listing = _claim(listing_id)
    if listing is None:
        return None
    account = listing.account
    tried_before = listing.status_changes.filter(to_status=Listing.Status.PUBLISHING).count() > 1
    connector = None
    try:
        connector = _connector(account.marketplace)
        if not connector.supports_api:
            _finish(listing, Listing.Status.IN_REVIEW, _(
                "Đã đưa vào tệp danh sách cho %(market)s: tải tệp, gửi đội hỗ trợ của sàn, rồi dán đường dẫn "
                "sản phẩm khi sản phẩm lên sàn.") % {"market": account.get_marketplace_display()})
            return listing
        account_refresh_if_needed(account=account)
        credentials = credentials_of(account)
        result = None
        if tried_before:
            _limit(account)
            found = connector.find_by_sku(credentials, listing.product.sku)
            if found is not None and found.status in ("live", "pending_review"):
                result = found
        if result is None:
            payload = build_payload(listing)
            _limit(account)
            result = connector.publish(credentials, payload)
    except RejectedError as exc:
        _finish(listing, Listing.Status.REJECTED, exc.message)
    except AuthError as exc:
        account_mark_expired(account=account, reason=exc.message)
        _finish(listing, Listing.Status.FAILED, _("Ủy quyền gian hàng không còn hiệu lực: hãy kết nối lại. (%(m)s)")
                % {"m": exc.message})
    except (TransientError, ratelimit.RateLimited) as exc:
        message = exc.message if isinstance(exc, TransientError) else _("sàn đang giới hạn số lần gọi")
        retry_after = exc.retry_after if isinstance(exc, TransientError) else exc.wait
        if retries >= max_retries:
            _finish(listing, Listing.Status.FAILED, _("Không gửi được sau %(n)d lần thử: %(m)s")
                    % {"n": retries + 1, "m": message})
        else:
            delay = retry_delay(retries, retry_after)
            _finish(listing, Listing.Status.QUEUED, _("Lỗi tạm thời (%(m)s). Tự động thử lại sau %(s)d giây.")
                    % {"m": message, "s": round(delay)})
            Listing.objects.filter(pk=listing.pk).update(
                enqueued_at=timezone.now() + timedelta(seconds=delay)
            )
            raise RetryLater(delay, message) from exc
    except (ConnectorError, DomainError) as exc:
        _finish(listing, Listing.Status.FAILED, exc.message)
    except INFRASTRUCTURE_ERRORS:
        logger.warning("publishing listing %s interrupted by the infrastructure; the sweep resends it", listing.pk)
        raise
    except Exception as exc:  # noqa: BLE001 - a bug must not leave the listing "publishing" forever
        logger.exception("publishing listing %s failed", listing.pk)
        _finish(listing, Listing.Status.FAILED, _("Lỗi hệ thống khi gửi lên sàn (%(e)s). Hãy thử lại sau.")
                % {"e": exc.__class__.__name__})
    else:
        with transaction.atomic():  # the outcome and the calls that led to it: one commit
            _adopt(listing, result)
            record_calls(connector, account=account, listing=listing,
                         default_operation=ListingAttempt.Operation.PUBLISH)
    finally:
        if connector is not None:  # the calls of a failure (a success recorded them with its outcome)
            record_calls(connector, account=account, listing=listing,
                         default_operation=ListingAttempt.Operation.PUBLISH)
    return listing


def _adopt(listing, result):
    listing.external_id = str(result.external_id or "")[:100]
    listing.url = str(result.url or "")[:500]
    listing.save(update_fields=["external_id", "url", "updated_at"])
    if result.status == "pending_review":
        _finish(listing, Listing.Status.IN_REVIEW, result.message or _("Sàn đang duyệt sản phẩm."))
    else:
        _finish(listing, Listing.Status.LIVE, result.message or _("Sản phẩm đang bán trên sàn."))


def listings_check_review(*, limit=200):
    """Ask the marketplace about listings waiting for its review (Lazada QC, Tiki requests)."""
    promoted = 0
    pending = Listing.objects.filter(status=Listing.Status.IN_REVIEW).exclude(
        account__marketplace__in=FEED_MARKETPLACES
    ).select_related("account", "product")[:limit]
    for listing in pending:
        account = listing.account
        connector = _connector(account.marketplace)
        try:
            account_refresh_if_needed(account=account)
            _limit(account)
            found = connector.find_by_sku(credentials_of(account), listing.product.sku)
        except (DomainError, ConnectorError, ratelimit.RateLimited) as exc:
            logger.info("review check of listing %s: %s", listing.pk, exc)
            continue
        finally:
            record_calls(connector, account=account, listing=listing, default_operation=ListingAttempt.Operation.FIND)
        if found is not None and found.status == "live":
            _adopt(listing, found)
            promoted += 1
        elif found is not None and found.status == "rejected":
            _finish(listing, Listing.Status.REJECTED, found.message or _("Sàn từ chối sản phẩm."))
    return promoted


def listings_sweep_stuck(*, older_than=None):
    """Listings left queued/publishing too long (the broker lost the message, a worker died):
    send them again. The publish task is idempotent, so a duplicate send is harmless."""
    older_than = older_than or timedelta(seconds=getattr(settings, "LISTING_STUCK_AFTER_SECONDS", 1800))
    cutoff = timezone.now() - older_than
    resent = []
    candidates = Listing.objects.filter(
        status__in=Listing.IN_FLIGHT, enqueued_at__lt=cutoff, status_changed_at__lt=cutoff
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            listing = Listing.objects.select_for_update().filter(pk=pk).first()
            if listing is None or listing.status not in Listing.IN_FLIGHT:
                continue
            if listing.status == Listing.Status.PUBLISHING:
                listing.transition(Listing.Status.QUEUED, reason=_("Lần gửi trước bị gián đoạn; gửi lại."))
            else:
                Listing.objects.filter(pk=pk).update(enqueued_at=timezone.now())
            _enqueue(pk)
            resent.append(pk)
    return resent


def feed_spreadsheet(*, account):
    """The xlsx a feed marketplace's onboarding team imports: one row per listing of the shop."""
    from .selectors import feed_listings

    connector = _connector(account.marketplace)
    return connector.build_feed([build_payload(listing, with_content=False) for listing in feed_listings(account)])
