"""Live selling in the mini-program (F24): the room list, a room's companion page, follow, 评论抽奖 and
the share link that opens 粉丝专属价.

Buying at a fan price is an ordinary order with ``deal = {"kind": "live_fan", "ref": <fan price
id>, "params": {"token": <share token>}}`` (``POST /api/v1/checkout/preview`` and
``POST /api/v1/orders``), and an order from a room carries ``src = "live:<room id>"`` so it is
reported under the room (analytics Tool ``live``). The contract is in docs/lanes/live-api.md.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.schema import error_responses
from mall.api.throttling import ActionRateThrottle
from marketing.api.common import member_of, optional_member
from marketing.api.flash_sales import FlashSlotSerializer, ServerTimeSerializer
from marketing.errors import LiveRoomNotFound
from marketing.models import LiveRoomStatus
from marketing.selectors.live import (
    TABS,
    live_lottery_detail,
    live_lottery_entry_ids,
    live_room_companion,
    live_rooms_for_shoppers,
)
from marketing.services.live import live_follow, live_room_get, live_unfollow
from marketing.services.live_fans import SHARE_TOKEN_DAYS, live_share_path, live_share_room_id, live_share_token
from marketing.services.live_lottery import live_lottery_enter
from members.api.abuse import GUARD_ERRORS, GUARD_HEADERS, request_context
from members.api.permissions import IsMember

STATUS_HELP = "upcoming 预告 | live 直播中 | replay 回放 | ended 已结束"
LOTTERY_STATE_HELP = "upcoming 即将开始 | open 进行中 | closed 待开奖 | drawn 已开奖"


class LiveRoomCardSerializer(serializers.Serializer):
    class Meta:
        ref_name = "LiveRoomCard"

    id = serializers.IntegerField(help_text="our room id (use it in every other live URL)")
    wx_room_id = serializers.IntegerField(help_text="WeChat's room id: the live-player plugin's room_id")
    name = serializers.CharField()
    anchor_name = serializers.CharField(allow_blank=True)
    cover_img = serializers.CharField(allow_blank=True)
    share_img = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=[s.value for s in LiveRoomStatus], help_text=STATUS_HELP)
    status_label = serializers.CharField()
    start_time = serializers.DateTimeField()
    end_time = serializers.DateTimeField()
    start_time_ms = serializers.IntegerField()
    followed = serializers.BooleanField(help_text="the signed-in shopper follows it (false when anonymous)")
    followers = serializers.IntegerField()
    has_replay = serializers.BooleanField()


class LiveRoomListApi(APIView):
    """One tab of the room list with every tab's count; anonymous shoppers see ``followed`` false."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LiveRoomListInput"

        tab = serializers.ChoiceField(choices=[t.value for t in TABS], default=LiveRoomStatus.LIVE.value)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LiveRoomList"

        class CountsSerializer(serializers.Serializer):
            class Meta:
                ref_name = "LiveRoomCounts"

            upcoming = serializers.IntegerField()
            live = serializers.IntegerField()
            replay = serializers.IntegerField()

        server_time = ServerTimeSerializer()
        tab = serializers.CharField()
        counts = CountsSerializer()
        rooms = LiveRoomCardSerializer(many=True)

    @extend_schema(
        operation_id="live_rooms",
        tags=["live"],
        parameters=[OpenApiParameter("tab", str, enum=[t.value for t in TABS], description="upcoming | live | replay")],
        responses={200: OutputSerializer, **error_responses((400, ["invalid_input"]))},
    )
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        body = live_rooms_for_shoppers(tab=params.validated_data["tab"], member=optional_member(request))
        return Response(self.OutputSerializer(body).data)


class LiveMyEntrySerializer(serializers.Serializer):
    class Meta:
        ref_name = "LiveLotteryMyEntry"

    id = serializers.IntegerField(help_text="entry id: the message of the HMAC that ranks it")
    entered_at = serializers.DateTimeField()
    rank = serializers.IntegerField(allow_null=True, help_text="place in the draw (1 = first); null before it")
    won = serializers.BooleanField()
    prize_issued = serializers.BooleanField()
    coupon_id = serializers.IntegerField(allow_null=True)
    points = serializers.IntegerField()


class LiveLotteryCardSerializer(serializers.Serializer):
    class Meta:
        ref_name = "LiveLotteryCard"

    id = serializers.IntegerField()
    title = serializers.CharField()
    keyword = serializers.CharField(help_text="the word to send (also announced in the room)")
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    opens_at_ms = serializers.IntegerField()
    closes_at_ms = serializers.IntegerField()
    state = serializers.CharField(help_text=LOTTERY_STATE_HELP)
    state_label = serializers.CharField()
    winners_count = serializers.IntegerField()
    entries_count = serializers.IntegerField()
    prize_kind = serializers.ChoiceField(choices=["coupon", "points"])
    prize_text = serializers.CharField()
    seed_hash = serializers.CharField(help_text="SHA-256 of the seed, published before anyone enters")
    seed = serializers.CharField(allow_blank=True, help_text="revealed after the draw; empty before")
    drawn_at = serializers.DateTimeField(allow_null=True)
    my_entry = LiveMyEntrySerializer(allow_null=True)


