"""Reads, scoped through producers.selectors: a user sees the payment data of the producers they see."""
from datetime import datetime, time, timedelta

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from producers.selectors import is_officer, producers_for, products_for

from . import channels
from .models import Bank, BankAccount, InboundEvent, PaymentCode, Transaction


def active_banks():
    return Bank.objects.filter(is_active=True).order_by("short_name")


def bank_accounts_for(user, *, include_archived=False):
    queryset = BankAccount.objects.filter(producer__in=producers_for(user)).select_related("bank", "producer")
    if not include_archived:
        queryset = queryset.filter(is_active=True)
    return queryset


def usable_bank_accounts(queryset):
    """Accounts a code may pay into: active and approved (not waiting for, or refused by, an officer)."""
    return queryset.filter(is_active=True, review_status=BankAccount.Review.APPROVED)


def bank_accounts_to_review():
    """The officers' queue: accounts waiting because another producer holds the number, or the holder
    name does not fit the producer."""
    return BankAccount.objects.filter(is_active=True, review_status=BankAccount.Review.PENDING).select_related(
        "bank", "producer", "created_by").order_by("created_at", "id")


def number_holders(account):
    """Other producers' accounts with the same bank and number (for the officer deciding a claim)."""
    return list(BankAccount.objects.filter(bank_id=account.bank_id, account_number=account.account_number)
                .exclude(pk=account.pk).select_related("producer").order_by("-is_active", "created_at"))


PAYOUT_HISTORY_DAYS = 90


def payout_changes(producers, *, days=PAYOUT_HISTORY_DAYS, limit=20):
    """Recent changes to where the producers' money goes, from the audit log, newest first:
    dicts of when, who (the actor), the account and what was done, as sentences for the owners."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    accounts = {a.pk: a for a in BankAccount.objects.filter(producer__in=producers).select_related("bank", "producer")}
    if not accounts:
        return []
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(BankAccount), object_pk__in=[str(pk) for pk in accounts],
        timestamp__gte=timezone.now() - timedelta(days=days),
    ).select_related("actor").order_by("-timestamp", "-pk")[:limit]
    rows = []
    for entry in entries:
        action = _payout_action(entry)
        if action:
            rows.append({"when": entry.timestamp, "actor": entry.actor, "account": accounts[int(entry.object_pk)],
                         "action": action})
    return rows


def _payout_action(entry):
    from auditlog.models import LogEntry

    if entry.action == LogEntry.Action.CREATE:
        return _("Thêm tài khoản")
    changes = entry.changes_dict or {}

    def became(field, value):
        return field in changes and str(changes[field][1]) == value

    if became("is_active", "False"):
        return _("Xoá tài khoản")
    if became("is_active", "True"):
        return _("Thêm lại tài khoản")
    if became("review_status", BankAccount.Review.APPROVED):
        return _("Cán bộ Sở xác nhận tài khoản")
    if became("review_status", BankAccount.Review.REJECTED):
        return _("Cán bộ Sở từ chối tài khoản")
    if became("is_default", "True"):
        return _("Đặt làm tài khoản mặc định")
    return ""


def payment_codes_for(user):
    return PaymentCode.objects.filter(product__producer__in=producers_for(user)).select_related(
        "product__producer", "bank_account__bank", "created_by"
    )


def printable_products_for(user):
    """Products whose producer has an active bank account: only those can get a code."""
    return products_for(user).filter(
        producer__bank_accounts__is_active=True, producer__bank_accounts__review_status=BankAccount.Review.APPROVED,
    ).distinct().order_by(
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
        provider__in=channels.bank_codes(), state=InboundEvent.State.NO_MATCH, producer__isnull=False,
    ).order_by("-occurred_at", "-id")
