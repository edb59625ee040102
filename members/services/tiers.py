"""Tiers that move (F14): growth from completed orders, upgrades at once, downgrades only at the
monthly evaluation, the tier's free-shipping uses, and a tier bought with points.

Growth is a ledger (:class:`GrowthEntry`) settled from the order's state like earned points:
an order should hold its paid amount less what was refunded, and one completed order while any
of it is left; :func:`growth_settle` moves the ledger by the difference under a unique
(source, source id) key, so completion adds, each refund takes back exactly, a failed refund
gives it back, and running it twice changes nothing. Crossing a threshold upgrades at once.

The monthly evaluation (:func:`tier_evaluate`) runs once per member and month (unique
:class:`TierEvaluation` row, inserted first): a member whose 12 months no longer reach their
tier gets a keep-level grace month (保级, told before), and only if the next month's evaluation
still finds them short do they go down, by one level (told after).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.errors import NotFound
from mall.money import format_yuan
from mall.services.audit import audit_record
from members.errors import FreeShippingUsesExhausted, TierNotForSale, TierRuleInvalid
from members.models import (
    TIER_LADDER,
    FreeShippingUse,
    GrowthEntry,
    Member,
    PointsEntry,
    TierEvaluation,
    TierPurchase,
    TierRule,
)
from members.services.abuse import RequestContext, abuse_check
from members.services.messages import message_send, month_of
from members.services.points import points_spend

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None

GROWTH_WINDOW = timedelta(days=365)
TIER_LINK = "/package-member/tier/index"
# A tier bought with points is kept (no downgrade) this long.
PURCHASED_TIER_DAYS = 365
TIER_FREE_SHIPPING_KIND = "tier"

# F14 defaults: 白银 ¥500 or 5 orders, 黄金 ¥2,000 or 15, 钻石 ¥5,000 or 30 (+ 2 free-shipping uses).
DEFAULT_RULES: dict[str, dict[str, object]] = {
    "normal": {},
    "silver": {"min_spend": 50_000, "min_orders": 5, "ship_within_hours": 48},
    "gold": {
        "min_spend": 200_000,
        "min_orders": 15,
        "priority_shipping": True,
        "ship_within_hours": 24,
        "after_sales_green": True,
        "exclusive_service": True,
    },
    "diamond": {
        "min_spend": 500_000,
        "min_orders": 30,
        "free_shipping_per_month": 2,
        "priority_shipping": True,
        "ship_within_hours": 12,
        "after_sales_green": True,
        "green_auto_approve_max": 20_000,
        "exclusive_service": True,
    },
}


def tier_rank(tier: str) -> int:
    return TIER_LADDER.index(tier) if tier in TIER_LADDER else 0


def tier_label(tier: str) -> str:
    return str(dict(Member.Tier.choices).get(tier, tier))


def tier_rules() -> dict[str, TierRule]:
    """Every tier's rule, the defaults created on first use. One query once they exist."""
    rules = {rule.tier: rule for rule in TierRule.objects.all()}
    missing = [tier for tier in TIER_LADDER if tier not in rules]
    for tier in missing:
        rules[tier], _created = TierRule.objects.get_or_create(tier=tier, defaults=DEFAULT_RULES[tier])
    return rules


@dataclass(frozen=True)
class Growth:
    spend: int
    orders: int


def growth_of(*, member_id: int, at: datetime | None = None) -> Growth:
    """The member's spend (fen) and completed orders over the rolling 12 months before ``at``."""
    at = at or timezone.now()
    totals = GrowthEntry.objects.filter(member_id=member_id, occurred_at__gt=at - GROWTH_WINDOW, occurred_at__lte=at)
    agg = totals.aggregate(spend=Sum("amount"), orders=Sum("orders"))
    return Growth(spend=max(0, int(agg["spend"] or 0)), orders=max(0, int(agg["orders"] or 0)))


def _reaches(rule: TierRule, growth: Growth) -> bool:
    if rule.tier == "normal":
        return True
    by_spend = rule.min_spend > 0 and growth.spend >= rule.min_spend
    by_orders = rule.min_orders > 0 and growth.orders >= rule.min_orders
    return by_spend or by_orders


def qualified_tier(growth: Growth, rules: dict[str, TierRule]) -> str:
    """The highest tier whose threshold (spend or orders) the growth reaches."""
    best = "normal"
    for tier in TIER_LADDER:
        if _reaches(rules[tier], growth):
            best = tier
    return best


def next_tier(tier: str) -> str | None:
    rank = tier_rank(tier)
    return TIER_LADDER[rank + 1] if rank + 1 < len(TIER_LADDER) else None


# --- growth from orders ---------------------------------------------------------------------


