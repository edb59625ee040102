"""The warning at publish and at tool link (F28), both ways: a campaign silently beaten by an
overlapping one, or stacking past the shop's margin floor, is refused until the merchant
confirms; the confirmation and its evidence land in the audit row. Nothing is written when
refused. Callers that do not ask (the demo, templates) are not checked."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mall.errors import ValidationFailed
from mall.models import AuditLog, ShopSettings, Sku
from mall.services.shop import shop_settings_update
from marketing.errors import CampaignStackingWarning
from marketing.models import Campaign, CampaignStatus, CampaignTool, Promotion
from marketing.selectors.campaign_stacking import campaign_stacking_warnings
from marketing.services.campaigns import campaign_publish, campaign_tool_add
from marketing.services.promotions import PromotionData, promotion_create
from marketing.tests.calendar.helpers import NOW, campaign, sku

pytestmark = pytest.mark.django_db

MINUS_15: dict[str, Any] = {"type": "full_reduction", "rules": {"tiers": [{"threshold": "100.00", "off": "15.00"}]}}
MINUS_10: dict[str, Any] = {"type": "full_reduction", "rules": {"tiers": [{"threshold": "100.00", "off": "10.00"}]}}
COUPON_20 = {"kind": "no_threshold", "off": "20.00"}


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def lipstick(db: Any) -> Sku:
    return sku("LIP-01", "100.00", "60.00")


def _publish_audit(campaign_id: int) -> AuditLog:
    return AuditLog.objects.get(action="campaign.publish", target_id=str(campaign_id))


def test_a_beaten_campaign_is_refused_then_published_when_confirmed(staff: User, lipstick: Sku) -> None:
    campaign(staff, "618 主会场", publish=True, promotions=[MINUS_15])
    late = campaign(staff, "美妆节", promotions=[MINUS_10])

    with pytest.raises(CampaignStackingWarning) as refused:
        campaign_publish(actor=staff, campaign_id=late.pk, now=NOW, confirm_stacking=False)
    assert refused.value.code == "campaign_stacking_warning" and refused.value.status == 409
    (warning,) = refused.value.details["warnings"]
    assert warning["kind"] == "beaten"
    assert warning["text"] == "与「618 主会场」同时进行时，本活动的优惠在共同商品上被「618 主会场」压过，顾客享受不到。"
    assert "样例购物车：商品 LIP-01 ×1，原价 ¥100.00，实付 ¥85.00。" in warning["evidence"]
    assert any("已有更优惠的同类优惠" in line for line in warning["evidence"])
    late.refresh_from_db()
    assert late.status == CampaignStatus.DRAFT  # nothing written
    assert not Promotion.objects.filter(pk=late.tools.get().object_id, is_active=True).exists()
    assert not AuditLog.objects.filter(action="campaign.publish", target_id=str(late.pk)).exists()

    campaign_publish(actor=staff, campaign_id=late.pk, now=NOW, confirm_stacking=True)
    assert Campaign.objects.get(pk=late.pk).status == CampaignStatus.LIVE
    confirmed = _publish_audit(late.pk).data["stacking_confirmed"]
    assert [w["kind"] for w in confirmed] == ["beaten"] and confirmed[0]["evidence"] == warning["evidence"]


def test_no_warning_when_the_campaign_wins_or_stacks_above_the_floor(staff: User, lipstick: Sku) -> None:
    campaign(staff, "日常满减", publish=True, promotions=[MINUS_10])
    better = campaign(staff, "大促满减", promotions=[MINUS_15])
    coupon = campaign(staff, "店铺券", coupons=[COUPON_20])
    # 大促满减 beats 日常满减 (no warning for the winner); the coupon stacks: 65 vs cost 60, no floor set
    assert campaign_stacking_warnings(campaign=better, now=NOW) == []
    campaign_publish(actor=staff, campaign_id=better.pk, now=NOW, confirm_stacking=False)
    campaign_publish(actor=staff, campaign_id=coupon.pk, now=NOW, confirm_stacking=False)
    assert "stacking_confirmed" not in _publish_audit(coupon.pk).data


def test_stacking_past_the_margin_floor_warns(staff: User, lipstick: Sku) -> None:
    shop_settings_update(actor=staff, margin_floor_percent=20)
    campaign(staff, "满减", publish=True, promotions=[MINUS_15])
    coupon = campaign(staff, "店铺券", coupons=[COUPON_20])
    (warning,) = campaign_stacking_warnings(campaign=coupon, now=NOW)
    assert warning.kind == "margin"
    assert warning.text == "与「满减」叠加后，样例购物车的毛利率为 7.7%，低于最低毛利率 20%。"
    assert "成本 ¥60.00，毛利率 7.7%（最低 20%）。" in warning.evidence
    with pytest.raises(CampaignStackingWarning):
        campaign_publish(actor=staff, campaign_id=coupon.pk, now=NOW, confirm_stacking=False)
    shop_settings_update(actor=staff, margin_floor_percent=5)
    assert campaign_stacking_warnings(campaign=coupon, now=NOW) == []


def test_linking_a_tool_that_would_be_beaten_is_refused_and_rolled_back(staff: User, lipstick: Sku) -> None:
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
            is_active=False,
        ),
    )
    with pytest.raises(CampaignStackingWarning):
        campaign_tool_add(
            actor=staff, campaign_id=draft.pk, kind="promotion", object_id=rule.pk, confirm_stacking=False
        )
    assert not CampaignTool.objects.filter(kind="promotion", object_id=rule.pk).exists()
    assert not AuditLog.objects.filter(action="campaign.tool_add", target_id=str(draft.pk)).exists()

    campaign_tool_add(actor=staff, campaign_id=draft.pk, kind="promotion", object_id=rule.pk, confirm_stacking=True)
    audit = AuditLog.objects.get(action="campaign.tool_add", target_id=str(draft.pk))
    assert audit.data["stacking_confirmed"][0]["kind"] == "beaten"
    # callers that do not ask (templates, the demo) are not held up
    other = promotion_create(
        actor=staff,
        data=PromotionData(
            type="full_reduction",
            name="又一个满减",
            starts_at=NOW,
            ends_at=NOW.replace(year=2027),
            rules=MINUS_10["rules"],
        ),
    )
    campaign_tool_add(actor=staff, campaign_id=draft.pk, kind="promotion", object_id=other.pk)


def test_the_margin_floor_is_a_shop_setting_audited_and_bounded(staff: User) -> None:
    shop_settings_update(actor=staff, margin_floor_percent=25)
    assert ShopSettings.load().margin_floor_percent == 25
    entry = AuditLog.objects.filter(action="shop_settings.update").latest("pk")
    assert entry.data["margin_floor_percent"] == {"from": 0, "to": 25}
    with pytest.raises(ValidationFailed) as refused:
        shop_settings_update(actor=staff, margin_floor_percent=95)
    assert str(refused.value.message) == "最低毛利率应在 0% 到 90% 之间。"
    assert ShopSettings.load().margin_floor_percent == 25


def test_the_check_costs_one_sample_per_overlapping_campaign(staff: User, lipstick: Sku) -> None:
    campaign(staff, "满减", publish=True, promotions=[MINUS_15])
    mine = campaign(staff, "店铺券", coupons=[COUPON_20])
    campaign_stacking_warnings(campaign=mine, now=NOW)
    with CaptureQueriesContext(connection) as one:
        campaign_stacking_warnings(campaign=mine, now=NOW)
    campaign(staff, "又一个满减", promotions=[MINUS_10])
    with CaptureQueriesContext(connection) as two:
        campaign_stacking_warnings(campaign=mine, now=NOW)
    per_sample = len(two.captured_queries) - len(one.captured_queries)
    # 37 and 30 today: a fixed cost per overlapping campaign, whatever its number of tools
    assert len(one.captured_queries) <= 40 and per_sample <= 32, (len(one.captured_queries), per_sample)
