"""Output shapes shared by the coupon and quote endpoints (documentation of the JSON only)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from marketing.models import Coupon, CouponTemplate
from marketing.selectors.coupons import scope_summary, template_summary


class MoneySerializer(serializers.Serializer):
    class Meta:
        ref_name = "MarketingMoney"

    fen = serializers.IntegerField(help_text="integer fen")
    yuan = serializers.CharField(help_text='the same amount as a yuan string, e.g. "55.00"')


class ScopeOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CouponScopeOutput"

    whole_shop = serializers.BooleanField()
    categories = serializers.ListField(child=serializers.CharField())
    sku_ids = serializers.ListField(child=serializers.IntegerField())
    exclude_sku_ids = serializers.ListField(child=serializers.IntegerField())
    text = serializers.CharField()


class TemplateOutputSerializer(serializers.Serializer):
    """What a coupon of this template gives (money in fen)."""

    class Meta:
        ref_name = "CouponTemplateOutput"

    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    group = serializers.CharField()
    threshold = serializers.IntegerField()
    off = serializers.IntegerField()
    rate = serializers.CharField(allow_null=True)
    max_off = serializers.IntegerField(allow_null=True)
    summary = serializers.CharField()
    scope = ScopeOutputSerializer()
    valid_from = serializers.DateTimeField(allow_null=True)
    valid_until = serializers.DateTimeField(allow_null=True)
    valid_days = serializers.IntegerField(allow_null=True)


def template_data(template: CouponTemplate) -> dict[str, Any]:
    return {
        "id": template.pk,
        "name": template.name,
        "kind": template.kind,
        "group": template.group,
        "threshold": template.threshold,
        "off": template.off,
        "rate": None if template.rate is None else str(template.rate.normalize()),
        "max_off": template.max_off,
        "summary": template_summary(template),
        "scope": scope_summary(template),
        "valid_from": template.valid_from,
        "valid_until": template.valid_until,
        "valid_days": template.valid_days,
    }


class CouponOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CouponOutput"

    id = serializers.IntegerField()
    status = serializers.CharField(help_text="unused | used | expired")
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()
    used_at = serializers.DateTimeField(allow_null=True)
    order_no = serializers.CharField(allow_null=True)
    template = TemplateOutputSerializer()


def coupon_data(coupon: Coupon, status: str) -> dict[str, Any]:
    return {
        "id": coupon.pk,
        "status": status,
        "valid_from": coupon.valid_from,
        "valid_until": coupon.valid_until,
        "used_at": coupon.used_at,
        "order_no": coupon.order.no if coupon.order_id and coupon.order else None,
        "template": template_data(coupon.template),
    }


class RuleRefSerializer(serializers.Serializer):
    class Meta:
        ref_name = "QuoteRuleRef"

    rule_id = serializers.CharField(help_text='"promotion:12", "coupon:34", "tier:gold", "points"')
    type = serializers.CharField()
    type_label = serializers.CharField()
    name = serializers.CharField()


class SkuRefSerializer(serializers.Serializer):
    class Meta:
        ref_name = "QuoteSkuRef"

    sku_id = serializers.IntegerField(allow_null=True)
    sku = serializers.CharField(help_text="SKU code")
    title = serializers.CharField()
    specs = serializers.DictField(child=serializers.CharField())


class DiscountSerializer(RuleRefSerializer):
    class Meta:
        ref_name = "QuoteDiscount"

    amount = MoneySerializer()


class UnitRangeSerializer(serializers.Serializer):
    """F13: units first…last of a stepped campaign's sequence on this line, at one price."""

    class Meta:
        ref_name = "QuoteUnitRange"

    first = serializers.IntegerField()
    last = serializers.IntegerField()
    qty = serializers.IntegerField()
    rate = serializers.CharField(allow_null=True, help_text='the step\'s rate ("0.5" = 5折); null = list price')
    unit_price = MoneySerializer()


class QuoteLineSerializer(SkuRefSerializer):
    class Meta:
        ref_name = "QuoteLine"

    qty = serializers.IntegerField()
    list_price = MoneySerializer()
    item_rule = RuleRefSerializer(allow_null=True, help_text="the item-level rule that set unit_price")
    unit_price = MoneySerializer(help_text="a stepped line: the lowest of its unit_ranges")
    line_price = MoneySerializer(help_text="unit_price × qty (a stepped line: the sum of its unit_ranges)")
    discounts = DiscountSerializer(many=True, help_text="order promotions, coupons and points on this line")
    paid = MoneySerializer(help_text="line_price − discounts")
    special_price = serializers.BooleanField()
    is_gift = serializers.BooleanField()
    unit_ranges = UnitRangeSerializer(many=True, help_text="stepped price only: which units pay which step")


