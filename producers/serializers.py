from django.conf import settings
from django.core.exceptions import ValidationError
from rest_framework import serializers

from common.money import MoneySerializerField
from common.numbers import WholeNumberSerializerField
from common.phones import normalize_phone
from common.serializers import (
    StrictCharField,
    StrictEmailField,
    StrictModelSerializer,
    StrictSerializer,
)

from .models import Commune, Membership, OcopProduct, Producer, ProductGroup, ProductPhoto
from .selectors import is_officer, producers_for
from .validators import validate_tax_code


class CommuneSerializer(StrictModelSerializer):
    class Meta:
        model = Commune
        fields = ["code", "name", "division_type", "province"]


class ProductGroupSerializer(StrictModelSerializer):
    class Meta:
        model = ProductGroup
        fields = ["code", "name", "is_active"]


class ProducerSerializer(StrictModelSerializer):
    commune = serializers.PrimaryKeyRelatedField(
        queryset=Commune.objects.all(), allow_null=True, required=False
    )
    commune_name = StrictCharField(source="commune.name", read_only=True, allow_null=True)
    status = StrictCharField(read_only=True)
    status_display = StrictCharField(source="get_status_display", read_only=True)

    class Meta:
        model = Producer
        fields = [
            "id", "kind", "name", "tax_code", "representative", "phone", "email", "address",
            "commune", "commune_name", "old_district", "status", "status_display", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # No uniqueness check here: a tax code held by another producer becomes a claim for a producer
        # not yet verified (producers.services), so the API does not tell whether one exists either.
        extra_kwargs = {"tax_code": {"validators": [validate_tax_code]}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not instance.tax_code and instance.claimed_tax_code and request and not is_officer(request.user):
            data["tax_code"] = instance.claimed_tax_code  # as the applicant typed it, like the portal shows
        return data

    def validate_phone(self, value):
        if not value:
            return value
        try:
            return normalize_phone(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate_commune(self, value):
        if value is not None and value.province_id != settings.OCOP_PROVINCE_CODE:
            raise serializers.ValidationError("Xã/phường không thuộc tỉnh này.")
        return value


class ProducerStatusSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=Producer.Status.choices)
    note = StrictCharField(required=False, allow_blank=True, max_length=255)


class MembershipSerializer(StrictModelSerializer):
    username = StrictCharField(source="user.username", read_only=True)
    full_name = StrictCharField(source="user.full_name", read_only=True)
    email = StrictEmailField(source="user.email", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "full_name", "email", "role", "created_at"]
        read_only_fields = fields


class InvitationInputSerializer(StrictSerializer):
    email = StrictEmailField()


class InvitationOutputSerializer(StrictSerializer):
    id = serializers.IntegerField()
    email = StrictEmailField()
    role = StrictCharField()
    expires_at = serializers.DateTimeField()
    accept_url = StrictCharField()


class ProductPhotoSerializer(StrictModelSerializer):
    image = serializers.ImageField(read_only=True)
    square = serializers.ImageField(read_only=True)
    file = serializers.FileField(write_only=True)

    class Meta:
        model = ProductPhoto
        fields = ["id", "image", "square", "width", "height", "position", "file", "created_at"]
        read_only_fields = ["width", "height", "position", "created_at"]


class OcopProductSerializer(StrictModelSerializer):
    producer = serializers.PrimaryKeyRelatedField(queryset=Producer.objects.none())
    group = serializers.PrimaryKeyRelatedField(queryset=ProductGroup.objects.filter(is_active=True))
    stars = serializers.IntegerField(min_value=3, max_value=5)
    price = MoneySerializerField(min_value=0)
    weight_grams = WholeNumberSerializerField(min_value=0, max_value=1_000_000, required=False, allow_null=True)
    sku = StrictCharField(read_only=True)
    photos = ProductPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = OcopProduct
        fields = [
            "id", "producer", "name", "group", "subgroup", "stars", "certificate_number",
            "certificate_date", "certificate_expiry", "unit", "price", "weight_grams", "gtin",
            "description", "sku", "photos", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators = []  # uniqueness is checked by the service, with a Vietnamese message

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and not self.fields["producer"].read_only:
            self.fields["producer"].queryset = producers_for(request.user)


class OcopProductUpdateSerializer(OcopProductSerializer):
    """A product never moves to another producer: `producer` is set at creation only."""

    producer = serializers.PrimaryKeyRelatedField(read_only=True)
