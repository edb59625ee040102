"""Checkout preview: the full price breakdown before placing the order (nothing is written)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.output import compiled_output
from mall.api.parsers import json_body, plain_json_body
from mall.api.schema import error_responses
from mall.api.throttling import throttle_cache_read
from marketing.selectors.checkout_pricing import checkout_rules
from marketing.selectors.pricing_fetch import member_with_wallet
from marketing.selectors.pricing_rules import VERSION_KEY as RULES_VERSION_KEY
from members.api.permissions import IsMember
from members.authentication import member_read_by
from members.models import Member
from orders.api.common import (
    CheckoutInputSerializer,
    checkout_deal,
    checkout_input_parse,
    checkout_items,
    request_member,
)
from orders.selectors.cart import MAX_ID, product_image_url
from orders.selectors.checkout import CheckoutPreview, SkusAhead, checkout_preview, checkout_skus_ahead


class QuoteRuleRefSerializer(serializers.Serializer):
    """A pricing rule as the quote names it."""

    rule_id = serializers.CharField(
        help_text="the rule's id in the pricing engine, e.g. promotion:3, coupon:12, points"
    )
    rule_type = serializers.CharField(
        help_text="full_reduction, discount, nth_discount, gift, tiered, limited_discount, coupon, points, flash, "
        "group, bargain, tier_rate, free_shipping …"
    )
    name = serializers.CharField(help_text="the rule's name for the shopper (活动名称 or a label of its type)")


class QuoteAllocationOutputSerializer(QuoteRuleRefSerializer):
    """One order-level discount (promotion, coupon, points) spread onto a line."""

    amount = serializers.IntegerField(help_text="fen taken off this line by the rule")


class QuoteItemRuleOutputSerializer(QuoteRuleRefSerializer):
    """The item-level rule that set a line's unit price (flash, group, bargain, limited discount, stepped price)."""

    units = serializers.ListField(
        child=serializers.IntegerField(),
        min_length=2,
        max_length=2,
        required=False,
        help_text="stepped price only: the units [first, last] of the campaign this line's price covers",
    )
    rate = serializers.CharField(
        allow_null=True,
        required=False,
        help_text='stepped price only: the step\'s rate, e.g. "0.8" (null: a fixed price)',
    )


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
    allocations = QuoteAllocationOutputSerializer(many=True, help_text="discount_amount rule by rule")
    is_gift = serializers.BooleanField()
    item_rule = QuoteItemRuleOutputSerializer(
        allow_null=True,
        help_text="the item-level rule that set unit_price (null: the list price); a line that straddles the "
        "steps of a stepped price comes as one line per step",
    )


class QuoteGiftOutputSerializer(serializers.Serializer):
    sku = serializers.CharField(help_text="the gift SKU's code")
    qty = serializers.IntegerField()


class QuoteAppliedOutputSerializer(QuoteRuleRefSerializer):
    """A rule that gave something on this order."""

    level = serializers.CharField(help_text="item (sets unit prices), order (amount off the order), points or shipping")
    amount = serializers.IntegerField(help_text="fen saved by the rule")
    gifts = QuoteGiftOutputSerializer(many=True, required=False, help_text="gift rules only: what is added free")


class QuoteRejectedOutputSerializer(serializers.Serializer):
    """A rule that could apply but did not, and why."""

    rule_id = serializers.CharField()
    rule_type = serializers.CharField()
    name = serializers.CharField(required=False, help_text="absent for the points line (rule_id points)")
    reason = serializers.CharField(
        help_text="why: out_of_scope, out_of_window, threshold_not_met, not_best, exclusive, usage_limit, "
        "gift_out_of_stock, points_insufficient, points_over_cap …"
    )
    detail = serializers.CharField(allow_blank=True, help_text="the engine's note (not for display)")


class QuoteHintOutputSerializer(serializers.Serializer):
    """凑单: buying short_by more of the rule's scope earns reward off (or the gift)."""

    rule_id = serializers.CharField()
    rule_type = serializers.CharField()
    name = serializers.CharField(required=False, help_text="absent for the free-shipping hint")
    short_by = serializers.IntegerField(help_text="fen still to add to the rule's scope")
    reward = serializers.IntegerField(help_text="fen off (or the shipping fee saved) once reached")
    gift_sku = serializers.CharField(
        allow_null=True, required=False, help_text="gift rules: the SKU code given once reached"
    )
    text = serializers.CharField(help_text="a sentence for the shopper, e.g. 再买 9.00 元即可包邮")


class QuoteCouponOutputSerializer(serializers.Serializer):
    """How one of the shopper's coupons fares on this order."""

    coupon_id = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)
    kind = serializers.CharField(help_text="amount_off, percent_off, … (the coupon's kind)")
    group = serializers.CharField(help_text="coupons of one group do not stack (shop, platform …)")
    usable = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True, help_text="why not usable (null when usable)")
    discount = serializers.IntegerField(help_text="fen it would take off on its own")
    applied = serializers.BooleanField(help_text="taken by this quote")
    amount = serializers.IntegerField(help_text="fen it takes off in this quote (0 when not applied)")


