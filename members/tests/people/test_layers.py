"""Layered strategies (F35): default layers, the playbook launched in one step, the monthly
snapshot and the moves between layers, and the console page."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from marketing.models import CouponTemplate
from members.models import CampaignMember, EarlyAccess, Layer, LayerSnapshot, PointsEntry, Segment, SegmentCampaign
from members.people_errors import CampaignInvalid
from members.people_tasks import layer_snapshot_task, segment_campaign_deliver_task
from members.services.layers import (
    PLAYBOOKS,
    layer_launch,
    layer_overview,
    layer_playbook_update,
    layer_snapshot_take,
    layers_ensure,
)
from members.tests.people.factories import shopper, spend
from orders.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_four_default_layers_with_playbooks():
    layers = layers_ensure()
    assert [s.layer for s in layers] == [Layer.HIGH_VALUE, Layer.POTENTIAL, Layer.LOW_FREQUENCY, Layer.CHURN_RISK]
    assert [s.name for s in layers] == ["高价值", "潜力", "低频", "流失风险"]
    assert layers_ensure() == layers  # idempotent
    assert layers[3].playbook["follow_up"] is True


def test_launch_churn_risk_gives_a_large_coupon_and_a_follow_up_list():
    staff = User.objects.create_superuser("boss", "b@example.com", "pw")
    layers = {s.layer: s for s in layers_ensure()}
    asleep = [shopper() for _ in range(4)]
    for member in asleep:
        spend(member, days_ago=120)
    result = layer_launch(actor=staff, segment_id=layers[Layer.CHURN_RISK].pk)
    assert len(result.campaigns) == 1
    campaign = result.campaigns[0]
    assert campaign.follow_up and campaign.holdout_percent == 10 and campaign.status == SegmentCampaign.Status.SENDING
    template = CouponTemplate.objects.get(pk=campaign.coupon_template_id)
    assert (template.threshold, template.off, template.channel) == (10_000, 5_000, "system")
    assert CampaignMember.objects.filter(campaign=campaign).count() == 4
    segment_campaign_deliver_task.run(campaign_id=campaign.pk)
    treated = CampaignMember.objects.filter(campaign=campaign, is_holdout=False)
    assert all(row.coupon_id for row in treated)


def test_launch_low_frequency_grants_points_and_potential_two_coupons():
    staff = User.objects.create_superuser("boss", "b@example.com", "pw")
    layers = {s.layer: s for s in layers_ensure()}
    once = shopper()
    spend(once, days_ago=70)
    layer_playbook_update(
        actor=staff,
        segment_id=layers[Layer.LOW_FREQUENCY].pk,
        playbook={**PLAYBOOKS[Layer.LOW_FREQUENCY], "holdout_percent": 0},
    )
    campaign = layer_launch(actor=staff, segment_id=layers[Layer.LOW_FREQUENCY].pk).campaigns[0]
    segment_campaign_deliver_task.run(campaign_id=campaign.pk)
    assert PointsEntry.objects.get(member=once, reason="grant").delta == 100
    segment_campaign_deliver_task.run(campaign_id=campaign.pk)
    assert PointsEntry.objects.filter(member=once).count() == 1
    potential = layer_launch(actor=staff, segment_id=layers[Layer.POTENTIAL].pk)
    assert len(potential.campaigns) == 2


def test_high_value_early_access_window_and_playbook_validation():
    staff = User.objects.create_superuser("boss", "b@example.com", "pw")
    layers = {s.layer: s for s in layers_ensure()}
    product = ProductFactory.create()
    with pytest.raises(CampaignInvalid):
        layer_playbook_update(actor=staff, segment_id=layers[Layer.HIGH_VALUE].pk,
                              playbook={**PLAYBOOKS[Layer.HIGH_VALUE], "holdout_percent": 60})  # fmt: skip
    layer_playbook_update(
        actor=staff,
        segment_id=layers[Layer.HIGH_VALUE].pk,
        playbook={**PLAYBOOKS[Layer.HIGH_VALUE], "early_access_products": [product.pk], "early_access_days": 3},
    )
    result = layer_launch(actor=staff, segment_id=layers[Layer.HIGH_VALUE].pk)
    assert result.early_access == 1
    window = EarlyAccess.objects.get(product=product)
    assert window.launch_at - window.starts_at == dt.timedelta(days=3)
    assert CouponTemplate.objects.get(pk=result.campaigns[0].coupon_template_id).kind == "rate_off"


def test_monthly_snapshot_counts_moves_between_layers():
    layers_ensure()
    mover, stayer = shopper(), shopper()
    with time_machine.travel(dt.datetime(2026, 10, 5, 12, tzinfo=SH), tick=False):
        spend(mover, days_ago=100)  # churn risk in October
        spend(stayer, days_ago=100)
        assert layer_snapshot_take() == 2
        assert layer_snapshot_task.run() == 0  # later runs in the month add nothing
    with time_machine.travel(dt.datetime(2026, 11, 2, 12, tzinfo=SH), tick=False):
        spend(mover, days_ago=1)  # came back: potential in November
        layer_snapshot_take()
        rows, moved = layer_overview()
    by_layer = {row.segment.layer: row for row in rows}
    assert moved == 1
    assert by_layer[Layer.POTENTIAL].came_in == 1 and by_layer[Layer.CHURN_RISK].went_out == 1
    assert dict(LayerSnapshot.objects.filter(month="2026-11").values_list("member_id", "layer")) == {
        mover.pk: Layer.POTENTIAL,
        stayer.pk: Layer.CHURN_RISK,
    }


def test_console_page_shows_sizes_and_launches(admin_client: Client):
    layers_ensure()
    for _ in range(3):
        spend(shopper(), days_ago=200)
    page = admin_client.get(reverse("console:members_layers"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "流失风险" in body and "好久不见 满 100 减 50（满 ¥100.00 减 ¥50.00，14 天有效）" in body
    churn = Segment.objects.get(layer=Layer.CHURN_RISK)
    launched = admin_client.post(reverse("console:members_layers"), {"segment": churn.pk})
    assert launched.status_code == 302
    assert SegmentCampaign.objects.filter(segment=churn).count() == 1
    edit = reverse("console:members_layer_playbook", args=[churn.pk])
    assert admin_client.get(edit).status_code == 200
    saved = admin_client.post(
        edit,
        {"coupon1_name": "大额券", "coupon1_kind": "amount_off", "coupon1_threshold": "100", "coupon1_off": "60",
         "coupon1_days": "10", "points": "0", "holdout_percent": "20", "follow_up": "on", "early_access_days": "0",
         "message_title": "", "message_body": ""},
    )  # fmt: skip
    assert saved.status_code == 302
    churn.refresh_from_db()
    assert churn.playbook["coupons"][0] == {"name": "大额券", "kind": "amount_off", "threshold": 10_000, "off": 6_000,
                                            "valid_days": 10}  # fmt: skip
    assert churn.playbook["holdout_percent"] == 20
