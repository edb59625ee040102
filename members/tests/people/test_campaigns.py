"""Campaigns aimed at a segment: stable holdout within ±2% over 10,000 shoppers, the snapshot
frozen at the start, delivery once with skip reasons, the treated-vs-holdout report, and tools
limited to an audience (coupon claim and the coupon center, flash slots)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from marketing.models import Coupon, CouponChannel, CouponStatus, CouponTemplate
from marketing.selectors.coupons import coupon_center_for_member
from marketing.services.coupons import coupon_claim
from members.models import CampaignMember, Member, MemberTag, Message, Segment, SegmentCampaign, Tag
from members.people_errors import AudienceNotAllowed, CampaignAlreadyStarted, CampaignInvalid, SegmentRulesInvalid
from members.people_tasks import segment_campaign_deliver_task
from members.services.audience import audience_allows, audience_clean, audience_text
from members.services.campaigns import (
    CampaignData,
    holdout_bucket,
    is_holdout,
    segment_campaign_create,
    segment_campaign_report,
    segment_campaign_start,
)
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from members.tests.people.factories import spend

pytestmark = pytest.mark.django_db
GOLD = {"op": "all", "conditions": [{"field": "tier", "operator": "in", "value": ["gold"]}]}


def _template(**fields) -> CouponTemplate:
    defaults = {"name": "专属券", "kind": "amount_off", "threshold": 10_000, "off": 2_000, "valid_days": 7}
    return CouponTemplate.objects.create(**{**defaults, **fields})


@pytest.mark.parametrize("percent", [10, 25, 50])
def test_holdout_is_stable_and_within_two_points_over_ten_thousand(percent):
    held = sum(is_holdout(7, member_id, percent) for member_id in range(1, 10_001))
    assert abs(held / 10_000 - percent / 100) <= 0.02
    assert [is_holdout(7, m, percent) for m in range(1, 200)] == [is_holdout(7, m, percent) for m in range(1, 200)]
    # A different campaign draws a different split (not the same shoppers every time).
    assert [holdout_bucket(7, m) for m in range(1, 50)] != [holdout_bucket(8, m) for m in range(1, 50)]
    assert not any(is_holdout(7, m, 0) for m in range(1, 1000))


def test_create_refuses_bad_settings():
    segment = Segment.objects.create(name="金卡", rules=GOLD)
    with pytest.raises(CampaignInvalid):
        segment_campaign_create(actor=None, data=CampaignData(name="x", segment_id=segment.pk, holdout_percent=51,
                                                              message_title="hi"))  # fmt: skip
    with pytest.raises(CampaignInvalid):
        segment_campaign_create(actor=None, data=CampaignData(name="x", segment_id=segment.pk))  # nothing to give


def test_start_freezes_the_snapshot_and_delivery_happens_once(django_capture_on_commit_callbacks):
    segment = Segment.objects.create(name="金卡", rules=GOLD)
    gold = MemberFactory.create_batch(40, tier=Member.Tier.GOLD)
    blocked = MemberFactory.create(tier=Member.Tier.GOLD, is_blocked=True)
    MemberFactory.create_batch(5, tier=Member.Tier.NORMAL)
    template = _template(channel=CouponChannel.SYSTEM, total_quantity=30)
    campaign = segment_campaign_create(
        actor=None,
        data=CampaignData(name="金卡回馈", segment_id=segment.pk, coupon_template_id=template.pk,
                          message_title="金卡专属券已到账", holdout_percent=20),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        segment_campaign_start(actor=None, campaign_id=campaign.pk)
    assert len(callbacks) == 1
    rows = CampaignMember.objects.filter(campaign=campaign)
    assert rows.count() == 41
    for row in rows:
        assert row.is_holdout == is_holdout(campaign.pk, row.member_id, 20)
    # Later joiners of the segment are not in the campaign: the snapshot is frozen.
    MemberFactory.create(tier=Member.Tier.GOLD)
    Member.objects.filter(pk=gold[0].pk).update(tier=Member.Tier.NORMAL)
    with pytest.raises(CampaignAlreadyStarted):
        segment_campaign_start(actor=None, campaign_id=campaign.pk)
    treated = rows.filter(is_holdout=False).count()
    assert segment_campaign_deliver_task.run(campaign_id=campaign.pk) == treated
    assert segment_campaign_deliver_task.run(campaign_id=campaign.pk) == 0  # again: nothing
    campaign.refresh_from_db()
    assert campaign.status == SegmentCampaign.Status.SENT
    assert CampaignMember.objects.filter(campaign=campaign).count() == 41
    holdout_ids = set(rows.filter(is_holdout=True).values_list("member_id", flat=True))
    assert not Coupon.objects.filter(member_id__in=holdout_ids).exists()
    assert not Message.objects.filter(member_id__in=holdout_ids).exists()
    issued = Coupon.objects.filter(template=template).count()
    assert issued == min(30, treated - (0 if blocked.pk in holdout_ids else 1))
    report = segment_campaign_report(campaign_id=campaign.pk)
    assert report.treated.members == treated and report.holdout.members == 41 - treated
    assert report.treated.coupons_issued == issued
    expected_skips = {}
    if blocked.pk not in holdout_ids:
        expected_skips["blocked"] = 1
    if treated - expected_skips.get("blocked", 0) > 30:
        expected_skips["coupon_sold_out"] = treated - expected_skips.get("blocked", 0) - 30
    assert report.skipped == expected_skips
    assert report.treated.reached == treated - expected_skips.get("blocked", 0)


def test_report_compares_treated_and_holdout_within_the_window():
    segment = Segment.objects.create(name="金卡", rules=GOLD)
    members = MemberFactory.create_batch(30, tier=Member.Tier.GOLD)
    campaign = segment_campaign_create(
        actor=None, data=CampaignData(name="召回", segment_id=segment.pk, message_title="想你了", holdout_percent=50,
                                      window_days=7),
    )  # fmt: skip
    segment_campaign_start(actor=None, campaign_id=campaign.pk)
    segment_campaign_deliver_task.run(campaign_id=campaign.pk)
    rows = dict(CampaignMember.objects.filter(campaign=campaign).values_list("member_id", "is_holdout"))
    treated = [m for m in members if not rows[m.pk]]
    holdout = [m for m in members if rows[m.pk]]
    spend(treated[0], days_ago=-1, amount=10_000)  # within the window (a day after the start)
    spend(treated[0], days_ago=-2, amount=5_000)
    spend(treated[1], days_ago=1, amount=99_000)  # before the start: not counted
    spend(holdout[0], days_ago=-3, amount=7_000)
    spend(holdout[1], days_ago=-8, amount=9_000)  # after the window
    report = segment_campaign_report(campaign_id=campaign.pk)
    assert (report.treated.orders, report.treated.buyers, report.treated.gmv) == (2, 1, 15_000)
    assert (report.holdout.orders, report.holdout.buyers, report.holdout.gmv) == (1, 1, 7_000)
    assert report.treated.reached == len(treated) and report.holdout.reached == 0
    assert report.treated.conversion == pytest.approx(1 / len(treated))


def test_coupon_claim_limited_to_a_segment_tag_or_tier():
    segment = Segment.objects.create(name="金卡", rules=GOLD)
    gold = MemberFactory.create(tier=Member.Tier.GOLD)
    normal = MemberFactory.create(tier=Member.Tier.NORMAL)
    template = _template(audience={"segment": segment.pk})
    with pytest.raises(AudienceNotAllowed) as refused:
        coupon_claim(member=normal, template_id=template.pk, context=SHOPPER_CONTEXT)
    assert refused.value.code == "audience_not_allowed" and refused.value.status == 403
    assert coupon_claim(member=gold, template_id=template.pk, context=SHOPPER_CONTEXT).status == CouponStatus.UNUSED
    # The coupon center shows it only to who may claim it.
    assert template.pk in {e.template.pk for e in coupon_center_for_member(member=gold)}
    assert template.pk not in {e.template.pk for e in coupon_center_for_member(member=normal)}
    assert template.pk not in {e.template.pk for e in coupon_center_for_member(member=None)}
    tag = Tag.objects.create(name="直播粉丝")
    MemberTag.objects.create(member=normal, tag=tag)
    assert audience_allows(member=normal, audience={"tag": tag.pk})
    assert not audience_allows(member=gold, audience={"tag": tag.pk})
    assert audience_allows(member=gold, audience={"tiers": ["gold", "diamond"]})
    assert not audience_allows(member=gold, audience={"tiers": ["gold"], "tag": tag.pk})
    assert audience_text({"tiers": ["gold"], "segment": segment.pk}) == "黄金会员 且 人群「金卡」"
    assert audience_clean({"tiers": ["gold"], "tag": tag.pk}) == {"tiers": ["gold"], "tag": tag.pk}
    with pytest.raises(SegmentRulesInvalid):
        audience_clean({"segment": 999_999})
    with pytest.raises(SegmentRulesInvalid):
        audience_clean({"tiers": ["platinum"]})


def test_issuing_respects_the_audience_and_a_campaign_reports_it():
    from members.models import Segment as SegmentModel

    everyone = SegmentModel.objects.create(name="全部", rules={"op": "all", "conditions": []})
    gold = MemberFactory.create(tier=Member.Tier.GOLD)
    normal = MemberFactory.create(tier=Member.Tier.NORMAL)
    template = _template(channel=CouponChannel.SYSTEM, audience={"tiers": ["gold"]})
    campaign = segment_campaign_create(
        actor=None, data=CampaignData(name="全员", segment_id=everyone.pk, coupon_template_id=template.pk)
    )
    segment_campaign_start(actor=None, campaign_id=campaign.pk)
    segment_campaign_deliver_task.run(campaign_id=campaign.pk)
    assert list(Coupon.objects.filter(template=template).values_list("member_id", flat=True)) == [gold.pk]
    assert segment_campaign_report(campaign_id=campaign.pk).skipped == {"audience": 1}
    assert CampaignMember.objects.get(campaign=campaign, member=normal).skip_reason == "audience"


def test_flash_slot_limited_to_an_audience():
    from marketing.models import FlashItem, FlashSlot
    from marketing.services.deals import DealRequest
    from marketing.services.flash_purchase import FlashDeal
    from orders.tests.factories import SkuFactory

    now = timezone.now()
    slot = FlashSlot.objects.create(
        starts_at=now - dt.timedelta(minutes=5), ends_at=now + dt.timedelta(hours=1), status="published",
        audience={"tiers": ["gold"]},
    )  # fmt: skip
    sku = SkuFactory.create()
    item = FlashItem.objects.create(slot=slot, sku=sku, flash_price=100, quota=10)
    normal = MemberFactory.create(tier=Member.Tier.NORMAL)
    with pytest.raises(AudienceNotAllowed):
        FlashDeal().specs(deal=DealRequest(kind="flash", ref=item.pk), member=normal, sku=sku, qty=1, at=now)


def test_group_buy_limited_to_an_audience():
    from marketing.models import GroupBuyCampaign, GroupBuyItem
    from marketing.services.deals import DealRequest
    from marketing.services.group_buys import GroupDeal
    from orders.tests.factories import SkuFactory

    now = timezone.now()
    sku = SkuFactory.create()
    campaign = GroupBuyCampaign.objects.create(
        name="金卡拼团", product=sku.product, group_size=2, starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=1), audience={"tiers": ["gold"]},
    )  # fmt: skip
    GroupBuyItem.objects.create(campaign=campaign, sku=sku, price=100)
    normal = MemberFactory.create(tier=Member.Tier.NORMAL)
    with pytest.raises(AudienceNotAllowed):
        GroupDeal().specs(deal=DealRequest(kind="group", ref=campaign.pk), member=normal, sku=sku, qty=1, at=now)
