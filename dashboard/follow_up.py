"""Follow-up lists for the department: who to call. Products not listed, listed without a sale
for 90 days, certificates expiring, producers not verified; each scoped like the figures."""
import datetime as dt

from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from listings.models import Listing
from producers.models import Producer
from producers.selectors import producers_for

from .models import ProductSales
from .periods import today
from .selectors import FOLLOW_UP_DAYS, FOLLOW_UP_PAGE_LIMIT, Filters, certificate_valid_on, scoped_products


def not_listed(*, user, filters=Filters()):
    """Products with a valid certificate today and no listing live now."""
    live = Listing.objects.filter(product=OuterRef("pk"), status=Listing.Status.LIVE)
    return (scoped_products(user, filters).filter(certificate_valid_on(today()))
            .filter(~Exists(live)).select_related("producer", "producer__commune", "group")
            .order_by("producer__name", "name"))


def listed_without_sales(*, user, filters=Filters(), days=FOLLOW_UP_DAYS):
    """Products live on a marketplace for at least `days` days with no counted marketplace order in
    the last `days` days; with the date of their last one, if any. The last sale is the product's
    ProductSales row (kept on write), so the list reads no transaction."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    live_long = Listing.objects.filter(status=Listing.Status.LIVE, live_since__lte=cutoff).values("product_id")
    sold_recently = ProductSales.objects.filter(last_marketplace_sale_at__gte=cutoff).values("product_id")
    return (scoped_products(user, filters).filter(pk__in=live_long).exclude(pk__in=sold_recently)
            .annotate(last_sale_at=Subquery(ProductSales.objects.filter(product_id=OuterRef("pk"))
                                            .values("last_marketplace_sale_at")),
                      live_since=Subquery(Listing.objects.filter(product=OuterRef("pk"), status=Listing.Status.LIVE)
                                          .order_by("live_since").values("live_since")[:1]))
            .select_related("producer", "producer__commune", "group").order_by("producer__name", "name"))


def certificates_expiring(*, user, filters=Filters(), days=FOLLOW_UP_DAYS):
    start = today()
    return (scoped_products(user, filters)
            .filter(certificate_expiry__gte=start, certificate_expiry__lte=start + dt.timedelta(days=days))
            .select_related("producer", "producer__commune", "group").order_by("certificate_expiry", "name"))


def producers_not_verified(*, user, filters=Filters()):
    queryset = producers_for(user).exclude(status=Producer.Status.VERIFIED)
    if filters.commune:
        queryset = queryset.filter(commune_id=filters.commune)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.group or filters.stars:
        queryset = queryset.filter(pk__in=scoped_products(user, filters).values("producer_id"))
    return queryset.select_related("commune").annotate(product_count=Count("products")).order_by("created_at", "name")


FOLLOW_UPS = {
    "not_listed": (gettext_lazy("Sản phẩm chưa lên sàn"), not_listed),
    "no_sales": (gettext_lazy("Đã lên sàn nhưng 90 ngày chưa có đơn"), listed_without_sales),
    "expiring": (gettext_lazy("Chứng nhận hết hạn trong 90 ngày tới"), certificates_expiring),
    "not_verified": (gettext_lazy("Chủ thể chưa được xác minh"), producers_not_verified),
}


def follow_ups(*, user, filters=Filters(), limit=FOLLOW_UP_PAGE_LIMIT):
    """Each list's first `limit` rows and its full count."""
    result = {}
    for key, (title, selector) in FOLLOW_UPS.items():
        queryset = selector(user=user, filters=filters)
        result[key] = {"title": title, "count": queryset.count(),
                       "items": list(queryset[:limit]) if limit else list(queryset)}
    return result
