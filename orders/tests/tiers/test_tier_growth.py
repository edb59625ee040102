"""F14: growth from completed orders crosses thresholds at once; refunds take back exactly; the
monthly evaluation gives a keep-level month before going down one level, once per month."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User

from members.models import GrowthEntry, Member, Message, TierEvaluation
from members.services.tiers import growth_of, growth_settle, tier_evaluate, tier_rule_update, tiers_evaluate_due
from orders.models import Order
from orders.services.orders import order_complete, order_ship
from orders.services.refunds import refund_create, refund_mark_failed

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _completed(
    make: Callable[..., Order], pay: Callable[[Order], Order], staff: User, member: Member, lines: list[tuple[int, int]]
) -> Order:
    order = pay(make(lines=lines, member=member))
    order_ship(order_id=order.pk, carrier="顺丰", tracking_no=f"SF{order.pk:08d}", actor=staff)
    assert order_complete(order_id=order.pk, reason="test")
    return Order.objects.get(pk=order.pk)


def _tier(member: Member) -> str:
    return Member.objects.get(pk=member.pk).tier


def test_completion_crosses_silver_at_once_and_a_refund_takes_back_exactly(
    order_with_lines: Callable[..., Order], pay_sandbox: Callable[[Order], Order], finance: User, shopper: Member
) -> None:
    small = _completed(order_with_lines, pay_sandbox, finance, shopper, [(1, 30_000)])
    assert _tier(shopper) == "normal"
    assert growth_of(member_id=shopper.pk).spend == 30_000
    big = _completed(order_with_lines, pay_sandbox, finance, shopper, [(4, 24_000)])  # ¥540 in all: 白银
    assert _tier(shopper) == "silver"
    assert Message.objects.filter(member=shopper, kind="tier_upgraded").count() == 1
    assert (growth_of(member_id=shopper.pk).spend, growth_of(member_id=shopper.pk).orders) == (54_000, 2)

    line = big.lines.get()
    refund = refund_create(order_id=big.pk, lines=[(line.pk, 1)], reason="退一件", actor=finance)
    # ¥60 back: the 12 months are ¥480 again, un-crossed; the tier waits for the monthly evaluation.
    assert growth_of(member_id=shopper.pk).spend == 48_000
    entry = GrowthEntry.objects.get(source="refund", source_id=refund.out_refund_no)
    assert (entry.amount, entry.orders) == (-6_000, 0)
    assert _tier(shopper) == "silver"
    # Settling again (a repeated notice) changes nothing; refunding the rest takes the order away.
    assert growth_settle(order_id=big.pk, event=refund.out_refund_no) == 0
    refund_create(order_id=small.pk, lines=None, reason="全退", actor=finance)
    assert (growth_of(member_id=shopper.pk).spend, growth_of(member_id=shopper.pk).orders) == (18_000, 1)


def test_a_failed_refund_gives_the_growth_back(
    order_with_lines: Callable[..., Order], pay_sandbox: Callable[[Order], Order], finance: User, shopper: Member
) -> None:
    order = _completed(order_with_lines, pay_sandbox, finance, shopper, [(2, 10_000)])
    refund = refund_create(order_id=order.pk, lines=None, reason="全退", actor=finance)
    assert growth_of(member_id=shopper.pk).orders == 0
    # The sandbox settles at once; replay the provider giving up on a copy still processing.
    type(refund).objects.filter(pk=refund.pk).update(status="processing")
    assert refund_mark_failed(refund_id=refund.pk, provider_status="ABNORMAL")
    assert (growth_of(member_id=shopper.pk).spend, growth_of(member_id=shopper.pk).orders) == (10_000, 1)
    assert GrowthEntry.objects.filter(source="refund_back", source_id=refund.out_refund_no).count() == 1


def test_orders_count_crosses_too_and_thresholds_are_the_merchants(
    order_with_lines: Callable[..., Order], pay_sandbox: Callable[[Order], Order], finance: User, shopper: Member
) -> None:
    tier_rule_update(tier="silver", actor=finance, min_spend=0, min_orders=2)
    _completed(order_with_lines, pay_sandbox, finance, shopper, [(1, 100)])
    assert _tier(shopper) == "normal"
    _completed(order_with_lines, pay_sandbox, finance, shopper, [(1, 100)])
    assert _tier(shopper) == "silver"


def test_downgrade_only_after_a_grace_month_and_one_level_at_a_time(
    order_with_lines: Callable[..., Order], pay_sandbox: Callable[[Order], Order], finance: User, shopper: Member
) -> None:
    with time_machine.travel(datetime(2025, 3, 10, 12, tzinfo=SHANGHAI), tick=False) as clock:
        _completed(order_with_lines, pay_sandbox, finance, shopper, [(1, 600_000)])
        assert _tier(shopper) == "diamond"
        # Within 12 months: every monthly evaluation keeps 钻石, once a month whatever runs it.
        clock.move_to(datetime(2026, 1, 1, 3, tzinfo=SHANGHAI))
        assert tiers_evaluate_due() == 1
        assert tiers_evaluate_due() == 0
        assert tier_evaluate(member_id=shopper.pk) is None
        assert TierEvaluation.objects.get(member=shopper, month="2026-01").outcome == "kept"

        # 2026-04: the order left the 12 months → a grace month (told before), still 钻石.
        clock.move_to(datetime(2026, 4, 1, 3, tzinfo=SHANGHAI))
        tiers_evaluate_due()
        assert _tier(shopper) == "diamond"
        assert TierEvaluation.objects.get(member=shopper, month="2026-04").outcome == "grace"
        warning = Message.objects.get(member=shopper, kind="tier_keep_warning")
        assert "钻石" in warning.title
        # Later in the same month nothing more happens.
        clock.move_to(datetime(2026, 4, 20, 3, tzinfo=SHANGHAI))
        assert tiers_evaluate_due() == 0
        assert _tier(shopper) == "diamond"

        # 2026-05: still short after the grace month → one level down (黄金), told after.
        clock.move_to(datetime(2026, 5, 1, 3, tzinfo=SHANGHAI))
        tiers_evaluate_due()
        assert _tier(shopper) == "gold"
        assert Message.objects.filter(member=shopper, kind="tier_downgraded").count() == 1
        # 2026-06: a new grace month for 黄金 (not straight to 普通); 2026-07 白银.
        clock.move_to(datetime(2026, 6, 1, 3, tzinfo=SHANGHAI))
        tiers_evaluate_due()
        assert _tier(shopper) == "gold"
        clock.move_to(datetime(2026, 7, 1, 3, tzinfo=SHANGHAI))
        tiers_evaluate_due()
        assert _tier(shopper) == "silver"


def test_spending_in_the_grace_month_keeps_the_tier(
    order_with_lines: Callable[..., Order], pay_sandbox: Callable[[Order], Order], finance: User, shopper: Member
) -> None:
    with time_machine.travel(datetime(2025, 3, 10, 12, tzinfo=SHANGHAI), tick=False) as clock:
        _completed(order_with_lines, pay_sandbox, finance, shopper, [(1, 250_000)])
        assert _tier(shopper) == "gold"
        clock.move_to(datetime(2026, 4, 1, 3, tzinfo=SHANGHAI))
        tiers_evaluate_due()
        assert TierEvaluation.objects.get(member=shopper, month="2026-04").outcome == "grace"
        clock.move_to(datetime(2026, 4, 15, 12, tzinfo=SHANGHAI))
        _completed(order_with_lines, pay_sandbox, finance, shopper, [(1, 200_000)])
        clock.move_to(datetime(2026, 5, 1, 3, tzinfo=SHANGHAI))
        tiers_evaluate_due()
        assert _tier(shopper) == "gold"
        assert TierEvaluation.objects.get(member=shopper, month="2026-05").outcome == "kept"
