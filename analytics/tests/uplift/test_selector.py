"""The uplift selector on the database (B03): the per-shopper figures of a segment campaign and
of a lifecycle journey with a holdout — window, pre-period, refunds, cost — in a fixed number
of queries whatever the number of shoppers or campaigns; and the journey runner's holdout."""

from __future__ import annotations

import datetime as dt
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from analytics.models import OrderTouch, Tool
from analytics.selectors.uplift import PRE_DAYS, journey_uplift, segment_campaign_uplift, segment_campaign_uplifts
from analytics.tests.uplift.helpers import TIERS
from analytics.tests.uplift.helpers import campaign_with_holdout as _campaign
from marketing.models import Coupon, CouponStatus, CouponTemplate, JourneyKind, JourneyPush, JourneySend
from marketing.services.journeys.runner import journey_holdout, lifecycle_run
from marketing.tests.journeys.helpers import journeys_on, paid_order
from members.models import Member, Message, Segment
from members.services.campaigns import CampaignData, segment_campaign_create
from members.tests.factories import MemberFactory
from members.tests.people.factories import spend

pytestmark = pytest.mark.django_db
SHOP = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=SHOP)


def _coupon_used(member: Member, template: CouponTemplate, days_ago: float, off: int) -> Coupon:
    order = spend(member, days_ago=days_ago, amount=10_000)
    coupon = Coupon.objects.get(member=member, template=template)
    Coupon.objects.filter(pk=coupon.pk).update(status=CouponStatus.USED, order=order, used_at=order.paid_at)
    OrderTouch.objects.create(
        order=order, member=member, tool=Tool.COUPON, object_id=template.pk, day=dt.date(2026, 12, 1), coupon=off
    )
    return coupon


def test_segment_campaign_figures_window_pre_period_refunds_and_cost(django_assert_max_num_queries):
    template = CouponTemplate.objects.create(name="回归券", kind="no_threshold", off=2_000, valid_days=7)
    campaign_id, treated, holdout = _campaign("召回", 24, coupon_template_id=template.pk, points=100)
    assert len(treated) >= 2 and len(holdout) >= 2
    spend(treated[0], days_ago=-1, amount=10_000)  # in the window (a day after the start)
    spend(treated[0], days_ago=-2, amount=6_000, refunded=1_000)  # net 5,000
    spend(treated[1], days_ago=-8, amount=99_000)  # after the 7-day window: not counted
    spend(treated[1], days_ago=10, amount=4_000)  # pre-period
    spend(treated[1], days_ago=PRE_DAYS + 1, amount=50_000)  # before the pre-period
    _coupon_used(treated[2], template, days_ago=-3, off=2_000)  # 10,000 in the window, coupon 20 yuan
    spend(holdout[0], days_ago=-3, amount=7_000)
    spend(holdout[0], days_ago=5, amount=3_000)  # pre-period
    with time_machine.travel(timezone.now() + timedelta(days=10), tick=False), django_assert_max_num_queries(7):
        report = segment_campaign_uplift(campaign_id=campaign_id)
    assert report is not None and report.finished
    assert (report.treated, report.holdout) == (len(treated), len(holdout))
    # cost: the coupon's deduction + 100 points to each reached treated shopper at 100 points a yuan
    assert report.cost == 2_000 + 100 * len(treated)
    result = report.result
    assert result is not None
    assert result.gmv_treated == pytest.approx((10_000 + 5_000 + 10_000) / len(treated))
    assert result.gmv_holdout == pytest.approx(7_000 / len(holdout))
    assert result.conversion_treated == pytest.approx(2 / len(treated))
    assert result.conversion_holdout == pytest.approx(1 / len(holdout))
    assert result.gmv_diff_raw.value == pytest.approx(result.gmv_treated - result.gmv_holdout)
    assert result.theta != 0  # the pre-period spend (treated[1], holdout[0]) is used
    assert result.roi is not None
    assert result.roi.value == pytest.approx(result.incremental_gmv.value / report.cost)


def test_many_campaigns_in_the_same_number_of_queries(django_assert_max_num_queries):
    ids = []
    for n, tier in enumerate(TIERS):
        campaign_id, treated, _holdout = _campaign(f"活动{n}", 16 + n, tier)
        spend(treated[0], days_ago=-1, amount=1_000 * (n + 1))
        ids.append(campaign_id)
    segment = Segment.objects.first()
    assert segment is not None
    draft = CampaignData(name="草稿", segment_id=segment.pk, message_title="x", holdout_percent=10)
    not_started = segment_campaign_create(actor=None, data=draft)
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False), django_assert_max_num_queries(7):
        reports = segment_campaign_uplifts(campaign_ids=[*ids, not_started.pk])
    assert reports[not_started.pk].result is None and reports[not_started.pk].start is None
    for n, campaign_id in enumerate(ids):
        report = reports[campaign_id]
        assert not report.finished  # the 7-day window is still running
        assert report.result is not None
        assert report.result.gmv_treated * report.treated == pytest.approx(1_000 * (n + 1))


def test_journey_runner_holds_out_a_stable_share_that_gets_nothing():
    journeys_on(JourneyKind.DORMANT, holdout_percent=50)
    shoppers = MemberFactory.create_batch(12)
    for shopper in shoppers:
        paid_order(shopper, NOW - timedelta(days=35))
    with time_machine.travel(NOW, tick=False):
        (outcome,) = lifecycle_run(kinds=[JourneyKind.DORMANT], now=NOW)
    expected = {s.pk for s in shoppers if journey_holdout(kind=JourneyKind.DORMANT, member_id=s.pk, percent=50)}
    assert 0 < len(expected) < 12
    held = JourneySend.objects.filter(is_holdout=True)
    assert set(held.values_list("member_id", flat=True)) == expected
    assert not held.exclude(push=JourneyPush.HOLDOUT).exists()
    assert not held.filter(coupon__isnull=False).exists()
    assert not Coupon.objects.filter(member_id__in=expected).exists()
    assert not Message.objects.filter(member_id__in=expected).exists()
    assert outcome.eligible == 12 and outcome.granted == 12 - len(expected)
    assert outcome.skipped["holdout"] == len(expected)


def test_journey_uplift_counts_each_shopper_from_their_own_occasion(django_assert_max_num_queries):
    shoppers = MemberFactory.create_batch(6)
    sent = [NOW - timedelta(days=20), NOW - timedelta(days=5)]
    for i, shopper in enumerate(shoppers):
        JourneySend.objects.create(
            kind=JourneyKind.DORMANT,
            member=shopper,
            occasion=f"o{i}",
            is_holdout=i % 2 == 1,
            push=JourneyPush.HOLDOUT if i % 2 else JourneyPush.QUEUED,
            run_token="t",
            sent_at=sent[i // 3 % 2],
        )
    spend_at = {0: sent[0] + timedelta(days=2), 2: sent[0] + timedelta(days=8), 1: sent[0] + timedelta(days=1)}
    for i, at in spend_at.items():  # shopper 2's order falls after their 7-day window
        paid_order(shoppers[i], at)
    paid_order(shoppers[3], sent[1] + timedelta(days=3))
    with django_assert_max_num_queries(4):
        report = journey_uplift(kind=JourneyKind.DORMANT, now=NOW)
    assert (report.treated, report.holdout) == (3, 3)
    assert report.finished is False  # the last occasions are 5 days old: their 7-day window runs on
    assert report.result is not None
    assert report.result.gmv_treated == pytest.approx(5_900 / 3)
    assert report.result.gmv_holdout == pytest.approx(2 * 5_900 / 3)
    assert not report.result.significant
