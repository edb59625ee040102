"""Flash sales in the mini-program (F02, F12): slots, releases, one item, purchase, reservation.

* ``GET flash/slots`` — today's and tomorrow's slots with their items, states, countdowns and
  progress, plus the server time, in one request (cached for a second, states per request);
* ``GET flash/releases`` — running and upcoming limited releases ("仅售 N 件", "已抢 X%");
* ``GET flash/items/{id}`` — one item's page (with "reserved" for the signed-in shopper);
* ``POST flash/items/{id}/purchase`` — buy: the four rate limits and the Redis gate's answer
  in one Redis round trip (issue 12); the gate answers refusals (sold out, not started, ended
  …) without the database, and — nearly every request at a sale's peak — with bytes rendered
  once per item and language, the plainly valid body read without DRF's parser stack and the
  round trip's replies read in one pass (each proven equal to the long way in the tests); a
  shopper who may get a unit passes the guard (block lists, the slider when the merchant
  asks), then gets the order in the same response (synchronous, 201; the same
  ``Idempotency-Key`` again replays it with 200);
* ``POST`` / ``DELETE flash/items/{id}/reservation`` — 补货中，可预约: reserve a sold-out item
  (told first come first served when the merchant restocks), or withdraw.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.exception_handler import error_body
from mall.api.input import validated_input
from mall.api.parsers import json_body
from mall.api.renderers import FastJSONRenderer
from mall.api.schema import error_responses
from mall.api.throttling import (
    BatchedThrottlesMixin,
    FixedWindowRateThrottle,
    counting_connection,
    pack_window,
)
from mall.cache import cache_outage_warn, local_windows
from mall.redis import get_redis
from mall.redis_wire import can_read_directly, read_replies
from marketing.api.common import member_of, optional_member
from marketing.selectors.flash_sales import (
    STATES,
    flash_item_detail,
    flash_releases_for_shoppers,
    flash_slots_for_shoppers,
)
from marketing.services.flash_gate import gate_precheck, gate_precheck_command, gate_precheck_refusal, gate_refusal
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
_IDEMPOTENCY_META = "HTTP_" + IDEMPOTENCY_HEADER.upper().replace("-", "_")


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


def _qty(data: Any) -> int:
    """The quantity asked for, for the gate's early answer (validated properly afterwards)."""
    raw = data.get("qty", 1) if isinstance(data, dict) else 1
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= 99 else 1


def _send_with_gate(connection: Any, payload: bytes, windows: int) -> tuple[list[int], list[Any] | None]:
    """Send the windows' INCR / EXPIRE pairs and the gate's EVALSHA; read every reply. The
    gate's error reply (``NOSCRIPT``) is None: every reply is read, the connection stays usable.
    The replies are read in one pass off the socket (``mall.redis_wire``; redis-py's reader, one
    call per reply, was about a tenth of a sold-out answer's CPU) when the connection allows."""
    try:
        connection.send_packed_command([payload], check_health=False)
        if can_read_directly(connection):
            replies = read_replies(connection, 2 * windows + 1)
        else:
            replies = [connection.read_response() for _ in range(2 * windows)]
            try:
                replies.append(connection.read_response())
            except ResponseError as exc:
                replies.append(exc)
        *windows_replies, reply = replies
        for value in windows_replies:
            if isinstance(value, Exception):
                raise value
        if isinstance(reply, Exception) and not isinstance(reply, ResponseError):
            raise reply  # e.g. LOADING: a connection error, as read_response raises it
    except BaseException:
        connection.disconnect()  # replies may be left unread: never reuse it half-read
        raise
    return [int(n) for n in windows_replies[::2]], None if isinstance(reply, ResponseError) else reply


# The gate's refusals rendered, by (code, extra, item, language): every shopper refused alike
# (sold out, not started …) gets the same bytes, rendered once per process.
_RENDERED: dict[tuple[str, str, int, str], tuple[int, bytes]] = {}
_RENDERED_MAX = 4096


