"""The page editor (F26): every block type drawn in the console preview from the same resolved
JSON as the API, saves refused per block and field, publish / rollback / schedule, the inline
flash slot, and who may do what."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mall.services.staff import staff_create
from marketing.models import CampaignPage, FlashSlot
from marketing.pages.blocks import BLOCKS
from marketing.selectors.pages import page_published_data
from marketing.services.pages import PageData, page_create, page_save
from marketing.tests.flash import shelf_sku
from marketing.tests.pages import every_block_settings, published_page

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner(staff: User) -> Client:
    return _client(staff)


@pytest.fixture
def page(staff: User) -> CampaignPage:
    return page_create(actor=staff, data=PageData(title="618 主会场", slug="618"))


def test_every_block_type_is_drawn_in_the_preview_from_the_api_json(
    staff: User,
    owner: Client,
    make_group_campaign: Any,
    make_bargain_campaign: Any,
    make_template: Any,
    make_promotion: Any,
) -> None:
    blocks = every_block_settings(
        staff=staff,
        make_group_campaign=make_group_campaign,
        make_bargain_campaign=make_bargain_campaign,
        make_template=make_template,
        make_promotion=make_promotion,
    )
    page = published_page(staff=staff, blocks=blocks)
    api = page_published_data(key="618")
    answer = owner.get(reverse("console:marketing_page_preview", args=[page.pk]))
    html = answer.content.decode()
    assert answer.status_code == 200
    drawn = [b["type"] for b in api["blocks"]]
    assert set(drawn) == set(BLOCKS)
    for block_type in BLOCKS:
        assert f'data-block-type="{block_type}"' in html
    # what the API says is what the preview shows (yuan, never fen)
    assert "¥9.90" in html and "¥59.00" in html  # flash price and list price
    assert "满199.00减30.00" in html and "满299.00减60.00" in html
    assert "¥30.00" in html and "3 人团 ¥29.00" in html
    assert "精华 2" in html and "第二段。" in html
    assert "精华 1" in html and "¥99.01" in html and "库存 50" in html  # the guide's inline card
    assert "990" not in html.replace("¥9.90", "")


def test_the_editor_saves_a_version_and_publishes_it(staff: User, owner: Client, page: CampaignPage) -> None:
    url = reverse("console:marketing_page_editor", args=[page.pk])
    shown = owner.get(url)
    assert shown.status_code == 200
    assert shown.context["catalogue"][0]["fields"]  # the palette carries each type's form
    blocks = [{"type": "rich_text", "settings": {"title": "规则", "body": "一"}}, {"type": "divider", "settings": {}}]
    done = owner.post(url, {"op": "save", "blocks": json.dumps(blocks), "and_publish": "1"}, follow=True)
    page.refresh_from_db()
    assert done.status_code == 200 and page.published_version is not None and page.published_version.number == 2
    assert "v2 已发布" in done.content.decode()
    assert page_published_data(key="618")["blocks"][0]["data"]["paragraphs"] == ["一"]


def test_a_refused_save_says_which_block_and_keeps_the_work(owner: Client, page: CampaignPage) -> None:
    url = reverse("console:marketing_page_editor", args=[page.pk])
    blocks = [{"type": "divider", "settings": {}}, {"type": "flash_sale", "settings": {"slot_id": "abc"}}]
    answer = owner.post(url, {"op": "save", "blocks": json.dumps(blocks)})
    text = answer.content.decode()
    assert answer.status_code == 200
    assert "秒杀（第 2 个）秒杀场次编号：须为整数。" in text
    assert answer.context["initial_blocks"] == blocks
    assert page.versions.count() == 1


def test_the_preview_of_unsaved_blocks_names_what_to_fix(owner: Client, page: CampaignPage) -> None:
    url = reverse("console:marketing_page_preview", args=[page.pk])
    good = owner.post(url, json.dumps([{"type": "checkin_entry", "settings": {}}]), content_type="application/json")
    assert good.status_code == 200 and "每日签到领积分" in good.content.decode()
    bad = owner.post(url, json.dumps([{"type": "banner", "settings": {}}]), content_type="application/json")
    assert bad.status_code == 400 and "图片地址" in bad.content.decode()


def test_rollback_and_schedule_from_the_editor(staff: User, owner: Client, page: CampaignPage) -> None:
    url = reverse("console:marketing_page_editor", args=[page.pk])
    v2 = page_save(actor=staff, page_id=page.pk, blocks=[{"type": "divider", "settings": {}}])
    page_save(actor=staff, page_id=page.pk, blocks=[{"type": "checkin_entry", "settings": {}}])
    owner.post(url, {"op": "publish"})
    owner.post(url, {"op": "rollback", "version": v2.pk})
    page.refresh_from_db()
    assert page.published_version is not None
    assert (page.published_version.number, page.published_version.blocks) == (4, v2.blocks)
    when = timezone.localtime() + timedelta(days=1)
    owner.post(url, {"op": "schedule", "unpublish_at_0": f"{when:%Y-%m-%d}", "unpublish_at_1": f"{when:%H:%M}"})
    page.refresh_from_db()
    assert page.unpublish_at is not None and page.publish_at is None


def test_a_flash_block_creates_its_slot_with_the_flash_validation(owner: Client, page: CampaignPage) -> None:
    sku = shelf_sku(price=5900)
    url = reverse("console:marketing_page_flash", args=[page.pk])
    start = timezone.localtime() + timedelta(days=1)
    form = {
        "title": "页面秒杀",
        "starts_at": f"{start:%Y-%m-%dT%H:%M}",
        "ends_at": f"{start + timedelta(hours=2):%Y-%m-%dT%H:%M}",
        "sku_id": sku.pk,
        "flash_price": "99.00",
        "quota": 10,
        "per_shopper_limit": 1,
    }
    refused = owner.post(url, form)
    assert refused.status_code == 400 and "秒杀价须大于 0 且不高于售价。" in refused.json()["errors"]["flash_price"]
    made = owner.post(url, {**form, "flash_price": "9.90"})
    slot = FlashSlot.objects.get(pk=made.json()["slot_id"])
    assert slot.title == "页面秒杀" and slot.items.get().flash_price == 990


def test_who_may_do_what(staff: User, page: CampaignPage) -> None:
    service = _client(staff_create(username="kefu", password="staff-pass-123", role="customer_service", actor=staff))
    operator = _client(staff_create(username="ops9", password="staff-pass-123", role="operator", actor=staff))
    url = reverse("console:marketing_page_editor", args=[page.pk])
    assert service.get(url).status_code == 403
    assert operator.get(url).status_code == 200
    operator.post(url, {"op": "save", "blocks": "[]", "and_publish": "1"})
    page.refresh_from_db()
    assert page.published_version is not None
    changelist = operator.get(reverse("admin:marketing_campaignpage_changelist"))
    assert changelist.status_code == 200 and "618 主会场" in changelist.content.decode()
