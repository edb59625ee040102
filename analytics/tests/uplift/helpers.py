"""Segment campaigns with a holdout for the uplift tests, started and delivered by the services."""

from __future__ import annotations

from members.models import CampaignMember, Member, Segment
from members.people_tasks import segment_campaign_deliver_task
from members.services.campaigns import CampaignData, segment_campaign_create, segment_campaign_start
from members.tests.factories import MemberFactory

TIERS = (Member.Tier.GOLD, Member.Tier.SILVER, Member.Tier.DIAMOND)


def campaign_with_holdout(
    name: str, shoppers: int, tier: str = Member.Tier.GOLD, **fields: object
) -> tuple[int, list[Member], list[Member]]:
    rules = {"op": "all", "conditions": [{"field": "tier", "operator": "in", "value": [tier]}]}
    segment = Segment.objects.create(name=f"人群{name}", rules=rules)
    members = MemberFactory.create_batch(shoppers, tier=tier)
    data = {"name": name, "segment_id": segment.pk, "message_title": "想你了", "holdout_percent": 50, "window_days": 7}
    campaign = segment_campaign_create(actor=None, data=CampaignData(**{**data, **fields}))  # type: ignore[arg-type]
    segment_campaign_start(actor=None, campaign_id=campaign.pk)
    segment_campaign_deliver_task.run(campaign_id=campaign.pk)
    held = dict(CampaignMember.objects.filter(campaign=campaign).values_list("member_id", "is_holdout"))
    return campaign.pk, [m for m in members if not held[m.pk]], [m for m in members if held[m.pk]]
