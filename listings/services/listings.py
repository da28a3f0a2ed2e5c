"""What people do with listings: create, publish (queued for the task), retry, delist, change
price and stock, mark a feed listing live."""
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from common.exceptions import DomainError
from marketplace.connectors.base import ConnectorError
from marketplace.connectors.registry import codes
from marketplace.ratelimit import RateLimited
from producers.models import Producer

from ..models import Listing, ListingAttempt, MarketplaceAccount
from ..shops import connector_for, shop_session
from .payloads import category_for
from .permissions import require_manage
from .publishing import enqueue_publish


def listing_create(*, product, account, user, price_override=None, stock_override=None, attributes=None):
    require_manage(user, product.producer)
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
        require_manage(user, product.producer)
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
    if account.marketplace in codes(categories=True) and category_for(listing) is None:
        raise DomainError(
            _("Chưa có ngành hàng %(market)s cho nhóm “%(group)s”: nhờ quản trị viên thêm ánh xạ ngành hàng.")
            % {"market": account.get_marketplace_display(), "group": listing.product.group},
            code="category_missing",
        )


def listing_publish(*, listing, user, keep_published=False):
    """Queue the listing; the task is sent only once the database has committed. With
    `keep_published`, a listing already on the marketplace (live or in review) is left as it is."""
    require_manage(user, listing.product.producer)
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
        enqueue_publish(listing.pk)
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


def _call_now(listing, operation, name, *args, **kwargs):
    """A call a person is waiting on (delist, price/stock update): every refusal is a message."""
    try:
        with shop_session(listing.account, listing=listing, operation=operation) as shop:
            return shop.call(name, *args, **kwargs)
    except RateLimited as exc:
        raise DomainError(_("Sàn đang giới hạn số lần gọi, hãy thử lại sau %(s)d giây.") % {"s": int(exc.wait) + 1}) from exc
    except ConnectorError as exc:
        raise DomainError(exc.message, code="marketplace_error") from exc


def listing_delist(*, listing, user):
    require_manage(user, listing.product.producer)
    listing.refresh_from_db()
    if not listing.can_transition(Listing.Status.DELISTED):
        raise DomainError(_("Chỉ gỡ được sản phẩm đang bán hoặc đang chờ sàn duyệt."), code="invalid_transition")
    if listing.account.is_feed or not listing.external_id:
        reason = _("Đã gỡ trên hệ thống; hãy gỡ cả trên trang của sàn nếu sản phẩm còn hiển thị.")
    else:
        _call_now(listing, ListingAttempt.Operation.DELIST, "delist", listing.external_id)
        reason = _("Đã gỡ khỏi sàn.")
    listing.transition(Listing.Status.DELISTED, reason=reason)
    return listing


def listing_update_price_stock(*, listing, user, price=None, stock=None):
    """New overrides; a live listing is updated on the marketplace at once."""
    require_manage(user, listing.product.producer)
    listing.refresh_from_db()
    if price is not None and price <= 0:
        raise DomainError(_("Giá phải lớn hơn 0."), fields={"price": [_("Giá phải lớn hơn 0.")]})
    if stock is not None and stock < 0:
        raise DomainError(_("Tồn kho không được âm."), fields={"stock": [_("Tồn kho không được âm.")]})
    if listing.status == Listing.Status.LIVE and listing.external_id and not listing.account.is_feed:
        _call_now(
            listing, ListingAttempt.Operation.UPDATE, "update_price_stock", listing.external_id,
            price=price if price is not None else listing.price,
            stock=stock if stock is not None else listing.stock,
        )
    listing.price_override = price
    listing.stock_override = stock
    listing.save(update_fields=["price_override", "stock_override", "updated_at"])
    return listing


def listing_mark_live_manually(*, listing, user, url):
    """Feed marketplaces: the onboarding team imported the spreadsheet; the producer pastes the
    product's address once it is on sale."""
    require_manage(user, listing.product.producer)
    listing.refresh_from_db()
    if not listing.account.is_feed:
        raise DomainError(_("Chỉ sàn nhập bằng tệp danh sách mới đánh dấu đang bán bằng tay."))
    try:
        url = connector_for(listing.account.marketplace).validate_product_url(url)
    except ConnectorError as exc:
        raise DomainError(exc.message, fields={"url": [exc.message]}) from exc
    if listing.status != Listing.Status.IN_REVIEW:
        raise DomainError(_("Hãy gửi sản phẩm vào tệp danh sách trước khi đánh dấu đang bán."), code="invalid_transition")
    listing.url = url
    listing.save(update_fields=["url", "updated_at"])
    listing.transition(Listing.Status.LIVE, reason=_("Người bán xác nhận sản phẩm đã lên sàn."))
    return listing
