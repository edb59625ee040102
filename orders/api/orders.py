"""The shopper's orders: place (idempotent), list, detail, cancel, confirm receipt."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.output import compiled_output
from mall.api.pagination import StandardPagination
from mall.api.parsers import json_body
from mall.api.schema import error_responses
from mall.api.throttling import throttle_cache_read
from marketing.selectors.checkout_pricing import checkout_rules
from marketing.selectors.pricing_rules import VERSION_KEY as RULES_VERSION_KEY
from members.api.abuse import GUARD_ERRORS, GUARD_HEADERS, request_context
from members.api.permissions import IsMember
from orders.api.common import (
    CheckoutInputSerializer,
    checkout_deal,
    checkout_input_parse,
    checkout_items,
    request_member,
)
from orders.errors import IdempotencyKeyRequired
from orders.models import Order, OrderLine, OrderStatus
from orders.selectors.cart import MAX_ID
from orders.selectors.orders import order_get_for_member, order_list_for_member
from orders.services.orders import order_cancel_by_member, order_confirm_receipt, order_place_or_replay

IDEMPOTENCY_HEADER = "Idempotency-Key"


class OrderLineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku_id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    title = serializers.CharField()
    specs = serializers.DictField(child=serializers.CharField())
    image = serializers.CharField()
    unit_price = serializers.IntegerField()
    qty = serializers.IntegerField()
    item_amount = serializers.IntegerField()
    discount_amount = serializers.IntegerField()
    paid_amount = serializers.IntegerField()
    is_gift = serializers.BooleanField()
    refunded_qty = serializers.IntegerField()


class OrderSummaryOutputSerializer(serializers.Serializer):
    """What the order list shows per order."""

    no = serializers.CharField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    status_display = serializers.CharField(source="get_status_display")
    goods_amount = serializers.IntegerField()
    payable_amount = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(help_text="unpaid orders are cancelled at this time")
    deal_kind = serializers.CharField(help_text="the marketing tool the order was bought through (flash, group, …)")
    deal_ref = serializers.IntegerField(allow_null=True, help_text="the tool's row: flash item, group, bargain")
    ship_hold = serializers.CharField(help_text="non-empty while a paid order may not ship yet (a group forming)")
    lines = OrderLineOutputSerializer(many=True)


class OrderDetailOutputSerializer(OrderSummaryOutputSerializer):
    discount_amount = serializers.IntegerField()
    points_used = serializers.IntegerField()
    points_discount = serializers.IntegerField()
    shipping_fee = serializers.IntegerField()
    refunded_amount = serializers.IntegerField()
    applied = serializers.ListField(
        child=serializers.DictField(), read_only=True, help_text="Which rule gave what (the explainable price, B04)."
    )
    address = serializers.DictField(child=serializers.CharField())
    remark = serializers.CharField()
    paid_at = serializers.DateTimeField(allow_null=True)
    shipped_at = serializers.DateTimeField(allow_null=True)
    carrier = serializers.CharField()
    tracking_no = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancel_reason = serializers.CharField()


_ORDER_COLUMNS = tuple(
    name for name in OrderDetailOutputSerializer._declared_fields if name not in ("status_display", "applied", "lines")
)


def order_detail_data(order: Order, lines: Iterable[OrderLine] | None = None) -> dict[str, Any]:
    """The detail answer through the compiled serializer (issue 12: DRF's per-call field copies
    were a tenth of a placement's CPU); ``lines`` are the ones placement just wrote, else read."""
    data: dict[str, Any] = {name: getattr(order, name) for name in _ORDER_COLUMNS}
    data["get_status_display"] = order.get_status_display()
    data["applied"] = list((order.pricing or {}).get("applied", []))
    data["lines"] = order.lines.all() if lines is None else lines
    return compiled_output(OrderDetailOutputSerializer)(data)


_AUTH = (401, ["not_authenticated"])
_NOT_FOUND = (404, ["order_not_found"])
_STATE_ERRORS = error_responses(_AUTH, _NOT_FOUND, (409, ["order_status_invalid"]))


class OrderListApi(APIView):
    permission_classes = [IsMember]
    pagination_class = StandardPagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)

        class Meta:
            ref_name = "OrderListFilter"

    @extend_schema(
        operation_id="orders_list",
        tags=["orders"],
        parameters=[FilterSerializer],
        responses={200: OrderSummaryOutputSerializer(many=True), **error_responses((400, ["invalid_input"]), _AUTH)},
    )
    def get(self, request: Request) -> Response:
        """The shopper's orders, newest first, optionally of one status; paginated."""
        filters = OrderListApi.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        orders = order_list_for_member(member=request_member(request), status=filters.validated_data.get("status"))
        paginator = StandardPagination()
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response(OrderSummaryOutputSerializer(page, many=True).data)


