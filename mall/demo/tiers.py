"""The demo shop's tiers that move and points mall (F14–F16), so 会员中心, 积分商城 and the console's
tier pages have something to show on ``make run``.

The growth ledger is filled from the demo history's completed orders (one ``order`` entry per
order, dated at its completion, like ``growth_settle`` writes it); the tier rules get their
defaults with 白银 for sale at 3,000 points; the points mall gets three coupon items. A second run
finds the items and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from mall.demo.shop import SHOPPER_OPENID_PREFIX
from marketing.models import CouponChannel, CouponKind, CouponTemplate
from marketing.services.coupons import coupon_issue
from members.models import GrowthEntry, Member, PointsEntry, PointsMallItem, PointsMallRedemption, TierRule
from members.selectors.points import points_balance, points_balance_subquery
from members.services.points import points_grant, points_spend
from members.services.tiers import tier_rules
from orders.models import Order, OrderLine, OrderStatus

# (item name, coupon: kind, threshold fen, off fen; points, stock, per-shopper limit)
ITEMS = (
    ("5 元无门槛券", CouponKind.NO_THRESHOLD, 0, 500, 500, 200, 3),
    ("满 100 减 20 券", CouponKind.AMOUNT_OFF, 10_000, 2_000, 1_500, 100, 2),
    ("20 元无门槛券", CouponKind.NO_THRESHOLD, 0, 2_000, 3_000, 10, 1),
)
SILVER_POINTS_PRICE = 3_000


def growth_from_history() -> int:
    window = timezone.now() - timedelta(days=365)
    orders = Order.objects.filter(
        status=OrderStatus.COMPLETED,
        completed_at__gt=window,
        member__openid__startswith=SHOPPER_OPENID_PREFIX,
    ).values_list("pk", "no", "member_id", "completed_at")
    kept = dict(
        OrderLine.objects.filter(order__in=[row[0] for row in orders])
        .values("order_id")
        .annotate(kept=Sum(F("paid_amount") - F("refunded_amount")))
        .values_list("order_id", "kept")
    )
    entries = [
        GrowthEntry(
            member_id=member_id,
            source=GrowthEntry.Source.ORDER,
            source_id=no,
            order_id=pk,
            amount=int(kept.get(pk) or 0),
            orders=1,
            occurred_at=completed_at,
        )
        for pk, no, member_id, completed_at in orders
        if kept.get(pk) and completed_at is not None
    ]
    GrowthEntry.objects.bulk_create(entries, batch_size=500, ignore_conflicts=True)
    return len(entries)


def _richest_shoppers(count: int) -> list[Member]:
    return list(
        Member.objects.filter(openid__startswith=SHOPPER_OPENID_PREFIX)
        .annotate(balance=points_balance_subquery())
        .order_by("-balance", "pk")[:count]
    )


@transaction.atomic
def _redeem_for_history(item: PointsMallItem, member: Member) -> None:
    """A past redemption, as the service makes it (stock, points, coupon, slot), without the request guard."""
    PointsMallItem.objects.filter(pk=item.pk, redeemed_count__lt=F("stock")).update(
        redeemed_count=F("redeemed_count") + 1
    )
    ref = f"demo-{item.pk}-{member.pk}"
    points_spend(member_id=member.pk, amount=item.points, reason=PointsEntry.Reason.MALL_REDEEM, ref=f"mall:{ref}")
    assert item.coupon_template is not None  # noqa: S101 - the demo's items are coupons
    coupon = coupon_issue(member=member, template=item.coupon_template)
    PointsMallRedemption.objects.create(item=item, member=member, seq=1, ref=ref, points=item.points, coupon=coupon)


def build_tiers() -> dict[str, int]:
    """Tier rules, growth from history and the points mall's items; nothing on a second run."""
    counts = {"tier growth entries": 0, "points mall items": 0}
    if PointsMallItem.objects.exists():
        return counts
    tier_rules()
    TierRule.objects.filter(tier="silver").update(points_price=SILVER_POINTS_PRICE)
    counts["tier growth entries"] = growth_from_history()
    for sort, (name, kind, threshold, off, points, stock, limit) in enumerate(ITEMS):
        template = CouponTemplate.objects.create(
            name=f"积分兑换·{name}",
            kind=kind,
            channel=CouponChannel.SYSTEM,
            threshold=threshold,
            off=off,
            valid_days=30,
            per_user_limit=limit,
        )
        item = PointsMallItem.objects.create(
            name=name, coupon_template=template, points=points, stock=stock, per_member_limit=limit, sort=sort
        )
        counts["points mall items"] += 1
        # the two shoppers with the most points already redeemed it (topped up by a 活动奖励 when short),
        # so the stock and the coupons show use
        for member in _richest_shoppers(2):
            short = points - points_balance(member_id=member.pk)
            if short > 0:
                points_grant(
                    member_id=member.pk,
                    delta=short,
                    reason=PointsEntry.Reason.GRANT,
                    ref=f"demo-mall-{item.pk}-{member.pk}",
                    note="积分商城开业活动奖励",
                )
            _redeem_for_history(item, member)
    return counts
