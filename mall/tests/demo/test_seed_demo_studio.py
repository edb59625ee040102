"""``seed_demo`` shows the campaign studio: a running 618 over the shop's tools and a draft, once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from mall.demo.marketing import build_marketing
from mall.demo.shop import build_catalogue
from mall.demo.studio import DRAFT_NAME, LIVE_NAME, build_studio
from marketing.models import Campaign, CampaignStatus, GroupBuyCampaign, Promotion

pytestmark = pytest.mark.django_db


def test_the_demo_campaigns_run_the_shops_tools_under_a_budget_and_are_built_once() -> None:
    User.objects.create_superuser(username="owner", password="x")
    build_catalogue(seed=1)
    build_marketing()

    assert build_studio() == {"campaigns": 2, "campaign tools": 4}

    live = Campaign.objects.get(name=LIVE_NAME)
    assert live.status == CampaignStatus.LIVE and live.phase(timezone.now()) == "running"
    assert sorted(live.tools.values_list("kind", flat=True)) == ["bargain", "coupon", "group_buy", "promotion"]
    assert live.budget_amount == 500_000
    assert live.ends_at == GroupBuyCampaign.objects.get(pk=live.tools.get(kind="group_buy").object_id).ends_at
    draft = Campaign.objects.get(name=DRAFT_NAME)
    assert draft.status == CampaignStatus.DRAFT
    assert Promotion.objects.get(pk=draft.tools.get().object_id).is_active  # a draft leaves its tool alone
    assert build_studio() == {"campaigns": 0}
    assert Campaign.objects.count() == 2
