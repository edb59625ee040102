"""Audience (members.services.audience) edited in the console for flash slots and group buys,
saved with an audit row, and enforced where shoppers buy: a console edit restricts eligibility."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from mall.models import AuditLog, Sku
from marketing.models import FlashSlot, GroupBuyCampaign
from marketing.services.group_buys import group_buy_campaign_create
from marketing.tests.conftest import group_campaign_data, group_order
from marketing.tests.flash import buy, first_item, make_slot, shelf_sku
from members.models import Member
from members.people_errors import AudienceNotAllowed
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
CAMPAIGNS = "/admin/marketing/groupbuycampaign/"


@pytest.fixture
def owner(db: Any) -> User:
    return User.objects.create_superuser(username="boss", password="x", email="boss@example.com")


@pytest.fixture
def boss(owner: User) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def test_a_flash_slot_limited_to_gold_in_the_console_refuses_others(boss: Client) -> None:
    slot = make_slot(items=[(shelf_sku(), 10)])
    page = f"/console/marketing/flash/{slot.pk}/"
    with override("zh-hans"):
        before = boss.get(page).content.decode()
        assert "可参与人群" in before and "所有会员" in before
        saved = boss.post(page, {"op": "update_audience", "audience-audience_tiers": ["gold"]})
        assert saved.status_code == 302
        after = boss.get(page).content.decode()
    assert FlashSlot.objects.get(pk=slot.pk).audience == {"tiers": ["gold"]}
    assert "黄金会员" in after.split("flash-audience-label", 1)[1][:80]
    log = AuditLog.objects.get(action="audience.set")
    assert (log.target_id, log.data) == (str(slot.pk), {"audience": {"tiers": ["gold"]}})

    item = first_item(slot)
    with pytest.raises(AudienceNotAllowed):
        buy(MemberFactory.create(tier=Member.Tier.NORMAL), item)
    assert buy(MemberFactory.create(tier=Member.Tier.GOLD), item).order.pk

    # Cleared again: every shopper may buy.
    boss.post(page, {"op": "update_audience"})
    assert FlashSlot.objects.get(pk=slot.pk).audience == {}
    assert buy(MemberFactory.create(tier=Member.Tier.NORMAL), item).order.pk


def test_a_group_buy_limited_to_gold_in_the_admin_refuses_others(boss: Client, owner: User, cream: Sku) -> None:
    campaign = group_buy_campaign_create(actor=owner, data=group_campaign_data(cream))
    change = f"{CAMPAIGNS}{campaign.pk}/change/"
    form = boss.get(change).context["adminform"].form
    assert {"audience_segment", "audience_tag", "audience_tiers"} <= set(form.fields)
    local = timezone.localtime
    data = {
        "name": campaign.name,
        "group_size": "3",
        "duration_minutes": "1440",
        "max_qty_per_order": "1",
        "per_member_limit": "1",
        "is_active": "on",
        f"price_{cream.pk}": "29",
        f"leader_{cream.pk}": "",
        "starts_at_0": local(campaign.starts_at).strftime("%Y-%m-%d"),
        "starts_at_1": local(campaign.starts_at).strftime("%H:%M:%S"),
        "ends_at_0": local(campaign.ends_at).strftime("%Y-%m-%d"),
        "ends_at_1": local(campaign.ends_at).strftime("%H:%M:%S"),
        "audience_tiers": ["gold", "diamond"],
    }
    response = boss.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert GroupBuyCampaign.objects.get(pk=campaign.pk).audience == {"tiers": ["gold", "diamond"]}
    assert AuditLog.objects.filter(action="audience.set", target_id=str(campaign.pk)).count() == 1
    assert boss.get(change).context["adminform"].form.initial["audience_tiers"] == ["gold", "diamond"]

    with pytest.raises(AudienceNotAllowed):
        group_order(MemberFactory.create(tier=Member.Tier.NORMAL), campaign, cream)
    assert group_order(MemberFactory.create(tier=Member.Tier.GOLD), campaign, cream).deal_kind == "group"

    # Saving again unchanged writes no second audit row.
    assert boss.post(change, data).status_code == 302
    assert AuditLog.objects.filter(action="audience.set", target_id=str(campaign.pk)).count() == 1
