"""Reads, scoped to what a user may see. Every view and API endpoint starts from these."""
from django.db.models import Count, OuterRef, Q, Subquery

from .models import Commune, Membership, OcopProduct, Producer

OFFICER_PERMISSION = "producers.act_as_officer"


def is_officer(user):
    return bool(user and user.is_authenticated and user.has_perm(OFFICER_PERMISSION))


def producers_for(user):
    """Producers the user may see: all of them for an officer, their own for a member, none otherwise."""
    if not user or not user.is_authenticated:
        return Producer.objects.none()
    if is_officer(user):
        return Producer.objects.all()
    return Producer.objects.filter(memberships__user=user)


def products_for(user):
    return OcopProduct.objects.filter(producer__in=producers_for(user)).select_related(
        "producer", "group", "producer__commune"
    )


def membership_of(user, producer):
    if not user or not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, producer=producer).first()


def producers_owned_by(user):
    if not user or not user.is_authenticated:
        return Producer.objects.none()
    return Producer.objects.filter(memberships__user=user, memberships__role=Membership.Role.OWNER)


def can_edit_producer(user, producer):
    """Members (owner or staff) edit their producer's products; officers edit any."""
    return is_officer(user) or membership_of(user, producer) is not None


def is_owner(user, producer):
    membership = membership_of(user, producer)
    return membership is not None and membership.role == Membership.Role.OWNER


def province_communes(province_code):
    return Commune.objects.filter(province_id=province_code).order_by("name")


def verification_queue():
    """Pending producers; `tax_code_holder_name`/`_id`: who already holds the tax code one claimed."""
    holder = Producer.objects.filter(tax_code=OuterRef("claimed_tax_code")).exclude(pk=OuterRef("pk"))
    return (
        Producer.objects.filter(status=Producer.Status.PENDING)
        .select_related("commune")
        .annotate(product_count=Count("products"),
                  tax_code_holder_name=Subquery(holder.values("name")[:1]),
                  tax_code_holder_id=Subquery(holder.values("pk")[:1]))
        .order_by("created_at")
    )


def filter_products(queryset, *, commune=None, group=None, stars=None, status=None, kind=None, q=None):
    if kind:
        queryset = queryset.filter(producer__kind=kind)
    if commune:
        queryset = queryset.filter(producer__commune_id=commune)
    if group:
        queryset = queryset.filter(group_id=group)
    if stars:
        queryset = queryset.filter(stars=stars)
    if status:
        queryset = queryset.filter(producer__status=status)
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(producer__name__icontains=q))
    return queryset


def filter_producers(queryset, *, commune=None, kind=None, status=None, q=None):
    if commune:
        queryset = queryset.filter(commune=commune)
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(tax_code__startswith=q) | Q(representative__icontains=q))
    return queryset


def portal_context(user):
    if not user.is_authenticated:
        return {}
    memberships = list(Membership.objects.filter(user=user).select_related("producer"))
    return {
        "user_is_officer": is_officer(user),
        "user_memberships": memberships,
    }