class OrderPlaceApi(APIView):
    permission_classes = [IsMember]

    @property
    def throttle_cache_reads(self) -> tuple[str, ...]:
        """A placement's rules version is read with its throttle windows (issue 12: a round trip
        of its own on every order); the order list on the same route reads no rules."""
        return (RULES_VERSION_KEY,) if self.request.method == "POST" else ()

    class InputSerializer(CheckoutInputSerializer):
        address_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        remark = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        src = serializers.CharField(
            max_length=64,
            required=False,
            allow_blank=True,
            default="",
            help_text="tracking parameter of the push or share that brought the shopper (msg:12, seg:3, share); "
            "optional, unknown values are ignored",
        )

        class Meta:
            ref_name = "OrderPlaceInput"

    @extend_schema(
        operation_id="orders_place",
        tags=["orders"],
        request=InputSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="A fresh random key per checkout attempt (≤ 64 characters), reused on retries.",
            ),
            *GUARD_HEADERS,
        ],
        responses={
            201: OrderDetailOutputSerializer,
            200: OrderDetailOutputSerializer,
            **error_responses(
                (
                    400,
                    [
                        "invalid_input",
                        "idempotency_key_required",
                        "cart_empty",
                        "invalid_qty",
                        "sku_not_found",
                        "deal_invalid",
                    ],
                ),
                _AUTH,
                (404, ["address_not_found", "deal_not_found"]),
                (
                    409,
                    [
                        "sku_unavailable",
                        "stock_insufficient",
                        "points_insufficient",
                        "idempotency_key_reused",
                        "deal_unavailable",
                        "campaign_budget_spent",
                        "purchase_limit_exceeded",
                    ],
                ),
                *GUARD_ERRORS,
            ),
        },
    )
    def post(self, request: Request) -> Response:
        """Place an order from the given items (default: the selected cart rows); stock is locked 15 minutes.

        The ``Idempotency-Key`` header is required: repeating a request with the same key returns
        the same order (200 instead of 201) and never creates a second one. The shop's guard
        (F45) answers first: 403 ``access_blocked`` / ``captcha_required``, 429 ``rate_limited``.
        """
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key:
            raise IdempotencyKeyRequired
        # issue 12: a well-formed body through the serializer's compiled parser (as the preview)
        data = checkout_input_parse(OrderPlaceApi.InputSerializer, json_body(request))
        result = order_place_or_replay(
            context=request_context(request),
            member=request_member(request),
            items=checkout_items(data),
            address_id=data["address_id"],
            idempotency_key=key,
            coupon_ids=data["coupon_ids"],
            points=data["points"],
            remark=data["remark"],
            deal=checkout_deal(data),
            src=data["src"],
            rules=checkout_rules(version_read=throttle_cache_read(request, RULES_VERSION_KEY)),
        )
        if result.lines is None:  # a replay: the order as stored
            order, lines = order_get_for_member(member=request_member(request), order_id=result.order.pk), None
        else:  # just placed: the rows this request wrote, not a second read of them
            order, lines = result.order, result.lines
        response = Response(
            order_detail_data(order, lines), status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )
        if not result.created:
            response["Idempotent-Replayed"] = "true"
        return response


class OrderDetailApi(APIView):
    """One of the shopper's orders with its lines, price breakdown, address, payment and shipping;
    another shopper's is "not found"."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="orders_detail",
        tags=["orders"],
        responses={200: OrderDetailOutputSerializer, **error_responses(_AUTH, _NOT_FOUND)},
    )
    def get(self, request: Request, no: str) -> Response:
        return Response(order_detail_data(order_get_for_member(member=request_member(request), no=no)))


class OrderCancelApi(APIView):
    """Cancel an unpaid order: its stock and points go back at once. Cancelling twice is harmless."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="orders_cancel",
        tags=["orders"],
        request=None,
        responses={
            200: OrderDetailOutputSerializer,
            **error_responses(_AUTH, _NOT_FOUND, (409, ["order_status_invalid"])),
        },
    )
    def post(self, request: Request, no: str) -> Response:
        member = request_member(request)
        order = order_get_for_member(member=member, no=no)
        order_cancel_by_member(member=member, order_id=order.pk)
        return Response(order_detail_data(order_get_for_member(member=member, no=no)))


class OrderConfirmReceiptApi(APIView):
    """Confirm receipt of a shipped order: it completes. Confirming twice is harmless."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="orders_confirm_receipt",
        tags=["orders"],
        request=None,
        responses={
            200: OrderDetailOutputSerializer,
            **error_responses(_AUTH, _NOT_FOUND, (409, ["order_status_invalid"])),
        },
    )
    def post(self, request: Request, no: str) -> Response:
        member = request_member(request)
        order = order_get_for_member(member=member, no=no)
        order_confirm_receipt(member=member, order_id=order.pk)
        return Response(order_detail_data(order_get_for_member(member=member, no=no)))


class OrderCollectionRoute(OrderListApi, OrderPlaceApi):
    """Routing glue for ``orders``: GET lists, POST places (each its own operation above)."""
