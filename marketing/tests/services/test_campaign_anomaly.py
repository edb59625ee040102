"""F31 counting and judging: orders placed through a campaign's tools count; the rules are pure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mall.models import AuditLog, Sku
from mall.tests.concurrency import run_in_threads
from marketing.models import Campaign, CampaignAnomaly, CampaignStatus, CouponTemplate, Promotion
from marketing.services.campaign_anomaly import (
    DEFAULT_THRESHOLDS,
    AnomalyThresholds,
    MinuteFigures,
    anomaly_reasons,
    campaigns_anomaly_watch,
    expected_rate,
    minute_figures,
)
from marketing.services.campaign_anomaly_counts import minute_of, participation_count
from marketing.services.campaign_budget import coupon_templates_of, rule_tool_keys
from marketing.services.campaigns import CampaignData, campaign_create, campaign_publish, campaign_tool_add
from marketing.services.coupons import coupon_claim
from marketing.tests.conftest import place
from members.services.abuse import RequestContext
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db


def figures(**overrides: Any) -> MinuteFigures:
    fields: dict[str, Any] = {
        "participations": 10,
        "new_accounts": 0,
        "baseline": 8.0,
        "accounts_by_ip": {"10.0.0.1": 1},
        "accounts_by_device": {"p1": 1},
    }
    fields.update(overrides)
    return MinuteFigures(**fields)


def test_the_expected_rate_is_the_trailing_baseline_never_below_the_floor() -> None:
    assert expected_rate(figures(baseline=3.0), DEFAULT_THRESHOLDS) == 20
    assert expected_rate(figures(baseline=64.4), DEFAULT_THRESHOLDS) == 64


def test_a_busy_but_ordinary_minute_is_no_anomaly() -> None:
    busy = figures(participations=300, baseline=80.0, new_accounts=30, accounts_by_ip={"a": 2, "b": 3})
    assert anomaly_reasons(busy, DEFAULT_THRESHOLDS) == []


def test_a_spike_beyond_the_multiplier_is_an_anomaly_even_from_many_addresses() -> None:
    assert anomaly_reasons(figures(participations=101, baseline=2.0), DEFAULT_THRESHOLDS) == ["spike"]
    assert anomaly_reasons(figures(participations=100, baseline=2.0), DEFAULT_THRESHOLDS) == []


def test_abuse_signals_count_only_from_the_floor_up() -> None:
    farm = {"accounts_by_device": {"farm": 4}, "accounts_by_ip": {"1.2.3.4": 9}, "new_accounts": 19}
    assert anomaly_reasons(figures(participations=19, **farm), DEFAULT_THRESHOLDS) == []
    assert anomaly_reasons(figures(participations=20, **farm), DEFAULT_THRESHOLDS) == [
        "new_accounts",
        "accounts_per_ip",
        "accounts_per_device",
    ]
    phones = figures(participations=20, accounts_by_phone={"138****0443": 4})
    assert anomaly_reasons(phones, DEFAULT_THRESHOLDS) == ["accounts_per_phone"]
    lenient = AnomalyThresholds(accounts_per_device=10, accounts_per_ip=10, new_account_percent=100)
    assert anomaly_reasons(figures(participations=20, **farm), lenient) == []


@time_machine.travel("2026-06-18 10:00:05 +0800", tick=False)
def test_an_order_placed_with_a_campaigns_promotion_counts_for_that_campaign_only(
    staff: User, make_promotion: Callable[..., Promotion], lipstick: Sku, redis_client: Any
) -> None:
    now = timezone.now()
    campaign = campaign_create(
        actor=staff, data=CampaignData(name="618", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1))
    )
    promotion = make_promotion(ends_at=now + timedelta(days=1))
    campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind="promotion", object_id=promotion.pk)
    campaign_publish(actor=staff, campaign_id=campaign.pk)
    shopper = MemberFactory.create()

    order = place(shopper, [(lipstick, 2)])

    assert any(row["rule_id"] == f"promotion:{promotion.pk}" for row in order.pricing["applied"])
    counted = minute_figures(campaign_id=campaign.pk, minute=minute_of(now))
    assert counted.participations == 1
    assert counted.new_accounts == 1
    phone = str(order.address["phone"])
    assert counted.accounts_by_phone == {f"{phone[:3]}****{phone[-4:]}": 1}  # masked, never the full number
    assert minute_figures(campaign_id=campaign.pk + 1, minute=minute_of(now)).participations == 0


@time_machine.travel("2026-06-18 10:00:05 +0800", tick=False)
def test_an_order_with_a_campaigns_coupon_counts_without_reading_the_coupon_again(
    staff: User, make_template: Callable[..., CouponTemplate], lipstick: Sku, redis_client: Any
) -> None:
    """The order keeps its coupons' templates (issue 12): the count after commit maps the coupon
    to its campaign without a query; an order placed before that is mapped by reading the coupon."""
    now = timezone.now()
    campaign = campaign_create(
        actor=staff, data=CampaignData(name="618", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1))
    )
    template = make_template(valid_days=None, valid_from=now - timedelta(hours=1), valid_until=now + timedelta(days=1))
    campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind="coupon", object_id=template.pk)
    campaign_publish(actor=staff, campaign_id=campaign.pk)
    shopper = MemberFactory.create()
    coupon = coupon_claim(context=SHOPPER_CONTEXT, member=shopper, template_id=template.pk)

    with CaptureQueriesContext(connection) as captured:
        order = place(shopper, [(lipstick, 1)], coupon_ids=[coupon.pk])

    assert [c["template_id"] for c in order.pricing["coupons"]] == [template.pk]
    assert minute_figures(campaign_id=campaign.pk, minute=minute_of(now)).participations == 2  # claim, order
    assert not [q for q in captured.captured_queries if q["sql"].startswith("SELECT `id`, `template_id`")]
    rule_id = f"coupon:{coupon.pk}"
    assert rule_tool_keys({rule_id}, {"coupon"}, coupon_templates_of(order.pricing)) == {
        rule_id: ("coupon", template.pk)
    }
    assert rule_tool_keys({rule_id}, {"coupon"}, coupon_templates_of({})) == {rule_id: ("coupon", template.pk)}


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_the_watch_fired_by_eight_workers_at_once_judges_the_minute_once(
    staff: User, make_promotion: Callable[..., Promotion], redis_client: Any
) -> None:
    with time_machine.travel("2026-06-18 10:00:05 +0800", tick=False) as clock:
        now = timezone.now()
        campaign = campaign_create(
            actor=staff,
            data=CampaignData(name="618", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1)),
        )
        campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind="promotion", object_id=make_promotion().pk)
        campaign_publish(actor=staff, campaign_id=campaign.pk)
        farm = RequestContext(ip="203.0.113.5", device_id="farm")
        for account in MemberFactory.create_batch(25):
            participation_count(campaign_ids=[campaign.pk], member=account, context=farm)
        clock.shift(timedelta(minutes=1))

        outcomes = run_in_threads(8, lambda _i: campaigns_anomaly_watch())

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert sum(len(outcome) for outcome in outcomes) == 1
    assert CampaignAnomaly.objects.filter(campaign=campaign).count() == 1
    assert AuditLog.objects.filter(action="campaign.pause", target_id=str(campaign.pk)).count() == 1
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.PAUSED