def _order_growth_target(order_id: int) -> tuple[int, int]:
    from orders.models import OrderLine

    lines = OrderLine.objects.filter(order_id=order_id).values_list("paid_amount", "refunded_amount")
    kept = sum(max(0, paid - refunded) for paid, refunded in lines)
    return kept, (1 if kept > 0 else 0)


@transaction.atomic
def growth_settle(*, order_id: int, event: str = "", now: datetime | None = None) -> int:
    """Move the order's growth to what it should hold (nothing before completion); returns the change in fen.

    Called from ``order_rewards_settle`` wherever the order's state changes (completion, refund
    created, refund failed). ``event`` is the refund number after completion.
    """
    from orders.models import Order

    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None or order.completed_at is None:
        return 0
    amount, orders = _order_growth_target(order_id)
    held = GrowthEntry.objects.filter(order_id=order_id).aggregate(amount=Sum("amount"), orders=Sum("orders"))
    delta_amount = amount - int(held["amount"] or 0)
    delta_orders = orders - int(held["orders"] or 0)
    if delta_amount == 0 and delta_orders == 0:
        return 0
    if not event:
        source, source_id = GrowthEntry.Source.ORDER, order.no
    elif delta_amount < 0 or delta_orders < 0:
        source, source_id = GrowthEntry.Source.REFUND, event
    else:
        source, source_id = GrowthEntry.Source.REFUND_BACK, event
    try:
        with transaction.atomic():
            GrowthEntry.objects.create(
                member_id=order.member_id,
                source=source,
                source_id=source_id[:64],
                order=order,
                amount=delta_amount,
                orders=delta_orders,
                occurred_at=order.completed_at,
            )
    except IntegrityError:
        logger.info("growth entry %s/%s already written", source, source_id)
        return 0
    if delta_amount > 0 or delta_orders > 0:
        tier_upgrade_check(member_id=order.member_id, now=now)
    return delta_amount


def _set_tier(member: Member, tier: str, *, action: str, data: dict[str, object]) -> None:
    before = member.tier
    member.tier = tier
    member.save(update_fields=["tier"])
    audit_record(actor=None, action=action, target=member, data={"tier": [before, tier], **data})


@transaction.atomic
def tier_upgrade_check(*, member_id: int, now: datetime | None = None) -> str:
    """Upgrade at once when the 12 months reach a higher tier (never down here); returns the tier."""
    now = now or timezone.now()
    member = Member.objects.select_for_update().filter(pk=member_id).first()
    if member is None:
        raise NotFound()
    growth = growth_of(member_id=member_id, at=now)
    reached = qualified_tier(growth, tier_rules())
    if tier_rank(reached) <= tier_rank(member.tier):
        return member.tier
    _set_tier(member, reached, action="tier.upgrade", data={"spend": growth.spend, "orders": growth.orders})
    message_send(
        member_id=member_id,
        kind="tier_upgraded",
        title=_("恭喜升级为%(tier)s") % {"tier": tier_label(reached)},
        body=_("您近 12 个月消费 %(yuan)s 元、完成 %(orders)s 单，已升级为%(tier)s，新权益已生效。")
        % {"yuan": format_yuan(growth.spend), "orders": growth.orders, "tier": tier_label(reached)},
        link=TIER_LINK,
    )
    return reached


# --- the monthly evaluation -----------------------------------------------------------------


def _previous_month(month: str) -> str:
    year, mon = (int(part) for part in month.split("-"))
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def _protected_by_purchase(member: Member, now: datetime) -> bool:
    return TierPurchase.objects.filter(member_id=member.pk, tier=member.tier, valid_until__gt=now).exists()


def tier_evaluate(*, member_id: int, now: datetime | None = None) -> str | None:
    """Evaluate one member for the month of ``now``; None when this month's evaluation already ran.

    The evaluation row is inserted first under the member lock; a second run (beat twice, two
    workers) fails on its unique key and changes nothing.
    """
    now = now or timezone.now()
    month = month_of(now)
    try:
        with transaction.atomic():
            return _evaluate(member_id=member_id, month=month, now=now)
    except IntegrityError:
        return None


