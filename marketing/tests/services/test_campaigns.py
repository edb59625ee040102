"""The campaign umbrella (issue 17 §1) and live adjustment of its tools (F30)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import AuditLog, Sku
from marketing.errors import CampaignInvalid, CampaignStateInvalid, CampaignToolTaken, CampaignToolUnsupported
from marketing.models import (
    BargainCampaign,
    Campaign,
    CampaignStatus,
    Coupon,
    CouponTemplate,
    FlashItem,
    FlashSlot,
    FlashSlotStatus,
    GroupBuyCampaign,
    Promotion,
)
from marketing.services.campaigns import (
    EXTENDED_MESSAGE_KIND,
    CampaignData,
    ToolAdjustment,
    campaign_create,
    campaign_end,
    campaign_extend,
    campaign_pause,
    campaign_publish,
    campaign_resume,
    campaign_tool_add,
    campaign_tool_adjust,
)
from marketing.services.coupons import coupon_issue
from marketing.tests.conftest import group_order, pay
from marketing.tests.flash import first_item, make_slot, shelf_sku
from members.models import Message
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def campaign_data(**overrides: Any) -> CampaignData:
    now = timezone.now()
    fields: dict[str, Any] = {
        "name": "618 大促",
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(days=3),
    }
    fields.update(overrides)
    return CampaignData(**fields)


@pytest.fixture
def five_tools(
    staff: User,
    make_promotion: Callable[..., Promotion],
    make_template: Callable[..., CouponTemplate],
    make_group_campaign: Callable[..., Any],
    make_bargain_campaign: Callable[..., Any],
    cream: Sku,
    speaker: Sku,
) -> tuple[Campaign, dict[str, Any]]:
    """A live 618 with one tool of every kind, all ending with the campaign except the flash slot."""
    campaign = campaign_create(actor=staff, data=campaign_data())
    end = campaign.ends_at
    tools = {
        "promotion": make_promotion(ends_at=end),
        "coupon": make_template(valid_from=campaign.starts_at, valid_until=end, valid_days=None, total_quantity=100),
        "flash": make_slot(items=[(shelf_sku(stock=50), 10)]),
        "group_buy": make_group_campaign(cream, ends_at=end),
        "bargain": make_bargain_campaign(speaker, ends_at=end, total_quantity=5),
    }
    for kind, tool in tools.items():
        campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind=kind, object_id=tool.pk)
    campaign_publish(actor=staff, campaign_id=campaign.pk)
    return Campaign.objects.get(pk=campaign.pk), tools


def _tools_live(tools: dict[str, Any]) -> dict[str, bool]:
    return {
        "promotion": Promotion.objects.get(pk=tools["promotion"].pk).is_active,
        "coupon": CouponTemplate.objects.get(pk=tools["coupon"].pk).is_active,
        "flash": FlashSlot.objects.get(pk=tools["flash"].pk).status == FlashSlotStatus.PUBLISHED,
        "group_buy": GroupBuyCampaign.objects.get(pk=tools["group_buy"].pk).is_active,
        "bargain": BargainCampaign.objects.get(pk=tools["bargain"].pk).is_active,
    }


def test_pausing_the_campaign_pauses_every_tool_in_one_audited_step_and_resume_brings_them_back(
    staff: User, five_tools: tuple[Campaign, dict[str, Any]]
) -> None:
    campaign, tools = five_tools
    assert all(_tools_live(tools).values())

    campaign_pause(actor=staff, campaign_id=campaign.pk)

    assert not any(_tools_live(tools).values())
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.PAUSED
    audit = AuditLog.objects.get(action="campaign.pause")
    assert audit.actor == staff
    assert sorted(kind for kind, _pk in audit.data["tools"]) == ["bargain", "coupon", "flash", "group_buy", "promotion"]

    campaign_resume(actor=staff, campaign_id=campaign.pk)

    assert all(_tools_live(tools).values())
    assert Campaign.objects.get(pk=campaign.pk).phase(timezone.now()) == "running"


def test_a_tool_belongs_to_one_campaign_only(staff: User, five_tools: tuple[Campaign, dict[str, Any]]) -> None:
    _campaign, tools = five_tools
    other = campaign_create(actor=staff, data=campaign_data(name="双11"))

    with pytest.raises(CampaignToolTaken):
        campaign_tool_add(actor=staff, campaign_id=other.pk, kind="promotion", object_id=tools["promotion"].pk)


def test_extending_moves_the_tools_that_end_with_it_and_tells_the_shoppers_who_take_part(
    staff: User, five_tools: tuple[Campaign, dict[str, Any]], cream: Sku
) -> None:
    campaign, tools = five_tools
    holder, leader = MemberFactory.create(), MemberFactory.create()
    coupon = coupon_issue(member=holder, template=tools["coupon"])
    pay(group_order(leader, tools["group_buy"], cream))  # an open group, one seat taken
    old_end, new_end = campaign.ends_at, campaign.ends_at + timedelta(days=2)
    flash_end = tools["flash"].ends_at

    told = campaign_extend(actor=staff, campaign_id=campaign.pk, ends_at=new_end)

    assert told == 2
    assert Promotion.objects.get(pk=tools["promotion"].pk).ends_at == new_end
    assert CouponTemplate.objects.get(pk=tools["coupon"].pk).valid_until == new_end
    assert Coupon.objects.get(pk=coupon.pk).valid_until == new_end
    assert GroupBuyCampaign.objects.get(pk=tools["group_buy"].pk).ends_at == new_end
    assert BargainCampaign.objects.get(pk=tools["bargain"].pk).ends_at == new_end
    assert FlashSlot.objects.get(pk=tools["flash"].pk).ends_at == flash_end  # a short slot keeps its end
    messages = Message.objects.filter(kind=EXTENDED_MESSAGE_KIND)
    assert sorted(messages.values_list("member_id", flat=True)) == sorted([holder.pk, leader.pk])
    assert "618 大促" in messages.first().body  # type: ignore[union-attr]
    audit = AuditLog.objects.get(action="campaign.extend")
    assert audit.data["ends_at"] == [old_end.isoformat(), new_end.isoformat()]
    assert audit.data["told"] == 2


def test_extending_to_an_earlier_end_is_refused(staff: User, five_tools: tuple[Campaign, dict[str, Any]]) -> None:
    campaign, _tools = five_tools
    with pytest.raises(CampaignInvalid):
        campaign_extend(actor=staff, campaign_id=campaign.pk, ends_at=campaign.ends_at - timedelta(hours=1))


def test_ending_the_campaign_ends_every_tool_and_returns_flash_leftovers_to_the_shelf(
    staff: User, five_tools: tuple[Campaign, dict[str, Any]]
) -> None:
    campaign, tools = five_tools
    item = first_item(tools["flash"])
    shelf_before = Sku.objects.get(pk=item.sku_id).stock

    campaign_end(actor=staff, campaign_id=campaign.pk)

    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.ENDED
    assert FlashSlot.objects.get(pk=tools["flash"].pk).status == FlashSlotStatus.ENDED
    assert Sku.objects.get(pk=item.sku_id).stock == shelf_before + 10
    assert GroupBuyCampaign.objects.get(pk=tools["group_buy"].pk).ended_at is not None
    assert BargainCampaign.objects.get(pk=tools["bargain"].pk).ended_at is not None
    assert not Promotion.objects.get(pk=tools["promotion"].pk).is_active
    assert not CouponTemplate.objects.get(pk=tools["coupon"].pk).is_active
    with pytest.raises(CampaignStateInvalid):
        campaign_pause(actor=staff, campaign_id=campaign.pk)


def test_live_adjustment_adds_stock_where_a_tool_has_it_and_says_so_where_it_has_none(
    staff: User, five_tools: tuple[Campaign, dict[str, Any]]
) -> None:
    campaign, tools = five_tools
    by_kind = {tool.kind: tool for tool in campaign.tools.all()}
    item = first_item(tools["flash"])

    def add(kind: str, units: int) -> str:
        return campaign_tool_adjust(
            actor=staff,
            campaign_id=campaign.pk,
            tool_id=by_kind[kind].pk,
            adjustment=ToolAdjustment(action="add_stock", units=units),
        )

    assert "15" in add("flash", 5)
    assert FlashItem.objects.get(pk=item.pk).quota == 15
    add("coupon", 50)
    assert CouponTemplate.objects.get(pk=tools["coupon"].pk).total_quantity == 150
    add("bargain", 3)
    assert BargainCampaign.objects.get(pk=tools["bargain"].pk).total_quantity == 8
    with pytest.raises(CampaignToolUnsupported):
        add("promotion", 1)
    with pytest.raises(CampaignInvalid):
        add("coupon", 0)
    assert AuditLog.objects.filter(action="campaign.tool_adjust").count() == 3


def test_live_adjustment_pauses_and_extends_one_tool_only(
    staff: User, five_tools: tuple[Campaign, dict[str, Any]]
) -> None:
    campaign, tools = five_tools
    flash_tool = campaign.tools.get(kind="flash")
    new_end = tools["flash"].ends_at + timedelta(minutes=30)

    campaign_tool_adjust(
        actor=staff, campaign_id=campaign.pk, tool_id=flash_tool.pk, adjustment=ToolAdjustment(action="pause")
    )
    campaign_tool_adjust(
        actor=staff,
        campaign_id=campaign.pk,
        tool_id=flash_tool.pk,
        adjustment=ToolAdjustment(action="extend", ends_at=new_end),
    )

    live = _tools_live(tools)
    assert live.pop("flash") is False
    assert all(live.values())
    assert FlashSlot.objects.get(pk=tools["flash"].pk).ends_at == new_end


def test_publishing_needs_a_tool_and_shows_warmup_before_the_start(staff: User) -> None:
    start = timezone.now() + timedelta(days=1)
    campaign = campaign_create(actor=staff, data=campaign_data(starts_at=start, ends_at=start + timedelta(days=2)))
    with pytest.raises(CampaignInvalid):
        campaign_publish(actor=staff, campaign_id=campaign.pk)
    assert campaign.phase(timezone.now()) == "draft"
    campaign.status = CampaignStatus.LIVE
    assert campaign.phase(timezone.now()) == "warmup"
    assert campaign.phase(start + timedelta(hours=1)) == "running"
    assert campaign.phase(start + timedelta(days=3)) == "ended"


def test_campaign_fields_are_validated(staff: User) -> None:
    now = timezone.now()
    with pytest.raises(CampaignInvalid) as refused:
        campaign_create(actor=staff, data=campaign_data(ends_at=now - timedelta(days=1), holdout_percent=80))
    assert set(refused.value.details["errors"]) == {"ends_at", "holdout_percent"}
