"""会员中心 and 积分商城 in the mini-program (F14–F16): the tier card, buying the next tier with
points, the points mall's items and redeeming one. Money is fen; the mini-program shows yuan."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.pagination import StandardPagination
from mall.api.schema import error_responses
from members.api.abuse import GUARD_ERRORS, GUARD_HEADERS, request_context
from members.api.permissions import IsMember
from members.models import Member, PointsMallItem, PointsMallRedemption
from members.selectors.points import points_balance
from members.selectors.tiers import exclusive_service_card, perks_of, tier_card_for
from members.services.points_mall import points_mall_redeem
from members.services.tiers import tier_buy_with_points


class RecentOrderSerializer(serializers.Serializer):
    no = serializers.CharField()
    status_display = serializers.CharField()
    payable_amount = serializers.IntegerField(help_text="fen")


class ExclusiveServiceSerializer(serializers.Serializer):
    """What the 专属客服 button passes to WeChat customer service (open-type="contact")."""

    session_from = serializers.CharField(help_text="session-from: tier and recent order numbers")
    card_title = serializers.CharField(help_text="send-message-title")
    card_path = serializers.CharField(help_text="send-message-path")
    recent_orders = RecentOrderSerializer(many=True)


class TierCardOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "MemberTierCard"

    tier = serializers.CharField()
    tier_label = serializers.CharField()
    spend_12m = serializers.IntegerField(help_text="fen, rolling 12 months")
    orders_12m = serializers.IntegerField()
    next_tier = serializers.CharField(allow_null=True)
    next_tier_label = serializers.CharField()
    spend_to_next = serializers.IntegerField(help_text="fen still to spend for the next tier (0 at the top)")
    orders_to_next = serializers.IntegerField()
    progress_percent = serializers.IntegerField()
    perks = serializers.ListField(child=serializers.CharField())
    free_shipping_left = serializers.IntegerField()
    free_shipping_per_month = serializers.IntegerField()
    next_points_price = serializers.IntegerField(help_text="points to buy the next tier; 0 = not for sale")
    points_balance = serializers.IntegerField()
    in_grace = serializers.BooleanField(help_text="this month is the keep-level (保级) month")
    kept_until = serializers.DateTimeField(allow_null=True)
    exclusive_service = ExclusiveServiceSerializer(allow_null=True)


def _card_body(member: Member) -> dict[str, Any]:
    card = tier_card_for(member=member)
    return {
        "tier": card.tier,
        "tier_label": card.tier_label,
        "spend_12m": card.growth.spend,
        "orders_12m": card.growth.orders,
        "next_tier": card.next_tier,
        "next_tier_label": card.next_tier_label,
        "spend_to_next": card.spend_to_next,
        "orders_to_next": card.orders_to_next,
        "progress_percent": card.progress_percent,
        "perks": perks_of(card.rule),
        "free_shipping_left": card.free_shipping_left,
        "free_shipping_per_month": card.rule.free_shipping_per_month,
        "next_points_price": card.next_points_price,
        "points_balance": points_balance(member_id=member.pk),
        "in_grace": card.in_grace,
        "kept_until": card.kept_until,
        "exclusive_service": exclusive_service_card(member=member) if card.rule.exclusive_service else None,
    }


class MemberTierGetApi(APIView):
    """The 会员中心 card: tier, 12-month growth, distance to the next tier, perks, uses left, 专属客服."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="me_tier",
        tags=["members"],
        responses={200: TierCardOutputSerializer, **error_responses((401, ["not_authenticated"]))},
    )
    def get(self, request: Request) -> Response:
        member: Member = request.user  # type: ignore[assignment]
        return Response(TierCardOutputSerializer(_card_body(member)).data)


