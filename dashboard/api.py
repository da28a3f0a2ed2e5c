"""`GET /api/dashboard/summary/`: the dashboard's figures, the same numbers as the page."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.serializers import StrictCharField, StrictSerializer

from . import selectors
from .periods import period_from_params
from .replica import replica_reads


class FiguresSerializer(StrictSerializer):
    products = serializers.IntegerField(help_text="Sản phẩm có chứng nhận còn hiệu lực vào ngày cuối kỳ")
    listed = serializers.IntegerField(help_text="Đã lên sàn: có niêm yết đang bán vào một lúc nào đó trong kỳ")
    listed_with_sales = serializers.IntegerField(help_text="Đã lên sàn và có đơn trên sàn hoàn thành trong kỳ")
    listed_with_sales_or_transfer = serializers.IntegerField(allow_null=True,
                                                             help_text="Như trên, tính cả chuyển khoản VietQR")
    confirmed_manual = serializers.IntegerField(allow_null=True, help_text="Có bán hàng tự khai đã xác nhận")
    listed_rate = serializers.FloatField(allow_null=True, help_text="%")
    sales_rate = serializers.FloatField(allow_null=True, help_text="%")
    sales_or_transfer_rate = serializers.FloatField(allow_null=True, help_text="%")


class BreakdownRowSerializer(FiguresSerializer):
    key = StrictCharField(allow_null=True)
    label = StrictCharField()


class TrendPointSerializer(FiguresSerializer):
    month = serializers.DateField()
    label = StrictCharField()


class ChannelSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=["marketplace", "bank", "manual", "other"])
    marketplace = StrictCharField(allow_blank=True)
    label = StrictCharField()
    orders = serializers.IntegerField()
    quantity = serializers.IntegerField()
    revenue = serializers.IntegerField(help_text="VND")


class SummarySerializer(StrictSerializer):
    period = inline_serializer("DashboardPeriod", {
        "kind": StrictCharField(), "start": serializers.DateField(), "end": serializers.DateField(),
        "as_of": serializers.DateField(), "label": StrictCharField()})
    filters = serializers.DictField()
    scope = serializers.ChoiceField(choices=["province", "producer"])
    target_percent = serializers.IntegerField()
    totals = FiguresSerializer()
    breakdowns = inline_serializer("DashboardBreakdowns", {
        key: BreakdownRowSerializer(many=True) for key in selectors.DIMENSIONS})
    channels = ChannelSerializer(many=True)
    trend = TrendPointSerializer(many=True)


PARAMETERS = [
    OpenApiParameter("period", OpenApiTypes.STR, enum=["month", "quarter", "year", "custom"],
                     description="Kỳ báo cáo; mặc định quý hiện tại, `custom` khi có from/to."),
    OpenApiParameter("year", OpenApiTypes.INT), OpenApiParameter("month", OpenApiTypes.INT),
    OpenApiParameter("quarter", OpenApiTypes.INT),
    OpenApiParameter("from", OpenApiTypes.STR, description="dd/mm/yyyy (hoặc yyyy-mm-dd)"),
    OpenApiParameter("to", OpenApiTypes.STR, description="dd/mm/yyyy (hoặc yyyy-mm-dd)"),
    OpenApiParameter("commune", OpenApiTypes.INT, description="Mã xã/phường"),
    OpenApiParameter("group", OpenApiTypes.STR, description="Mã nhóm sản phẩm OCOP"),
    OpenApiParameter("stars", OpenApiTypes.INT, enum=[3, 4, 5]),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=["HTX", "THT", "DN", "HKD"]),
]


class SummaryQuerySerializer(StrictSerializer):
    """Refuses malformed parameters with the usual 400 instead of quietly using a default."""

    period = serializers.ChoiceField(choices=["month", "quarter", "year", "custom"], required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    month = serializers.IntegerField(min_value=1, max_value=12, required=False)
    quarter = serializers.IntegerField(min_value=1, max_value=4, required=False)
    commune = serializers.IntegerField(min_value=1, required=False)
    stars = serializers.ChoiceField(choices=[3, 4, 5], required=False)
    kind = serializers.ChoiceField(choices=["HTX", "THT", "DN", "HKD"], required=False)
    group = StrictCharField(required=False, allow_blank=True, max_length=40)


class DashboardSummaryView(APIView):
    """Products counted, listed and selling, both rates, every breakdown, revenue by channel and the
    month-by-month trend for a period. Officers get the province, producer members their own products."""

    @extend_schema(parameters=PARAMETERS, responses=SummarySerializer, operation_id="dashboard_summary")
    def get(self, request):
        SummaryQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        period = period_from_params(request.query_params)
        filters = selectors.filters_from_params(request.query_params)
        with replica_reads():
            data = selectors.summary(user=request.user, period=period, filters=filters)
            data["trend"] = selectors.trend(user=request.user, period=period, filters=filters)
        return Response(data)
