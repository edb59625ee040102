"""The demo shop's campaigns (活动, issue 17): a running "618 年中大促" that runs the shop's 满减,
its shop coupon, the 3 人团 and the 砍价 under one budget, and a draft "双11 预热" holding its
OWN switched-off 美妆 8 折 and 预热券 over its own window, so the console's 营销活动 page shows
both a live campaign (tools, budget bar, audit trail) and one waiting to be published. (The
draft once linked the running 24-hour 8 折: everyday demo traffic then spent the draft's budget
before it was ever published.) A second run finds them and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from mall.demo.marketing import BARGAIN, FULL_REDUCTION, GROUP_BUY
from mall.models import Category
from marketing.models import (
    BargainCampaign,
    Campaign,
    CampaignTool,
    CouponKind,
    CouponTemplate,
    GroupBuyCampaign,
    Promotion,
    PromotionType,
)
from marketing.services.campaigns import CampaignData, campaign_create, campaign_publish, campaign_tool_add
from marketing.services.coupons import CouponTemplateData, coupon_template_create
from marketing.services.promotions import PromotionData, promotion_create

LIVE_NAME = "618 年中大促"
DRAFT_NAME = "双11 预热"
SHOP_COUPON = "店铺券 满100减20"
DRAFT_DISCOUNT = "双11 预热 美妆 8 折"
DRAFT_COUPON = "双11 预热券 满200减30"


def _owner() -> User | None:
    return User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()


def _link(owner: User, campaign: Campaign, kind: str, object_id: int | None) -> int:
    if object_id is None or CampaignTool.objects.filter(kind=kind, object_id=object_id).exists():
        return 0
    campaign_tool_add(actor=owner, campaign_id=campaign.pk, kind=kind, object_id=object_id)
    return 1


def _first(model: type[Promotion | CouponTemplate | GroupBuyCampaign | BargainCampaign], name: str) -> int | None:
    return model.objects.filter(name=name).values_list("pk", flat=True).first()


def _draft_tools(owner: User, draft: Campaign) -> list[tuple[str, int]]:
    """The draft's own tools, switched off over the draft's window: publishing the campaign
    switches them on; until then no shopper's order can touch them or the draft's budget."""
    tools = []
    beauty = Category.objects.filter(name="美妆", parent__isnull=True).values_list("pk", flat=True).first()
    if beauty is not None:
        discount = promotion_create(
            actor=owner,
            data=PromotionData(
                type=PromotionType.LIMITED_DISCOUNT,
                name=DRAFT_DISCOUNT,
                starts_at=draft.starts_at,
                ends_at=draft.ends_at,
                rules={"rate": "0.8"},
                category_ids=(beauty,),
                is_active=False,
            ),
        )
        tools.append(("promotion", discount.pk))
    coupon = coupon_template_create(
        actor=owner,
        data=CouponTemplateData(
            name=DRAFT_COUPON,
            kind=CouponKind.AMOUNT_OFF,
            threshold=20000,
            off=3000,
            valid_from=draft.starts_at,
            valid_until=draft.ends_at,
            total_quantity=2000,
            is_active=False,
        ),
    )
    tools.append(("coupon", coupon.pk))
    return tools


@transaction.atomic
def build_studio(*, now: datetime | None = None) -> dict[str, int]:
    owner = _owner()
    if owner is None or Campaign.objects.filter(name__in=[LIVE_NAME, DRAFT_NAME]).exists():
        return {"campaigns": 0}
    now = now or timezone.now()
    # The campaign ends with its group buy and bargain, so extending it moves them too.
    group_end = GroupBuyCampaign.objects.filter(name=GROUP_BUY).values_list("ends_at", flat=True).first()
    live = campaign_create(
        actor=owner,
        data=CampaignData(
            name=LIVE_NAME,
            starts_at=now - timedelta(days=1),
            ends_at=group_end if group_end and group_end > now else now + timedelta(days=6),
            budget_amount=500_000,  # ¥5,000.00 of discounts
            budget_uses=2_000,
        ),
    )
    tools = _link(owner, live, "promotion", _first(Promotion, FULL_REDUCTION))
    tools += _link(owner, live, "coupon", _first(CouponTemplate, SHOP_COUPON))
    tools += _link(owner, live, "group_buy", _first(GroupBuyCampaign, GROUP_BUY))
    tools += _link(owner, live, "bargain", _first(BargainCampaign, BARGAIN))
    if tools:
        campaign_publish(actor=owner, campaign_id=live.pk, now=now)
    draft = campaign_create(
        actor=owner,
        data=CampaignData(
            name=DRAFT_NAME,
            starts_at=now + timedelta(days=14),
            ends_at=now + timedelta(days=17),
            budget_amount=300_000,
            holdout_percent=10,
        ),
    )
    for kind, object_id in _draft_tools(owner, draft):
        _link(owner, draft, kind, object_id)
    return {"campaigns": 2, "campaign tools": tools}
