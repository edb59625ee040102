"""Campaign templates (F27) and the campaign's page (issue 17 §3)."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import AuditLog, Sku
from marketing.campaign_templates import BUILTIN_TEMPLATES
from marketing.errors import CampaignInvalid, CampaignTemplateInvalid
from marketing.models import (
    Campaign,
    CampaignPage,
    CampaignStatus,
    CampaignTemplate,
    CampaignTool,
    CouponTemplate,
    FlashItem,
    FlashSlot,
    FlashSlotStatus,
    Promotion,
)
from marketing.services.campaign_template_format import template_validate
from marketing.services.campaign_templates import (
    campaign_from_template,
    campaign_template_data,
    campaign_template_import,
    campaign_template_save,
    template_export,
    top_sellers,
)
from marketing.services.campaigns import (
    CampaignData,
    campaign_create,
    campaign_end,
    campaign_page_create,
    campaign_page_link,
    campaign_publish,
    campaign_tool_add,
)
from marketing.services.pages import PageData, page_create
from marketing.tests.conftest import pay, place
from marketing.tests.flash import shelf_sku
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _start() -> datetime:
    local = timezone.localtime(timezone.now()) + timedelta(days=2)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@pytest.fixture
def sellers(shop: Any) -> list[Sku]:
    """Four SKUs that sold (paid) in the last days: 4, 3, 2 and 1 units (a slot holds three)."""
    skus = [shelf_sku(price=5900, code=f"TOP-{n}") for n in range(4)]
    member = MemberFactory.create()
    for sku, qty in zip(skus, (4, 3, 2, 1), strict=True):
        pay(place(member, [(sku, qty)]))
    return skus


@pytest.mark.parametrize("key", sorted(BUILTIN_TEMPLATES))
def test_each_builtin_template_creates_a_valid_draft_with_its_tools_and_page(
    staff: User, sellers: list[Sku], key: str
) -> None:
    template = BUILTIN_TEMPLATES[key]
    starts_at = _start()
    campaign = campaign_from_template(actor=staff, template=template, starts_at=starts_at)

    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.starts_at == starts_at
    assert campaign.ends_at == starts_at + timedelta(hours=template["campaign"]["hours"])
    links = list(CampaignTool.objects.filter(campaign=campaign))
    assert len(links) == len(template["tools"])
    for link in links:  # every tool is a draft: nothing reaches shoppers before publishing
        if link.kind == "promotion":
            assert Promotion.objects.get(pk=link.object_id).is_active is False
        elif link.kind == "coupon":
            assert CouponTemplate.objects.get(pk=link.object_id).is_active is False
        else:
            slot = FlashSlot.objects.get(pk=link.object_id)
            assert slot.status == FlashSlotStatus.DRAFT
            assert starts_at <= slot.starts_at < slot.ends_at <= campaign.ends_at
            items = FlashItem.objects.filter(slot=slot).order_by("flash_price")
            assert [i.sku_id for i in items] and {i.sku_id for i in items} == {s.pk for s in sellers[:3]}
            assert all(i.flash_price == 4130 for i in items)  # 59.00 × 0.7
    page = CampaignPage.objects.get(campaign=campaign)
    assert page.published_version_id is None
    blocks = page.versions.order_by("-number").first().blocks  # type: ignore[union-attr]
    assert [b["type"] for b in blocks] == [b["type"] for b in template["page"]["blocks"]]
    ids = {(link.kind, link.object_id) for link in links}
    for block in blocks:
        settings = block["settings"]
        if block["type"] == "flash_sale":
            assert ("flash", settings["slot_id"]) in ids
        if block["type"] == "coupon":
            assert all(("coupon", pk) for pk in settings["template_ids"] if ("coupon", pk) in ids)
            assert len(settings["template_ids"]) == len([p for p in settings["template_ids"] if ("coupon", p) in ids])
        if block["type"] == "countdown":
            assert datetime.fromisoformat(settings["ends_at"]) == campaign.ends_at
    assert AuditLog.objects.filter(action="campaign.from_template", target_id=str(campaign.pk)).exists()


def test_a_template_campaign_publishes_with_its_page_and_ending_takes_the_page_down(
    staff: User, sellers: list[Sku]
) -> None:
    campaign = campaign_from_template(actor=staff, template=BUILTIN_TEMPLATES["618"], starts_at=_start())

    campaign_publish(actor=staff, campaign_id=campaign.pk)

    page = CampaignPage.objects.get(campaign=campaign)
    assert page.published_version_id is not None
    assert all(Promotion.objects.get(pk=t.object_id).is_active for t in campaign.tools.filter(kind="promotion"))
    campaign_end(actor=staff, campaign_id=campaign.pk)
    page.refresh_from_db()
    assert page.published_version_id is None
    end_row = AuditLog.objects.get(action="campaign.end", target_id=str(campaign.pk))
    assert end_row.data["page_unpublished"] is True
    assert AuditLog.objects.filter(action="page.unpublish", target_id=str(page.pk)).exists()


def test_flash_slot_is_left_empty_when_the_shop_has_sold_nothing(staff: User, shop: Any) -> None:
    campaign = campaign_from_template(actor=staff, template=BUILTIN_TEMPLATES["double11"], starts_at=_start())

    slot_id = campaign.tools.get(kind="flash").object_id
    assert not FlashItem.objects.filter(slot_id=slot_id).exists()
    assert top_sellers(4, now=timezone.now()) == []


def test_a_failing_part_rolls_back_everything_and_names_where(staff: User, sellers: list[Sku]) -> None:
    broken = copy.deepcopy(BUILTIN_TEMPLATES["618"])
    broken["tools"][0]["rules"] = {"tiers": [{"threshold": "10.00", "off": "30.00"}]}

    with pytest.raises(CampaignTemplateInvalid) as caught:
        campaign_from_template(actor=staff, template=broken, starts_at=_start())

    assert any(path.startswith("tools.0.") for path in caught.value.details["errors"])
    assert not Campaign.objects.exists() and not Promotion.objects.exists() and not CampaignPage.objects.exists()


def test_shape_errors_are_listed_by_path_in_chinese() -> None:
    bad = copy.deepcopy(BUILTIN_TEMPLATES["618"])
    bad["campaign"]["hours"] = 0
    bad["tools"][1]["threshold"] = "一百"
    bad["page"]["blocks"][1]["settings"]["template_ids"] = ["@nope"]
    bad["tools"].append({"ref": "x", "kind": "lottery"})

    with pytest.raises(CampaignTemplateInvalid) as caught:
        template_validate(bad)

    errors = caught.value.details["errors"]
    assert set(errors) >= {"campaign.hours", "tools.1.threshold", "page.blocks.1.template_ids", "tools.4.kind"}
    assert "@nope" in errors["page.blocks.1.template_ids"]
    with pytest.raises(CampaignTemplateInvalid, match="format"):
        template_validate({"format": "something-else"})


def test_save_as_template_and_json_round_trip_make_the_same_campaign(staff: User, sellers: list[Sku]) -> None:
    starts_at = _start()
    original = campaign_from_template(actor=staff, template=BUILTIN_TEMPLATES["618"], starts_at=starts_at)

    saved, left_out = campaign_template_save(actor=staff, campaign_id=original.pk, name="我们的 618")
    text = template_export(saved.data)
    imported = campaign_template_import(actor=staff, raw=text.encode(), name="导入的 618")
    assert imported.data == json.loads(text) == saved.data
    assert left_out == []
    later = starts_at + timedelta(days=30)
    copy_ = campaign_from_template(actor=staff, template=imported.data, starts_at=later)

    assert campaign_template_data(campaign_id=copy_.pk)[0] == saved.data | {
        "page": {**saved.data["page"], "slug": CampaignPage.objects.get(campaign=copy_).slug}
    }
    flash = FlashSlot.objects.get(pk=copy_.tools.get(kind="flash").object_id)
    assert flash.starts_at == later + timedelta(hours=20)
    assert FlashItem.objects.filter(slot=flash).count() == 3
    assert CampaignTemplate.objects.count() == 2
    assert AuditLog.objects.filter(action="campaign.save_template", target_id=str(original.pk)).exists()


def test_import_refuses_bad_json_and_what_the_shop_cannot_run(staff: User, shop: Any) -> None:
    with pytest.raises(CampaignTemplateInvalid, match="JSON"):
        campaign_template_import(actor=staff, raw=b"{not json")
    foreign = copy.deepcopy(BUILTIN_TEMPLATES["member_day"])
    foreign["tools"][1]["sku_codes"] = ["NOT-IN-THIS-SHOP"]
    foreign["tools"][1]["type"] = "limited_discount"
    foreign["tools"][1]["rules"] = {"rate": "0.9"}

    with pytest.raises(CampaignTemplateInvalid) as caught:
        campaign_template_import(actor=staff, raw=json.dumps(foreign))

    assert "tools.1" in str(caught.value.message)
    assert not CampaignTemplate.objects.exists() and not Campaign.objects.exists()


def _campaign(staff: User) -> Campaign:
    now = timezone.now()
    return campaign_create(
        actor=staff, data=CampaignData(name="会员日", starts_at=now, ends_at=now + timedelta(days=1))
    )


def test_link_an_existing_page_once_and_never_the_home_page(staff: User) -> None:
    first, second = _campaign(staff), _campaign(staff)
    page = page_create(actor=staff, data=PageData(title="会员日", slug="vip"))
    home = page_create(actor=staff, data=PageData(title="首页", slug="shop-home", is_home=True))

    campaign_page_link(actor=staff, campaign_id=first.pk, page_id=page.pk)
    with pytest.raises(CampaignInvalid, match="会员日"):
        campaign_page_link(actor=staff, campaign_id=second.pk, page_id=page.pk)
    with pytest.raises(CampaignInvalid):
        campaign_page_link(actor=staff, campaign_id=second.pk, page_id=home.pk)

    assert Campaign.objects.get(pk=first.pk).page_id == page.pk
    campaign_page_link(actor=staff, campaign_id=first.pk, page_id=None)
    assert Campaign.objects.get(pk=first.pk).page_id is None
    assert AuditLog.objects.filter(action="campaign.page_link", target_id=str(first.pk)).count() == 2


def test_create_page_for_a_campaign_and_publish_together(staff: User) -> None:
    campaign = _campaign(staff)
    campaign_tool_add(
        actor=staff,
        campaign_id=campaign.pk,
        kind="flash",
        object_id=FlashSlot.objects.create(
            starts_at=campaign.starts_at + timedelta(hours=1), ends_at=campaign.starts_at + timedelta(hours=2)
        ).pk,
    )
    page = campaign_page_create(actor=staff, campaign_id=campaign.pk)
    with pytest.raises(CampaignInvalid):
        campaign_page_create(actor=staff, campaign_id=campaign.pk)
    assert page.title == "会员日" and page.slug == f"campaign-{campaign.pk}"

    FlashItem.objects.create(slot_id=campaign.tools.get().object_id, sku=shelf_sku(), flash_price=100, quota=5)
    campaign_publish(actor=staff, campaign_id=campaign.pk)

    page.refresh_from_db()
    assert page.published_version_id is not None
    publish_row = AuditLog.objects.get(action="campaign.publish", target_id=str(campaign.pk))
    assert publish_row.data["page_id"] == page.pk


def test_a_tool_running_beyond_the_campaign_is_saved_as_the_campaigns_part_of_it(
    staff: User, make_promotion: Any
) -> None:
    campaign = _campaign(staff)  # now → now + 24 h
    promotion = make_promotion(
        starts_at=campaign.starts_at - timedelta(days=3), ends_at=campaign.ends_at + timedelta(days=10)
    )
    campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind="promotion", object_id=promotion.pk)

    data, left_out = campaign_template_data(campaign_id=campaign.pk)

    assert (data["tools"][0]["start_hours"], data["tools"][0]["hours"]) == (0, 24)
    assert template_validate(data) is data and left_out == []
    assert data["page"] is None
