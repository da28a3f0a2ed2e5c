"""The payments API: banks (read-only), a producer's bank accounts, payment codes with their images,
transactions (sales; manual entry), inbound events (read-only; unmatched transfers assigned or dismissed)."""
import django_filters
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from common.parsers import BoundedJSONParser
from producers.selectors import producers_for, products_for

from . import services
from .images import qr_png, qr_svg
from .labels import LAYOUT_A6, LAYOUTS, render_codes
from .models import Transaction
from .selectors import (
    active_banks,
    bank_accounts_for,
    filter_transactions,
    inbound_events_for,
    payment_codes_for,
    transactions_for,
    unmatched_transfers_for,
)
from .serializers import (
    AssignTransferInputSerializer,
    BankAccountInputSerializer,
    BankAccountOutputSerializer,
    BankAccountRejectInputSerializer,
    BankSerializer,
    DismissTransferInputSerializer,
    InboundEventSerializer,
    ManualSaleInputSerializer,
    PaymentCodeInputSerializer,
    PaymentCodeOutputSerializer,
    RejectSaleInputSerializer,
    TransactionOutputSerializer,
)


class _BinaryRenderer(BaseRenderer):
    charset = None
    format = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class PNGRenderer(_BinaryRenderer):
    media_type, format = "image/png", "png"


class SVGRenderer(_BinaryRenderer):
    media_type, format = "image/svg+xml", "svg"


class PDFRenderer(_BinaryRenderer):
    media_type, format = "application/pdf", "pdf"


def _file(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class BankViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BankSerializer
    lookup_field = "bin"
    search_fields = ["short_name", "name", "bin"]
    pagination_class = None

    def get_queryset(self):
        return active_banks()


class BankAccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                         viewsets.GenericViewSet):
    """A producer's accounts. DELETE archives: printed codes that point at the account stay readable.
    Adding, archiving and choosing the default are the owner's (producers.authority); an account
    whose number another producer holds, or whose holder does not fit, waits for an officer."""

    serializer_class = BankAccountOutputSerializer
    filterset_fields = ["producer"]

    def get_queryset(self):
        return bank_accounts_for(self.request.user).order_by("producer__name", "-is_default", "id")

    @extend_schema(request=BankAccountInputSerializer, responses={201: BankAccountOutputSerializer})
    def create(self, request):
        data = BankAccountInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        producer = get_object_or_404(producers_for(request.user), pk=values["producer"])
        bank = get_object_or_404(active_banks(), bin=values["bank"])
        account = services.bank_account_create(
            user=request.user, producer=producer, bank=bank, account_number=values["account_number"],
            holder_name=values["holder_name"], is_card=values["is_card"], is_default=values["is_default"],
        )
        return Response(BankAccountOutputSerializer(account).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.bank_account_archive(user=self.request.user, account=instance)

    @extend_schema(request=None, responses={200: BankAccountOutputSerializer})
    @action(detail=True, methods=["post"])
    def default(self, request, pk=None):
        """The owner makes this account the default: new labels pay into it. Every owner is told."""
        account = services.bank_account_set_default(user=request.user, account=self.get_object())
        return Response(BankAccountOutputSerializer(account).data)

    @extend_schema(request=None, responses={200: BankAccountOutputSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Officers: accept an account waiting in the queue (review_status pending)."""
        account = services.bank_account_approve(user=request.user, account=self.get_object())
        return Response(BankAccountOutputSerializer(account).data)

    @extend_schema(request=BankAccountRejectInputSerializer, responses={200: BankAccountOutputSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Officers: refuse an account waiting in the queue, with a reason the owners see."""
        data = BankAccountRejectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = services.bank_account_reject(
            user=request.user, account=self.get_object(), reason=data.validated_data["reason"])
        return Response(BankAccountOutputSerializer(account).data)


class PaymentCodeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PaymentCodeOutputSerializer
    filterset_fields = ["product", "bank_account"]
    search_fields = ["reference", "product__name"]

    def get_queryset(self):
        return payment_codes_for(self.request.user)

    def finalize_response(self, request, response, *args, **kwargs):
        # A client that asked only for the file still gets errors as the usual JSON body.
        if getattr(response, "exception", False) and isinstance(
            getattr(request, "accepted_renderer", None), _BinaryRenderer
        ):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(request=PaymentCodeInputSerializer, responses={201: PaymentCodeOutputSerializer})
    def create(self, request):
        data = PaymentCodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        product = get_object_or_404(products_for(request.user), pk=values["product"])
        account = None
        if values.get("bank_account"):
            account = get_object_or_404(bank_accounts_for(request.user), pk=values["bank_account"])
        code = services.payment_code_create(
            user=request.user, product=product, amount=values.get("amount"), bank_account=account
        )
        serializer = self.get_serializer(code)
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "image/png"): bytes})
    @action(detail=True, renderer_classes=[JSONRenderer, PNGRenderer], url_path="png")
    def png(self, request, pk=None):
        code = self.get_object()
        return _file(qr_png(code.payload), "image/png", f"vietqr-{code.reference}.png")

    @extend_schema(responses={(200, "image/svg+xml"): bytes})
    @action(detail=True, renderer_classes=[JSONRenderer, SVGRenderer], url_path="svg")
    def svg(self, request, pk=None):
        code = self.get_object()
        return _file(qr_svg(code.payload), "image/svg+xml", f"vietqr-{code.reference}.svg")

    @extend_schema(
        parameters=[OpenApiParameter("layout", enum=list(LAYOUTS), default=LAYOUT_A6)],
        responses={(200, "application/pdf"): bytes},
    )
    @action(detail=True, renderer_classes=[JSONRenderer, PDFRenderer], url_path="pdf")
    def pdf(self, request, pk=None):
        code = self.get_object()
        layout = request.query_params.get("layout", LAYOUT_A6)
        if layout not in LAYOUTS:
            layout = LAYOUT_A6
        return _file(render_codes([code], layout=layout), "application/pdf", f"nhan-{code.reference}-{layout}.pdf")


class TransactionFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(method="filter_from", label="occurred on or after (YYYY-MM-DD)")
    date_to = django_filters.DateFilter(method="filter_to", label="occurred on or before (YYYY-MM-DD)")

    class Meta:
        model = Transaction
        fields = ["product", "producer", "source", "status", "marketplace"]

    def filter_from(self, queryset, name, value):
        return filter_transactions(queryset, date_from=value)

    def filter_to(self, queryset, name, value):
        return filter_transactions(queryset, date_to=value)


class TransactionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sales, scoped to the producers the user sees. POST records a manual (self-reported) sale;
    officers confirm or reject self-reported sales."""

    serializer_class = TransactionOutputSerializer
    filterset_class = TransactionFilter
    ordering_fields = ["occurred_at", "amount", "quantity"]
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return transactions_for(self.request.user)

    @extend_schema(request=ManualSaleInputSerializer, responses={201: TransactionOutputSerializer})
    def create(self, request):
        data = ManualSaleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        product = get_object_or_404(products_for(request.user), pk=values["product"])
        tx = services.manual_sale_create(
            user=request.user, product=product, quantity=values["quantity"], amount=values["amount"],
            occurred_at=values["occurred_at"], evidence=values.get("evidence"), note=values["note"],
        )
        return Response(self.get_serializer(tx).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: TransactionOutputSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        tx = services.manual_sale_confirm(user=request.user, transaction_obj=self.get_object())
        return Response(self.get_serializer(tx).data)

    @extend_schema(request=RejectSaleInputSerializer, responses={200: TransactionOutputSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = RejectSaleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tx = services.manual_sale_reject(
            user=request.user, transaction_obj=self.get_object(), reason=data.validated_data["reason"]
        )
        return Response(self.get_serializer(tx).data)


class InboundEventViewSet(viewsets.ReadOnlyModelViewSet):
    """Webhook events, scoped: officers all, members those tied to their producers. `assign` and
    `dismiss` resolve an unmatched bank transfer (state no_match)."""

    serializer_class = InboundEventSerializer
    filterset_fields = ["provider", "state", "producer"]

    def get_queryset(self):
        return inbound_events_for(self.request.user)

    def _open_transfer(self):
        return get_object_or_404(unmatched_transfers_for(self.request.user), pk=self.kwargs["pk"])

    @extend_schema(request=AssignTransferInputSerializer, responses={201: TransactionOutputSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        event = self._open_transfer()
        data = AssignTransferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = get_object_or_404(products_for(request.user), pk=data.validated_data["product"])
        tx = services.unmatched_assign(
            user=request.user, event=event, product=product, quantity=data.validated_data.get("quantity"),
        )
        return Response(TransactionOutputSerializer(tx, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=DismissTransferInputSerializer, responses={200: InboundEventSerializer})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        event = self._open_transfer()
        data = DismissTransferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.unmatched_dismiss(user=request.user, event=event, note=data.validated_data["note"])
        return Response(self.get_serializer(event).data)
