"""The campaign console: create, start (frozen snapshot), the report, the follow-up list."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from members.models import CampaignMember, Member, Segment, SegmentCampaign
from members.people_tasks import segment_campaign_deliver_task
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
GOLD = {"op": "all", "conditions": [{"field": "tier", "operator": "in", "value": ["gold"]}]}


def test_create_start_report_and_follow_up(admin_client: Client, django_capture_on_commit_callbacks):
    segment = Segment.objects.create(name="金卡", rules=GOLD)
    MemberFactory.create_batch(6, tier=Member.Tier.GOLD, phone="13800005678")
    add = reverse("admin:members_segmentcampaign_add")
    assert admin_client.get(add).status_code == 200
    refused = admin_client.post(add, {"name": "无内容", "segment": segment.pk, "holdout_percent": 0, "window_days": 14,
                                      "points": 0})  # fmt: skip
    assert refused.status_code == 302 and not SegmentCampaign.objects.exists()
    response = admin_client.post(
        add,
        {"name": "金卡回访", "segment": segment.pk, "message_title": "您好", "holdout_percent": 0, "window_days": 14,
         "points": 0, "follow_up": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    campaign = SegmentCampaign.objects.get(name="金卡回访")
    change = reverse("admin:members_segmentcampaign_change", args=[campaign.pk])
    assert "尚未开始" in admin_client.get(change).content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        admin_client.get(reverse("admin:members_segmentcampaign_start_campaign", args=[campaign.pk]))
    assert CampaignMember.objects.filter(campaign=campaign).count() == 6
    segment_campaign_deliver_task.run(campaign_id=campaign.pk)
    body = admin_client.get(change).content.decode()
    assert 'data-testid="campaign-report"' in body and "实验组" in body and "¥0.00" in body
    follow = admin_client.get(reverse("admin:members_campaignmember_changelist"))
    assert "138****5678" in follow.content.decode()
    ids = list(CampaignMember.objects.values_list("pk", flat=True))
    admin_client.post(
        reverse("admin:members_campaignmember_changelist"),
        {"action": "mark_followed_up", "_selected_action": [str(i) for i in ids[:2]]},
    )
    assert CampaignMember.objects.filter(followed_up_at__isnull=False).count() == 2


def test_coupon_template_console_limits_it_to_an_audience(admin_client: Client):
    from mall.models import AuditLog
    from marketing.models import CouponTemplate

    segment = Segment.objects.create(name="金卡", rules=GOLD)
    data = {
        "name": "金卡专享",
        "kind": "amount_off",
        "group": "shop",
        "channel": "claim",
        "threshold": "100.00",
        "off": "20.00",
        "valid_days": "7",
        "per_user_limit": "1",
        "is_active": "on",
        "audience_segment": str(segment.pk),
        "audience_tiers": ["gold", "diamond"],
    }
    page = admin_client.get("/admin/marketing/coupontemplate/add/").content.decode()
    assert "适用人群" in page and "限人群" in page
    assert admin_client.post("/admin/marketing/coupontemplate/add/", data).status_code == 302
    template = CouponTemplate.objects.get(name="金卡专享")
    assert template.audience == {"segment": segment.pk, "tiers": ["gold", "diamond"]}
    assert AuditLog.objects.filter(action="audience.set").count() == 1
    data.pop("audience_segment")
    data["audience_tiers"] = []
    change = f"/admin/marketing/coupontemplate/{template.pk}/change/"
    assert admin_client.post(change, data).status_code == 302
    template.refresh_from_db()
    assert template.audience == {}