class LiveFanPriceSerializer(serializers.Serializer):
    class Meta:
        ref_name = "LiveFanPrice"

    id = serializers.IntegerField(help_text="the deal's ref: {kind: live_fan, ref: id, params: {token}}")
    product_id = serializers.IntegerField()
    sku_id = serializers.IntegerField()
    title = serializers.CharField()
    specs = serializers.DictField(child=serializers.CharField())
    image = serializers.CharField(allow_blank=True)
    price = serializers.IntegerField(help_text="shelf price, fen")
    fan_price = serializers.IntegerField(help_text="fen")
    price_text = serializers.CharField(help_text="yuan, e.g. 99.00")
    fan_price_text = serializers.CharField(help_text="yuan")
    quota = serializers.IntegerField(allow_null=True, help_text="null = unlimited")
    left = serializers.IntegerField(allow_null=True)


class LiveGoodsSerializer(serializers.Serializer):
    class Meta:
        ref_name = "LiveRoomGoods"

    id = serializers.IntegerField()
    product_id = serializers.IntegerField(allow_null=True, help_text="our product (null: not one of ours)")
    name = serializers.CharField()
    price = serializers.IntegerField(help_text="fen")
    price_text = serializers.CharField()
    cover_img = serializers.CharField(allow_blank=True)


class LiveReplaySerializer(serializers.Serializer):
    class Meta:
        ref_name = "LiveReplay"

    media_url = serializers.CharField()
    expire_time = serializers.CharField()
    create_time = serializers.CharField()


class LiveRoomDetailApi(APIView):
    """The companion page: the room, its goods, 整点秒杀 slots, 评论抽奖 (with my entry), 粉丝专属价.

    Pass the share link's ``share`` token to learn whether fan prices are open to the shopper
    (``fan_price_open`` = a valid token for this room and the shopper follows it).
    """

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LiveRoomDetail"

        server_time = ServerTimeSerializer()
        room = LiveRoomCardSerializer()
        replays = LiveReplaySerializer(many=True)
        followed = serializers.BooleanField()
        share_valid = serializers.BooleanField(help_text="the ``share`` token is genuine, unexpired and for this room")
        fan_price_open = serializers.BooleanField(help_text="share_valid and followed: fan prices can be bought")
        goods = LiveGoodsSerializer(many=True)
        flash_slots = FlashSlotSerializer(many=True)
        lotteries = LiveLotteryCardSerializer(many=True)
        fan_prices = LiveFanPriceSerializer(many=True)

    @extend_schema(
        operation_id="live_room",
        tags=["live"],
        parameters=[OpenApiParameter("share", str, required=False, description="the share link's token")],
        responses={200: OutputSerializer, **error_responses((404, ["live_room_not_found"]))},
    )
    def get(self, request: Request, room_id: int) -> Response:
        body = live_room_companion(
            room_id=room_id, member=optional_member(request), share_token=request.query_params.get("share")
        )
        return Response(self.OutputSerializer(body).data)


class LiveFollowApi(APIView):
    """Follow (POST, idempotent) or unfollow (DELETE) a room: the start reminder and fan prices.

    Ask WeChat for the ``live_starting`` subscribe template at this moment (``live_follow``) so
    the reminder can be pushed; without it the reminder is still in the shopper's messages.
    """

    permission_classes = [IsMember]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LiveFollowOutput"

        followed = serializers.BooleanField()

    @extend_schema(
        operation_id="live_follow",
        tags=["live"],
        request=None,
        responses={200: OutputSerializer, **error_responses(401, (404, ["live_room_not_found"]))},
    )
    def post(self, request: Request, room_id: int) -> Response:
        live_follow(member=member_of(request), room_id=room_id)
        return Response({"followed": True})

    @extend_schema(
        operation_id="live_unfollow",
        tags=["live"],
        responses={200: OutputSerializer, **error_responses(401, (404, ["live_room_not_found"]))},
    )
    def delete(self, request: Request, room_id: int) -> Response:
        live_unfollow(member=member_of(request), room_id=room_id)
        return Response({"followed": False})


