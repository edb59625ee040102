"""The cart quote: the engine's full explainable price for a cart (B04), nothing written."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.schema import error_responses
from mall.models import Sku
from mall.money import Fen
from marketing.api.common import ItemsInputSerializer, member_of, resolve_items
from marketing.api.coupons import ITEM_ERRORS
from marketing.api.serializers import QuoteOutputSerializer
from marketing.selectors.checkout_pricing import checkout_rules
from marketing.selectors.quotes import Labels, money, quote_breakdown, quote_for_member
from marketing.selectors.shipping import PricedShipping, shipping_for_quote
from members.api.permissions import IsMember
from orders.api.common import PointsField


def shipping_data(shipping: PricedShipping) -> dict[str, Any]:
    """``PricedShipping.as_json`` with its amounts as money objects, like the rest of this API."""
    data = shipping.as_json()
    return {**data, **{key: money(data[key]) for key in ("fee", "flat_fee", "short_by")}}


def cart_quote_data(
    *, breakdown: dict[str, Any], payable: Fen, shipping_fee: Fen, shipping: dict[str, Any]
) -> dict[str, Any]:
    """The response body as plain data, keyed in ``QuoteOutputSerializer``'s order.

    ``quote_breakdown`` already builds the documented shape; running the nested serializer over
    it again cost as much as pricing the cart. A test checks both give the same JSON.
    """
    return {
        "payable": breakdown["payable"],
        "subtotal": breakdown["subtotal"],
        "discount": breakdown["discount"],
        "shipping_fee": money(shipping_fee),
        "total": money(payable + shipping_fee),
        "shipping": shipping,
        **{key: breakdown[key] for key in ("lines", "applied", "rejected", "coupons", "points", "gifts", "hints")},
    }


class CartQuoteApi(APIView):
    """Price a cart: each line's unit price and the rule that set it, every discount spread over
    lines, applied and rejected rules with reasons, coupons usable or not, points, 凑单 hints.

    Without ``coupon_ids`` the engine picks the combination that saves the most; with it (even
    empty) the shopper's choice is checked. Checkout charges ``total``.
    """

    permission_classes = [IsMember]

    class InputSerializer(ItemsInputSerializer):
        class Meta:
            ref_name = "CartQuoteInput"

        coupon_ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=2**53), required=False, max_length=10
        )
        points = PointsField(required=False, default=0)

    @extend_schema(
        operation_id="cart_quote",
        tags=["checkout"],
        request=InputSerializer,
        responses={
            200: QuoteOutputSerializer,
            **error_responses(
                (400, ITEM_ERRORS),
                (401, ["not_authenticated"]),
                (404, ["coupon_not_found"]),
                (
                    409,
                    [
                        "sku_unavailable",
                        "coupon_unavailable",
                        "coupon_not_usable",
                        "coupon_conflict",
                        "purchase_limit_exceeded",
                    ],
                ),
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = member_of(request)
        # One rules version for the whole quote; the gift SKUs come with the cart's, and the shop's
        # shipping rule with the rules (issue 12: two queries less, as at checkout).
        rules = checkout_rules()
        gifts: dict[str, Sku] = {}
        items = resolve_items(member=member, serializer=serializer, gift_codes=rules.gift_codes(), gifts=gifts)
        priced = quote_for_member(
            member=member,
            items=items,
            coupon_ids=data.get("coupon_ids"),
            points=data["points"],
            gift_skus=gifts,
            rules=rules,
        )
        q = priced.quote
        shipping = shipping_for_quote(
            q=q,
            skus_by_code=priced.input.skus_by_code,
            member=member,
            at=priced.input.request.at,
            rule=rules.shipping,
        )
        breakdown = quote_breakdown(q, Labels.of(priced.input))
        return Response(
            cart_quote_data(
                breakdown=breakdown, payable=q.payable, shipping_fee=shipping.fee, shipping=shipping_data(shipping)
            )
        )