def _evaluate(*, member_id: int, month: str, now: datetime) -> str:
    member = Member.objects.select_for_update().filter(pk=member_id).first()
    if member is None:
        raise NotFound()
    rules = tier_rules()
    growth = growth_of(member_id=member_id, at=now)
    reached = qualified_tier(growth, rules)
    before = member.tier
    evaluation = TierEvaluation.objects.create(
        member_id=member_id,
        month=month,
        tier_before=before,
        tier_after=before,
        outcome=TierEvaluation.Outcome.KEPT,
        spend=growth.spend,
        orders=growth.orders,
    )
    if tier_rank(reached) > tier_rank(before):
        tier_upgrade_check(member_id=member_id, now=now)
        member.refresh_from_db(fields=["tier"])
        outcome = TierEvaluation.Outcome.UPGRADED
    elif tier_rank(reached) == tier_rank(before) or _protected_by_purchase(member, now):
        outcome = TierEvaluation.Outcome.KEPT
    else:
        previous = TierEvaluation.objects.filter(member_id=member_id, month=_previous_month(month)).first()
        in_grace = (
            previous is not None and previous.outcome == TierEvaluation.Outcome.GRACE and previous.tier_after == before
        )
        if in_grace:
            lower = TIER_LADDER[tier_rank(before) - 1]
            _set_tier(member, lower, action="tier.downgrade", data={"spend": growth.spend, "orders": growth.orders})
            outcome = TierEvaluation.Outcome.DOWNGRADED
            message_send(
                member_id=member_id,
                kind="tier_downgraded",
                title=_("会员等级已调整为%(tier)s") % {"tier": tier_label(lower)},
                body=_("保级期已结束，您近 12 个月的消费未达到%(before)s门槛，等级调整为%(tier)s。再消费即可升回。")
                % {"before": tier_label(before), "tier": tier_label(lower)},
                link=TIER_LINK,
            )
        else:
            outcome = TierEvaluation.Outcome.GRACE
            short = max(0, rules[before].min_spend - growth.spend)
            message_send(
                member_id=member_id,
                kind="tier_keep_warning",
                title=_("%(tier)s保级提醒") % {"tier": tier_label(before)},
                body=_("本月为保级月：下月评估前再消费 %(yuan)s 元即可保持%(tier)s，否则将降一级。")
                % {"yuan": format_yuan(short), "tier": tier_label(before)},
                link=TIER_LINK,
            )
    evaluation.outcome = outcome
    evaluation.tier_after = member.tier
    evaluation.save(update_fields=["outcome", "tier_after"])
    return outcome