class QuoteShippingRuleOutputSerializer(serializers.Serializer):
    rule_id = serializers.CharField(help_text="free_shipping:threshold for 满额包邮, else the waiver's rule")
    rule_type = serializers.CharField(help_text="free_shipping")
    kind = serializers.CharField(help_text="what granted it: threshold, promotion, flash, group, coupon …")
    name = serializers.CharField(allow_blank=True)


class QuoteShippingOutputSerializer(serializers.Serializer):
    """Why shipping costs what it does (amounts in fen)."""

    fee = serializers.IntegerField()
    flat_fee = serializers.IntegerField(help_text="the shop's fee before any 包邮")
    free = serializers.BooleanField()
    reason = serializers.ChoiceField(choices=["threshold", "waived", "charged", "nothing_to_pay", "no_fee"])
    reason_label = serializers.CharField(help_text="e.g. 满 99.00 元包邮, 10:00 秒杀, 运费 10.00 元")
    rules = QuoteShippingRuleOutputSerializer(many=True, help_text="the rules that made it free")
    not_enough = QuoteShippingRuleOutputSerializer(many=True, help_text="waivers that covered only some lines")
    short_by = serializers.IntegerField(help_text="fen of goods still to add for the shop's free-shipping threshold")


class QuoteOutputSerializer(serializers.Serializer):
    lines = QuoteLineOutputSerializer(many=True)
    goods_amount = serializers.IntegerField(help_text="list price × qty, summed (fen)")
    discount_amount = serializers.IntegerField()
    shipping_fee = serializers.IntegerField()
    points_used = serializers.IntegerField()
    points_discount = serializers.IntegerField()
    points_max = serializers.IntegerField(help_text="the most points this order could use")
    points_earned = serializers.IntegerField(help_text="points the shopper earns once the order completes")
    points_per_yuan = serializers.IntegerField(help_text="points that take 1 yuan off (the shop's rule)")
    payable_amount = serializers.IntegerField()
    applied = QuoteAppliedOutputSerializer(many=True)
    rejected = QuoteRejectedOutputSerializer(many=True)
    hints = QuoteHintOutputSerializer(many=True)
    coupons = QuoteCouponOutputSerializer(many=True, help_text="the shopper's coupons and how each fares here")
    shipping = QuoteShippingOutputSerializer()


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
    # exactly the serializer's documented fields (the placement-only ones stay inside), through
    # its compiled projector: the same answer without a serializer instance per request
    return compiled_output(QuoteOutputSerializer)({**quote.as_json(), "lines": lines})


def _member_with_wallet_now(member_id: int, ahead: SkusAhead | None = None) -> Member | None:
    return member_with_wallet(member_id, at=timezone.now(), also=None if ahead is None else ahead.statement)


# Items a body may name for its SKUs to be read ahead (the input's own limit).
AHEAD_ITEMS_MAX = 50


def _body_sku_ids(request: Request) -> list[int]:
    """The SKU ids a plain JSON body names in ``items`` (none for any other body: the input is
    judged later, by the serializer, and nothing here refuses it)."""
    body = plain_json_body(request)
    items = body.get("items") if body is not None else None
    if type(items) is not list or len(items) > AHEAD_ITEMS_MAX:
        return []
    ids = [item.get("sku_id") for item in items if type(item) is dict]
    return [pk for pk in ids if type(pk) is int and 0 < pk <= MAX_ID]


def _skus_read_ahead(member: Member, ahead: SkusAhead | None) -> SkusAhead | None:
    """``ahead`` with the rows that came with the shopper's row (None when they did not)."""
    rows = getattr(member, "also_rows", None)
    if ahead is None or rows is None:
        return None
    member.also_rows = None  # type: ignore[attr-defined] # for one preview only
    return ahead.arrived(rows)


class CheckoutPreviewApi(APIView):
    """Price the given items (default: the selected cart rows) with discounts, points and shipping."""

    permission_classes = [IsMember]
    # the pricing rules' version, read in the throttles' Redis round trip (issue 12: one fewer)
    throttle_cache_reads = (RULES_VERSION_KEY,)

    class InputSerializer(CheckoutInputSerializer):
        address_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)

        class Meta:
            ref_name = "CheckoutPreviewInput"

    skus_ahead: SkusAhead | None = None

    def perform_authentication(self, request: Request) -> None:
        """The shopper's row, when the permission check reads it, comes with their shopper state
        and wallet, and on MariaDB with the SKUs the body names: one round trip instead of two
        (issue 12). The SKU read goes only if the row is read, so a refused token reads nothing."""
        super().perform_authentication(request)
        self.skus_ahead = checkout_skus_ahead(_body_sku_ids(request))
        request.user = member_read_by(request.user, partial(_member_with_wallet_now, ahead=self.skus_ahead))

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
        data = checkout_input_parse(CheckoutPreviewApi.InputSerializer, json_body(request))
        member = request_member(request)
        preview = checkout_preview(
            member=member,
            items=checkout_items(data),
            address_id=data.get("address_id"),
            coupon_ids=data["coupon_ids"],
            points=data["points"],
            deal=checkout_deal(data),
            rules=checkout_rules(version_read=throttle_cache_read(request, RULES_VERSION_KEY)),
            skus_ahead=_skus_read_ahead(member, self.skus_ahead),
        )
        return Response(quote_data(preview))
