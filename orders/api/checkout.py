"""Checkout preview: the full price breakdown before placing the order (nothing is written)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.schema import error_responses
from members.api.permissions import IsMember
from orders.api.common import CheckoutInputSerializer, request_member
from orders.selectors.cart import MAX_ID, product_image_url
from orders.selectors.checkout import CheckoutPreview, checkout_preview


class QuoteLineOutputSerializer(serializers.Serializer):
    sku_id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    title = serializers.CharField()
    image = serializers.CharField()
    specs = serializers.DictField(child=serializers.CharField())
    qty = serializers.IntegerField()
    list_price = serializers.IntegerField(help_text="fen per unit")
    unit_price = serializers.IntegerField(help_text="fen per unit after item-level promotions")
    item_amount = serializers.IntegerField(help_text="unit_price × qty")
    discount_amount = serializers.IntegerField(help_text="order-level discounts, coupons and points on this line")
    paid_amount = serializers.IntegerField(help_text="item_amount − discount_amount")
    allocations = serializers.ListField(child=serializers.DictField())
    is_gift = serializers.BooleanField()
    item_rule = serializers.DictField(
        allow_null=True,
        help_text="the item-level rule that set unit_price {rule_id, rule_type, name}; a stepped price adds "
        "units [first, last] and rate (one line per step when a line straddles steps)",
    )


class QuoteOutputSerializer(serializers.Serializer):
    lines = QuoteLineOutputSerializer(many=True)
    goods_amount = serializers.IntegerField(help_text="list price × qty, summed (fen)")
    discount_amount = serializers.IntegerField()
    shipping_fee = serializers.IntegerField()
    points_used = serializers.IntegerField()
    points_discount = serializers.IntegerField()
    points_per_yuan = serializers.IntegerField(help_text="points that take 1 yuan off (the shop's rule)")
    payable_amount = serializers.IntegerField()
    applied = serializers.ListField(child=serializers.DictField())
    rejected = serializers.ListField(child=serializers.DictField())
    hints = serializers.ListField(child=serializers.DictField())
    shipping = serializers.DictField(
        help_text="why shipping costs what it does: {fee, flat_fee, free, reason (threshold | waived | charged | "
        "nothing_to_pay | no_fee), reason_label (e.g. 满 99.00 元包邮, 10:00 秒杀 包邮), rules [{rule_id, rule_type "
        "free_shipping, kind, name}], not_enough, short_by}; amounts in fen"
    )


def quote_data(preview: CheckoutPreview) -> dict[str, Any]:
    quote = preview.quote
    lines = []
    for line in quote.lines:
        sku = preview.skus.get(line.sku_id)
        lines.append(
            {
                "sku_id": line.sku_id,
                "product_id": sku.product_id if sku else 0,
                "title": sku.product.title if sku else "",
                "image": product_image_url(sku.product) if sku else "",
                "specs": sku.specs if sku else {},
                "qty": line.qty,
                "list_price": line.list_price,
                "unit_price": line.unit_price,
                "item_amount": line.item_amount,
                "discount_amount": line.discount_amount,
                "paid_amount": line.paid_amount,
                "allocations": list(line.allocations),
                "is_gift": line.is_gift,
                "item_rule": line.item_rule,
            }
        )
    return {**quote.as_json(), "lines": lines}


class CheckoutPreviewApi(APIView):
    """Price the given items (default: the selected cart rows) with discounts, points and shipping."""

    permission_classes = [IsMember]

    class InputSerializer(CheckoutInputSerializer):
        address_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)

        class Meta:
            ref_name = "CheckoutPreviewInput"

    @extend_schema(
        operation_id="checkout_preview",
        tags=["checkout"],
        request=InputSerializer,
        responses={
            200: QuoteOutputSerializer,
            **error_responses(
                (400, ["invalid_input", "cart_empty", "invalid_qty", "sku_not_found", "deal_invalid"]),
                (401, ["not_authenticated"]),
                (404, ["address_not_found", "deal_not_found"]),
                (409, ["sku_unavailable", "stock_insufficient", "deal_unavailable", "purchase_limit_exceeded"]),
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = CheckoutPreviewApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        preview = checkout_preview(
            member=request_member(request),
            items=serializer.items_tuples(),
            address_id=data.get("address_id"),
            coupon_ids=data["coupon_ids"],
            points=data["points"],
            deal=serializer.deal_request(),
        )
        return Response(quote_data(preview))