def tiers_evaluate_due(*, now: datetime | None = None, batch: int = 500) -> int:
    """Beat: evaluate every member above 普通 (and anyone who qualifies higher) not yet evaluated this month."""
    now = now or timezone.now()
    month = month_of(now)
    done = TierEvaluation.objects.filter(month=month).values("member_id")
    grown = GrowthEntry.objects.filter(occurred_at__gt=now - GROWTH_WINDOW).values("member_id")
    due = (
        Member.objects.filter(Q(tier__in=TIER_LADDER[1:]) | Q(pk__in=grown))
        .exclude(pk__in=done)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    count = 0
    last = 0
    while True:
        ids = list(due.filter(pk__gt=last)[:batch])
        if not ids:
            return count
        for member_id in ids:
            count += tier_evaluate(member_id=member_id, now=now) is not None
        last = ids[-1]


# --- free-shipping uses ---------------------------------------------------------------------


def free_shipping_uses_left(*, member: Member, tier: str | None = None, at: datetime | None = None) -> int:
    tier = tier or member.tier
    if tier == "normal":
        return 0
    allowance = tier_rules()[tier].free_shipping_per_month
    if allowance <= 0:
        return 0
    used = FreeShippingUse.objects.filter(member_id=member.pk, month=month_of(at or timezone.now())).count()
    return max(0, allowance - used)


def free_shipping_use_take(*, order_id: int, member_id: int, tier: str, at: datetime) -> FreeShippingUse:
    """Spend one of this month's uses for the order: the lowest free slot within the allowance.

    Placement holds the member row lock; the unique (member, month, slot) key holds it anyway.
    """
    month = month_of(at)
    allowance = tier_rules()[tier].free_shipping_per_month if tier in TIER_LADDER else 0
    taken = set(FreeShippingUse.objects.filter(member_id=member_id, month=month).values_list("slot", flat=True))
    free = [slot for slot in range(1, allowance + 1) if slot not in taken]
    if not free:
        raise FreeShippingUsesExhausted(details={"allowance": allowance})
    try:
        with transaction.atomic():
            return FreeShippingUse.objects.create(
                member_id=member_id, month=month, slot=free[0], order_id=order_id, tier=tier
            )
    except IntegrityError as exc:
        raise FreeShippingUsesExhausted(details={"allowance": allowance}) from exc


def order_free_shipping_take(*, order_id: int, member_id: int, pricing: dict[str, object], at: datetime) -> bool:
    """At placement (and on a late payment's revival): spend a use when the tier's waiver made the order free."""
    shipping = pricing.get("shipping")
    rules = shipping.get("rules", []) if isinstance(shipping, dict) else []
    tier_rules_used = [r for r in rules if isinstance(r, dict) and r.get("kind") == TIER_FREE_SHIPPING_KIND]
    if not tier_rules_used:
        return False
    tier = str(tier_rules_used[0].get("rule_id", "")).rsplit(":", 1)[-1]
    if FreeShippingUse.objects.filter(order_id=order_id).exists():
        return True
    free_shipping_use_take(order_id=order_id, member_id=member_id, tier=tier, at=at)
    return True


def order_free_shipping_return(*, order_id: int) -> int:
    """On cancel / expiry: the order's use comes back (its row is deleted)."""
    deleted, _rows = FreeShippingUse.objects.filter(order_id=order_id).delete()
    return deleted


# --- buying a tier with points ----------------------------------------------------------------


@transaction.atomic
def tier_buy_with_points(*, member: Member, ref: str, context: RequestContext, now: datetime | None = None) -> Member:
    """Spend the next tier's points price (where the merchant set one) and go up one level at once.

    The bought tier is kept for a year whatever the evaluation finds. Idempotent by ``ref``.
    """
    abuse_check(action="claim", member=member, context=context)
    now = now or timezone.now()
    locked = Member.objects.select_for_update().filter(pk=member.pk).first()
    if locked is None:
        raise NotFound()
    ref = (ref or "").strip()[:64]
    done = TierPurchase.objects.filter(member_id=locked.pk, ref=ref).first() if ref else None
    if done is not None:
        return locked
    target = next_tier(locked.tier)
    rule = tier_rules().get(target) if target else None
    if not ref or target is None or rule is None or rule.points_price <= 0:
        raise TierNotForSale(details={"tier": locked.tier})
    points_spend(
        member_id=locked.pk,
        amount=rule.points_price,
        reason=PointsEntry.Reason.TIER_PURCHASE,
        ref=ref,
        note=_("积分购买%(tier)s") % {"tier": tier_label(target)},
    )
    TierPurchase.objects.create(
        member_id=locked.pk,
        tier=target,
        points=rule.points_price,
        ref=ref,
        valid_until=now + timedelta(days=PURCHASED_TIER_DAYS),
    )
    _set_tier(locked, target, action="tier.purchase", data={"points": rule.points_price})
    message_send(
        member_id=locked.pk,
        kind="tier_upgraded",
        title=_("恭喜升级为%(tier)s") % {"tier": tier_label(target)},
        body=_("您已用 %(points)s 积分升级为%(tier)s，新权益已生效。")
        % {"points": rule.points_price, "tier": tier_label(target)},
        link=TIER_LINK,
    )
    return locked


# --- the console ------------------------------------------------------------------------------


RULE_FIELDS = (
    "min_spend",
    "min_orders",
    "free_shipping_per_month",
    "priority_shipping",
    "ship_within_hours",
    "after_sales_green",
    "green_auto_approve_max",
    "exclusive_service",
    "points_price",
)


@transaction.atomic
def tier_rule_update(*, tier: str, actor: Actor, **values: object) -> TierRule:
    """The merchant sets one tier's thresholds and perks (audited). Higher tiers must need more."""
    rules = tier_rules()
    rule = TierRule.objects.select_for_update().filter(tier=tier).first()
    if rule is None:
        raise NotFound()
    before = {field: getattr(rule, field) for field in RULE_FIELDS}
    for field, value in values.items():
        if field not in RULE_FIELDS:
            raise TierRuleInvalid(details={"field": field})
        setattr(rule, field, value)
    rules[tier] = rule
    _rules_validate(rules)
    after = {field: getattr(rule, field) for field in RULE_FIELDS}
    changed = {field: [before[field], after[field]] for field in RULE_FIELDS if before[field] != after[field]}
    if changed:
        rule.save()
        audit_record(actor=actor, action="tier_rule.update", target=rule, data={"tier": tier, **changed})
    return rule


def _rules_validate(rules: dict[str, TierRule]) -> None:
    previous: TierRule | None = None
    for tier in TIER_LADDER[1:]:
        rule = rules[tier]
        if rule.min_spend <= 0 and rule.min_orders <= 0:
            raise TierRuleInvalid(details={"tier": tier, "field": "min_spend"})
        if previous is not None and (
            (rule.min_spend and previous.min_spend and rule.min_spend <= previous.min_spend)
            or (rule.min_orders and previous.min_orders and rule.min_orders <= previous.min_orders)
        ):
            raise TierRuleInvalid(details={"tier": tier, "field": "threshold_order"})
        previous = rule


# --- 售后绿色通道 (F16) ---------------------------------------------------------------------


def green_channel_auto_approves(*, tier: str, amount: int) -> bool:
    """The tier's after-sales green channel approves requests up to the merchant's amount (fen) at once."""
    if tier == "normal" or tier not in TIER_LADDER:
        return False
    rule = tier_rules()[tier]
    return rule.after_sales_green and 0 < amount <= rule.green_auto_approve_max


def green_channel_tiers() -> list[str]:
    """Tiers whose after-sales requests go first in line on the console."""
    return [rule.tier for rule in tier_rules().values() if rule.after_sales_green]
