"""F48: shoppers are told once, in one message, about coupons that expire within a day."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from mall.tests.concurrency import run_in_threads
from marketing.models import Coupon, CouponStatus
from marketing.services.coupons import COUPON_EXPIRING_KIND, coupons_expiry_remind_due
from marketing.tests.factories import CouponTemplateFactory
from members.models import Message
from members.tests.factories import MemberFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)


def _coupon(member_id: int, *, until: datetime, status: str = CouponStatus.UNUSED, seq: int = 1) -> Coupon:
    template = CouponTemplateFactory.create(per_user_limit=5)
    return Coupon.objects.create(
        template=template,
        member_id=member_id,
        seq=seq,
        status=status,
        valid_from=NOW - timedelta(days=6),
        valid_until=until,
    )


@pytest.mark.django_db
def test_one_message_per_shopper_for_coupons_expiring_within_a_day_and_never_twice() -> None:
    alice, bob, carol = MemberFactory.create_batch(3)
    _coupon(alice.pk, until=NOW + timedelta(hours=5))
    _coupon(alice.pk, until=NOW + timedelta(hours=20))
    _coupon(bob.pk, until=NOW + timedelta(days=3))  # not yet
    _coupon(bob.pk, until=NOW + timedelta(hours=2), status=CouponStatus.EXPIRED)
    _coupon(carol.pk, until=NOW - timedelta(hours=1))  # already expired

    with time_machine.travel(NOW, tick=False):
        assert coupons_expiry_remind_due() == 1
        assert coupons_expiry_remind_due() == 0

    (message,) = Message.objects.all()
    assert (message.member_id, message.kind) == (alice.pk, COUPON_EXPIRING_KIND)
    assert message.title == "您有 2 张优惠券即将过期"
    assert message.body == "最早于 12-01 15:00 过期，别忘了使用"
    assert Coupon.objects.filter(member=alice, reminded_at__isnull=False).count() == 2


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_reminder_at_once_tell_each_shopper_once() -> None:
    shoppers = MemberFactory.create_batch(5)
    for shopper in shoppers:
        _coupon(shopper.pk, until=NOW + timedelta(hours=3))

    def run(_i: int) -> int:
        return coupons_expiry_remind_due(now=NOW)

    results = run_in_threads(4, run)
    assert sum(results) == 5
    assert Message.objects.filter(kind=COUPON_EXPIRING_KIND).count() == 5
