from django.urls import reverse
from rest_framework import serializers

from common.money import MoneySerializerField
from common.numbers import WholeNumberSerializerField
from common.serializers import StrictCharField, StrictModelSerializer, StrictSerializer

from .models import Bank, BankAccount, PaymentCode


class BankSerializer(StrictModelSerializer):
    class Meta:
        model = Bank
        fields = ["bin", "short_name", "name"]


class BankAccountOutputSerializer(StrictModelSerializer):
    bank = BankSerializer()

    class Meta:
        model = BankAccount
        fields = ["id", "producer", "bank", "account_number", "is_card", "holder_name", "is_default", "is_active",
                  "review_status", "review_reason", "review_note", "created_at"]


class BankAccountInputSerializer(StrictSerializer):
    producer = serializers.IntegerField()
    bank = StrictCharField(max_length=6, help_text="NAPAS BIN, 6 digits")
    account_number = StrictCharField(max_length=25)
    is_card = serializers.BooleanField(default=False)
    holder_name = StrictCharField(max_length=70)
    is_default = serializers.BooleanField(required=False, allow_null=True, default=None)


class BankAccountRejectInputSerializer(StrictSerializer):
    reason = StrictCharField(required=False, allow_blank=True, max_length=300, default="")


class PaymentCodeInputSerializer(StrictSerializer):
    product = serializers.IntegerField()
    amount = MoneySerializerField(required=False, allow_null=True, min_value=1)
    bank_account = serializers.IntegerField(required=False, allow_null=True)


class PaymentCodeOutputSerializer(StrictModelSerializer):
    product_name = StrictCharField(source="product.name")
    producer = serializers.IntegerField(source="product.producer_id")
    bank_account = BankAccountOutputSerializer()
    purpose = StrictCharField()
    payload = StrictCharField()
    initiation = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = PaymentCode
        fields = [
            "id", "reference", "product", "product_name", "producer", "bank_account", "amount", "initiation",
            "purpose", "payload", "links", "created_at",
        ]

    def get_initiation(self, code) -> str:
        return "static" if code.is_static else "dynamic"

    def get_links(self, code) -> dict:
        request = self.context["request"]
        return {
            kind: request.build_absolute_uri(reverse(f"payment-code-{kind}", args=[code.pk]))
            for kind in ("png", "svg", "pdf")
        }


class TransactionOutputSerializer(StrictModelSerializer):
    product_name = StrictCharField(source="product.name")
    self_reported = serializers.BooleanField(source="is_self_reported")
    evidence = serializers.SerializerMethodField()

    class Meta:
        from .models import Transaction

        model = Transaction
        fields = [
            "id", "product", "product_name", "producer", "source", "marketplace", "marketplace_account", "listing",
            "payment_code", "external_id", "quantity", "amount", "occurred_at", "status", "note", "self_reported",
            "confirmed_at", "rejected_at", "evidence", "created_at", "updated_at",
        ]

    def get_evidence(self, tx) -> str | None:
        if not tx.evidence:
            return None
        return self.context["request"].build_absolute_uri(reverse("payments:transaction_evidence", args=[tx.pk]))


class ManualSaleInputSerializer(StrictSerializer):
    product = serializers.IntegerField()
    quantity = WholeNumberSerializerField(min_value=1, max_value=1_000_000)
    amount = MoneySerializerField(min_value=0)
    occurred_at = serializers.DateTimeField()
    evidence = serializers.FileField(required=False, allow_null=True)
    note = StrictCharField(required=False, allow_blank=True, max_length=500, default="")


class InboundEventSerializer(StrictModelSerializer):
    class Meta:
        from .models import InboundEvent

        model = InboundEvent
        fields = [
            "id", "provider", "state", "signature_valid", "received_at", "processed_at", "note", "duplicate_of",
            "deliveries", "last_delivered_at", "producer", "bank_account", "external_id", "account_number", "amount",
            "content", "occurred_at", "resolved_at",
        ]


class AssignTransferInputSerializer(StrictSerializer):
    product = serializers.IntegerField()
    quantity = WholeNumberSerializerField(min_value=1, max_value=1_000_000, required=False, allow_null=True)


class DismissTransferInputSerializer(StrictSerializer):
    note = StrictCharField(required=False, allow_blank=True, max_length=300, default="")


class RejectSaleInputSerializer(StrictSerializer):
    reason = StrictCharField(required=False, allow_blank=True, max_length=300, default="")
