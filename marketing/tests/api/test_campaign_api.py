"""GET /api/v1/campaigns/<id>: a published campaign's name, window, state and tools; drafts are not found."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from marketing.models import Promotion
from marketing.services.campaigns import (
    CampaignData,
    campaign_create,
    campaign_pause,
    campaign_publish,
    campaign_tool_add,
)

pytestmark = pytest.mark.django_db


def test_a_published_campaign_is_shown_with_its_tools_and_a_draft_is_not_found(
    staff: User, make_promotion: Callable[..., Promotion], django_assert_max_num_queries: Any
) -> None:
    now = timezone.now()
    campaign = campaign_create(
        actor=staff,
        data=CampaignData(name="618 大促", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1)),
    )
    promotion = make_promotion(name="满100减15")
    campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind="promotion", object_id=promotion.pk)
    client = APIClient()

    draft = client.get(f"/api/v1/campaigns/{campaign.pk}")
    assert draft.status_code == 404
    assert draft.json()["code"] == "campaign_not_found"

    campaign_publish(actor=staff, campaign_id=campaign.pk)
    with django_assert_max_num_queries(4):
        body = client.get(f"/api/v1/campaigns/{campaign.pk}").json()
    assert body["name"] == "618 大促"
    assert (body["status"], body["status_label"]) == ("running", "进行中")
    assert body["tools"] == [{"kind": "promotion", "id": promotion.pk, "name": "满100减15", "state": "进行中"}]

    campaign_pause(actor=staff, campaign_id=campaign.pk)
    paused = client.get(f"/api/v1/campaigns/{campaign.pk}").json()
    assert paused["status"] == "paused"
    assert paused["tools"][0]["state"] == "已暂停"
    assert client.get("/api/v1/campaigns/999999").status_code == 404


def test_the_campaign_carries_its_published_page_slug(
    staff: User, make_promotion: Callable[..., Promotion], django_assert_max_num_queries: Any
) -> None:
    from marketing.services.campaigns import campaign_page_create

    now = timezone.now()
    campaign = campaign_create(
        actor=staff,
        data=CampaignData(name="会员日", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1)),
    )
    campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind="promotion", object_id=make_promotion().pk)
    page = campaign_page_create(actor=staff, campaign_id=campaign.pk, slug="vip-day")
    client = APIClient()

    campaign_publish(actor=staff, campaign_id=campaign.pk)
    with django_assert_max_num_queries(4):
        body = client.get(f"/api/v1/campaigns/{campaign.pk}").json()

    assert body["page_slug"] == page.slug == "vip-day"
    assert client.get(f"/api/v1/pages/{body['page_slug']}").status_code == 200
