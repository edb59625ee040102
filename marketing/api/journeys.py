"""The 专属回归礼 page of 沉睡召回 (F17): the shopper's comeback coupon and recommendations."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.schema import error_responses
from mall.models import Product
from marketing.api.common import member_of
from marketing.api.serializers import CouponOutputSerializer, coupon_data
from marketing.selectors.journeys import comeback_offer_for_member
from members.api.permissions import IsMember


class RecommendationSerializer(serializers.Serializer):
    class Meta:
        ref_name = "JourneyRecommendation"

    id = serializers.IntegerField()
    title = serializers.CharField()
    subtitle = serializers.CharField(allow_blank=True)
    image = serializers.CharField(allow_blank=True)
    min_price = serializers.IntegerField(help_text="Lowest active SKU price in fen")
    reason = serializers.CharField(help_text="bought_next (买过同款的人还买了) | same_category (同类热卖)")


def _image(product: Product) -> str:
    if product.main_image:
        return str(product.main_image.url)
    images = list(product.images.all())
    return str(images[0].image.url) if images else ""


class JourneyComebackApi(APIView):
    """The signed-in shopper's latest 专属回归礼 coupon (null if none) and recommendations from
    their own history (never a product they already bought)."""

    permission_classes = [IsMember]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "JourneyComeback"

        coupon = CouponOutputSerializer(allow_null=True)
        recommendations = RecommendationSerializer(many=True)

    @extend_schema(
        operation_id="journey_comeback",
        tags=["journeys"],
        responses={200: OutputSerializer, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        offer = comeback_offer_for_member(member=member_of(request))
        body: dict[str, Any] = {
            "coupon": coupon_data(offer.coupon, offer.coupon_status) if offer.coupon is not None else None,
            "recommendations": [
                {
                    "id": item.product.pk,
                    "title": item.product.title,
                    "subtitle": item.product.subtitle,
                    "image": _image(item.product),
                    "min_price": item.product.min_price,
                    "reason": item.reason,
                }
                for item in offer.recommendations
            ],
        }
        return Response(self.OutputSerializer(body).data)
