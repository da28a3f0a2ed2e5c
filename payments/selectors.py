"""Reads, scoped through producers.selectors: a user sees the payment data of the producers they see."""
from producers.selectors import producers_for, products_for

from .models import Bank, BankAccount, PaymentCode


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
