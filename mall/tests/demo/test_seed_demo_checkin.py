"""``seed_demo`` makes check-in visible: three weeks of check-ins with streaks and ledger points, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Sum
from django.utils import timezone

from mall.demo.checkin import build_checkin
from mall.demo.shop import SHOPPER_OPENID_PREFIX
from members.models import CheckIn, CheckInRule, PointsEntry
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_demo_check_ins_have_consistent_streaks_and_points_and_are_built_once() -> None:
    members = [MemberFactory.create(openid=f"{SHOPPER_OPENID_PREFIX}{i}") for i in range(6)]
    created = build_checkin(seed=1)["check-ins"]
    assert created == CheckIn.objects.count() > 30
    assert CheckIn.objects.filter(day__gt=timezone.localdate()).count() == 0
    for member in members:
        previous: CheckIn | None = None
        for row in CheckIn.objects.filter(member=member).order_by("day"):
            if previous is not None and previous.day == row.day - dt.timedelta(days=1):
                assert row.streak == previous.streak + 1
            else:
                assert row.streak == 1
            previous = row
    issued = CheckIn.objects.aggregate(p=Sum("points"), b=Sum("bonus_points"))
    ledger = PointsEntry.objects.filter(reason=PointsEntry.Reason.CHECKIN).aggregate(n=Sum("delta"))["n"]
    assert ledger == issued["p"] + issued["b"]
    assert CheckInRule.load().makeup_days == 3
    assert build_checkin(seed=1) == {"check-ins": 0}
    assert CheckIn.objects.count() == created