class GiftSerializer(SkuRefSerializer):
    class Meta:
        ref_name = "QuoteGift"

    qty = serializers.IntegerField()


class AppliedSerializer(RuleRefSerializer):
    class Meta:
        ref_name = "QuoteApplied"

    level = serializers.CharField(help_text="item | order | coupon | points")
    amount = MoneySerializer()
    gifts = GiftSerializer(many=True)


class RejectedSerializer(RuleRefSerializer):
    class Meta:
        ref_name = "QuoteRejected"

    reason = serializers.CharField(help_text="threshold_not_met, out_of_window, out_of_scope, conflict, limit, …")
    reason_label = serializers.CharField()
    detail = serializers.CharField(help_text="The engine's developer note (English, rule ids); not for display.")
    detail_label = serializers.CharField(
        help_text="The detail as a sentence for people, with rule names (empty when the reason says it all)."
    )


class CouponVerdictSerializer(serializers.Serializer):
    class Meta:
        ref_name = "QuoteCouponVerdict"

    coupon_id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    group = serializers.CharField()
    usable = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)
    reason_label = serializers.CharField()
    discount = MoneySerializer(help_text="what this coupon alone would take off")
    applied = serializers.BooleanField()
    amount = MoneySerializer(help_text="what it takes off in this quote")


class QuoteCouponsSerializer(serializers.Serializer):
    class Meta:
        ref_name = "QuoteCoupons"

    auto_selected = serializers.BooleanField()
    usable = CouponVerdictSerializer(many=True)
    unusable = CouponVerdictSerializer(many=True)


class QuotePointsSerializer(serializers.Serializer):
    class Meta:
        ref_name = "QuotePoints"

    used = serializers.IntegerField()
    value = MoneySerializer()
    max = serializers.IntegerField()
    earned = serializers.IntegerField(help_text="points this order earns when it completes")


class HintSerializer(RuleRefSerializer):
    class Meta:
        ref_name = "QuoteHint"

    short_by = MoneySerializer()
    reward = MoneySerializer()
    gift = SkuRefSerializer(allow_null=True)
    text = serializers.CharField(help_text="凑单 hint, e.g. 再买 ¥9.00 可减 ¥20.00")


class ShippingRuleSerializer(serializers.Serializer):
    class Meta:
        ref_name = "QuoteShippingRule"

    rule_id = serializers.CharField(
        help_text="free_shipping:threshold, product:<id>, flash:<id>, group:<id>, bargain:<id>"
    )
    rule_type = serializers.CharField(help_text="free_shipping")
    kind = serializers.CharField(help_text="what granted it: threshold, product, flash_sale, group_price, …")
    name = serializers.CharField(help_text="e.g. 满 99.00 元包邮, 10:00 秒杀 包邮")


class QuoteShippingSerializer(serializers.Serializer):
    class Meta:
        ref_name = "QuoteShipping"

    fee = MoneySerializer()
    flat_fee = MoneySerializer(help_text="the shop's fee when nothing makes the order ship free")
    free = serializers.BooleanField()
    reason = serializers.CharField(help_text="threshold | waived (包邮 rules) | charged | nothing_to_pay | no_fee")
    reason_label = serializers.CharField(help_text="why, in one line: 满 99.00 元包邮 / 10:00 秒杀 包邮 / 运费 8.00 元")
    rules = ShippingRuleSerializer(many=True, help_text="what made it free")
    not_enough = ShippingRuleSerializer(many=True, help_text="包邮 rules that covered only some of the lines")
    short_by = MoneySerializer(help_text="what the goods lack to reach the threshold when the fee is charged")


class QuoteOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CartQuoteOutput"

    payable = MoneySerializer(help_text="goods after every discount and points (shipping not included)")
    subtotal = MoneySerializer(help_text="list price × qty")
    discount = MoneySerializer(help_text="item, order and coupon discounts (points not included)")
    shipping_fee = MoneySerializer()
    total = MoneySerializer(help_text="payable + shipping_fee: what checkout will charge")
    shipping = QuoteShippingSerializer(help_text="why shipping costs what it does (checkout also adds a deal's 包邮)")
    lines = QuoteLineSerializer(many=True)
    applied = AppliedSerializer(many=True)
    rejected = RejectedSerializer(many=True)
    coupons = QuoteCouponsSerializer()
    points = QuotePointsSerializer()
    gifts = SkuRefSerializer(many=True)
    hints = HintSerializer(many=True)
