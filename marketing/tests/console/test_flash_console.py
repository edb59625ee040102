"""The flash-sale console: calendar, slot page (draft → publish → run), roles, audit, settings."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mall.models import AuditLog, Sku
from mall.services.staff import staff_create
from marketing.models import FlashItem, FlashSettings, FlashSlot, FlashSlotStatus
from marketing.tests.flash import buy, first_item, make_slot, shelf_sku
from members.models import Member

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
CALENDAR = "/console/marketing/flash/"


@pytest.fixture
def owner(db: Any) -> User:
    return User.objects.create_superuser(username="boss", password="x", email="boss@example.com")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operator(owner: User) -> Client:
    return _client(staff_create(username="ops1", password="staff-pass-123", role="operator", actor=owner))


def _split(prefix: str, when: dt.datetime) -> dict[str, str]:
    local = timezone.localtime(when)
    return {f"{prefix}_0": local.strftime("%Y-%m-%d"), f"{prefix}_1": local.strftime("%H:%M:%S")}


def test_the_routes_are_the_consoles() -> None:
    assert reverse("console:marketing_flash_calendar") == CALENDAR
    assert reverse("console:marketing_flash_slot", args=[7]) == "/console/marketing/flash/7/"


def test_the_operator_generates_a_week_and_sees_it_in_the_calendar(operator: Client) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 1, 8, 0, tzinfo=SH), tick=False):
        empty = operator.get(CALENDAR)
        assert empty.status_code == 200
        assert "这一周还没有场次" in empty.content.decode()
        made = operator.post(CALENDAR, {"first_day": "2026-12-01", "days": "7"})
        assert made.status_code == 302
        page = operator.get(f"{CALENDAR}?start=2026-12-01")
    assert FlashSlot.objects.count() == 21
    body = page.content.decode()
    assert page.context["calendar"]["times"] == ["10:00", "15:00", "20:00"]
    assert len(page.context["calendar"]["days"]) == 7
    for text in ("秒杀日历", "10:00", "15:00", "20:00", "草稿", "还没有商品", "已售", "待支付锁定"):
        assert text in body
    audit = AuditLog.objects.get(action="flash.slots_generate")
    assert audit.actor is not None and audit.actor.username == "ops1"


def test_a_draft_is_filled_validated_in_chinese_and_published(operator: Client) -> None:
    sku = shelf_sku(stock=50, price=5900)
    slot = make_slot(items=[], starts_in=timedelta(hours=2), publish=False)
    url = f"/console/marketing/flash/{slot.pk}/"
    item_post = {
        "op": "add_item",
        "new-sku": sku.pk,
        "new-flash_price": "9.90",
        "new-quota": "100",
        "new-per_shopper_limit": "1",
        "new-per_order_limit": "1",
        "new-sort_order": "0",
    }
    too_dear = operator.post(url, {**item_post, "new-flash_price": "99.00"})
    assert too_dear.status_code == 200
    assert "秒杀价须大于 0 且不高于售价" in too_dear.content.decode()
    assert operator.post(url, item_post).status_code == 302
    item = FlashItem.objects.get(slot=slot)
    assert (item.flash_price, item.quota) == (990, 100)

    short = operator.post(url, {"op": "publish"}, follow=True)
    assert "库存只有 50 件" in short.content.decode()
    edit = {f"item{item.pk}-{k[4:]}": v for k, v in item_post.items() if k.startswith("new-")}
    assert (
        operator.post(url, {"op": "update_item", "item_id": item.pk, **edit, f"item{item.pk}-quota": "40"}).status_code
        == 302
    )
    published = operator.post(url, {"op": "publish"}, follow=True)
    assert "已发布" in published.content.decode()
    assert FlashSlot.objects.get(pk=slot.pk).status == FlashSlotStatus.PUBLISHED
    assert Sku.objects.get(pk=sku.pk).stock == 10
    assert AuditLog.objects.filter(action="flash.publish", target_id=str(slot.pk)).exists()


def test_a_running_slot_shows_live_counts_and_takes_stock_extension_and_pause(
    operator: Client, member: Member, other_member: Member
) -> None:
    sku = shelf_sku(stock=30)
    slot = make_slot(items=[(sku, 10)])
    item = first_item(slot)
    buy(member, item)
    from orders.tests.conftest import pay

    pay(buy(other_member, item).order)
    url = f"/console/marketing/flash/{slot.pk}/"
    page = operator.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    row = page.context["rows"][0]
    assert (row["item"].quota, row["item"].sold, row["item"].locked, row["remaining"], row["percent"]) == (
        10,
        1,
        1,
        8,
        20,
    )
    for text in ("抢购中", "库存 10", "已售 1", "待支付 1", "剩余 8", "已抢 20%", "追加库存", "暂停", "延长"):
        assert text in body, text

    assert operator.post(url, {"op": "add_quota", "item_id": item.pk, f"quota{item.pk}-units": "5"}).status_code == 302
    assert FlashItem.objects.get(pk=item.pk).quota == 15
    assert Sku.objects.get(pk=sku.pk).stock == 15
    short = operator.post(url, {"op": "add_quota", "item_id": item.pk, f"quota{item.pk}-units": "500"}, follow=True)
    assert "库存不足" in short.content.decode()

    new_end = slot.ends_at + timedelta(hours=1)
    assert operator.post(url, {"op": "extend", **_split("extend-ends_at", new_end)}).status_code == 302
    assert FlashSlot.objects.get(pk=slot.pk).ends_at == new_end.replace(microsecond=0)
    assert operator.post(url, {"op": "pause"}).status_code == 302
    assert FlashSlot.objects.get(pk=slot.pk).status == FlashSlotStatus.PAUSED
    assert "恢复" in operator.get(url).content.decode()
    actions = set(AuditLog.objects.filter(action__startswith="flash.").values_list("action", flat=True))
    assert {"flash.add_quota", "flash.extend", "flash.pause"} <= actions


def test_roles_customer_service_and_finance_cannot_open_or_change_slots(owner: User, member: Member) -> None:
    slot = make_slot(items=[(shelf_sku(), 3)], starts_in=timedelta(hours=1))
    for role in ("customer_service", "finance"):
        client = _client(staff_create(username=f"u-{role}", password="staff-pass-123", role=role, actor=owner))
        assert client.get(CALENDAR).status_code == 403
        assert client.post(f"/console/marketing/flash/{slot.pk}/", {"op": "pause"}).status_code == 403
    assert FlashSlot.objects.get(pk=slot.pk).status == FlashSlotStatus.PUBLISHED


def test_the_sidebar_links_the_calendar_and_the_lists_open(operator: Client) -> None:
    make_slot(items=[(shelf_sku(), 3)], starts_in=timedelta(hours=1))
    make_slot(items=[(shelf_sku(), 3)], starts_in=timedelta(hours=1), kind="release", title="新品首发")
    home = operator.get("/admin/").content.decode()
    assert "秒杀日历" in home
    assert operator.get("/admin/marketing/flashslot/").status_code == 200
    releases = operator.get("/admin/marketing/limitedrelease/")
    assert releases.status_code == 200 and "新品首发" in releases.content.decode()
    assert operator.get("/admin/marketing/flashpurchase/").status_code == 200
    assert operator.get("/admin/marketing/flashreservation/").status_code == 200


def test_the_daily_plan_is_edited_in_the_console(operator: Client) -> None:
    settings_row = FlashSettings.load()
    url = f"/admin/marketing/flashsettings/{settings_row.pk}/change/"
    bad = operator.post(url, {"slot_times_text": "10:00, 10:30", "slot_minutes": "60", "per_shopper_limit": "1"})
    assert bad.status_code == 200 and "场次之间不能重叠" in bad.content.decode()
    good = operator.post(url, {"slot_times_text": "9:00，12:00 20:00", "slot_minutes": "90", "per_shopper_limit": "2"})
    assert good.status_code == 302
    fresh = FlashSettings.load()
    assert (fresh.slot_times, fresh.slot_minutes, fresh.per_shopper_limit) == (["09:00", "12:00", "20:00"], 90, 2)
    assert AuditLog.objects.filter(action="flash.settings_update").exists()


def test_a_release_is_created_from_the_console(operator: Client) -> None:
    now = timezone.now()
    response = operator.post(
        "/console/marketing/flash/new/?kind=release",
        {
            "title": "限量 1000 件",
            **_split("starts_at", now + timedelta(hours=1)),
            **_split("ends_at", now + timedelta(days=7)),
        },
    )
    assert response.status_code == 302
    release = FlashSlot.objects.get(title="限量 1000 件")
    assert release.kind == "release" and release.status == FlashSlotStatus.DRAFT
    bad = operator.post(
        "/console/marketing/flash/new/",
        {"title": "x", **_split("starts_at", now + timedelta(hours=3)), **_split("ends_at", now + timedelta(hours=2))},
    )
    assert bad.status_code == 200 and "结束时间必须晚于开始时间" in bad.content.decode()
