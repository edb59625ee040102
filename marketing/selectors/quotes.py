"""Quotes for shoppers and the merchant's 试算, and their explainable rendering (B04).

:func:`quote_for_member` is fetch step + engine; :func:`quote_breakdown` turns a Quote into
the JSON the cart-quote API returns and the 试算 page shows: money as integer fen plus a yuan
string, every rule with the merchant's name, and reason codes with a Chinese label.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mall.errors import ApplicationError
from mall.models import Sku
from mall.money import Fen, format_yuan
from marketing.errors import PRICING_ERRORS, PricingRequestInvalid
from marketing.pricing import PricingError, PricingRequest, Quote, UnitRange, quote
from marketing.pricing import Promotion as PromotionSpec
from marketing.pricing.types import PointsRequest
from marketing.selectors.pricing_fetch import GIFT_OUT_OF_STOCK, PricingInput, pricing_fetch
from marketing.selectors.pricing_rules import PricingRules
from members.models import Member

REASON_LABELS: Mapping[str, Promise] = {
    "threshold_not_met": _("未达到使用门槛"),
    "out_of_window": _("不在活动时间内"),
    "out_of_scope": _("本单商品不在适用范围"),
    "special_price_excluded": _("秒杀、拼团、砍价商品不参与"),
    "conflict": _("已有更优惠的同类优惠"),
    "limit": _("已达到每人限购或限用次数"),
    "not_new_shopper": _("仅限新用户"),
    "no_benefit": _("本单无优惠"),
    "steps_exhausted": _("阶梯价已售完"),
    "not_selected": _("未选择"),
    "points_insufficient": _("积分余额不足"),
    "points_over_cap": _("超出本单积分抵扣上限"),
    "gift_out_of_stock": _("赠品已送完"),
}

RULE_TYPE_LABELS: Mapping[str, Promise] = {
    "flash_sale": _("秒杀价"),
    "limited_discount": _("限时折扣"),
    "stepped_price": _("阶梯价"),
    "group_price": _("拼团价"),
    "bargain_price": _("砍价"),
    "fan_price": _("粉丝专属价"),
    "tier_rate": _("会员折扣"),
    "full_reduction": _("满减"),
    "full_gift": _("满赠"),
    "nth_item": _("第 N 件优惠"),
    "buy_x_get_y": _("买 A 送 B"),
    "amount_off": _("满减券"),
    "rate_off": _("折扣券"),
    "no_threshold": _("无门槛券"),
    "points": _("积分抵扣"),
    "free_shipping": _("包邮"),
}


# Refusals about one coupon, named for the shopper or the merchant (never "coupon:3").
_NAMED_MESSAGES: Mapping[str, Promise] = {
    "coupon_not_found": _("优惠券「%(name)s」不在可用的券中。"),
    "coupon_not_usable": _("优惠券「%(name)s」不满足本单的使用条件。"),
    "coupon_conflict": _("优惠券「%(name)s」不能与所选的其他优惠券同时使用。"),
}


def pricing_error_to_application(error: PricingError, names: Mapping[str, str] | None = None) -> ApplicationError:
    """The engine's refusal as the API's error (same stable code), naming the coupon when known."""
    cls = PRICING_ERRORS.get(error.code, PricingRequestInvalid)
    name = (names or {}).get(error.ref or "")
    template = _NAMED_MESSAGES.get(error.code)
    message = template % {"name": name} if name and template is not None else None
    return cls(message, details={"reason": error.code, "detail": error.message})


def run_quote(request: PricingRequest, names: Mapping[str, str] | None = None) -> Quote:
    try:
        return quote(request)
    except PricingError as error:
        raise pricing_error_to_application(error, names) from error


@dataclass(frozen=True)
class MemberQuote:
    input: PricingInput
    quote: Quote


def quote_for_member(
    *,
    member: Member,
    items: Sequence[tuple[Sku, int]],
    coupon_ids: Sequence[int | str] | None = None,
    points: PointsRequest = 0,
    at: datetime | None = None,
    extra_promotions: Sequence[PromotionSpec] = (),
    extra_names: Mapping[str, str] | None = None,
    stepped_taken: Mapping[int, int] | None = None,
    gift_skus: Mapping[str, Sku] | None = None,
    rules: PricingRules | None = None,
    whole_wallet: bool = True,
) -> MemberQuote:
    """Price ``items`` for ``member``; ``coupon_ids=None`` = the engine picks the best coupons
    (``whole_wallet``: see :func:`pricing_fetch`)."""
    fetched = pricing_fetch(
        member=member,
        items=items,
        coupon_ids=coupon_ids,
        points=points,
        at=at,
        extra_promotions=extra_promotions,
        extra_names=extra_names,
        stepped_taken=stepped_taken,
        gift_skus=gift_skus,
        rules=rules,
        whole_wallet=whole_wallet,
    )
    return MemberQuote(input=fetched, quote=run_quote(fetched.request, fetched.names))


def money(fen: Fen) -> dict[str, Any]:
    return {"fen": fen, "yuan": format_yuan(fen)}


def unit_range_data(r: UnitRange) -> dict[str, Any]:
    """F13: units ``first…last`` of a stepped campaign's sequence at one price (rate None =
    past the last step, list price)."""
    return {
        "first": r.first,
        "last": r.last,
        "qty": r.qty,
        "rate": None if r.rate is None else str(r.rate),
        "unit_price": money(r.unit_price),
    }


def rule_label(rule_type: str) -> str:
    return str(RULE_TYPE_LABELS.get(rule_type, rule_type))


def reason_label(reason: str | None) -> str:
    return "" if reason is None else str(REASON_LABELS.get(reason, reason))


_SCOPE_BELOW = re.compile(r"^scope amount (?P<amount>[\d.]+) below (?P<threshold>[\d.]+)$")
_USED_OF = re.compile(r"^used (?P<used>\d+) of (?P<limit>\d+)$")
_BETTER = re.compile(r"^(?P<rule>\S+) of the same type gives more$")
_POINTS_MAX = re.compile(r"^max (?P<max>\d+)$")


def detail_label(detail: str, names: Mapping[str, str]) -> str:
    """The engine's developer-facing detail (English, ids) as a Chinese sentence with names.

    Unknown details give ``""``: the reason's label already says why, and no English or raw
    id reaches a console page.
    """
    text = (detail or "").strip()
    if not text:
        return ""
    if text == "not running at the quote time":
        return str(_("试算时间不在活动时间内"))
    if text == "for new shoppers only":
        return str(_("仅限新用户参加"))
    if text == "flash-sale, group and bargain lines take no part in order promotions":
        return str(_("秒杀、拼团、砍价商品不参加订单优惠"))
    if match := _SCOPE_BELOW.match(text):
        return str(_("适用商品合计 ¥%(amount)s，未达到门槛 ¥%(threshold)s")) % match.groupdict()
    if match := _USED_OF.match(text):
        return str(_("已使用 %(used)s 次，上限 %(limit)s 次")) % match.groupdict()
    if match := _BETTER.match(text):
        rule_id = match["rule"]
        return str(_("同类的「%(name)s」优惠更多")) % {"name": _rule_name(rule_id, "", names) or _("另一项优惠")}
    if match := _POINTS_MAX.match(text):
        return str(_("本单最多可用 %(max)s 积分")) % match.groupdict()
    return ""


def _rule_name(rule_id: str, rule_type: str, names: Mapping[str, str]) -> str:
    if rule_id.startswith("tier:"):
        return str(_("会员折扣"))
    return names.get(rule_id) or rule_label(rule_type)


@dataclass(frozen=True)
class Labels:
    """What turns engine ids into words: rule names, SKU rows, coupon pks."""

    names: Mapping[str, str]
    skus_by_code: Mapping[str, Sku]
    coupon_pks: Mapping[str, int]
    gifts_out: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, fetched: PricingInput) -> Labels:
        return cls(
            names=fetched.names,
            skus_by_code=fetched.skus_by_code,
            coupon_pks=fetched.coupon_pks,
            gifts_out=fetched.gifts_out,
        )

    def rule(self, rule_id: str, rule_type: str) -> dict[str, Any]:
        return {
            "rule_id": rule_id,
            "type": rule_type,
            "type_label": rule_label(rule_type),
            "name": _rule_name(rule_id, rule_type, self.names),
        }

    def sku(self, code: str) -> dict[str, Any]:
        sku = self.skus_by_code.get(code)
        if sku is None:
            return {"sku_id": None, "sku": code, "title": code, "specs": {}}
        return {"sku_id": sku.pk, "sku": code, "title": sku.product.title, "specs": sku.specs}


def quote_breakdown(q: Quote, labels: Labels) -> dict[str, Any]:
    """The whole explainable quote: lines, applied and rejected rules, coupons, points, hints."""
    lines = []
    for line in q.lines:
        discounts = [
            {**labels.rule(a.rule_id, a.rule_type), "amount": money(a.amount)}
            for a in line.allocations
            if a.rule_id != line.item_rule_id
        ]
        lines.append(
            {
                **labels.sku(line.sku),
                "qty": line.qty,
                "list_price": money(line.list_price),
                "item_rule": None
                if line.item_rule_id is None
                else labels.rule(line.item_rule_id, line.item_rule_type or ""),
                "unit_price": money(line.unit_price),
                "line_price": money(line.line_price),
                "discounts": discounts,
                "paid": money(line.paid),
                "special_price": line.special_price,
                "is_gift": line.is_gift,
                "unit_ranges": [unit_range_data(r) for r in line.unit_ranges],
            }
        )
    coupons = [
        {
            "coupon_id": labels.coupon_pks.get(v.coupon_id),
            "name": labels.names.get(v.coupon_id, rule_label(v.kind)),
            "kind": v.kind,
            "group": v.group,
            "usable": v.usable,
            "reason": v.reason,
            "reason_label": reason_label(v.reason),
            "discount": money(v.discount),
            "applied": v.applied,
            "amount": money(v.amount),
        }
        for v in q.coupons
    ]
    return {
        "payable": money(q.payable),
        "subtotal": money(q.subtotal),
        "discount": money(q.subtotal - q.payable - q.points_value),
        "lines": lines,
        "applied": [
            {
                **labels.rule(a.rule_id, a.rule_type),
                "level": a.level,
                "amount": money(a.amount),
                "gifts": [{**labels.sku(code), "qty": qty} for code, qty in a.gifts],
            }
            for a in q.applied
        ],
        "rejected": [
            {
                **labels.rule(r.rule_id, r.rule_type),
                "reason": r.reason,
                "reason_label": reason_label(r.reason),
                "detail": r.detail,
                "detail_label": detail_label(r.detail, labels.names),
            }
            for r in q.rejected
        ]
        + [
            {
                **labels.rule(rule_id, rule_type),
                "reason": GIFT_OUT_OF_STOCK,
                "reason_label": reason_label(GIFT_OUT_OF_STOCK),
                "detail": "",
                "detail_label": "",
            }
            for rule_id, rule_type in labels.gifts_out
        ],
        "coupons": {
            "auto_selected": q.coupons_auto,
            "usable": [c for c in coupons if c["usable"]],
            "unusable": [c for c in coupons if not c["usable"]],
        },
        "points": {
            "used": q.points_used,
            "value": money(q.points_value),
            "max": q.points_max,
            "earned": q.points_earned,
        },
        "gifts": [labels.sku(code) for code in q.gift_skus],
        "hints": [
            {
                **labels.rule(h.rule_id, h.rule_type),
                "short_by": money(h.short_by),
                "reward": money(h.reward),
                "gift": None if h.gift_sku is None else labels.sku(h.gift_sku),
                "text": h.text,
            }
            for h in q.hints
        ],
    }
