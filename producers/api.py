from django import forms
from django.conf import settings
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from common.parsers import BoundedJSONParser

from . import selectors, services
from .models import OcopProduct, Producer, ProductGroup, ProductPhoto
from .serializers import (
    CommuneSerializer,
    InvitationInputSerializer,
    InvitationOutputSerializer,
    MembershipSerializer,
    OcopProductSerializer,
    OcopProductUpdateSerializer,
    ProducerSerializer,
    ProducerStatusSerializer,
    ProductGroupSerializer,
    ProductPhotoSerializer,
)


class ProducerFilter(filters.FilterSet):
    class Meta:
        model = Producer
        fields = ["kind", "status", "commune"]


class ProducerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                      viewsets.GenericViewSet):
    """Producers the caller may see: their own as a member, the whole province as an officer.

    New producers come from the sign-up page or the OCOP list import."""

    serializer_class = ProducerSerializer
    filterset_class = ProducerFilter
    search_fields = ["name", "tax_code", "representative"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return selectors.producers_for(self.request.user).select_related("commune").order_by("name")

    def perform_update(self, serializer):
        services.producer_update(producer=serializer.instance, user=self.request.user, **serializer.validated_data)

    @extend_schema(request=ProducerStatusSerializer, responses=ProducerSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Officers verify, suspend or reinstate a producer."""
        producer = self.get_object()
        data = ProducerStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.producer_set_status(producer=producer, user=request.user, **data.validated_data)
        return Response(ProducerSerializer(producer).data)

    @extend_schema(responses=MembershipSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def members(self, request, pk=None):
        producer = self.get_object()
        memberships = producer.memberships.select_related("user").order_by("role", "created_at")
        return Response(MembershipSerializer(memberships, many=True).data)

    @extend_schema(request=InvitationInputSerializer, responses={201: InvitationOutputSerializer})
    @action(detail=True, methods=["post"])
    def invitations(self, request, pk=None):
        """An owner invites a staff member; the answer carries the link to pass on."""
        producer = self.get_object()
        data = InvitationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(producer=producer, user=request.user, email=data.validated_data["email"])
        link = request.build_absolute_uri(reverse("portal:invitation_link", args=[invitation.token]))
        services.invitation_send(invitation=invitation, link=link)
        body = {"id": invitation.id, "email": invitation.email, "role": invitation.role,
                "expires_at": invitation.expires_at, "accept_url": link}
        return Response(InvitationOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class IntegerFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class ProductFilter(filters.FilterSet):
    commune = IntegerFilter(field_name="producer__commune", min_value=0, max_value=2**31 - 1)
    stars = filters.TypedChoiceFilter(choices=[(3, "3"), (4, "4"), (5, "5")], coerce=int)

    class Meta:
        model = OcopProduct
        fields = ["producer", "group", "stars", "commune"]


class OcopProductViewSet(viewsets.ModelViewSet):
    serializer_class = OcopProductSerializer
    parser_classes = [BoundedJSONParser]  # photos go through /api/products/{id}/photos/ (multipart)
    filterset_class = ProductFilter
    search_fields = ["name", "producer__name"]
    ordering_fields = ["name", "price", "stars", "created_at"]

    def get_queryset(self):
        return selectors.products_for(self.request.user).prefetch_related("photos").order_by("name")

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return OcopProductUpdateSerializer
        return OcopProductSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        producer = data.pop("producer")
        serializer.instance = services.product_create(producer=producer, user=self.request.user, **data)

    def perform_update(self, serializer):
        services.product_update(product=serializer.instance, user=self.request.user, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.product_delete(product=instance, user=self.request.user)


class ProductPhotoViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
                          viewsets.GenericViewSet):
    """Photos of one product: upload (multipart field `file`), list, delete."""

    serializer_class = ProductPhotoSerializer
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]
    pagination_class = None

    def _product(self):
        return get_object_or_404(selectors.products_for(self.request.user), pk=self.kwargs["product_pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProductPhoto.objects.none()
        return ProductPhoto.objects.filter(product=self._product())

    def create(self, request, *args, **kwargs):
        product = self._product()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = services.photo_add(product=product, user=request.user, upload=serializer.validated_data["file"])
        return Response(self.get_serializer(photo).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.photo_delete(photo=instance, user=self.request.user)


class CommuneViewSet(viewsets.ReadOnlyModelViewSet):
    """Communes of the deployment's province (structure since 1 July 2025)."""

    serializer_class = CommuneSerializer
    pagination_class = None
    lookup_field = "code"
    search_fields = ["name"]

    def get_queryset(self):
        return selectors.province_communes(settings.OCOP_PROVINCE_CODE)


class ProductGroupViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProductGroupSerializer
    queryset = ProductGroup.objects.all()
    pagination_class = None
