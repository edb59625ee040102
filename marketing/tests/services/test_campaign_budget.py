"""The campaign budget (B02): reserved at placement, released on cancel and refund, pauses when spent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import AuditLog, Sku
from marketing.errors import CampaignBudgetSpent
from marketing.models import Campaign, CampaignBudgetHold, CampaignPauseReason, CampaignStatus, Promotion
from marketing.services.campaign_budget import budget_charges
from marketing.services.campaigns import (
    CampaignData,
    campaign_create,
    campaign_publish,
    campaign_tool_add,
    campaigns_budget_sweep,
)
from marketing.tests.conftest import pay, place
from members.tests.factories import MemberFactory
from orders.models import Order
from orders.services.orders import order_cancel
from orders.services.refunds import refund_create, refund_mark_succeeded

pytestmark = pytest.mark.django_db

# 满100减15 on a 100.00 lipstick: every order takes 15.00 of the budget.
OFF = 1500


def budgeted(staff: User, promotion: Promotion, **budget: Any) -> Campaign:
    now = timezone.now()
    campaign = campaign_create(
        actor=staff,
        data=CampaignData(name="会员日", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1), **budget),
    )
    campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind="promotion", object_id=promotion.pk)
    campaign_publish(actor=staff, campaign_id=campaign.pk)
    return Campaign.objects.get(pk=campaign.pk)


@pytest.fixture
def promotion(make_promotion: Callable[..., Promotion], shop: Any) -> Promotion:
    return make_promotion()


def test_orders_reserve_the_discount_and_the_last_fen_pauses_the_campaign(
    staff: User, promotion: Promotion, lipstick: Sku
) -> None:
    campaign = budgeted(staff, promotion, budget_amount=2 * OFF)
    first, second = place(MemberFactory.create(), [(lipstick, 1)]), place(MemberFactory.create(), [(lipstick, 1)])

    campaign.refresh_from_db()
    assert (campaign.spent_amount, campaign.spent_uses) == (2 * OFF, 2)
    assert sorted(CampaignBudgetHold.objects.values_list("order_id", "amount")) == [(first.pk, OFF), (second.pk, OFF)]
    assert campaign.status == CampaignStatus.PAUSED
    assert campaign.pause_reason == CampaignPauseReason.BUDGET
    assert not Promotion.objects.get(pk=promotion.pk).is_active
    assert AuditLog.objects.get(action="campaign.pause").actor is None  # the system paused it

    # The next quote runs without the paused promotion: the order is placed at full price.
    third = place(MemberFactory.create(), [(lipstick, 1)])
    assert third.discount_amount == 0
    assert Campaign.objects.get(pk=campaign.pk).spent_amount == 2 * OFF


def test_an_order_that_does_not_fit_is_refused_and_the_sweep_pauses_the_campaign(
    staff: User, promotion: Promotion, lipstick: Sku
) -> None:
    campaign = budgeted(staff, promotion, budget_amount=OFF + 500)
    place(MemberFactory.create(), [(lipstick, 1)])

    with pytest.raises(CampaignBudgetSpent):
        place(MemberFactory.create(), [(lipstick, 1)])

    assert Order.objects.count() == 1
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.LIVE
    assert campaigns_budget_sweep() == 1
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.PAUSED
    assert campaigns_budget_sweep() == 0  # exactly once


def test_a_use_budget_counts_orders(staff: User, promotion: Promotion, lipstick: Sku) -> None:
    campaign = budgeted(staff, promotion, budget_uses=1)
    place(MemberFactory.create(), [(lipstick, 1)])
    campaign.refresh_from_db()
    assert (campaign.spent_uses, campaign.status) == (1, CampaignStatus.PAUSED)


def test_cancelling_gives_the_reservation_back_once(staff: User, promotion: Promotion, lipstick: Sku) -> None:
    campaign = budgeted(staff, promotion, budget_amount=10 * OFF)
    order = place(MemberFactory.create(), [(lipstick, 1)])

    assert order_cancel(order_id=order.pk, reason="test")
    order_cancel(order_id=order.pk, reason="again")

    campaign.refresh_from_db()
    assert (campaign.spent_amount, campaign.spent_uses) == (0, 0)
    hold = CampaignBudgetHold.objects.get(order=order)
    assert (hold.released_amount, hold.released_uses) == (OFF, 1)


def test_refunds_give_back_the_refunded_share_then_all_of_it(
    staff: User, promotion: Promotion, lipstick: Sku, make_sku: Callable[..., Sku]
) -> None:
    campaign = budgeted(staff, promotion, budget_amount=10 * OFF)
    order = pay(place(MemberFactory.create(), [(lipstick, 2)]))  # 200.00 − 15.00 (满100减15 once)
    lines = list(order.lines.order_by("pk"))

    first = refund_create(order_id=order.pk, lines=[(lines[0].pk, 1)], reason="退一件", actor=staff)
    refund_mark_succeeded(refund_id=first.pk)
    refund_mark_succeeded(refund_id=first.pk)  # a repeated notice changes nothing

    campaign.refresh_from_db()
    assert campaign.spent_amount == OFF - OFF * first.amount // Order.objects.get(pk=order.pk).payable_amount
    assert campaign.spent_uses == 1

    rest = refund_create(order_id=order.pk, lines=None, reason="全退", actor=staff)
    refund_mark_succeeded(refund_id=rest.pk)

    campaign.refresh_from_db()
    assert (campaign.spent_amount, campaign.spent_uses) == (0, 0)


def test_only_budgeted_campaigns_tools_are_charged(staff: User, promotion: Promotion) -> None:
    applied = [{"rule_id": f"promotion:{promotion.pk}", "amount": OFF}, {"rule_id": "tier:gold", "amount": 300}]
    assert budget_charges(applied) == {}
    campaign = budgeted(staff, promotion, budget_amount=5000)
    assert budget_charges(applied) == {campaign.pk: OFF}
