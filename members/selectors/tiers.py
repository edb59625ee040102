"""Tier reads (F14): the shopper's 会员中心 card, and the tier's free-shipping uses as a 包邮 waiver source."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing.pricing.shipping import ShippingWaiver
from marketing.selectors.shipping import FoundWaiver, WaiverContext, shipping_waiver_source
from members.models import TIER_LADDER, Member, TierPurchase, TierRule
from members.services.tiers import (
    TIER_FREE_SHIPPING_KIND,
    Growth,
    free_shipping_uses_left,
    growth_of,
    next_tier,
    tier_label,
    tier_rules,
)

if TYPE_CHECKING:
    from orders.models import Order


@shipping_waiver_source("tier")
def _tier_waivers(ctx: WaiverContext) -> Iterator[FoundWaiver]:
    """钻石 (or any tier the merchant gives uses to): the whole order ships free while this month's
    uses last. 普通 never has uses, so most carts cost no query here."""
    if ctx.member is None or ctx.tier == "normal" or ctx.tier not in TIER_LADDER:
        return
    left = free_shipping_uses_left(member=ctx.member, tier=ctx.tier, at=ctx.at)
    if left <= 0:
        return
    yield FoundWaiver(
        waiver=ShippingWaiver(rule_id=f"tier:{ctx.tier}", source=TIER_FREE_SHIPPING_KIND),
        name=_("%(tier)s包邮（本月剩 %(left)s 次）") % {"tier": tier_label(ctx.tier), "left": left},
    )


@dataclass(frozen=True)
class TierCard:
    tier: str
    tier_label: str
    growth: Growth
    next_tier: str | None
    next_tier_label: str
    spend_to_next: int
    orders_to_next: int
    progress_percent: int
    free_shipping_left: int
    rule: TierRule
    next_points_price: int
    kept_until: datetime | None
    in_grace: bool


def tier_card_for(*, member: Member, at: datetime | None = None) -> TierCard:
    """What the 会员中心 shows: the tier, 12-month growth, how far to the next tier, perks and uses left."""
    at = at or timezone.now()
    rules = tier_rules()
    growth = growth_of(member_id=member.pk, at=at)
    upper = next_tier(member.tier)
    spend_to_next = orders_to_next = 0
    percent = 100
    if upper is not None:
        target = rules[upper]
        spend_to_next = max(0, target.min_spend - growth.spend) if target.min_spend else 0
        orders_to_next = max(0, target.min_orders - growth.orders) if target.min_orders else 0
        percent = min(99, growth.spend * 100 // target.min_spend) if target.min_spend else 0
    purchase = (
        TierPurchase.objects.filter(member_id=member.pk, tier=member.tier, valid_until__gt=at)
        .order_by("-valid_until")
        .first()
    )
    from members.models import TierEvaluation
    from members.services.messages import month_of

    latest = TierEvaluation.objects.filter(member_id=member.pk, month=month_of(at)).first()
    return TierCard(
        tier=member.tier,
        tier_label=tier_label(member.tier),
        growth=growth,
        next_tier=upper,
        next_tier_label=tier_label(upper) if upper else "",
        spend_to_next=spend_to_next,
        orders_to_next=orders_to_next,
        progress_percent=percent,
        free_shipping_left=free_shipping_uses_left(member=member, at=at),
        rule=rules[member.tier],
        next_points_price=rules[upper].points_price if upper else 0,
        kept_until=purchase.valid_until if purchase else None,
        in_grace=bool(latest and latest.outcome == "grace"),
    )


def perks_of(rule: TierRule) -> list[str]:
    """The tier's perks in words for the shopper (the discount comes from the pricing policy)."""
    perks: list[str] = []
    if rule.free_shipping_per_month:
        perks.append(_("每月包邮 %(n)s 次") % {"n": rule.free_shipping_per_month})
    if rule.priority_shipping:
        perks.append(_("优先发货（%(h)s 小时内）") % {"h": rule.ship_within_hours})
    if rule.after_sales_green:
        perks.append(_("售后绿色通道"))
    if rule.exclusive_service:
        perks.append(_("专属客服"))
    return perks


SESSION_FROM_MAX = 900
RECENT_ORDERS = 3


def exclusive_service_card(*, member: Member) -> dict[str, object]:
    """The 专属客服 button's payload: session-from carries the tier and recent orders, the card links them."""
    from orders.models import Order

    orders = list(Order.objects.filter(member_id=member.pk).order_by("-id")[:RECENT_ORDERS])
    recent = [
        {"no": o.no, "status_display": o.get_status_display(), "payable_amount": o.payable_amount} for o in orders
    ]
    session_from = f"tier={member.tier};member={member.pk};orders={','.join(o.no for o in orders)}"
    return {
        "session_from": session_from[:SESSION_FROM_MAX],
        "card_title": _("%(tier)s专属客服") % {"tier": tier_label(member.tier)},
        "card_path": f"/package-order/order-detail/index?no={orders[0].no}" if orders else "/package-member/tier/index",
        "recent_orders": recent,
    }


def exclusive_service_members() -> QuerySet[Member]:
    """The console's list: shoppers whose tier has 专属客服."""
    tiers = [rule.tier for rule in tier_rules().values() if rule.exclusive_service]
    return Member.objects.filter(tier__in=tiers).order_by("-id")


# --- 优先发货 (F16) ------------------------------------------------------------------------------


def priority_ship_hours() -> dict[str, int]:
    """Tier → shipping-time target (hours) for the tiers with 优先发货."""
    return {rule.tier: rule.ship_within_hours for rule in tier_rules().values() if rule.priority_shipping}


def priority_condition(hours: dict[str, int] | None = None) -> Q:
    hours = priority_ship_hours() if hours is None else hours
    return Q(member__tier__in=list(hours)) if hours else Q(pk__in=[])


def late_priority_orders(*, now: datetime | None = None) -> QuerySet[Order]:
    """Paid, not yet shipped orders of priority tiers past their tier's shipping-time target, oldest first."""
    from orders.models import Order, OrderStatus

    now = now or timezone.now()
    late = Q(pk__in=[])
    for tier, within in priority_ship_hours().items():
        late |= Q(member__tier=tier, paid_at__lt=now - timedelta(hours=within))
    return Order.objects.filter(late, status=OrderStatus.PAID).select_related("member").order_by("paid_at")
