"""Reads, scoped through producers.selectors: a user sees the payment data of the producers they see."""
from datetime import datetime, time, timedelta

from django.db.models import Count, Sum
from django.utils import timezone

from producers.selectors import is_officer, producers_for, products_for

from .models import Bank, BankAccount, InboundEvent, PaymentCode, Transaction


def active_banks():
    return Bank.objects.filter(is_active=True).order_by("short_name")


def bank_accounts_for(user, *, include_archived=False):
    queryset = BankAccount.objects.filter(producer__in=producers_for(user)).select_related("bank", "producer")
    if not include_archived:
        queryset = queryset.filter(is_active=True)
    return queryset


def payment_codes_for(user):
    return PaymentCode.objects.filter(product__producer__in=producers_for(user)).select_related(
        "product__producer", "bank_account__bank", "created_by"
    )


def printable_products_for(user):
    """Products whose producer has an active bank account: only those can get a code."""
    return products_for(user).filter(producer__bank_accounts__is_active=True).distinct().order_by(
        "producer__name", "name"
    )


# --- Sales and inbound events ---------------------------------------------------------------------

def transactions_for(user):
    return Transaction.objects.filter(producer__in=producers_for(user)).select_related(
        "product", "producer", "marketplace_account", "payment_code", "recorded_by", "confirmed_by",
    )


def filter_transactions(queryset, *, product=None, producer=None, source=None, status=None, marketplace=None,
                        date_from=None, date_to=None):
    """`date_from`/`date_to` are dates, both included, in the site's time zone."""
    if product:
        queryset = queryset.filter(product=product)
    if producer:
        queryset = queryset.filter(producer=producer)
    if source:
        queryset = queryset.filter(source=source)
    if status:
        queryset = queryset.filter(status=status)
    if marketplace:
        queryset = queryset.filter(marketplace=marketplace)
    if date_from:
        queryset = queryset.filter(occurred_at__gte=_start_of(date_from))
    if date_to:
        queryset = queryset.filter(occurred_at__lt=_start_of(date_to + timedelta(days=1)))
    return queryset


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def sales_totals(queryset):
    """Counted sales only (status completed): number of sales, quantity, amount."""
    totals = queryset.filter(status=Transaction.Status.COMPLETED).aggregate(
        count=Count("id"), quantity=Sum("quantity"), amount=Sum("amount"),
    )
    return {key: value or 0 for key, value in totals.items()}


def totals_by_source(queryset):
    rows = (queryset.filter(status=Transaction.Status.COMPLETED).values("source")
            .annotate(count=Count("id"), quantity=Sum("quantity"), amount=Sum("amount")).order_by("source"))
    labels = dict(Transaction.Source.choices)
    return [{**row, "label": labels.get(row["source"], row["source"])} for row in rows]


def pending_manual_sales():
    """Officers' confirmation list: self-reported sales not yet confirmed or rejected."""
    return Transaction.objects.filter(
        source=Transaction.Source.MANUAL, confirmed_at__isnull=True, rejected_at__isnull=True,
    ).select_related("product", "producer", "recorded_by").order_by("occurred_at", "id")


def inbound_events_for(user):
    """Officers see every event; members see those tied to their producers (a receiving bank account
    of theirs, or a sale of their product)."""
    queryset = InboundEvent.objects.select_related("producer", "bank_account__bank")
    if is_officer(user):
        return queryset
    return queryset.filter(producer__in=producers_for(user))


def unmatched_transfers_for(user):
    return inbound_events_for(user).filter(
        provider__in=InboundEvent.BANK_PROVIDERS, state=InboundEvent.State.NO_MATCH, producer__isnull=False,
    ).order_by("-occurred_at", "-id")