class LiveShareApi(APIView):
    """The room's share link: a signed token (valid 7 days) and the page path to put in onShareAppMessage."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LiveShareOutput"

        room_id = serializers.IntegerField()
        token = serializers.CharField()
        path = serializers.CharField(help_text="/package-live/room/index?room_id=…&share=…")
        valid_days = serializers.IntegerField()
        title = serializers.CharField()
        image = serializers.CharField(allow_blank=True)

    @extend_schema(
        operation_id="live_share",
        tags=["live"],
        request=None,
        responses={200: OutputSerializer, **error_responses((404, ["live_room_not_found"]))},
    )
    def post(self, request: Request, room_id: int) -> Response:
        room = live_room_get(room_id=room_id)
        if not room.shown:
            raise LiveRoomNotFound(details={"room_id": room_id})
        body: dict[str, Any] = {
            "room_id": room.pk,
            "token": live_share_token(room=room),
            "path": live_share_path(room=room),
            "valid_days": SHARE_TOKEN_DAYS,
            "title": room.name,
            "image": room.share_img or room.cover_img,
        }
        return Response(self.OutputSerializer(body).data)


class LiveShareResolveApi(APIView):
    """Which room a share token names (the page opened from a share card checks it first)."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LiveShareResolveOutput"

        room_id = serializers.IntegerField()

    @extend_schema(
        operation_id="live_share_resolve",
        tags=["live"],
        responses={200: OutputSerializer, **error_responses((400, ["live_share_token_invalid"]))},
    )
    def get(self, request: Request, token: str) -> Response:
        return Response({"room_id": live_share_room_id(token)})


ENTER_ERRORS = ["live_lottery_closed", "live_lottery_already_entered"]


class LiveLotteryDetailApi(APIView):
    """A lottery's state and proof: after the draw the seed, the winners (masked) with their scores."""

    class OutputSerializer(LiveLotteryCardSerializer):
        class Meta:
            ref_name = "LiveLotteryDetail"

        class WinnerSerializer(serializers.Serializer):
            class Meta:
                ref_name = "LiveLotteryWinner"

            entry_id = serializers.IntegerField()
            rank = serializers.IntegerField()
            nickname = serializers.CharField(help_text="masked, e.g. 张*丰")
            score = serializers.CharField(help_text="HMAC-SHA256(seed, str(entry_id)), hex")

        room_id = serializers.IntegerField()
        winners = WinnerSerializer(many=True)
        verification = serializers.CharField(help_text="how to recompute the draw, in words")

    @extend_schema(
        operation_id="live_lottery",
        tags=["live"],
        responses={200: OutputSerializer, **error_responses((404, ["live_lottery_not_found"]))},
    )
    def get(self, request: Request, lottery_id: int) -> Response:
        body = live_lottery_detail(lottery_id=lottery_id, member=optional_member(request))
        return Response(self.OutputSerializer(body).data)


class LiveLotteryEntriesApi(APIView):
    """GET: every entry id of a drawn lottery (to recompute the ranking). POST: enter with the keyword,
    through the anti-abuse guard (action ``live_lottery``: blocked shoppers, networks and devices
    403 ``access_blocked``, over the rate 429 ``rate_limited``, the slider when the merchant asks
    for it 403 ``captcha_required`` → retry with ``X-Captcha-Pass``)."""

    throttle_action = "live_lottery"

    def get_throttles(self) -> list[Any]:
        """Only entering counts against ``live_lottery``; reading the entry ids does not."""
        throttles = super().get_throttles()
        if self.request.method == "POST":
            return throttles
        return [t for t in throttles if not isinstance(t, ActionRateThrottle)]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LiveLotteryEnterInput"

        keyword = serializers.CharField(max_length=40, trim_whitespace=True)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LiveLotteryEnterOutput"

        lottery_id = serializers.IntegerField()
        entry = LiveMyEntrySerializer()

    class IdsSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LiveLotteryEntryIds"

        lottery_id = serializers.IntegerField()
        entry_ids = serializers.ListField(child=serializers.IntegerField(), help_text="empty before the draw")

    def get_permissions(self) -> list[Any]:
        return [IsMember()] if self.request.method == "POST" else []

    @extend_schema(
        operation_id="live_lottery_entry_ids",
        tags=["live"],
        responses={200: IdsSerializer},
    )
    def get(self, request: Request, lottery_id: int) -> Response:
        return Response({"lottery_id": lottery_id, "entry_ids": live_lottery_entry_ids(lottery_id=lottery_id)})

    @extend_schema(
        operation_id="live_lottery_enter",
        tags=["live"],
        request=InputSerializer,
        parameters=GUARD_HEADERS,
        responses={
            201: OutputSerializer,
            **error_responses(
                (400, ["invalid_input", "live_lottery_keyword_wrong"]),
                401,
                (404, ["live_lottery_not_found"]),
                (409, ENTER_ERRORS),
                *GUARD_ERRORS,
            ),
        },
    )
    def post(self, request: Request, lottery_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = live_lottery_enter(
            member=member_of(request),
            lottery_id=lottery_id,
            keyword=data.validated_data["keyword"],
            context=request_context(request),
        )
        body = {
            "lottery_id": lottery_id,
            "entry": {
                "id": entry.pk,
                "entered_at": entry.created_at,
                "rank": None,
                "won": False,
                "prize_issued": False,
                "coupon_id": None,
                "points": 0,
            },
        }
        return Response(self.OutputSerializer(body).data, status=status.HTTP_201_CREATED)
