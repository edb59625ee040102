"""A promotion's page for the mini-program: ``GET promotions/{id}`` (满减, 满赠, 第N件, 限时折扣 …).

Opened from the marketing centre (F46): the rule in words, the window with the server time for
the countdown, and one page of the products the rule reaches (the same scope the checkout
prices with). Money is integer fen.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.catalogue import ProductCardSerializer, ServerTimeSerializer
from mall.api.pagination import StandardPagination
from mall.api.schema import error_responses
from marketing.selectors.promotion_pages import promotion_page_data


class PromotionDetailApi(APIView):
    """One running or upcoming promotion: rule text, window, state and the products it reaches."""

    class FilterSerializer(serializers.Serializer):
        page = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=1)
        page_size = serializers.IntegerField(
            required=False, min_value=1, max_value=StandardPagination.max_page_size, default=20
        )

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "PromotionPage"

        class ProductsSerializer(serializers.Serializer):
            class Meta:
                ref_name = "PromotionPageProducts"

            count = serializers.IntegerField()
            results = ProductCardSerializer(many=True)

        id = serializers.IntegerField()
        name = serializers.CharField()
        kind = serializers.CharField(help_text="the rule type, e.g. full_reduction")
        kind_label = serializers.CharField(help_text="the type's name, e.g. 满减")
        rule_text = serializers.CharField(help_text="the rule in words, e.g. 满199减30，满299减60")
        starts_at = serializers.DateTimeField()
        ends_at = serializers.DateTimeField()
        state = serializers.ChoiceField(choices=["upcoming", "ongoing"])
        state_label = serializers.CharField()
        whole_shop = serializers.BooleanField(help_text="the rule reaches every product (全场)")
        per_user_limit = serializers.IntegerField(allow_null=True, help_text="times one shopper may use it")
        products = ProductsSerializer()
        server_time = ServerTimeSerializer(help_text="for the countdown")

    @extend_schema(
        operation_id="promotions_retrieve",
        tags=["promotions"],
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **error_responses((400, ["invalid_input"]), (404, ["promotion_not_found"]))},
    )
    def get(self, request: Request, promotion_id: int) -> Response:
        filters = PromotionDetailApi.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = promotion_page_data(promotion_id=promotion_id, **filters.validated_data)
        return Response(PromotionDetailApi.OutputSerializer(data).data)
