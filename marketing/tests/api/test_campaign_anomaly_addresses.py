"""F31 abuse signal: a wave of orders from many old accounts, each with its own IP address,
device, receiver and phone, all shipping to one door, pauses its campaign; the merchant's
threshold decides how many accounts one street address may carry, and the evidence names the
address (region, the start of the street and a digest, never the full address)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from mall.api.throttling import FixedWindowRateThrottle
from mall.models import Sku
from marketing.models import Campaign, CampaignStatus, Promotion
from marketing.services.campaign_anomaly import (
    AnomalySettingsData,
    campaign_anomaly_settings_update,
    campaigns_anomaly_watch,
)
from marketing.services.campaign_anomaly_counts import address_label
from marketing.services.campaigns import CampaignData, campaign_create, campaign_publish, campaign_tool_add
from members.models import Address, Member
from members.tests.factories import MemberFactory
from members.tests.fixtures import client_for

pytestmark = pytest.mark.django_db

START = datetime.fromisoformat("2026-11-11 00:00:05+08:00")
# One door written the ways a farm's scripts write it.
DOOR = ["文三路478号华星科技大厦1201", "文三路 478 号 华星科技大厦 1201", "文三路４７８号华星科技大厦１２０１，"]


@pytest.fixture(autouse=True)
def _open_gates(monkeypatch: pytest.MonkeyPatch, redis_client: Any) -> None:
    """Generous rates: the watch, not the per-request throttles, must catch the wave."""
    rates = {scope: "100000/min" for scope in FixedWindowRateThrottle.THROTTLE_RATES}
    monkeypatch.setattr(FixedWindowRateThrottle, "THROTTLE_RATES", rates)


def _campaign(staff: User, make_promotion: Callable[..., Promotion]) -> Campaign:
    now = timezone.now()
    campaign = campaign_create(
        actor=staff, data=CampaignData(name="双11", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1))
    )
    promotion = make_promotion(ends_at=now + timedelta(days=1))
    campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind="promotion", object_id=promotion.pk)
    campaign_publish(actor=staff, campaign_id=campaign.pk)
    return campaign


def _old_accounts(count: int) -> list[Member]:
    members = MemberFactory.create_batch(count)
    Member.objects.filter(pk__in=[m.pk for m in members]).update(created_at=timezone.now() - timedelta(days=90))
    return list(Member.objects.filter(pk__in=[m.pk for m in members]))


def _order(member: Member, sku: Sku, detail: str, n: int) -> int:
    address = Address.objects.create(
        member=member,
        receiver=f"买家{n}",
        phone=f"139{n:08d}",
        province="浙江省",
        city="杭州市",
        district="西湖区",
        detail=detail,
    )
    client: APIClient = client_for(member)
    response = client.post(
        "/api/v1/orders",
        {"items": [{"sku_id": sku.pk, "qty": 1}], "address_id": address.pk},
        format="json",
        headers={"Idempotency-Key": f"wave-{n}"},
        REMOTE_ADDR=f"10.20.{n // 200}.{n % 200}",
        HTTP_X_DEVICE_ID=f"phone-{member.pk}",
    )
    return response.status_code


def _wave(sku: Sku) -> None:
    """24 farm orders to one door, 4 honest orders to their own homes, in one minute."""
    farm, honest = _old_accounts(24), _old_accounts(4)
    statuses = [_order(account, sku, DOOR[n % len(DOOR)], n) for n, account in enumerate(farm)]
    statuses += [_order(account, sku, f"古墩路 {n} 弄 {n} 号", 100 + n) for n, account in enumerate(honest)]
    assert statuses == [201] * 28


def test_one_door_behind_many_accounts_pauses_the_campaign_with_the_address_in_the_evidence(
    staff: User, make_promotion: Callable[..., Promotion], lipstick: Sku
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        campaign = _campaign(staff, make_promotion)
        _wave(lipstick)
        clock.shift(timedelta(minutes=1))
        (alert,) = campaigns_anomaly_watch()

    # nothing else looked wrong: old accounts, each on its own IP, device and phone
    assert alert.reasons == ["accounts_per_address"]
    assert alert.participations == 28
    door = address_label({"province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": DOOR[0]})
    assert alert.evidence["top_addresses"][0] == [door, 24]
    assert alert.evidence["distinct_addresses"] == 5
    assert alert.evidence["thresholds"]["accounts_per_address"] == 3
    assert door.startswith("浙江省杭州市西湖区 文三路4…#") and "华星" not in door
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.PAUSED
    # the alerts page names the door and the reason in Chinese
    console = Client()
    console.force_login(staff)
    page = console.get(reverse("console:marketing_campaign_anomalies")).content.decode()
    assert door in page and "24 个账号" in page and "同一收货地址账号过多" in page


def test_the_merchants_threshold_decides_how_many_accounts_one_door_may_carry(
    staff: User, make_promotion: Callable[..., Promotion], lipstick: Sku
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        campaign = _campaign(staff, make_promotion)
        # an office building where many colleagues order: the merchant allows 30 accounts a door
        campaign_anomaly_settings_update(
            actor=staff, campaign_id=campaign.pk, data=AnomalySettingsData(accounts_per_address=30)
        )
        _wave(lipstick)
        clock.shift(timedelta(minutes=1))
        assert campaigns_anomaly_watch() == []
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.LIVE


def test_the_address_label_folds_spacing_width_and_punctuation_but_keeps_doors_apart() -> None:
    base = {"province": "浙江省", "city": "杭州市", "district": "西湖区"}
    labels = {address_label({**base, "detail": detail}) for detail in DOOR}
    assert len(labels) == 1
    assert address_label({**base, "detail": "文三路478号华星科技大厦1202"}) not in labels
    assert address_label({**base, "detail": "文三路478号华星科技大厦1201"}) != address_label(
        {**base, "district": "拱墅区", "detail": "文三路478号华星科技大厦1201"}
    )
    assert address_label({**base, "detail": "  "}) == ""
