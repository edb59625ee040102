"""幸运大转盘 in the mini-program (F21): the wheel with chances left, the draw, my prizes.

The draw happens on the server; the answer names the prize's position, and the client only
animates the wheel to it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.schema import error_responses
from mall.money import format_yuan
from marketing.api.common import member_of
from marketing.models import WheelDraw, WheelPrize
from marketing.selectors.wheel import wheel_page_for_member, wheel_prizes_for_member
from marketing.services.wheel import wheel_draw
from members.api.abuse import GUARD_ERRORS, GUARD_HEADERS, request_context
from members.api.permissions import IsMember

DRAW_ERRORS = ["wheel_closed", "wheel_no_chance", "wheel_daily_limit"]


class WheelPrizeSerializer(serializers.Serializer):
    class Meta:
        ref_name = "WheelPrize"

    id = serializers.IntegerField()
    position = serializers.IntegerField(help_text="the sector's index on the wheel, clockwise from the top")
    name = serializers.CharField()
    kind = serializers.CharField(help_text="coupon | free_order | points | thanks")


def _prize_data(prize: WheelPrize, position: int) -> dict[str, Any]:
    return {"id": prize.pk, "position": position, "name": prize.name, "kind": prize.kind}


class WonPrizeSerializer(serializers.Serializer):
    class Meta:
        ref_name = "WheelWonPrize"

    id = serializers.IntegerField(help_text="the draw's id")
    name = serializers.CharField()
    kind = serializers.CharField()
    text = serializers.CharField(help_text="e.g. 10 元优惠券 ¥10.00 / 50 积分 / 谢谢参与")
    coupon_id = serializers.IntegerField(allow_null=True)
    coupon_status = serializers.CharField(allow_null=True, help_text="unused | used | expired; null when no coupon")
    points = serializers.IntegerField()
    drawn_at = serializers.DateTimeField()


def _won_data(draw: WheelDraw) -> dict[str, Any]:
    if draw.coupon is not None:
        text = f"{draw.prize.name} ¥{format_yuan(draw.value)}"
    elif draw.points:
        text = _("%(points)s 积分") % {"points": draw.points}
    else:
        text = draw.prize.name
    return {
        "id": draw.pk,
        "name": draw.prize.name,
        "kind": draw.kind,
        "text": text,
        "coupon_id": draw.coupon_id,
        "coupon_status": draw.coupon.status if draw.coupon is not None else None,
        "points": draw.points,
        "drawn_at": draw.created_at,
    }


class WheelApi(APIView):
    """The live wheel: its sectors (no odds), the rules, the shopper's chances and today's draws left."""

    permission_classes = [IsMember]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "WheelOutput"

        open = serializers.BooleanField(help_text="false when no wheel is live")
        name = serializers.CharField()
        rules_text = serializers.CharField()
        threshold = serializers.CharField(help_text="yuan: the order payment that earns a chance, e.g. 50.00")
        daily_draw_limit = serializers.IntegerField()
        prizes = WheelPrizeSerializer(many=True)
        chances_left = serializers.IntegerField()
        draws_left_today = serializers.IntegerField(help_text="min(chances left, the day's limit left)")

    @extend_schema(
        operation_id="wheel",
        tags=["wheel"],
        responses={200: OutputSerializer, **error_responses((401, ["not_authenticated"]))},
    )
    def get(self, request: Request) -> Response:
        page = wheel_page_for_member(member=member_of(request))
        wheel = page.wheel
        body = {
            "open": wheel is not None,
            "name": wheel.name if wheel else "",
            "rules_text": wheel.rules_text if wheel else "",
            "threshold": format_yuan(wheel.order_threshold) if wheel else "",
            "daily_draw_limit": wheel.daily_draw_limit if wheel else 0,
            "prizes": [_prize_data(prize, index) for index, prize in enumerate(page.prizes)],
            "chances_left": page.chances_left,
            "draws_left_today": page.draws_left_today,
        }
        return Response(self.OutputSerializer(body).data)


class WheelDrawApi(APIView):
    """Spend one chance: the server picks the prize (cryptographic random source) and hands it out.

    Guarded (F45, action ``wheel``): rate limits, block lists and the slider when the merchant
    asks for it (403 ``captcha_required`` → retry with ``X-Captcha-Pass``).
    """

    permission_classes = [IsMember]
    throttle_action = "wheel"

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "WheelDrawOutput"

        prize = WheelPrizeSerializer()
        won = WonPrizeSerializer()
        chances_left = serializers.IntegerField()
        draws_left_today = serializers.IntegerField()

    @extend_schema(
        operation_id="wheel_draw",
        tags=["wheel"],
        request=None,
        parameters=GUARD_HEADERS,
        responses={
            201: OutputSerializer,
            **error_responses((401, ["not_authenticated"]), (409, DRAW_ERRORS), *GUARD_ERRORS),
        },
    )
    def post(self, request: Request) -> Response:
        outcome = wheel_draw(member=member_of(request), context=request_context(request))
        draw = outcome.draw
        prize_ids = list(draw.wheel.prizes.order_by("position", "id").values_list("pk", flat=True))
        body = {
            "prize": _prize_data(draw.prize, prize_ids.index(draw.prize_id)),
            "won": _won_data(draw),
            "chances_left": outcome.chances_left,
            "draws_left_today": min(outcome.chances_left, outcome.draws_left_today),
        }
        return Response(self.OutputSerializer(body).data, status=status.HTTP_201_CREATED)


class WheelMyPrizesApi(APIView):
    """The prizes the shopper won (newest first, at most 50), with their coupons' status."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="wheel_my_prizes",
        tags=["wheel"],
        responses={200: WonPrizeSerializer(many=True), **error_responses((401, ["not_authenticated"]))},
    )
    def get(self, request: Request) -> Response:
        draws = wheel_prizes_for_member(member=member_of(request))
        return Response(WonPrizeSerializer([_won_data(draw) for draw in draws], many=True).data)
