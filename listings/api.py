"""The listings API: thin views over the services; every queryset scoped to the user."""
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from common.exceptions import DomainError
from common.money import MoneySerializerField
from common.numbers import WholeNumberSerializerField, query_id
from common.serializers import StrictCharField, StrictModelSerializer, StrictSerializer
from marketplace.connectors import registry
from producers.selectors import producers_for, products_for

from . import selectors, services
from .models import Listing, ListingAttempt, MarketplaceAccount


class AccountOutput(StrictModelSerializer):
    marketplace_name = StrictCharField(source="get_marketplace_display", read_only=True)
    reauthorize_by = serializers.DateTimeField(read_only=True)
    expires_soon = serializers.SerializerMethodField()

    class Meta:
        model = MarketplaceAccount
        # Never the tokens.
        fields = ["id", "producer", "marketplace", "marketplace_name", "shop_id", "shop_name", "status",
                  "status_message", "access_expires_at", "refresh_expires_at", "reauthorize_by",
                  "expires_soon", "last_order_sync_at", "connected_at"]

    def get_expires_soon(self, account) -> bool:
        return account.expires_within()


class AccountInput(StrictSerializer):
    producer = serializers.IntegerField()
    marketplace = serializers.ChoiceField(
        choices=[],
        help_text="sandbox, postmart or voso; Shopee, Lazada and Tiki are authorised in the portal.",
    )
    shop_name = StrictCharField(required=False, allow_blank=True, max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the marketplaces connected at once (no consent page), as enabled in settings
        self.fields["marketplace"].choices = registry.codes(auth="api_key") + registry.codes(auth="feed")


class MarketplaceAccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AccountOutput
    filterset_fields = ["marketplace", "status", "producer"]

    def get_queryset(self):
        return selectors.accounts_for(self.request.user).order_by("id")

    @extend_schema(request=AccountInput, responses={201: AccountOutput})
    def create(self, request):
        data = AccountInput(data=request.data)
        data.is_valid(raise_exception=True)
        producer = get_object_or_404(producers_for(request.user), pk=data.validated_data["producer"])
        account = services.account_connect(
            producer=producer, user=request.user, marketplace=data.validated_data["marketplace"],
            shop_name=data.validated_data.get("shop_name", ""),
        )
        return Response(AccountOutput(account).data, status=status.HTTP_201_CREATED)


class ListingOutput(StrictModelSerializer):
    product_name = StrictCharField(source="product.name", read_only=True)
    sku = StrictCharField(source="product.sku", read_only=True)
    marketplace = StrictCharField(source="account.marketplace", read_only=True)
    marketplace_account = serializers.IntegerField(source="account_id", read_only=True)
    status_name = StrictCharField(source="get_status_display", read_only=True)
    price = serializers.IntegerField(read_only=True)
    stock = serializers.IntegerField(read_only=True)

    class Meta:
        model = Listing
        fields = ["id", "product", "product_name", "sku", "marketplace_account", "marketplace", "price",
                  "stock", "price_override", "stock_override", "status", "status_name", "status_message",
                  "external_id", "url", "status_changed_at", "live_since", "delisted_at", "created_at"]


class ListingInput(StrictSerializer):
    product = serializers.IntegerField()
    marketplace_account = serializers.IntegerField()
    price_override = MoneySerializerField(required=False, allow_null=True, min_value=1)
    stock_override = WholeNumberSerializerField(required=False, allow_null=True, min_value=0)


class AttemptOutput(StrictModelSerializer):
    class Meta:
        model = ListingAttempt
        fields = ["id", "operation", "call", "method", "url", "request_summary", "response", "error",
                  "status_code", "duration_ms", "created_at"]


class ListingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ListingOutput
    filterset_fields = {"status": ["exact"], "product": ["exact"], "account": ["exact"]}
    ordering_fields = ["updated_at", "status_changed_at", "id"]

    def get_queryset(self):
        queryset = selectors.listings_for(self.request.user).order_by("-id")
        # `marketplace_account` is the public name of the account filter.
        account = query_id(self.request.query_params.get("marketplace_account"))
        if account is not None:
            queryset = queryset.filter(account_id=account)
        return queryset

    @extend_schema(request=ListingInput, responses={201: ListingOutput})
    def create(self, request):
        data = ListingInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        product = products_for(request.user).filter(pk=values["product"]).first()
        if product is None:
            raise DomainError(_("Không tìm thấy sản phẩm."), fields={"product": [_("Không tìm thấy sản phẩm.")]})
        account = selectors.accounts_for(request.user).filter(pk=values["marketplace_account"]).first()
        if account is None:
            raise DomainError(
                _("Không tìm thấy gian hàng."), fields={"marketplace_account": [_("Không tìm thấy gian hàng.")]}
            )
        listing = services.listing_create(
            product=product, account=account, user=request.user,
            price_override=values.get("price_override"), stock_override=values.get("stock_override"),
        )
        return Response(ListingOutput(listing).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: ListingOutput})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        listing = services.listing_publish(listing=self.get_object(), user=request.user)
        listing.refresh_from_db()
        return Response(ListingOutput(listing).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: ListingOutput})
    @action(detail=True, methods=["post"])
    def delist(self, request, pk=None):
        listing = services.listing_delist(listing=self.get_object(), user=request.user)
        return Response(ListingOutput(listing).data)

    @extend_schema(responses={200: AttemptOutput(many=True)})
    @action(detail=True, methods=["get"])
    def attempts(self, request, pk=None):
        listing = self.get_object()
        return Response(AttemptOutput(selectors.attempts_of(listing), many=True).data)
