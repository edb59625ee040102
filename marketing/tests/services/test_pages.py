"""Campaign pages (F26): versions, validation per block, publish, schedule exactly once, rollback."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import AuditLog
from marketing.errors import FlashInvalid, PageInvalid, PageStateInvalid
from marketing.models import CampaignPage, CampaignPageVersion, FlashSlot
from marketing.services.flash_sales import FlashItemData, FlashSlotData
from marketing.services.pages import (
    PageData,
    page_create,
    page_flash_create,
    page_publish,
    page_rollback,
    page_save,
    page_schedule,
    page_unpublish,
    pages_schedule_run,
)
from marketing.tests.flash import shelf_sku

pytestmark = pytest.mark.django_db

DIVIDER = {"type": "divider", "settings": {}}
TEXT = {"type": "rich_text", "settings": {"title": "规则", "body": "一\n\n二"}}


@pytest.fixture
def page(staff: User) -> CampaignPage:
    return page_create(actor=staff, data=PageData(title="618", slug="618"))


def test_every_save_is_a_new_version_and_the_live_page_waits_for_publish(staff: User, page: CampaignPage) -> None:
    first = page_save(actor=staff, page_id=page.pk, blocks=[TEXT])
    page_publish(actor=staff, page_id=page.pk)
    second = page_save(actor=staff, page_id=page.pk, blocks=[TEXT, DIVIDER])
    page.refresh_from_db()
    assert (first.number, second.number, page.latest_number) == (2, 3, 3)
    assert page.published_version_id == first.pk
    divider = second.blocks[1]
    assert divider == {"key": divider["key"], "type": "divider", "settings": {"style": "line", "height": 24}}
    assert list(AuditLog.objects.filter(target_id=str(page.pk)).values_list("action", flat=True).order_by("id")) == [
        "page.create",
        "page.save",
        "page.publish",
        "page.save",
    ]


def test_settings_are_checked_against_the_schema_and_the_shop(staff: User, page: CampaignPage) -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "marquee", "settings": {}},
        {"type": "banner", "settings": {"image": "javascript:alert(1)"}},
        {"type": "flash_sale", "settings": {"slot_id": 999999}},
        {"type": "product_grid", "settings": {"source": "category"}},
        {"type": "countdown", "settings": {"title": "倒计时", "ends_at": "2026-06-18 20:00"}},
    ]
    with pytest.raises(PageInvalid) as refused:
        page_save(actor=staff, page_id=page.pk, blocks=blocks)
    errors = refused.value.details["errors"]
    assert set(errors) == {"0.type", "1.image", "2.slot_id", "3.category_id", "4.ends_at"}
    assert "999999" in errors["2.slot_id"] and "秒杀" in errors["2.slot_id"]
    assert "必填" in errors["3.category_id"]
    assert "时区" in errors["4.ends_at"]
    assert CampaignPageVersion.objects.filter(page=page).count() == 1  # nothing saved


def test_a_page_cannot_take_another_pages_address_nor_home(staff: User, page: CampaignPage) -> None:
    for slug in ("618", "home", "Big Sale"):
        with pytest.raises(PageInvalid):
            page_create(actor=staff, data=PageData(title="x", slug=slug))


def test_one_home_page_the_newest_takes_it(staff: User) -> None:
    old = page_create(actor=staff, data=PageData(title="首页", slug="home-a", is_home=True))
    new = page_create(actor=staff, data=PageData(title="新首页", slug="home-b", is_home=True))
    old.refresh_from_db()
    assert (old.is_home, new.is_home) == (None, True)


def test_rollback_copies_an_old_version_and_a_live_page_goes_live_with_it(staff: User, page: CampaignPage) -> None:
    v2 = page_save(actor=staff, page_id=page.pk, blocks=[TEXT])
    page_save(actor=staff, page_id=page.pk, blocks=[DIVIDER])
    page_publish(actor=staff, page_id=page.pk)
    back = page_rollback(actor=staff, page_id=page.pk, version_id=v2.pk)
    page.refresh_from_db()
    assert back.number == 4 and back.blocks == v2.blocks and "v2" in back.note
    assert page.published_version_id == back.pk


def test_unpublishing_a_draft_is_refused(staff: User, page: CampaignPage) -> None:
    with pytest.raises(PageStateInvalid):
        page_unpublish(actor=staff, page_id=page.pk)


def test_the_schedule_runs_exactly_once_even_when_the_job_fires_twice(staff: User, page: CampaignPage) -> None:
    start = timezone.now()
    version = page_save(actor=staff, page_id=page.pk, blocks=[TEXT])
    page_schedule(
        actor=staff,
        page_id=page.pk,
        publish_at=start + timedelta(hours=1),
        unpublish_at=start + timedelta(hours=3),
        now=start,
    )
    page_save(actor=staff, page_id=page.pk, blocks=[DIVIDER])  # a later draft is not what was scheduled
    assert pages_schedule_run(now=start + timedelta(minutes=59)) == 0
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        assert pages_schedule_run() == 1
        assert pages_schedule_run() == 0
    page.refresh_from_db()
    assert page.published_version_id == version.pk and page.publish_at is None
    assert pages_schedule_run(now=start + timedelta(hours=3)) == 1
    assert pages_schedule_run(now=start + timedelta(hours=3)) == 0
    page.refresh_from_db()
    assert page.published_version_id is None
    actions = AuditLog.objects.filter(target_id=str(page.pk), action__in=["page.publish", "page.unpublish"])
    assert actions.count() == 2 and all(a.data.get("scheduled") for a in actions)


def test_a_schedule_in_the_past_is_refused(staff: User, page: CampaignPage) -> None:
    page_save(actor=staff, page_id=page.pk, blocks=[TEXT])
    with pytest.raises(PageInvalid):
        page_schedule(actor=staff, page_id=page.pk, publish_at=timezone.now() - timedelta(minutes=1), unpublish_at=None)


def test_the_inline_flash_slot_is_validated_like_the_flash_page(staff: User) -> None:
    sku = shelf_sku(price=5900)
    starts = timezone.now() + timedelta(days=1)
    slot_data = FlashSlotData(starts_at=starts, ends_at=starts + timedelta(hours=2), title="页面秒杀")
    with pytest.raises(FlashInvalid) as refused:
        page_flash_create(actor=staff, slot=slot_data, item=FlashItemData(sku_id=sku.pk, flash_price=9900, quota=5))
    assert "flash_price" in refused.value.details["errors"]
    assert not FlashSlot.objects.exists()  # the slot went with the refused item
    slot = page_flash_create(actor=staff, slot=slot_data, item=FlashItemData(sku_id=sku.pk, flash_price=990, quota=5))
    assert slot.status == "draft" and slot.items.get().flash_price == 990
