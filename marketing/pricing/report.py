"""The quote as plain JSON-ready data (yuan strings), shared by the CLI, the API and the
console's 试算 page so all three show the same figures; plus the ``--check`` comparison."""

from __future__ import annotations

from typing import Any

from mall.money import format_yuan
from marketing.pricing.scenario import Expectation
from marketing.pricing.shipping import ShippingQuote
from marketing.pricing.types import LineQuote, PricingError, Quote, UnitRange


def _line(line: LineQuote) -> dict[str, Any]:
    return {
        "sku": line.sku,
        "qty": line.qty,
        "list_price": format_yuan(line.list_price),
        "item_rule": None if line.item_rule_id is None else {"id": line.item_rule_id, "type": line.item_rule_type},
        "unit_price": format_yuan(line.unit_price),
        "line_price": format_yuan(line.line_price),
        "discounts": [
            {"rule_id": a.rule_id, "type": a.rule_type, "amount": format_yuan(a.amount)}
            for a in line.allocations
            if a.rule_id != line.item_rule_id
        ],
        "paid": format_yuan(line.paid),
        "special_price": line.special_price,
        "gift": line.is_gift,
        **({"unit_ranges": [_range(r) for r in line.unit_ranges]} if line.unit_ranges else {}),
    }


def _range(r: UnitRange) -> dict[str, Any]:
    """Units first…last of a stepped campaign at one price (rate None = list price)."""
    return {
        "first": r.first,
        "last": r.last,
        "qty": r.qty,
        "rate": None if r.rate is None else str(r.rate),
        "unit_price": format_yuan(r.unit_price),
    }


def shipping_to_dict(s: ShippingQuote) -> dict[str, Any]:
    """Why shipping costs what it does: the rules that made it free, or what reaches the threshold."""
    return {
        "fee": format_yuan(s.fee),
        "flat_fee": format_yuan(s.flat_fee),
        "reason": s.reason,
        "free_by": [{"rule_id": w.rule_id, "kind": w.source} for w in s.waived_by],
        "not_enough": [{"rule_id": w.rule_id, "kind": w.source} for w in s.partial],
        "short_by": format_yuan(s.short_by),
    }


def quote_to_dict(q: Quote, shipping: ShippingQuote | None = None) -> dict[str, Any]:
    """Every line's ``paid`` equals ``line_price`` minus its ``discounts``; they sum to ``payable``.
    With ``shipping`` (a scenario's shipping rule) the answer adds ``shipping`` and ``total``."""
    extra: dict[str, Any] = {}
    if shipping is not None:
        extra = {"shipping": shipping_to_dict(shipping), "total": format_yuan(q.payable + shipping.fee)}
    return {
        "payable": format_yuan(q.payable),
        "subtotal": format_yuan(q.subtotal),
        "points_used": q.points_used,
        "points_value": format_yuan(q.points_value),
        "points_max": q.points_max,
        "points_earned": q.points_earned,
        "gift_skus": list(q.gift_skus),
        "lines": [_line(line) for line in q.lines],
        "applied": [
            {
                "rule_id": a.rule_id,
                "type": a.rule_type,
                "level": a.level,
                "amount": format_yuan(a.amount),
                **({"gifts": [{"sku": sku, "qty": qty} for sku, qty in a.gifts]} if a.gifts else {}),
            }
            for a in q.applied
        ],
        "rejected": [
            {"rule_id": r.rule_id, "type": r.rule_type, "reason": r.reason, "detail": r.detail} for r in q.rejected
        ],
        "coupons": {
            "auto_selected": q.coupons_auto,
            "usable": [
                {
                    "id": c.coupon_id,
                    "kind": c.kind,
                    "group": c.group,
                    "discount": format_yuan(c.discount),
                    "applied": c.applied,
                    "amount": format_yuan(c.amount),
                }
                for c in q.coupons
                if c.usable
            ],
            "unusable": [
                {"id": c.coupon_id, "kind": c.kind, "group": c.group, "reason": c.reason}
                for c in q.coupons
                if not c.usable
            ],
        },
        "hints": [
            {
                "rule_id": h.rule_id,
                "type": h.rule_type,
                "short_by": format_yuan(h.short_by),
                "reward": format_yuan(h.reward),
                "gift_sku": h.gift_sku,
                "text": h.text,
            }
            for h in q.hints
        ],
        **extra,
    }


def error_to_dict(error: PricingError) -> dict[str, str]:
    return {"error": error.code, "message": error.message}


def mismatches(expect: Expectation, result: Quote | PricingError, shipping: ShippingQuote | None = None) -> list[str]:
    """What differs from the scenario's ``expect`` (empty = it matches); ``shipping`` is the
    scenario's shipping decision (``scenario_shipping``) when it expects one."""
    problems: list[str] = []
    if isinstance(result, PricingError):
        if expect.error != result.code:
            problems.append(f"error: expected {expect.error or 'none'}, got {result.code}")
        return problems
    if expect.error is not None:
        problems.append(f"error: expected {expect.error}, got a quote")
    if expect.payable is not None and expect.payable != result.payable:
        problems.append(f"payable: expected {format_yuan(expect.payable)}, got {format_yuan(result.payable)}")
    if expect.points_used is not None and expect.points_used != result.points_used:
        problems.append(f"points_used: expected {expect.points_used}, got {result.points_used}")
    if expect.gift_skus is not None and sorted(expect.gift_skus) != sorted(result.gift_skus):
        problems.append(f"gift_skus: expected {sorted(expect.gift_skus)}, got {sorted(result.gift_skus)}")
    if expect.shipping_fee is not None or expect.shipping_reason is not None:
        problems.extend(_shipping_mismatches(expect, shipping))
    reasons = {r.rule_id: r.reason for r in result.rejected}
    for rule_id, reason in (expect.rejected or {}).items():
        if reasons.get(rule_id) != reason:
            problems.append(f"rejected.{rule_id}: expected {reason}, got {reasons.get(rule_id, 'not rejected')}")
    return problems


def _shipping_mismatches(expect: Expectation, shipping: ShippingQuote | None) -> list[str]:
    if shipping is None:
        return ["shipping: expected a shipping decision, the scenario has no shipping rule"]
    problems = []
    if expect.shipping_fee is not None and expect.shipping_fee != shipping.fee:
        problems.append(f"shipping_fee: expected {format_yuan(expect.shipping_fee)}, got {format_yuan(shipping.fee)}")
    if expect.shipping_reason is not None and expect.shipping_reason != shipping.reason:
        problems.append(f"shipping_reason: expected {expect.shipping_reason}, got {shipping.reason}")
    return problems
