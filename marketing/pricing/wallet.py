"""Step 3: judge every wallet coupon on this cart, pick (or check the shopper's pick), apply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from mall.money import format_yuan
from marketing.pricing import reasons
from marketing.pricing.best_coupons import CouponCandidate, application_order, best_combination, takes
from marketing.pricing.rules import COUPON_RULES, RuleContext, coupon_rule, screen
from marketing.pricing.state import Ledger, LineState, ScopeIndex
from marketing.pricing.types import (
    Allocation,
    CouponSpec,
    CouponVerdict,
    Hint,
    PricingError,
    RejectedRule,
    Scope,
    StackingPolicy,
)


@dataclass(frozen=True)
class WalletResult:
    verdicts: tuple[CouponVerdict, ...]
    hints: tuple[Hint, ...]
    auto: bool


class _Judged(NamedTuple):
    """One coupon's verdict (a NamedTuple: one per wallet coupon per quote, issue 12)."""

    spec: CouponSpec
    candidate: CouponCandidate | None
    reason: str | None
    detail: str


# what a scope's lines come to: (positions that take coupons, their amount still owed)
Measured = tuple[tuple[int, ...], int]


def _measure(
    scope: Scope, lines: Sequence[LineState], index: ScopeIndex, take_special: bool, measured: dict[int, Measured]
) -> Measured:
    """A wallet holds many coupons over the same scope (the whole shop, mostly): its lines and
    amount are worked out once per scope per quote (scopes are compared by identity)."""
    found = measured.get(id(scope))
    if found is None:
        in_scope = index.for_scope(scope)
        positions = in_scope if take_special else tuple([p for p in in_scope if not lines[p].special])
        found = measured[id(scope)] = (positions, sum([lines[p].remaining for p in positions]))
    return found


def _judge(
    spec: CouponSpec,
    lines: Sequence[LineState],
    index: ScopeIndex,
    ctx: RuleContext,
    hints: list[Hint],
    measured: dict[int, Measured],
) -> _Judged:
    rejection = screen(spec, ctx)
    if rejection is not None:
        return _Judged(spec, None, *rejection)
    if not index.for_scope(spec.scope):
        return _Judged(spec, None, reasons.OUT_OF_SCOPE, "no line in the coupon's scope")
    positions, amount = _measure(spec.scope, lines, index, ctx.policy.special_price_lines_take_coupons, measured)
    if not positions:
        return _Judged(spec, None, reasons.SPECIAL_PRICE_EXCLUDED, "only special-price lines in scope")
    rule = coupon_rule(spec)
    if not rule.reaches(amount):
        short = spec.threshold - amount
        if amount > 0 and short > 0:
            reward = rule.discount(spec.threshold)
            text = f"再买 ¥{format_yuan(short)} 可用券减 ¥{format_yuan(reward)}"
            hints.append(
                Hint(rule_id=spec.id, rule_type=spec.kind, short_by=short, reward=reward, gift_sku=None, text=text)
            )
        detail = f"scope amount {format_yuan(amount)} below {format_yuan(spec.threshold)}"
        return _Judged(spec, None, reasons.THRESHOLD_NOT_MET, detail)
    discount = rule.discount(amount)
    if discount <= 0:
        return _Judged(spec, None, reasons.NO_BENEFIT, "saves nothing on this amount")
    return _Judged(spec, CouponCandidate(spec, positions, amount, discount), None, "")


def _check_selection(
    selected: tuple[str, ...], judged: dict[str, _Judged], policy: StackingPolicy
) -> list[CouponCandidate]:
    chosen: list[CouponCandidate] = []
    for coupon_id in dict.fromkeys(selected):
        verdict = judged.get(coupon_id)
        if verdict is None:
            raise PricingError(reasons.COUPON_NOT_FOUND, f"优惠券 {coupon_id} 不在钱包中", ref=coupon_id)
        if verdict.candidate is None:
            raise PricingError(reasons.COUPON_NOT_USABLE, f"优惠券 {coupon_id} 不可用: {verdict.reason}", ref=coupon_id)
        chosen.append(verdict.candidate)
    per_group: dict[str, int] = {}
    for c in chosen:
        per_group[c.spec.group] = per_group.get(c.spec.group, 0) + 1
        stacks = c.spec.group in policy.coupon_groups
        if (not stacks and len(chosen) > 1) or per_group[c.spec.group] > policy.coupons_per_group:
            raise PricingError(reasons.COUPON_CONFLICT, f"优惠券 {c.spec.id} 不能与所选的其他券同时使用", ref=c.spec.id)
    return chosen


def _rejected(spec: CouponSpec, reason: str, detail: str) -> RejectedRule:
    if spec.kind in COUPON_RULES:  # a kind without a rule is still reported, never priced
        return coupon_rule(spec).rejected(reason, detail)
    return RejectedRule(rule_id=spec.id, rule_type=spec.kind, reason=reason, detail=detail)


def apply_coupons(
    coupons: Sequence[CouponSpec],
    selected: tuple[str, ...] | None,
    lines: Sequence[LineState],
    index: ScopeIndex,
    ctx: RuleContext,
    ledger: Ledger,
) -> WalletResult:
    """Judge, choose, then take each chosen coupon off its lines (narrowest scope first)."""
    hints: list[Hint] = []
    measured: dict[int, Measured] = {}
    judged = {spec.id: _judge(spec, lines, index, ctx, hints, measured) for spec in coupons}
    usable = [j.candidate for j in judged.values() if j.candidate is not None]
    owed = {line.pos: line.remaining for line in lines}
    if selected is None:
        ordered = best_combination(usable, ctx.policy, owed)
    else:
        ordered = application_order(_check_selection(selected, judged, ctx.policy), ctx.policy)
    taken: dict[str, int] = {}
    for c, parts in zip(ordered, takes(ordered, owed), strict=True):
        spec = c.spec
        for p, part in zip(c.positions, parts, strict=True):
            if part:
                line = lines[p]
                line.remaining -= part
                line.allocations.append(Allocation(spec.id, spec.kind, part))
        taken[spec.id] = amount = sum(parts)
        ledger.apply(spec.id, spec.kind, "coupon", amount)
    verdicts = []
    rejected = []
    if selected is None:
        unchosen = reasons.CONFLICT, "a better combination was chosen"
    else:
        unchosen = reasons.NOT_SELECTED, "the shopper chose other coupons"
    for spec, candidate, reason, detail in judged.values():
        applied = spec.id in taken
        if reason is not None:
            rejected.append(_rejected(spec, reason, detail))
        elif not applied and candidate is not None:
            rejected.append(_rejected(spec, *unchosen))
        verdicts.append(
            CouponVerdict(
                coupon_id=spec.id,
                kind=spec.kind,
                group=spec.group,
                usable=candidate is not None,
                reason=reason,
                discount=0 if candidate is None else candidate.discount,
                applied=applied,
                amount=taken.get(spec.id, 0),
            )
        )
    ledger.add_rejected("coupon", rejected)
    return WalletResult(tuple(verdicts), tuple(hints), selected is None)