class MemberTierBuyApi(APIView):
    """Spend points on the next tier where the merchant allows it (idempotent by ``ref``)."""

    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MemberTierBuyInput"

        ref = serializers.CharField(max_length=64, help_text="a fresh id per tap; a retry sends the same")

    @extend_schema(
        operation_id="me_tier_buy",
        tags=["members"],
        request=InputSerializer,
        parameters=GUARD_HEADERS,
        responses={
            201: TierCardOutputSerializer,
            **error_responses(
                (400, ["invalid_input"]),
                (401, ["not_authenticated"]),
                (409, ["tier_not_for_sale", "points_insufficient"]),
                *GUARD_ERRORS,
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member: Member = request.user  # type: ignore[assignment]
        updated = tier_buy_with_points(
            member=member, ref=serializer.validated_data["ref"], context=request_context(request)
        )
        return Response(TierCardOutputSerializer(_card_body(updated)).data, status=status.HTTP_201_CREATED)


class PointsMallItemOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "PointsMallItem"

    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    points = serializers.IntegerField()
    cash = serializers.IntegerField(help_text="fen; goods bought for points + cash (0 = points only)")
    sku_id = serializers.IntegerField(
        allow_null=True, help_text="goods: ordered through checkout with deal {kind: points_mall, ref: id}"
    )
    stock_left = serializers.IntegerField()
    per_member_limit = serializers.IntegerField()


class PointsMallItemListApi(APIView):
    """The points mall's items on shelf; paginated."""

    permission_classes = [IsMember]
    pagination_class = StandardPagination

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "PointsMallItemPage"

        count = serializers.IntegerField()
        next = serializers.CharField(allow_null=True)
        previous = serializers.CharField(allow_null=True)
        results = PointsMallItemOutputSerializer(many=True)

    @extend_schema(
        operation_id="points_mall_items",
        tags=["members"],
        parameters=[
            OpenApiParameter("page", int, required=False),
            OpenApiParameter("page_size", int, required=False, description="At most 100"),
        ],
        responses={200: OutputSerializer, **error_responses((401, ["not_authenticated"]), (404, ["not_found"]))},
    )
    def get(self, request: Request) -> Response:
        paginator = StandardPagination()
        items = PointsMallItem.objects.filter(is_active=True).order_by("sort", "-id")
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(PointsMallItemOutputSerializer(page, many=True).data)


class PointsMallRedeemApi(APIView):
    """Redeem one coupon item for points: points, stock and the per-shopper limit all or nothing.
    (Goods items are ordered through checkout with the ``points_mall`` deal.)"""

    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "PointsMallRedeemInput"

        ref = serializers.CharField(max_length=64, help_text="a fresh id per tap; a retry sends the same")

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "PointsMallRedemption"

        id = serializers.IntegerField()
        item_id = serializers.IntegerField()
        points = serializers.IntegerField()
        coupon_id = serializers.IntegerField(allow_null=True)
        points_balance = serializers.IntegerField()

    @extend_schema(
        operation_id="points_mall_redeem",
        tags=["members"],
        request=InputSerializer,
        parameters=GUARD_HEADERS,
        responses={
            201: OutputSerializer,
            **error_responses(
                (400, ["invalid_input"]),
                (401, ["not_authenticated"]),
                (404, ["points_mall_item_not_found"]),
                (
                    409,
                    [
                        "points_mall_sold_out",
                        "points_mall_limit_reached",
                        "points_insufficient",
                        "coupon_sold_out",
                        "coupon_limit_reached",
                    ],
                ),
                *GUARD_ERRORS,
            ),
        },
    )
    def post(self, request: Request, item_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member: Member = request.user  # type: ignore[assignment]
        redemption: PointsMallRedemption = points_mall_redeem(
            member=member, item_id=item_id, ref=serializer.validated_data["ref"], context=request_context(request)
        )
        body = {
            "id": redemption.pk,
            "item_id": redemption.item_id,
            "points": redemption.points,
            "coupon_id": redemption.coupon_id,
            "points_balance": points_balance(member_id=member.pk),
        }
        return Response(self.OutputSerializer(body).data, status=status.HTTP_201_CREATED)
