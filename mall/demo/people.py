"""Demo people (issue 14): automatic tags and RFM groups of the demo shoppers, two manual tags,
a saved segment ("30 天未消费 + 曾购买美妆"), the four layers and this month's snapshot, and one
segment campaign with a 20% holdout, delivered — so every people page has something to show."""

from __future__ import annotations

from django.contrib.auth.models import User

from members.models import MemberTag, Segment, SegmentCampaign, Tag
from members.services.campaigns import (
    CampaignData,
    segment_campaign_create,
    segment_campaign_deliver,
    segment_campaign_start,
)
from members.services.layers import layer_snapshot_take, layers_ensure
from members.services.segments import segment_save
from members.services.tags import rfm_recompute, tags_recompute

SEGMENT_NAME = "30 天未消费且买过美妆"
CAMPAIGN_NAME = "沉睡美妆客召回"


def build_people() -> dict[str, int]:
    counts = {"member tags": 0, "segments": 0, "segment campaigns": 0}
    if SegmentCampaign.objects.filter(name=CAMPAIGN_NAME).exists():
        return counts
    before = MemberTag.objects.count()
    tags_recompute()
    rfm_recompute()
    for name in ("直播粉丝", "社群会员"):
        Tag.objects.get_or_create(name=name, defaults={"kind": Tag.Kind.MANUAL})
    fans = Tag.objects.get(name="直播粉丝")
    shoppers = list(MemberTag.objects.values_list("member_id", flat=True).distinct()[:30])
    MemberTag.objects.bulk_create([MemberTag(member_id=pk, tag=fans) for pk in shoppers], ignore_conflicts=True)
    counts["member tags"] = MemberTag.objects.count() - before
    layers_ensure()
    layer_snapshot_take()
    beauty = Tag.objects.filter(name__startswith="偏好").values_list("category_id", flat=True).first()
    conditions: list[dict[str, object]] = [{"field": "days_since_last_order", "operator": "gte", "value": 30}]
    if beauty:
        conditions.append({"field": "bought_category", "operator": "yes", "value": beauty})
    staff = User.objects.filter(is_superuser=True).order_by("pk").first()
    segment = Segment.objects.filter(name=SEGMENT_NAME).first() or segment_save(
        actor=staff, name=SEGMENT_NAME, rules={"op": "all", "conditions": conditions}
    )
    counts["segments"] = Segment.objects.count()
    campaign = segment_campaign_create(
        actor=staff,
        data=CampaignData(
            name=CAMPAIGN_NAME,
            segment_id=segment.pk,
            message_title="好久不见，新品上架了",
            message_body="您喜欢的品类上新了，回来看看吧。",
            holdout_percent=20,
            points=50,
        ),
    )
    segment_campaign_start(actor=staff, campaign_id=campaign.pk)
    segment_campaign_deliver(campaign_id=campaign.pk)
    counts["segment campaigns"] = 1
    return counts
