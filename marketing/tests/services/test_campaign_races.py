"""Campaigns under load (real threads, MariaDB): 50 parallel checkouts never take a campaign past its
budget (B02); stock added live while shoppers claim is exact (F30); pausing during checkouts deadlocks
nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import Category, Product, ShopSettings, Sku
from mall.tests.concurrency import run_in_threads
from marketing.errors import CampaignBudgetSpent, CouponSoldOut
from marketing.models import Campaign, CampaignBudgetHold, CampaignStatus, Coupon, CouponTemplate
from marketing.services.campaigns import (
    CampaignData,
    ToolAdjustment,
    campaign_create,
    campaign_pause,
    campaign_publish,
    campaign_tool_add,
    campaign_tool_adjust,
)
from marketing.services.coupons import coupon_claim, coupon_template_create
from marketing.services.promotions import promotion_create
from marketing.tests.conftest import promotion_data, template_data
from members.models import Address, Member
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import Order
from orders.services.orders import order_place

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]

OFF = 1500  # 满100减15 on a 100.00 cream
BUDGET_ORDERS = 10


def _staff() -> User:
    return User.objects.create_superuser(username=f"s{uuid.uuid4().hex[:8]}", password="x")


def _campaign(staff: User, kind: str, object_id: int, **budget: int) -> Campaign:
    now = timezone.now()
    campaign = campaign_create(
        actor=staff,
        data=CampaignData(name="会员日", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1), **budget),
    )
    campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind=kind, object_id=object_id)
    campaign_publish(actor=staff, campaign_id=campaign.pk)
    return campaign


def _checkouts(n: int) -> tuple[Sku, list[tuple[Member, Address]]]:
    """``n`` shoppers with an address each and a 100.00 cream with stock for all of them."""
    ShopSettings.load()
    product = Product.objects.create(category=Category.objects.create(name="美妆"), title="面霜", min_price=10000)
    sku = Sku.objects.create(product=product, code=f"CREAM-{uuid.uuid4().hex[:6]}", price=10000, stock=100)
    shoppers = MemberFactory.create_batch(n)
    return sku, [(shopper, AddressFactory.create(member=shopper)) for shopper in shoppers]


def _place(sku: Sku, buyer: tuple[Member, Address]) -> Order:
    shopper, address = buyer
    return order_place(
        context=SHOPPER_CONTEXT,
        member=shopper,
        items=[(sku.pk, 1)],
        address_id=address.pk,
        idempotency_key=uuid.uuid4().hex,
    )


def test_fifty_parallel_checkouts_spend_exactly_the_budget_and_pause_the_campaign() -> None:
    staff = _staff()
    sku, buyers = _checkouts(50)
    promotion = promotion_create(actor=staff, data=promotion_data())
    campaign = _campaign(staff, "promotion", promotion.pk, budget_amount=BUDGET_ORDERS * OFF)

    results = run_in_threads(50, lambda i: _place(sku, buyers[i]))

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, CampaignBudgetSpent)]
    assert len(placed) + len(refused) == 50, [
        repr(r) for r in results if not isinstance(r, Order | CampaignBudgetSpent)
    ]
    discounted = [o for o in placed if o.discount_amount == OFF]
    assert len(discounted) == BUDGET_ORDERS
    assert all(o.discount_amount == 0 for o in placed if o not in discounted)  # quoted after the pause
    assert all((r.code, r.status) == ("campaign_budget_spent", 409) for r in refused)
    campaign.refresh_from_db()
    assert (campaign.spent_amount, campaign.spent_uses) == (BUDGET_ORDERS * OFF, BUDGET_ORDERS)
    assert campaign.status == CampaignStatus.PAUSED
    holds = CampaignBudgetHold.objects.filter(campaign=campaign)
    assert sorted(holds.values_list("order_id", flat=True)) == sorted(o.pk for o in discounted)
    assert Campaign.objects.filter(pk=campaign.pk, spent_amount__gt=BUDGET_ORDERS * OFF).count() == 0


def test_stock_added_live_while_forty_shoppers_claim_is_exact() -> None:
    """20 coupons, 10 merchant clicks of +1 racing 40 claims: the total is 30 and never over-issued."""
    staff = _staff()
    template = coupon_template_create(actor=staff, data=template_data(total_quantity=20))
    campaign = _campaign(staff, "coupon", template.pk)
    tool = campaign.tools.get()
    shoppers = MemberFactory.create_batch(40)

    def work(i: int) -> object:
        if i < 10:
            return campaign_tool_adjust(
                actor=staff,
                campaign_id=campaign.pk,
                tool_id=tool.pk,
                adjustment=ToolAdjustment(action="add_stock", units=1),
            )
        return coupon_claim(context=SHOPPER_CONTEXT, member=shoppers[i - 10], template_id=template.pk)

    results = run_in_threads(50, work)

    unexpected = [r for r in results if not isinstance(r, str | Coupon | CouponSoldOut)]
    assert not unexpected, unexpected
    assert sum(isinstance(r, str) for r in results) == 10
    issued = Coupon.objects.filter(template=template).count()
    fresh = CouponTemplate.objects.get(pk=template.pk)
    assert fresh.total_quantity == 30
    assert issued == fresh.issued_count == sum(isinstance(r, Coupon) for r in results)
    assert 20 <= issued <= 30  # a claim that came before the stock may have been refused
    # every added coupon is really there: late shoppers get exactly what is left, never more
    late = [
        coupon_claim(context=SHOPPER_CONTEXT, member=shopper, template_id=template.pk)
        for shopper in MemberFactory.create_batch(30 - issued)
    ]
    assert len(late) == 30 - issued
    assert CouponTemplate.objects.get(pk=template.pk).issued_count == 30


def test_pausing_during_thirty_budgeted_checkouts_deadlocks_nothing() -> None:
    staff = _staff()
    sku, buyers = _checkouts(30)
    promotion = promotion_create(actor=staff, data=promotion_data())
    campaign = _campaign(staff, "promotion", promotion.pk, budget_amount=100 * OFF)

    def work(i: int) -> object:
        if i == 30:
            return campaign_pause(actor=staff, campaign_id=campaign.pk)
        return _place(sku, buyers[i])

    results = run_in_threads(31, work)

    unexpected = [r for r in results if not isinstance(r, Order | Campaign)]
    assert not unexpected, unexpected
    discounted = [r for r in results if isinstance(r, Order) and r.discount_amount == OFF]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PAUSED
    assert (campaign.spent_amount, campaign.spent_uses) == (len(discounted) * OFF, len(discounted))
