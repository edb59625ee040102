"""F15: the points mall spends points, stock and the per-shopper limit atomically; points expire
on the shop's rule with a reminder a month before, each exactly once; points may buy the next tier."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from mall.tests.concurrency import run_in_threads
from marketing.models import Coupon, CouponChannel
from marketing.tests.factories import CouponTemplateFactory
from members.errors import PointsInsufficient, PointsMallLimitReached, PointsMallSoldOut, TierNotForSale
from members.models import (
    Member,
    Message,
    PointsEntry,
    PointsExpiryNotice,
    PointsMallItem,
    PointsMallRedemption,
    TierRule,
)
from members.selectors.points import points_balance
from members.services.points import points_grant, points_spend
from members.services.points_mall import points_expire_due, points_expiry_remind_due, points_mall_redeem
from members.services.tiers import tier_buy_with_points, tier_rules, tiers_evaluate_due
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT, guard_slider_off

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _grant(member: Member, points: int) -> None:
    points_grant(member_id=member.pk, delta=points, reason=PointsEntry.Reason.GRANT, ref=uuid.uuid4().hex)


def _item(*, stock: int, limit: int = 1, points: int = 500) -> PointsMallItem:
    template = CouponTemplateFactory.create(name="积分兑 10 元券", channel=CouponChannel.SYSTEM, per_user_limit=10)
    return PointsMallItem.objects.create(
        name="10 元无门槛券",
        kind="coupon",
        points=points,
        coupon_template=template,
        stock=stock,
        per_member_limit=limit,
    )


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_twenty_shoppers_racing_for_five_items_get_exactly_five() -> None:
    guard_slider_off()
    item = _item(stock=5)
    members = MemberFactory.create_batch(20)
    for member in members:
        _grant(member, 1000)

    results = run_in_threads(
        20, lambda i: points_mall_redeem(member=members[i], item_id=item.pk, ref=f"r{i}", context=SHOPPER_CONTEXT)
    )

    won = [r for r in results if isinstance(r, PointsMallRedemption)]
    sold_out = [r for r in results if isinstance(r, PointsMallSoldOut)]
    assert (len(won), len(sold_out)) == (5, 15), [r for r in results if not isinstance(r, PointsMallRedemption)]
    assert PointsMallItem.objects.get(pk=item.pk).redeemed_count == 5
    assert Coupon.objects.filter(template_id=item.coupon_template_id).count() == 5
    # Losers kept every point; winners paid exactly once.
    balances = sorted(points_balance(member_id=m.pk) for m in members)
    assert balances == [500] * 5 + [1000] * 15


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_one_shopper_tapping_ten_times_gets_their_limit_and_pays_for_it_once_each() -> None:
    guard_slider_off()
    item = _item(stock=100, limit=2)
    member = MemberFactory.create()
    _grant(member, 5000)

    results = run_in_threads(
        10, lambda i: points_mall_redeem(member=member, item_id=item.pk, ref=f"tap{i}", context=SHOPPER_CONTEXT)
    )

    assert sum(isinstance(r, PointsMallRedemption) for r in results) == 2
    assert sum(isinstance(r, PointsMallLimitReached) for r in results) == 8
    assert points_balance(member_id=member.pk) == 4000
    assert PointsMallItem.objects.get(pk=item.pk).redeemed_count == 2


@pytest.mark.django_db
def test_not_enough_points_leaves_stock_and_coupons_untouched() -> None:
    item = _item(stock=3)
    member = MemberFactory.create()
    _grant(member, 100)
    with pytest.raises(PointsInsufficient):
        points_mall_redeem(member=member, item_id=item.pk, ref="x", context=SHOPPER_CONTEXT)
    assert PointsMallItem.objects.get(pk=item.pk).redeemed_count == 0
    assert not Coupon.objects.exists()
    # The same ref twice is one redemption.
    _grant(member, 1000)
    first = points_mall_redeem(member=member, item_id=item.pk, ref="y", context=SHOPPER_CONTEXT)
    again = points_mall_redeem(member=member, item_id=item.pk, ref="y", context=SHOPPER_CONTEXT)
    assert first.pk == again.pk
    assert points_balance(member_id=member.pk) == 600


@pytest.mark.django_db
def test_points_of_a_year_expire_at_the_end_of_the_next_with_one_reminder_a_month_before() -> None:
    member = MemberFactory.create()
    with time_machine.travel(datetime(2025, 5, 1, 10, tzinfo=SHANGHAI), tick=False) as clock:
        _grant(member, 1000)
        clock.move_to(datetime(2026, 2, 1, 10, tzinfo=SHANGHAI))
        _grant(member, 300)  # 2026's points live until the end of 2027
        points_spend(member_id=member.pk, amount=400, reason=PointsEntry.Reason.ORDER_REDEEM, ref="O1")

        clock.move_to(datetime(2026, 11, 20, 10, tzinfo=SHANGHAI))  # more than 30 days before the year end
        assert points_expiry_remind_due() == 0
        clock.move_to(datetime(2026, 12, 2, 10, tzinfo=SHANGHAI))
        assert points_expiry_remind_due() == 1
        assert points_expiry_remind_due() == 0  # beat twice: one reminder
        notice = PointsExpiryNotice.objects.get(member=member)
        assert (notice.year, notice.points) == (2025, 600)  # 1000 earned in 2025, 400 spent (oldest first)
        message = Message.objects.get(member=member, kind="points_expiring")
        assert "600" in message.title

        clock.move_to(datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI))
        assert points_expire_due() == 1
        assert points_expire_due() == 0
        assert points_balance(member_id=member.pk) == 300
        assert PointsEntry.objects.filter(member=member, reason="expire").count() == 1


@pytest.mark.django_db
def test_points_buy_the_next_tier_only_where_the_merchant_allows_and_it_is_kept() -> None:
    member = MemberFactory.create()
    _grant(member, 3000)
    tier_rules()
    with pytest.raises(TierNotForSale):
        tier_buy_with_points(member=member, ref="b1", context=SHOPPER_CONTEXT)
    TierRule.objects.filter(tier="silver").update(points_price=2000)
    with time_machine.travel(datetime(2026, 3, 5, 10, tzinfo=SHANGHAI), tick=False) as clock:
        tier_buy_with_points(member=member, ref="b2", context=SHOPPER_CONTEXT)
        tier_buy_with_points(member=member, ref="b2", context=SHOPPER_CONTEXT)  # a double tap buys once
        assert Member.objects.get(pk=member.pk).tier == "silver"
        assert points_balance(member_id=member.pk) == 1000
        # No spend at all, yet the bought tier is kept through the monthly evaluations.
        clock.move_to(datetime(2026, 4, 1, 3, tzinfo=SHANGHAI))
        tiers_evaluate_due()
        clock.move_to(datetime(2026, 5, 1, 3, tzinfo=SHANGHAI))
        tiers_evaluate_due()
        assert Member.objects.get(pk=member.pk).tier == "silver"
    with pytest.raises(TierNotForSale):  # 黄金 has no points price
        tier_buy_with_points(member=member, ref="b3", context=SHOPPER_CONTEXT)
