"""The page editor's 拼团 and 砍价 blocks create their tool inline with the tool's OWN console
form: the same fields, the same refusals word for word as the tool's add page, the same audit;
the new tool then resolves in the block like any other."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mall.models import AuditLog, Sku
from mall.services.staff import staff_create
from marketing.models import BargainCampaign, CampaignPage, GroupBuyCampaign
from marketing.pages.blocks import BLOCKS
from marketing.services.pages import PageData, page_create, page_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def page(staff: User) -> CampaignPage:
    return page_create(actor=staff, data=PageData(title="双12 主会场", slug="1212"))


def _local(moment: Any) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def _group_form(sku: Sku, **fields: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "name": "面霜 3 人团",
        "group_size": "3",
        "duration_minutes": "1440",
        "max_qty_per_order": "1",
        "per_member_limit": "1",
        "is_active": "on",
        "starts_at": _local(now),
        "ends_at": _local(now + timedelta(days=7)),
        f"price_{sku.pk}": "29",
        **fields,
    }


def _bargain_form(sku: Sku, **fields: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "name": "音箱砍到 0 元",
        "sku": str(sku.pk),
        "start_price": "199",
        "floor_price": "0",
        "helpers_min": "10",
        "helpers_max": "20",
        "cut_min": "1",
        "cut_max": "10",
        "duration_minutes": "1440",
        "per_member_limit": "1",
        "helps_per_helper_per_day": "3",
        "helps_per_ip": "3",
        "is_active": "on",
        "starts_at": _local(now),
        "ends_at": _local(now + timedelta(days=7)),
        **fields,
    }


def _admin_errors(client: Client, path: str, data: dict[str, Any]) -> dict[str, list[str]]:
    """What the tool's own add page says about the same input (its split date fields aside)."""
    for name in ("starts_at", "ends_at"):
        date, time = data.pop(name).split("T")
        data[f"{name}_0"], data[f"{name}_1"] = date, f"{time}:00"
    form = client.post(path, data).context["adminform"].form
    return {name: [str(m) for m in messages] for name, messages in form.errors.items()}


def test_the_blocks_declare_that_they_create_their_tool(owner: Client, page: CampaignPage) -> None:
    assert BLOCKS["group_buy"].creates_tool == "group_buy" and BLOCKS["bargain"].creates_tool == "bargain"
    config = owner.get(reverse("console:marketing_page_editor", args=[page.pk])).context["editor_config"]
    assert set(config["tools"]) == {"group_buy", "bargain"}


def test_the_group_buy_form_needs_its_product_and_then_has_one_price_per_sku(
    owner: Client, page: CampaignPage, cream: Sku
) -> None:
    url = reverse("console:marketing_page_tool", args=[page.pk, "group_buy"])
    missing = owner.get(url)
    assert missing.status_code == 400 and missing.json()["errors"]["product"] == ["请填写正确的商品编号。"]
    fields = {f["name"]: f for f in owner.get(url, {"product": cream.product_id}).json()["fields"]}
    assert fields[f"price_{cream.pk}"]["label"].endswith("拼团价(元)")
    assert "售价 ¥59.00" in fields[f"price_{cream.pk}"]["help"]  # yuan, never fen
    assert fields["starts_at"]["kind"] == "datetime" and fields["is_active"]["kind"] == "bool"
    assert "audience_tiers" not in fields  # the audience is set on the tool's own page


def test_a_group_buy_is_refused_exactly_as_its_own_page_refuses_it_then_created(
    owner: Client, page: CampaignPage, cream: Sku, staff: User
) -> None:
    url = reverse("console:marketing_page_tool", args=[page.pk, "group_buy"]) + f"?product={cream.product_id}"
    too_dear = _group_form(cream, **{f"price_{cream.pk}": "69"})
    refused = owner.post(url, too_dear)
    assert refused.status_code == 400
    own_page = _admin_errors(owner, f"/admin/marketing/groupbuycampaign/add/?product={cream.product_id}", too_dear)
    message = own_page[f"price_{cream.pk}"][0]
    assert "低于售价 ¥59.00" in message
    assert refused.json()["errors"][f"price_{cream.pk}"] == [f"{_label(owner, url, cream)}：{message}"]
    assert not GroupBuyCampaign.objects.exists()

    made = owner.post(url, _group_form(cream))
    assert made.status_code == 201
    campaign = GroupBuyCampaign.objects.get(pk=made.json()["id"])
    assert campaign.items.get().price == 2900 and campaign.group_size == 3
    assert made.json()["url"].endswith(f"/marketing/groupbuycampaign/{campaign.pk}/change/")
    audit = AuditLog.objects.get(action="group_buy.create", target_id=str(campaign.pk))
    assert audit.actor == staff
    # the editor puts the new id in the block, and the page saves and resolves it
    version = page_save(
        actor=staff,
        page_id=page.pk,
        blocks=[{"type": "group_buy", "settings": {"title": "拼团", "campaign_ids": [campaign.pk]}}],
    )
    assert version.blocks[0]["settings"]["campaign_ids"] == [campaign.pk]


def _label(client: Client, url: str, sku: Sku) -> str:
    fields = {f["name"]: f for f in client.get(url).json()["fields"]}
    return str(fields[f"price_{sku.pk}"]["label"])


def test_a_bargain_is_refused_exactly_as_its_own_page_refuses_it_then_created(
    owner: Client, page: CampaignPage, speaker: Sku
) -> None:
    url = reverse("console:marketing_page_tool", args=[page.pk, "bargain"])
    fields = {f["name"]: f for f in owner.get(url).json()["fields"]}
    assert [str(speaker.pk)] == [v for v, _label in fields["sku"]["choices"] if v == str(speaker.pk)]
    assert fields["cut_min"]["initial"] == "1" and fields["floor_price"]["initial"] == "0"

    unreachable = _bargain_form(speaker, cut_max="5")
    refused = owner.post(url, unreachable)
    own_page = _admin_errors(owner, "/admin/marketing/bargaincampaign/add/", unreachable)
    assert "请提高每刀最多金额或最多帮砍人数" in own_page["cut_max"][0]
    assert refused.status_code == 400 and refused.json()["errors"]["cut_max"] == [
        f"{fields['cut_max']['label']}：{own_page['cut_max'][0]}"
    ]
    assert not BargainCampaign.objects.exists()

    made = owner.post(url, _bargain_form(speaker))
    assert made.status_code == 201
    campaign = BargainCampaign.objects.get(pk=made.json()["id"])
    assert (campaign.start_price, campaign.floor_price, campaign.cut_min, campaign.cut_max) == (19900, 0, 100, 1000)


def test_only_staff_who_may_add_the_tool_may_create_it_inline(staff: User, page: CampaignPage, speaker: Sku) -> None:
    service = Client()
    service.force_login(staff_create(username="kefu2", password="staff-pass-123", role="customer_service", actor=staff))
    url = reverse("console:marketing_page_tool", args=[page.pk, "bargain"])
    assert service.post(url, _bargain_form(speaker)).status_code == 403
    assert not BargainCampaign.objects.exists()
    owner = Client()
    owner.force_login(staff)
    assert owner.get(reverse("console:marketing_page_tool", args=[page.pk, "coupon"])).status_code == 404
