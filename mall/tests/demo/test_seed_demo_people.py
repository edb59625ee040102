"""``seed_demo``'s people: tags and RFM groups, a saved segment, the layers, a delivered campaign."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from members.models import CampaignMember, LayerSnapshot, MemberRfm, MemberTag, Segment, SegmentCampaign, Tag

pytestmark = pytest.mark.django_db


def test_demo_people_are_there_and_a_second_run_adds_nothing() -> None:
    call_command("seed_demo", "--shoppers", "20", "--days", "30", stdout=StringIO())
    assert MemberTag.objects.filter(tag__kind=Tag.Kind.AUTO).exists()
    assert MemberRfm.objects.exists()
    assert Segment.objects.filter(name="30 天未消费且买过美妆").exists()
    assert Segment.objects.exclude(layer="").count() == 4
    assert LayerSnapshot.objects.exists()
    campaign = SegmentCampaign.objects.get(name="沉睡美妆客召回")
    assert campaign.status == SegmentCampaign.Status.SENT
    rows = CampaignMember.objects.filter(campaign=campaign)
    assert not rows.filter(is_holdout=False, delivered=False).exists()
    counts = (MemberTag.objects.count(), SegmentCampaign.objects.count(), rows.count())
    call_command("seed_demo", "--shoppers", "20", "--days", "30", stdout=StringIO())
    assert (MemberTag.objects.count(), SegmentCampaign.objects.count(), rows.count()) == counts
