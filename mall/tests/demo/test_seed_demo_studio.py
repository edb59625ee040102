"""``seed_demo`` shows the campaign studio: a running 618 over the shop's tools and a draft, once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from mall.demo.marketing import LIMITED_DISCOUNT, build_marketing
from mall.demo.shop import build_catalogue
from mall.demo.studio import DRAFT_COUPON, DRAFT_DISCOUNT, DRAFT_NAME, LIVE_NAME, build_studio
from marketing.models import Campaign, CampaignStatus, CampaignTool, CouponTemplate, GroupBuyCampaign, Promotion
from marketing.services.campaigns import campaign_publish

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
    assert build_studio() == {"campaigns": 0}
    assert Campaign.objects.count() == 2


def test_the_draft_holds_its_own_switched_off_tools_that_go_live_only_when_it_is_published() -> None:
    owner = User.objects.create_superuser(username="owner", password="x")
    build_catalogue(seed=1)
    build_marketing()
    build_studio()

    draft = Campaign.objects.get(name=DRAFT_NAME)
    kinds = dict(draft.tools.values_list("kind", "object_id"))
    discount, coupon = Promotion.objects.get(pk=kinds["promotion"]), CouponTemplate.objects.get(pk=kinds["coupon"])
    assert (discount.name, coupon.name) == (DRAFT_DISCOUNT, DRAFT_COUPON)
    # switched off over the draft's own window: today's shoppers cannot spend the draft's budget
    assert not discount.is_active and not coupon.is_active
    assert (discount.starts_at, discount.ends_at) == (draft.starts_at, draft.ends_at)
    # the running 24-hour 8 折 is nobody's draft tool
    running = Promotion.objects.get(name=LIMITED_DISCOUNT)
    assert running.is_active and not CampaignTool.objects.filter(kind="promotion", object_id=running.pk).exists()

    campaign_publish(actor=owner, campaign_id=draft.pk)
    discount.refresh_from_db()
    coupon.refresh_from_db()
    assert discount.is_active and coupon.is_active
