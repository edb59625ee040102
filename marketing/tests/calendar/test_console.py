"""The F28 console pages through Django's client: the calendar (month, week, filter, who may
see it), the overlap detail (yuan on screen, the editable cart, bad links), the stacking
warning on tool link with 仍然加入, and the margin floor in 店铺设置."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from mall.models import AuditLog, ShopSettings, Sku
from mall.services.staff import staff_create
from marketing.models import CampaignTool
from marketing.services.promotions import PromotionData, promotion_create
from marketing.tests.calendar.helpers import NOW, campaign, sku

pytestmark = pytest.mark.django_db
CALENDAR = "/console/marketing/campaigns/calendar/"
OVERLAP = "/console/marketing/campaigns/overlap/"
MINUS_15: dict[str, Any] = {"type": "full_reduction", "rules": {"tiers": [{"threshold": "100.00", "off": "15.00"}]}}
MINUS_10: dict[str, Any] = {"type": "full_reduction", "rules": {"tiers": [{"threshold": "100.00", "off": "10.00"}]}}


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operator(staff: User) -> Client:
    return _client(staff_create(username="ops1", password="staff-pass-123", role="operator", actor=staff))


@pytest.fixture
def lipstick(db: Any) -> Sku:
    return sku("LIP-01", "100.00", "60.00")


def test_the_calendar_month_week_and_filter(operator: Client, staff: User, lipstick: Sku) -> None:
    main = campaign(staff, "618 主会场", publish=True, promotions=[MINUS_15])
    beauty = campaign(staff, "美妆节", promotions=[MINUS_10])

    html = operator.get(CALENDAR).content.decode()
    assert "2026 年 6 月" in html and "618 主会场" in html and "美妆节" in html
    assert f'href="/console/marketing/campaigns/{main.pk}/"' in html
    assert 'data-testid="calendar-now"' in html
    assert f"{OVERLAP}?c={main.pk}&c={beauty.pk}" in html
    assert ">sell<" in html  # the price-rule icon on the bars

    week = operator.get(CALENDAR, {"view": "week", "date": "2026-06-18"}).content.decode()
    assert "06-15 – 06-21" in week and "06-18 09:00 – 06-21 09:00" in week

    drafts = operator.get(CALENDAR, {"status": "draft"}).content.decode()
    assert f"calendar-bar-{beauty.pk}" in drafts and f"calendar-bar-{main.pk}" not in drafts
    odd = operator.get(CALENDAR, {"date": "not-a-date", "view": "year", "status": "nonsense"})
    assert odd.status_code == 200 and "2026 年 6 月" in odd.content.decode()


def test_who_may_see_the_calendar(staff: User) -> None:
    finance = _client(staff_create(username="caiwu", password="staff-pass-123", role="finance", actor=staff))
    assert finance.get(CALENDAR).status_code == 403
    assert finance.get(OVERLAP, {"c": [1, 2]}).status_code == 403
    assert Client().get(CALENDAR).status_code == 302  # to the login page


def test_the_overlap_detail_in_yuan_with_an_editable_cart(operator: Client, staff: User, lipstick: Sku) -> None:
    main = campaign(staff, "618 主会场", publish=True, promotions=[MINUS_15])
    beauty = campaign(staff, "美妆节", promotions=[MINUS_10])
    html = operator.get(OVERLAP, {"c": [main.pk, beauty.pk]}).content.decode()
    for text in (
        "¥100.00",
        "¥85.00",
        "¥60.00",
        "29.4%",
        "被其他活动压过",
        "已有更优惠的同类优惠",
        "店铺券、品类券、平台券",
    ):
        assert text in html, text
    for leak in ("8500", "conflict", "promotion:", "full_reduction"):
        assert leak not in html, leak

    mask = sku("MASK-01", "30.00", "10.00")
    pair = [str(main.pk), str(beauty.pk)]
    edited = operator.get(OVERLAP, {"c": pair, "sku_0": str(mask.pk), "qty_0": "2"}).content.decode()
    assert "¥60.00" in edited and "未达到使用门槛" in edited and "本样例不适用" in edited

    coupons = campaign(staff, "店铺券", coupons=[{"kind": "no_threshold", "off": "20.00"}])
    detail = operator.get(f"/console/marketing/campaigns/{beauty.pk}/").content.decode()
    assert f"{OVERLAP}?c={beauty.pk}&c={main.pk}&c={coupons.pk}" in detail
    assert 'data-testid="overlap-shared-skus"' not in html  # whole shop: no list
    three = operator.get(OVERLAP, {"c": [str(beauty.pk), str(main.pk), str(coupons.pk)]}).content.decode()
    assert three.count("叠加生效") == 2 and "被其他活动压过" in three

    assert operator.get(OVERLAP, {"c": main.pk}).status_code == 404
    assert operator.get(OVERLAP, {"c": [main.pk, 999999]}).status_code == 404
    assert operator.get(OVERLAP, {"c": ["x", "y"]}).status_code == 404
    bad_qty = operator.get(OVERLAP, {"c": pair, "sku_0": str(mask.pk), "qty_0": "0"})
    assert bad_qty.status_code == 200  # the form says why, the page still prices the auto cart


def test_linking_a_beaten_tool_asks_then_links_with_the_confirmation(
    operator: Client, staff: User, lipstick: Sku
) -> None:
    campaign(staff, "618 主会场", publish=True, promotions=[MINUS_15])
    draft = campaign(staff, "美妆节")
    rule = promotion_create(
        actor=staff,
        data=PromotionData(
            type="full_reduction",
            name="满100减10",
            starts_at=NOW,
            ends_at=NOW.replace(year=2027),
            rules=MINUS_10["rules"],
        ),
    )
    page = f"/console/marketing/campaigns/{draft.pk}/"
    assert 'data-testid="campaign-stacking-preview"' not in operator.get(page).content.decode()  # no tools yet
    asked = operator.post(page, {"op": "add_tool", "tool-tool": f"promotion:{rule.pk}"})
    assert asked.status_code == 200
    html = asked.content.decode()
    assert "加入前请确认" in html and "仍然加入" in html and "被「618 主会场」压过" in html
    assert not CampaignTool.objects.filter(campaign=draft).exists()

    done = operator.post(page, {"op": "add_tool", "tool-tool": f"promotion:{rule.pk}", "confirm_stacking": "1"})
    assert done.status_code == 302
    assert CampaignTool.objects.filter(campaign=draft, object_id=rule.pk).exists()
    assert AuditLog.objects.get(action="campaign.tool_add", target_id=str(draft.pk)).data["stacking_confirmed"]
    linked = operator.get(page).content.decode()
    assert "已确认 1 条叠加提醒" in linked
    # still a draft: the page shows what publishing will ask to confirm
    assert 'data-testid="campaign-stacking-preview"' in linked and "被「618 主会场」压过" in linked


def test_the_margin_floor_in_shop_settings(staff: User) -> None:
    owner = _client(staff)
    ShopSettings.load()
    form = owner.get("/admin/mall/shopsettings/1/change/").content.decode()
    assert "最低毛利率（%）" in form
    data = {
        "name": "多营商城",
        "shipping_flat_fee": "8.00",
        "free_shipping_threshold": "99.00",
        "auto_complete_days": "7",
        "global_holdout_percent": "5",
        "margin_floor_percent": "120",
    }
    refused = owner.post("/admin/mall/shopsettings/1/change/", data)
    assert refused.status_code == 200 and ShopSettings.load().margin_floor_percent == 0
    assert owner.post("/admin/mall/shopsettings/1/change/", {**data, "margin_floor_percent": "15"}).status_code == 302
    assert ShopSettings.load().margin_floor_percent == 15
    assert AuditLog.objects.filter(action="shop_settings.update", data__margin_floor_percent__to=15).exists()


def test_the_overlap_detail_names_the_shared_goods(operator: Client, staff: User, lipstick: Sku) -> None:
    cookie = sku("COOKIE-1", "30.00", "12.00", category="零食")
    first = campaign(staff, "美妆节", promotions=[MINUS_15], skus=(lipstick.pk, cookie.pk))
    second = campaign(staff, "零食节", promotions=[MINUS_10], skus=(cookie.pk,))
    html = operator.get(OVERLAP, {"c": [str(first.pk), str(second.pk)]}).content.decode()
    assert "共有 1 个 SKU 可能同时享受这些活动的优惠。" in html
    assert 'data-testid="overlap-shared-skus"' in html and "商品 COOKIE-1 · COOKIE-1" in html
    assert "商品 LIP-01 · LIP-01" not in html
