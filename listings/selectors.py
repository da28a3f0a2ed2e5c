"""Reads, scoped through producers.selectors: another producer's shop or listing is never seen."""
from django.db.models import Count, Q

from producers.selectors import producers_for, products_for

from .models import Listing, ListingAttempt, MarketplaceAccount


def accounts_for(user):
    return MarketplaceAccount.objects.filter(producer__in=producers_for(user)).select_related("producer")


def listings_for(user):
    return Listing.objects.filter(product__producer__in=producers_for(user)).select_related(
        "product", "product__producer", "product__group", "account"
    )


def publishable_products_for(user):
    return products_for(user).order_by("producer__name", "name")


def filter_listings(queryset, *, status=None, product=None, account=None, marketplace=None, q=None):
    if status:
        queryset = queryset.filter(status=status)
    if product:
        queryset = queryset.filter(product_id=product)
    if account:
        queryset = queryset.filter(account_id=account)
    if marketplace:
        queryset = queryset.filter(account__marketplace=marketplace)
    if q:
        queryset = queryset.filter(Q(product__name__icontains=q) | Q(external_id__icontains=q))
    return queryset


def attempts_of(listing, limit=100):
    return ListingAttempt.objects.filter(listing=listing).order_by("-created_at", "-id")[:limit]


def status_counts(queryset):
    return dict(queryset.values_list("status").annotate(n=Count("id")).order_by())


def accounts_expiring(user):
    return [account for account in accounts_for(user) if account.expires_within()]


def feed_listings(account):
    """What goes into a feed marketplace's spreadsheet: listings waiting for the onboarding team."""
    return (
        Listing.objects.filter(account=account, status__in=[Listing.Status.IN_REVIEW, Listing.Status.LIVE])
        .select_related("product", "product__producer", "product__group")
        .prefetch_related("product__photos")
        .order_by("product__name")
    )


def manageable_producers(user):
    """Producers whose shops and listings the user may change (members; officers only look)."""
    from producers.models import Producer

    if not user or not user.is_authenticated:
        return Producer.objects.none()
    if user.is_superuser:
        return Producer.objects.all()
    return Producer.objects.filter(memberships__user=user).distinct()
