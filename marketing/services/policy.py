"""The stacking policy and the tier rate table: merchant settings that change prices at once.

Both are audited with the staff actor (before and after) and bump the pricing-rules cache
version, so the very next quote uses them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from mall.services.audit import audit_record
from marketing.errors import RulesInvalid
from marketing.models import DEFAULT_TIER_RATES, PricingPolicy, SameTypeResolution, TierRate
from marketing.selectors.pricing_rules import pricing_rules_bump
from marketing.services.coupons import Actor, require_staff


@dataclass(frozen=True, kw_only=True)
class PolicyData:
    shop_coupons_stack: bool = True
    category_coupons_stack: bool = True
    platform_coupons_stack: bool = True
    coupons_per_group: int = 1
    special_price_lines_join_order_promotions: bool = False
    special_price_lines_take_coupons: bool = True
    points_cap_rate: Decimal = Decimal("0.5")
    points_per_yuan: int = 100
    points_earned_per_yuan: int = 1
    same_type: str = SameTypeResolution.BEST


def _raise(errors: dict[str, str]) -> None:
    if errors:
        first_key, first = next(iter(errors.items()))
        raise RulesInvalid(first, details={"field": first_key, "errors": errors})


def pricing_policy_validate(*, data: PolicyData) -> None:
    errors: dict[str, str] = {}
    if not Decimal(0) <= data.points_cap_rate <= Decimal(1):
        errors["points_cap_rate"] = _("积分抵扣上限比例须在 0 到 1 之间，如 0.5 表示最多抵扣 50%。")
    if data.points_per_yuan < 1:
        errors["points_per_yuan"] = _("多少积分抵 1 元须至少为 1。")
    if data.points_earned_per_yuan < 0:
        errors["points_earned_per_yuan"] = _("获得积分不能为负。")
    if data.coupons_per_group < 1:
        errors["coupons_per_group"] = _("每组最多用券数至少为 1。")
    if data.same_type not in SameTypeResolution.values:
        errors["same_type"] = _("未知的同类型处理方式。")
    _raise(errors)


def _snapshot(policy: PricingPolicy) -> dict[str, Any]:
    data = {field: getattr(policy, field) for field in PolicyData.__dataclass_fields__}
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in data.items()}


@transaction.atomic
def pricing_policy_update(*, actor: Actor, data: PolicyData) -> PricingPolicy:
    """Change how discounts stack; the next quote everywhere follows it."""
    require_staff(actor)
    pricing_policy_validate(data=data)
    PricingPolicy.load()
    policy = PricingPolicy.objects.select_for_update().get(pk=1)
    before = _snapshot(policy)
    for key, value in asdict(data).items():
        setattr(policy, key, value)
    policy.updated_by = actor if isinstance(actor, User) else None
    policy.save()
    audit_record(
        actor=actor, action="pricing_policy.update", target=policy, data={"before": before, "after": _snapshot(policy)}
    )
    pricing_rules_bump()
    return policy


def tier_rate_validate(*, tier: str, rate: Decimal) -> None:
    if tier not in DEFAULT_TIER_RATES:
        _raise({"tier": _("未知的会员等级。")})
    if not Decimal(0) < rate <= Decimal(1):
        _raise({"rate": _("折扣率须大于 0 且不超过 1，如 0.9 表示 9 折。")})


@transaction.atomic
def tier_rate_set(*, actor: Actor, tier: str, rate: Decimal) -> TierRate:
    """Set one tier's member rate (F14), e.g. 黄金 0.9 = 9折."""
    require_staff(actor)
    tier_rate_validate(tier=tier, rate=rate)
    row, _created = TierRate.objects.select_for_update().get_or_create(
        tier=tier, defaults={"rate": DEFAULT_TIER_RATES[tier]}
    )
    before = str(row.rate)
    row.rate = rate
    row.save()
    audit_record(
        actor=actor, action="tier_rate.set", target=row, data={"tier": tier, "before": before, "after": str(rate)}
    )
    pricing_rules_bump()
    return row
