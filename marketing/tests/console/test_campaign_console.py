"""The campaign console: list, new, the campaign page (tools, budget, actions, live adjust, audit), roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from mall.models import AuditLog
from mall.services.staff import staff_create
from marketing.models import Campaign, CampaignStatus, CouponTemplate, Promotion
from marketing.tests.flash import first_item, make_slot, shelf_sku

pytestmark = pytest.mark.django_db
LIST = "/admin/marketing/campaign/"
NEW = "/console/marketing/campaigns/new/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operator(staff: User) -> Client:
    return _client(staff_create(username="ops1", password="staff-pass-123", role="operator", actor=staff))


def _split(prefix: str, when: dt.datetime) -> dict[str, str]:
    local = timezone.localtime(when)
    return {f"{prefix}_0": local.strftime("%Y-%m-%d"), f"{prefix}_1": local.strftime("%H:%M:%S")}


def _new(client: Client, **extra: str) -> Campaign:
    now = timezone.now()
    data = {
        "name": "618 大促",
        **_split("starts_at", now - timedelta(hours=1)),
        **_split("ends_at", now + timedelta(days=2)),
        "budget_amount": "30.00",
        "budget_uses": "",
        "holdout_percent": "10",
        **extra,
    }
    response = client.post(NEW, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Campaign.objects.get(name=data["name"])


def test_the_operator_creates_links_publishes_adjusts_and_ends_a_campaign(
    operator: Client, make_promotion: Callable[..., Promotion], make_template: Callable[..., CouponTemplate]
) -> None:
    campaign = _new(operator)
    assert (campaign.budget_amount, campaign.holdout_percent, campaign.status) == (3000, 10, CampaignStatus.DRAFT)
    page = f"/console/marketing/campaigns/{campaign.pk}/"
    promotion = make_promotion(name="满100减15")
    slot = make_slot(items=[(shelf_sku(stock=40), 10)], title="10 点场")

    for value in (f"promotion:{promotion.pk}", f"flash:{slot.pk}"):
        assert operator.post(page, {"op": "add_tool", "tool-tool": value}).status_code == 302
    assert operator.post(page, {"op": "publish"}).status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.LIVE

    html = operator.get(page).content.decode()
    assert "满100减15" in html and "10 点场" in html
    assert "¥30.00" in html and "¥0.00" in html  # the budget in yuan, never fen
    assert "进行中" in html
    assert "3000" not in html

    flash_tool = campaign.tools.get(kind="flash")
    added = operator.post(
        page,
        {
            "op": "adjust",
            "tool_id": flash_tool.pk,
            f"adjust{flash_tool.pk}-action": "add_stock",
            f"adjust{flash_tool.pk}-units": "5",
        },
    )
    assert added.status_code == 302
    assert first_item(slot).quota == 15

    assert operator.post(page, {"op": "pause"}).status_code == 302
    assert not Promotion.objects.get(pk=promotion.pk).is_active
    assert operator.post(page, {"op": "resume"}).status_code == 302
    assert Promotion.objects.get(pk=promotion.pk).is_active
    assert operator.post(page, {"op": "end"}).status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.ENDED

    trail = operator.get(page).content.decode()
    for word in ("创建活动", "加入营销工具", "发布", "实时调整", "暂停", "恢复", "结束"):
        assert word in trail
    assert AuditLog.objects.filter(target_type="marketing.campaign", target_id=str(campaign.pk)).count() == 8


def test_the_list_shows_state_and_budget_in_yuan(operator: Client) -> None:
    campaign = _new(operator)
    html = operator.get(LIST).content.decode()
    assert campaign.name in html and "草稿" in html
    assert "¥0.00 / ¥30.00" in html
    assert operator.get(f"{LIST}{campaign.pk}/change/").status_code == 302


def test_bad_input_is_shown_in_chinese_on_the_form(operator: Client) -> None:
    now = timezone.now()
    response = operator.post(
        NEW,
        {
            "name": "坏活动",
            **_split("starts_at", now),
            **_split("ends_at", now - timedelta(days=1)),
            "budget_amount": "abc",
            "holdout_percent": "0",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "金额应写成元" in html
    assert not Campaign.objects.exists()


def test_an_extend_without_a_later_end_is_refused_on_the_page(
    operator: Client, make_promotion: Callable[..., Promotion]
) -> None:
    campaign = _new(operator)
    page = f"/console/marketing/campaigns/{campaign.pk}/"
    response = operator.post(page, {"op": "extend", **_split("extend-ends_at", campaign.ends_at - timedelta(hours=1))})
    assert response.status_code == 200
    assert "新的结束时间须晚于原结束时间和当前时间" in response.content.decode()


def test_customer_service_may_not_open_campaigns(staff: User) -> None:
    clerk = _client(staff_create(username="kefu", password="staff-pass-123", role="customer_service", actor=staff))
    assert clerk.get(NEW).status_code == 403


def test_the_page_costs_a_fixed_number_of_queries(
    operator: Client, make_promotion: Callable[..., Promotion], django_assert_max_num_queries: Any
) -> None:
    campaign = _new(operator)
    page = f"/console/marketing/campaigns/{campaign.pk}/"
    for i in range(3):
        operator.post(page, {"op": "add_tool", "tool-tool": f"promotion:{make_promotion(name=f'规则{i}').pk}"})
    operator.post(page, {"op": "add_tool", "tool-tool": f"flash:{make_slot(items=[(shelf_sku(), 5)]).pk}"})
    operator.get(page)
    with django_assert_max_num_queries(40):
        assert operator.get(page).status_code == 200


def test_the_page_warns_of_campaigns_running_at_the_same_time_on_shared_goods(
    operator: Client, make_promotion: Callable[..., Promotion]
) -> None:
    first, second = _new(operator), _new(operator, name="会员日")
    shared_sku = shelf_sku()
    slot = make_slot(items=[(shared_sku, 5)])
    operator.post(f"/console/marketing/campaigns/{first.pk}/", {"op": "add_tool", "tool-tool": f"flash:{slot.pk}"})
    scoped = make_promotion(name="面霜9折", type="limited_discount", rules={"rate": "0.9"}, sku_ids=(shared_sku.pk,))
    second_page = f"/console/marketing/campaigns/{second.pk}/"
    operator.post(second_page, {"op": "add_tool", "tool-tool": f"promotion:{scoped.pk}"})

    html = operator.get(f"/console/marketing/campaigns/{first.pk}/").content.decode()

    assert "同时进行的其他活动" in html and "会员日" in html
    assert "1 个 SKU" in html
