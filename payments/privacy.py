"""Payments' part of a producer's personal data: bank accounts, payment codes, sales and the
notifications behind them (bank transfers, marketplace order pushes). On erasure the account
numbers, holder names, transfer memos, raw bodies and receipt files go; the sales stay with their
products, amounts, dates and sources."""
import hashlib

from django.db.models import CharField, FileField, Q, Value
from django.db.models.functions import Cast, Concat

from common import privacy
from listings.models import MarketplaceAccount
from marketplace.connectors.registry import UnknownConnector, get_connector

from . import channels
from .models import BankAccount, InboundEvent, PaymentCode, Transaction

BANK_ACCOUNT_PERSONAL_FIELDS = ("account_number", "holder_name", "review_reason", "review_note")


def _fields(model, names):
    present = {f.name for f in model._meta.concrete_fields}
    return [name for name in names if name in present]


def _shop_named_by(event):
    """The shop a marketplace push names, as the marketplace's connector reads its body."""
    try:
        pushes = get_connector(event.provider).parse_push(event.body.encode())
    except (UnknownConnector, ValueError):
        return None
    return pushes[0].shop_id if pushes else None


class PaymentsData(privacy.PersonalData):
    identifier = "payments"

    def _events(self, numbers=()):
        """The producer's events and their repeated deliveries, and those never tied to any
        producer that name one of its account numbers (bank) or shops (marketplace pushes)."""
        producer = self.producer
        tied = Q(producer=producer) | Q(bank_account__producer=producer) | Q(duplicate_of__producer=producer)
        pks = set(InboundEvent.objects.filter(tied).values_list("pk", flat=True))
        untied = InboundEvent.objects.filter(producer__isnull=True)
        for number in numbers:
            pks.update(untied.filter(Q(account_number=number) | Q(body__contains=number),
                                     provider__in=channels.bank_codes()).values_list("pk", flat=True))
        shops = set(MarketplaceAccount.objects.filter(producer=producer).values_list("marketplace", "shop_id"))
        for marketplace, shop_id in shops:
            for event in untied.filter(provider=marketplace, body__contains=shop_id):
                if (event.provider, _shop_named_by(event)) in shops:
                    pks.add(event.pk)
        return InboundEvent.objects.filter(pk__in=pks)

    def export(self):
        producer = self.producer
        return {
            "bank_accounts": privacy.rows(
                BankAccount.objects.filter(producer=producer).select_related("bank"),
                [("bank", lambda a: a.bank.short_name), "account_number", "holder_name", "is_card", "is_default",
                 "is_active", "created_at"]),
            "payment_codes": privacy.rows(
                PaymentCode.objects.filter(product__producer=producer).select_related("product", "bank_account"),
                ["reference", ("product", lambda c: c.product.name), "amount",
                 ("account_number", lambda c: c.bank_account.account_number), "created_at"]),
            "transactions": privacy.rows(
                Transaction.objects.filter(producer=producer).select_related("product"),
                ["id", ("product", lambda t: t.product.name), "source", "marketplace", "external_id", "quantity",
                 "amount", "occurred_at", "status", "note", "evidence", "confirmed_at"]),
            "inbound_events": privacy.rows(
                InboundEvent.objects.filter(producer=producer),
                ["id", "provider", "received_at", "state", "external_id", "amount", "account_number", "content",
                 "occurred_at", "note"]),
        }

    def erase(self):
        producer = self.producer
        accounts = list(BankAccount.objects.filter(producer=producer).select_related("bank"))
        numbers = [a.account_number for a in accounts if len(a.account_number) >= 6]

        events = self._events(numbers)
        for event in events.exclude(dedup_key=""):
            if any(number in event.dedup_key for number in numbers):
                digest = hashlib.sha256(event.dedup_key.encode()).hexdigest()
                InboundEvent.objects.filter(pk=event.pk).update(dedup_key=f"da-xoa:{digest}")
        events.update(body="", headers={}, content="", account_number="", note="", error="")

        # Notes, receipts and bank scopes are not read by the dashboard's summary tables, so these
        # bulk updates leave every figure as it was.
        sales = Transaction.objects.filter(producer=producer)
        file_fields = [f.name for f in Transaction._meta.concrete_fields if isinstance(f, FileField)]
        for sale in sales.only("pk", *file_fields):
            for name in file_fields:
                self.subject.delete_after_commit(getattr(sale, name))
        sales.update(note="", **dict.fromkeys(file_fields, ""))
        sales.filter(source=Transaction.Source.BANK_TRANSFER).update(
            dedup_scope=Concat(Value("bank:da-xoa-"), Cast("pk", CharField())))

        blanks = dict.fromkeys(_fields(BankAccount, BANK_ACCOUNT_PERSONAL_FIELDS[1:]), "")
        for account in accounts:
            BankAccount.objects.filter(pk=account.pk).update(
                account_number=f"DAXOA{account.pk}", is_active=False, is_default=False, **blanks)
            privacy.scrub_audit_entries(
                BankAccount, [account.pk], fields=BANK_ACCOUNT_PERSONAL_FIELDS,
                object_repr=f"{account.bank.short_name} {privacy.ERASED}")
