"""Flash sales in the mini-program (F02, F12): slots, releases, one item, purchase, reservation.

* ``GET flash/slots`` — today's and tomorrow's slots with their items, states, countdowns and
  progress, plus the server time, in one request (cached for a second, states per request);
* ``GET flash/releases`` — running and upcoming limited releases ("仅售 N 件", "已抢 X%");
* ``GET flash/items/{id}`` — one item's page (with "reserved" for the signed-in shopper);
* ``POST flash/items/{id}/purchase`` — buy: the rate limits (one Redis round trip for all
  four), then the Redis gate answers refusals (sold out, not started, ended …) without the
  database; a shopper who may get a unit passes the guard (block lists, the slider when the
  merchant asks), then gets the order in the same response (synchronous, 201; the same
  ``Idempotency-Key`` again replays it with 200);
* ``POST`` / ``DELETE flash/items/{id}/reservation`` — 补货中，可预约: reserve a sold-out item
  (told first come first served when the merchant restocks), or withdraw.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.schema import error_responses
from mall.api.throttling import BatchedThrottlesMixin
from marketing.api.common import member_of, optional_member
from marketing.selectors.flash_sales import (
    STATES,
    flash_item_detail,
    flash_releases_for_shoppers,
    flash_slots_for_shoppers,
)
from marketing.services.flash_gate import gate_precheck
from marketing.services.flash_purchase import flash_item_sku_id, flash_purchase
from marketing.services.flash_sales import flash_reservation_cancel, flash_reserve
from members.api.abuse import GUARD_ERRORS, GUARD_HEADERS, guard_request, request_context
from members.api.permissions import IsMember, IsShopper
from members.authentication import ShopperTokenAuthentication, TokenShopper
from orders.api.common import PointsField
from orders.api.orders import IDEMPOTENCY_HEADER, OrderDetailOutputSerializer, order_detail_data
from orders.errors import IdempotencyKeyRequired
from orders.selectors.cart import MAX_ID
from orders.selectors.orders import order_get_for_member

_STATE_HELP = (
    "draft | paused | upcoming (即将开始) | live (抢购中) | sold_out (已抢光; releases: 补货中，可预约) | ended"
)
_AUTH = (401, ["not_authenticated", "authentication_failed"])


class ServerTimeSerializer(serializers.Serializer):
    class Meta:
        ref_name = "FlashServerTime"

    now = serializers.DateTimeField(help_text="ISO 8601 in Asia/Shanghai")
    timestamp_ms = serializers.IntegerField(help_text="the server's clock: count down against this, not the phone's")


class FlashItemSerializer(serializers.Serializer):
    class Meta:
        ref_name = "FlashItem"

    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    sku_id = serializers.IntegerField()
    title = serializers.CharField()
    image = serializers.CharField(allow_blank=True)
    specs = serializers.DictField(child=serializers.CharField())
    price = serializers.IntegerField(help_text="shelf price, fen")
    flash_price = serializers.IntegerField(help_text="fen")
    quota = serializers.IntegerField(help_text="仅售 N 件")
    locked = serializers.IntegerField(help_text="units in unpaid orders (may come back)")
    sold = serializers.IntegerField()
    remaining = serializers.IntegerField()
    sold_percent = serializers.IntegerField(help_text="已抢 X%: (locked + sold) / quota, rounded down")
    per_shopper_limit = serializers.IntegerField()
    per_order_limit = serializers.IntegerField()
    free_shipping = serializers.BooleanField(help_text="包邮: an order at the flash price pays no shipping")
    state = serializers.ChoiceField(choices=list(STATES), help_text=_STATE_HELP)
    state_label = serializers.CharField()


class FlashSlotSerializer(serializers.Serializer):
    class Meta:
        ref_name = "FlashSlot"

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["slot", "release"])
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    starts_at_ms = serializers.IntegerField()
    ends_at_ms = serializers.IntegerField()
    state = serializers.ChoiceField(choices=list(STATES), help_text=_STATE_HELP)
    state_label = serializers.CharField()
    countdown_ms = serializers.IntegerField(help_text="ms to the start when upcoming, else to the end; 0 when ended")
    items = FlashItemSerializer(many=True)


class FlashSlotListApi(APIView):
    """Today's and tomorrow's slots with products, countdown and progress: the flash page in one request."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "FlashSlotList"

        class DaySerializer(serializers.Serializer):
            class Meta:
                ref_name = "FlashSlotDay"

            date = serializers.DateField()
            title = serializers.CharField(help_text="今天 / 明天")
            slots = FlashSlotSerializer(many=True)

        server_time = ServerTimeSerializer()
        days = DaySerializer(many=True)

    @extend_schema(operation_id="flash_slots", tags=["flash"], responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        return Response(flash_slots_for_shoppers())


class FlashReleaseListApi(APIView):
    """Limited releases (F12) running or coming: "仅售 N 件", "已抢 X%", 补货中，可预约 when sold out."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "FlashReleaseList"

        server_time = ServerTimeSerializer()
        releases = FlashSlotSerializer(many=True)

    @extend_schema(operation_id="flash_releases", tags=["flash"], responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        return Response(flash_releases_for_shoppers())


class FlashItemDetailApi(APIView):
    """One flash item's page: its slot, state, countdown, progress; ``reserved`` for the signed-in shopper."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "FlashItemDetail"

        class SlotSerializer(serializers.Serializer):
            class Meta:
                ref_name = "FlashItemDetailSlot"

            id = serializers.IntegerField()
            kind = serializers.CharField()
            title = serializers.CharField()
            starts_at = serializers.DateTimeField()
            ends_at = serializers.DateTimeField()
            starts_at_ms = serializers.IntegerField()
            ends_at_ms = serializers.IntegerField()
            state = serializers.CharField()
            state_label = serializers.CharField()
            countdown_ms = serializers.IntegerField()

        class ItemSerializer(FlashItemSerializer):
            class Meta:
                ref_name = "FlashItemDetailItem"

            reserved = serializers.BooleanField(help_text="this shopper is waiting for a restock")
            can_reserve = serializers.BooleanField()

        server_time = ServerTimeSerializer()
        slot = SlotSerializer()
        item = ItemSerializer()

    @extend_schema(
        operation_id="flash_item_detail",
        tags=["flash"],
        responses={200: OutputSerializer, **error_responses((404, ["flash_item_not_found"]))},
    )
    def get(self, request: Request, item_id: int) -> Response:
        return Response(flash_item_detail(item_id=item_id, member=optional_member(request)))


def _qty(request: Request) -> int:
    """The quantity asked for, for the gate's early answer (validated properly afterwards)."""
    raw = request.data.get("qty", 1) if isinstance(request.data, dict) else 1
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= 99 else 1


class FlashPurchaseApi(BatchedThrottlesMixin, APIView):
    """Buy a flash unit: 201 with the order (pay within 15 minutes), 200 when the key replays it."""

    # The token's shopper without a query: sold-out replies never touch the database.
    authentication_classes = [ShopperTokenAuthentication]
    permission_classes = [IsShopper]
    throttle_action = "purchase"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "FlashPurchaseInput"

        address_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        qty = serializers.IntegerField(min_value=1, max_value=99, default=1)
        coupon_ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list, max_length=10
        )
        points = PointsField(required=False, default=0)
        remark = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        src = serializers.CharField(
            max_length=64,
            required=False,
            allow_blank=True,
            default="",
            help_text="tracking parameter as on POST orders (live:3 for a live room's 整点秒杀); "
            "unknown values are ignored",
        )

    @extend_schema(
        operation_id="flash_purchase",
        tags=["flash"],
        request=InputSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="A fresh random key per purchase attempt (≤ 64 characters), reused on retries.",
            ),
            *GUARD_HEADERS,
        ],
        responses={
            201: OrderDetailOutputSerializer,
            200: OrderDetailOutputSerializer,
            **error_responses(
                (400, ["invalid_input", "idempotency_key_required", "flash_order_limit_exceeded", "deal_invalid"]),
                _AUTH,
                (404, ["flash_item_not_found", "address_not_found"]),
                (
                    409,
                    [
                        "flash_sold_out",
                        "purchase_limit_exceeded",
                        "flash_not_started",
                        "flash_ended",
                        "flash_paused",
                        "idempotency_key_reused",
                        "points_insufficient",
                        "coupon_unavailable",
                        "coupon_not_usable",
                        "sku_unavailable",
                    ],
                ),
                *GUARD_ERRORS,
            ),
        },
    )
    def post(self, request: Request, item_id: int) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key:
            raise IdempotencyKeyRequired
        shopper = request.user
        assert isinstance(shopper, TokenShopper)  # noqa: S101 - ShopperTokenAuthentication
        # The fast path: the gate's refusal (sold out, not started, ended …) from Redis, before
        # the body is validated, the guard asked or the shopper's row read. Nothing scarce is
        # spent on a refusal, so the guard (block lists, slider) stands only before a unit:
        # the placement asks it, with this request's context, before the gate takes one.
        gate_precheck(item_id=item_id, member_id=shopper.pk, sku_id=flash_item_sku_id(item_id), qty=_qty(request))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = shopper.member()
        result = flash_purchase(
            context=request_context(request),
            member=member,
            item_id=item_id,
            qty=data["qty"],
            address_id=data["address_id"],
            idempotency_key=key,
            coupon_ids=data["coupon_ids"],
            points=data["points"],
            remark=data["remark"],
            src=data["src"],
        )
        if result.lines is None:  # a replay: the order as stored
            order, lines = order_get_for_member(member=member, order_id=result.order.pk), None
        else:  # just placed: the rows this request wrote (issue 12)
            order, lines = result.order, result.lines
        response = Response(
            order_detail_data(order, lines),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
        if not result.created:
            response["Idempotent-Replayed"] = "true"
        return response


class FlashReservationOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "FlashReservation"

    item_id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    notified_at = serializers.DateTimeField(allow_null=True, help_text="when the restock message was sent")


def _reservation_data(reservation: Any) -> dict[str, Any]:
    return {
        "item_id": reservation.item_id,
        "created_at": reservation.created_at,
        "notified_at": reservation.notified_at,
    }


class FlashReserveApi(APIView):
    """补货中，可预约: wait for a sold-out item (201; 200 when already waiting)."""

    permission_classes = [IsMember]
    throttle_action = "reserve"

    @extend_schema(
        operation_id="flash_reserve",
        tags=["flash"],
        request=None,
        parameters=GUARD_HEADERS,
        responses={
            201: FlashReservationOutputSerializer,
            200: FlashReservationOutputSerializer,
            **error_responses(
                _AUTH,
                (404, ["flash_item_not_found"]),
                (409, ["flash_reservation_not_needed", "flash_ended"]),
                *GUARD_ERRORS,
            ),
        },
    )
    def post(self, request: Request, item_id: int) -> Response:
        guard_request(request, action="reserve")
        result = flash_reserve(member=member_of(request), item_id=item_id)
        return Response(
            FlashReservationOutputSerializer(_reservation_data(result.reservation)).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class FlashReservationCancelApi(APIView):
    """Stop waiting for a restock (204; harmless when not waiting)."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="flash_reservation_cancel",
        tags=["flash"],
        request=None,
        responses={204: None, **error_responses(_AUTH)},
    )
    def delete(self, request: Request, item_id: int) -> Response:
        flash_reservation_cancel(member=member_of(request), item_id=item_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FlashReservationRoute(FlashReserveApi, FlashReservationCancelApi):
    """Routing glue for ``flash/items/{id}/reservation``: POST reserves, DELETE withdraws."""
