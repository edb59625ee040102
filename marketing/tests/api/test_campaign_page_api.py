"""GET /api/v1/campaigns/<id>/page: a shared campaign opened by its id — its state and window
plus its published page resolved, in one request; warm-up, pause and end told; drafts and
unknown ids a documented 404."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from marketing.models import Campaign, Promotion
from marketing.services.campaigns import (
    CampaignData,
    campaign_create,
    campaign_page_link,
    campaign_pause,
    campaign_publish,
    campaign_tool_add,
)
from marketing.tests.pages import published_page

pytestmark = pytest.mark.django_db

BLOCKS = [{"type": "rich_text", "settings": {"title": "活动规则", "body": "满 99 减 10。"}}]


def _campaign(staff: User, make_promotion: Callable[..., Promotion], *, starts_in: timedelta) -> Campaign:
    now = timezone.now()
    campaign = campaign_create(
        actor=staff,
        data=CampaignData(name="618 年中大促", starts_at=now + starts_in, ends_at=now + timedelta(days=2)),
    )
    campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind="promotion", object_id=make_promotion().pk)
    page = published_page(staff=staff, blocks=BLOCKS)
    campaign_page_link(actor=staff, campaign_id=campaign.pk, page_id=page.pk)
    return campaign


def test_a_running_campaign_comes_with_its_page_in_one_request(
    staff: User, make_promotion: Callable[..., Promotion], django_assert_max_num_queries: Any
) -> None:
    campaign = _campaign(staff, make_promotion, starts_in=-timedelta(hours=1))
    client = APIClient()
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/page").json()["code"] == "campaign_not_found"  # a draft

    campaign_publish(actor=staff, campaign_id=campaign.pk)
    first = client.get(f"/api/v1/campaigns/{campaign.pk}/page")
    assert first.status_code == 200
    with django_assert_max_num_queries(1):  # the campaign row; the page is the slug API's cache entry
        body = client.get(f"/api/v1/campaigns/{campaign.pk}/page").json()

    assert body["campaign"]["name"] == "618 年中大促"
    assert (body["campaign"]["status"], body["campaign"]["status_label"]) == ("running", "进行中")
    assert body["page"]["slug"] == "618" and body["page"]["title"] == "618 主会场"
    assert body["page"]["blocks"][0]["data"]["paragraphs"] == ["满 99 减 10。"]
    assert body["server_time"]["timestamp_ms"] > 0
    assert client.get("/api/v1/campaigns/999999/page").status_code == 404


def test_warm_up_pause_and_end_are_told_and_an_ended_campaign_has_no_page(
    staff: User, make_promotion: Callable[..., Promotion]
) -> None:
    campaign = _campaign(staff, make_promotion, starts_in=timedelta(hours=3))
    campaign_publish(actor=staff, campaign_id=campaign.pk)
    client = APIClient()

    warmup = client.get(f"/api/v1/campaigns/{campaign.pk}/page").json()
    assert (warmup["campaign"]["status"], warmup["campaign"]["status_label"]) == ("warmup", "预热")
    assert warmup["page"]["slug"] == "618"  # the page warms shoppers up before the start

    with time_machine.travel(timezone.now() + timedelta(hours=4), tick=False):
        campaign_pause(actor=staff, campaign_id=campaign.pk)
        paused = client.get(f"/api/v1/campaigns/{campaign.pk}/page").json()
    assert paused["campaign"]["status"] == "paused" and paused["page"] is not None

    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        ended = client.get(f"/api/v1/campaigns/{campaign.pk}/page").json()
    assert (ended["campaign"]["status"], ended["campaign"]["status_label"]) == ("ended", "已结束")
    assert ended["page"] is None


def test_a_campaign_without_a_published_page_answers_without_one(
    staff: User, make_promotion: Callable[..., Promotion]
) -> None:
    now = timezone.now()
    campaign = campaign_create(
        actor=staff, data=CampaignData(name="会员日", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(1))
    )
    campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind="promotion", object_id=make_promotion().pk)
    campaign_publish(actor=staff, campaign_id=campaign.pk)
    body = APIClient().get(f"/api/v1/campaigns/{campaign.pk}/page").json()
    assert body["campaign"]["status"] == "running" and body["page"] is None


def test_an_order_from_a_campaigns_share_card_keeps_src_share_and_the_campaign_id(
    staff: User, make_promotion: Callable[..., Promotion], lipstick: Any
) -> None:
    """The mini-program's campaign card carries ``src=share:<campaign id>``; the order keeps it,
    and attribution reads it as a share of that campaign."""
    from analytics.models import Tool
    from analytics.services.attribution import src_touch
    from members.models import Address
    from members.tests.factories import MemberFactory
    from members.tests.fixtures import client_for
    from orders.models import Order

    campaign = _campaign(staff, make_promotion, starts_in=-timedelta(hours=1))
    campaign_publish(actor=staff, campaign_id=campaign.pk)
    friend = MemberFactory.create()
    address = Address.objects.create(
        member=friend,
        receiver="好友",
        phone="13900000001",
        province="浙江省",
        city="杭州市",
        district="西湖区",
        detail="1 号",
    )
    placed = client_for(friend).post(
        "/api/v1/orders",
        {"items": [{"sku_id": lipstick.pk, "qty": 1}], "address_id": address.pk, "src": f"share:{campaign.pk}"},
        format="json",
        headers={"Idempotency-Key": "from-card"},
    )
    assert placed.status_code == 201
    order = Order.objects.get(member=friend)
    assert order.src == f"share:{campaign.pk}"
    assert src_touch(order.src) == (Tool.SHARE, campaign.pk)


def test_the_console_campaign_page_gives_the_mini_program_path_that_opens_it_by_id(
    staff: User, make_promotion: Callable[..., Promotion]
) -> None:
    from django.test import Client

    campaign = _campaign(staff, make_promotion, starts_in=-timedelta(hours=1))
    console = Client()
    console.force_login(staff)
    page = console.get(f"/console/marketing/campaigns/{campaign.pk}/").content.decode()
    assert f"package-campaign/page/index?campaign={campaign.pk}" in page