def _refusal_response(
    request: Request, *, item_id: int, member_id: int, qty: int, code: str, extra: str
) -> HttpResponse:
    """The gate's refusal as the exception handler would answer it — the same status, body and
    headers — when the answer is plain JSON (``application/json``, no parameters): its bytes
    rendered once by the same renderer, then answered without DRF's exception handling and
    template response (issue 12: nearly every request at a sale's peak is one of these).
    Otherwise the refusal is raised and DRF answers."""
    renderer = getattr(request, "accepted_renderer", None)
    if type(renderer) is not FastJSONRenderer or request.accepted_media_type != FastJSONRenderer.media_type:
        raise gate_refusal(code, extra, item_id=item_id, member_id=member_id, qty=qty)
    key = (code, extra, item_id, translation.get_language())
    rendered = _RENDERED.get(key)
    if rendered is None:
        exc = gate_refusal(code, extra, item_id=item_id, member_id=member_id, qty=qty)
        body = renderer.render(error_body(exc.code, str(exc.message), exc.details), FastJSONRenderer.media_type, {})
        if len(_RENDERED) >= _RENDERED_MAX:
            _RENDERED.clear()
        rendered = _RENDERED[key] = (exc.status, body)
    return HttpResponse(rendered[1], status=rendered[0], content_type=FastJSONRenderer.media_type)


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

    def check_throttles(self, request: Request) -> None:
        """A purchase's windows are counted by ``post``, in the gate's Redis round trip."""
        if request.method != "POST":
            super().check_throttles(request)

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
    def post(self, request: Request, item_id: int) -> HttpResponse:
        shopper = request.user
        assert isinstance(shopper, TokenShopper)  # noqa: S101 - ShopperTokenAuthentication
        # What the gate needs, read first; a refusal of them is answered in the order it was
        # before (after the rate limits and the Idempotency-Key).
        peek: tuple[int, int] | None = None
        deferred: Exception | None = None
        body: Any = None
        try:
            sku_id = flash_item_sku_id(item_id)
            body = json_body(request)
            peek = (sku_id, _qty(body))
        except Exception as exc:  # an unknown item, an unreadable body: raised below
            deferred = exc
        reply = self._throttle_and_peek(request, item_id=item_id, member_id=shopper.pk, peek=peek)
        key = request._request.META.get(_IDEMPOTENCY_META, "").strip()  # request.headers, without building it
        if not key:
            raise IdempotencyKeyRequired
        if deferred is not None:
            raise deferred
        assert peek is not None  # noqa: S101 - set unless deferred
        # The fast path: the gate's refusal (sold out, not started, ended …) from Redis, before
        # the body is validated, the guard asked or the shopper's row read. Nothing scarce is
        # spent on a refusal, so the guard (block lists, slider) stands only before a unit:
        # the placement asks it, with this request's context, before the gate takes one.
        if reply is None:
            gate_precheck(item_id=item_id, member_id=shopper.pk, sku_id=peek[0], qty=peek[1])
        elif (refused := gate_precheck_refusal(reply)) is not None:
            code, extra = refused
            return _refusal_response(
                request, item_id=item_id, member_id=shopper.pk, qty=peek[1], code=code, extra=extra
            )
        data = validated_input(self.InputSerializer, body)
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

    def _throttle_and_peek(
        self, request: Request, *, item_id: int, member_id: int, peek: tuple[int, int] | None
    ) -> list[Any] | None:
        """The view's rate windows counted (429 as DRF's check) and the gate's precheck asked in
        one Redis round trip (issue 12: a sold-out answer costs the round trip of a ping).

        Returns the gate's reply, or None when it was not asked or did not answer (no
        ``peek``, no plain Redis connection, Redis unreachable, the script not loaded): the
        caller then asks :func:`gate_precheck` itself, as before."""
        client = get_redis()
        connection = counting_connection(client) if client is not None and peek is not None else None
        every = self.get_throttles()
        throttles = [t for t in every if isinstance(t, FixedWindowRateThrottle)]
        if connection is None or peek is None or len(throttles) != len(every):
            super().check_throttles(request)
            return None
        keyed = [(t, key) for t in throttles if (key := t.prepare(request, self)) is not None]
        payload = b"".join(pack_window(key, t.duration + 1) for t, key in keyed) + gate_precheck_command(
            client, item_id=item_id, member_id=member_id, sku_id=peek[0], qty=peek[1]
        )
        reply: list[Any] | None
        try:
            try:
                counts, reply = _send_with_gate(connection, payload, len(keyed))
            except (RedisConnectionError, RedisTimeoutError):
                # A connection Redis dropped fails on first use: once more on a new one.
                counts, reply = _send_with_gate(connection, payload, len(keyed))
        except RedisError as exc:  # counted in this process, as the throttles do
            cache_outage_warn("throttle", exc)
            counts, reply = [local_windows.count(key, ttl=t.duration + 1) for t, key in keyed], None
        waits = [t.wait() for (t, _key), count in zip(keyed, counts, strict=True) if not t.decide(count)]
        if waits:
            known = [w for w in waits if w is not None]
            self.throttled(request, max(known) if known else None)  # type: ignore[arg-type]
        return reply


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
