"""助力砍价 under real concurrency: one help per friend, every planned cut applied exactly once,
and an order never pays more than the price the helps have reached."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User

from mall.models import Category, Product, ShopSettings, Sku
from mall.tests.concurrency import run_in_threads
from marketing.errors import BargainAlreadyHelped, BargainClosed, BargainPriceChanged
from marketing.models import Bargain, BargainHelp, BargainStatus
from marketing.services.bargains import bargain_campaign_create, bargain_help, bargain_start
from marketing.tests.conftest import bargain_campaign_data, bargain_order
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import Order

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def _campaign(**overrides: Any) -> Any:
    ShopSettings.load()
    staff = User.objects.create_superuser(username=f"ops-{uuid.uuid4().hex[:6]}", password="x", email="o@e.com")
    product = Product.objects.create(category=Category.objects.create(name="数码"), title="音箱", min_price=19900)
    sku = Sku.objects.create(product=product, code=f"SPK-{uuid.uuid4().hex[:6]}", price=19900, stock=100)
    return bargain_campaign_create(actor=staff, data=bargain_campaign_data(sku, **overrides)), sku


def test_one_friend_tapping_help_six_times_at_once_helps_once() -> None:
    campaign, _sku = _campaign()
    initiator, friend = MemberFactory.create_batch(2)
    bargain = bargain_start(context=SHOPPER_CONTEXT, member=initiator, campaign_id=campaign.pk).bargain

    results = run_in_threads(
        6, lambda i: bargain_help(context=SHOPPER_CONTEXT, helper=friend, share_token=bargain.share_token)
    )

    assert sum(isinstance(r, BargainHelp) for r in results) == 1, results
    assert all(isinstance(r, BargainAlreadyHelped) for r in results if not isinstance(r, BargainHelp)), results
    fresh = Bargain.objects.get(pk=bargain.pk)
    assert (fresh.helps_count, fresh.current_price) == (1, 19900 - bargain.plan[0])


def test_more_friends_than_planned_helping_at_once_reach_the_floor_exactly() -> None:
    campaign, _sku = _campaign(helpers_min=4, helpers_max=6, cut_min=2000, cut_max=6000)
    initiator = MemberFactory.create()
    bargain = bargain_start(context=SHOPPER_CONTEXT, member=initiator, campaign_id=campaign.pk).bargain
    planned = len(bargain.plan)
    friends = MemberFactory.create_batch(planned + 4)

    results = run_in_threads(
        len(friends),
        lambda i: bargain_help(context=SHOPPER_CONTEXT, helper=friends[i], share_token=bargain.share_token),
    )

    helps = [r for r in results if isinstance(r, BargainHelp)]
    assert len(helps) == planned, results
    assert all(isinstance(r, BargainClosed) for r in results if not isinstance(r, BargainHelp)), results
    fresh = Bargain.objects.get(pk=bargain.pk)
    assert (fresh.current_price, fresh.status) == (0, BargainStatus.REACHED)
    rows = list(BargainHelp.objects.filter(bargain=bargain).order_by("seq"))
    assert [r.seq for r in rows] == list(range(1, planned + 1))
    assert [r.cut for r in rows] == bargain.plan
    assert sum(r.cut for r in rows) == 19900


def test_buying_while_friends_help_never_pays_more_than_the_price_reached() -> None:
    campaign, sku = _campaign()
    initiator = MemberFactory.create()
    AddressFactory.create(member=initiator)
    bargain = bargain_start(context=SHOPPER_CONTEXT, member=initiator, campaign_id=campaign.pk).bargain
    friends = MemberFactory.create_batch(8)

    def work(i: int) -> Any:
        if i == 0:
            return bargain_order(initiator, bargain, sku)
        return bargain_help(context=SHOPPER_CONTEXT, helper=friends[i - 1], share_token=bargain.share_token)

    results = run_in_threads(len(friends) + 1, work)

    bought, helps = results[0], [r for r in results[1:] if isinstance(r, BargainHelp)]
    unexpected = [r for r in results[1:] if not isinstance(r, BargainHelp | BargainClosed)]
    assert not unexpected, unexpected
    fresh = Bargain.objects.get(pk=bargain.pk)
    assert fresh.current_price == 19900 - sum(h.cut for h in helps)
    if isinstance(bought, Order):
        assert fresh.status == BargainStatus.ORDERED
        # Helps after the order was taken were refused, so it paid the price the helps reached.
        assert bought.lines.get().unit_price == fresh.current_price
    else:
        assert isinstance(bought, BargainPriceChanged), bought
        assert fresh.status == BargainStatus.ONGOING
