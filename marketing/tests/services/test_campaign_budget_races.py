"""B02 under load: 50 parallel checkouts never take a campaign past its budget (real threads, MariaDB)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import Category, Product, ShopSettings, Sku
from mall.tests.concurrency import run_in_threads
from marketing.errors import CampaignBudgetSpent
from marketing.models import Campaign, CampaignBudgetHold, CampaignStatus
from marketing.services.campaigns import CampaignData, campaign_create, campaign_publish, campaign_tool_add
from marketing.services.promotions import promotion_create
from marketing.tests.conftest import promotion_data
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import Order
from orders.services.orders import order_place

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]

OFF = 1500  # 满100减15 on a 100.00 cream
BUDGET_ORDERS = 10


def test_fifty_parallel_checkouts_spend_exactly_the_budget_and_pause_the_campaign() -> None:
    ShopSettings.load()
    staff = User.objects.create_superuser(username=f"s{uuid.uuid4().hex[:8]}", password="x")
    product = Product.objects.create(category=Category.objects.create(name="美妆"), title="面霜", min_price=10000)
    sku = Sku.objects.create(product=product, code="CREAM", price=10000, stock=100)
    promotion = promotion_create(actor=staff, data=promotion_data())
    now = timezone.now()
    campaign = campaign_create(
        actor=staff,
        data=CampaignData(
            name="会员日",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=1),
            budget_amount=BUDGET_ORDERS * OFF,
        ),
    )
    campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind="promotion", object_id=promotion.pk)
    campaign_publish(actor=staff, campaign_id=campaign.pk)
    shoppers = MemberFactory.create_batch(50)
    addresses = [AddressFactory.create(member=shopper) for shopper in shoppers]

    def checkout(i: int) -> Order:
        return order_place(
            context=SHOPPER_CONTEXT,
            member=shoppers[i],
            items=[(sku.pk, 1)],
            address_id=addresses[i].pk,
            idempotency_key=uuid.uuid4().hex,
        )

    results = run_in_threads(50, checkout)

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
