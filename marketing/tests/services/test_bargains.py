"""助力砍价 (F05): start, friends' helps along the stored plan, farming limits, buying at the
current price through the deal seam, and the deadline. Time moves with time-machine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User

from analytics.models import Event
from mall.models import AuditLog, Sku
from marketing.errors import (
    BargainAlreadyHelped,
    BargainCampaignNotOpen,
    BargainClosed,
    BargainHelperNewOnly,
    BargainHelpLimited,
    BargainLimitReached,
    BargainNotFound,
    BargainPriceChanged,
    BargainSelfHelp,
    BargainSoldOut,
    DealNotFound,
    RulesInvalid,
)
from marketing.models import Bargain, BargainCampaign, BargainHelp, BargainStatus
from marketing.services import bargains as bargain_services
from marketing.services.bargains import (
    bargain_campaign_create,
    bargain_campaign_end,
    bargain_expire,
    bargain_expire_due,
    bargain_help,
    bargain_start,
)
from marketing.tests.conftest import bargain_campaign_data, bargain_order, pay, place
from members.models import Member, Message
from members.services.abuse import RequestContext
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import Order, OrderStatus
from orders.services.orders import order_cancel, order_expire

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(make_bargain_campaign: Callable[..., Any], speaker: Sku) -> BargainCampaign:
    return make_bargain_campaign(speaker)


@pytest.fixture
def friends(db: Any) -> list[Member]:
    return MemberFactory.create_batch(22)


def _help_all(bargain: Bargain, friends: list[Member], n: int | None = None) -> list[BargainHelp]:
    return [
        bargain_help(context=SHOPPER_CONTEXT, helper=f, share_token=bargain.share_token)
        for f in friends[: n or len(bargain.plan)]
    ]


def _fresh(bargain: Bargain) -> Bargain:
    return Bargain.objects.get(pk=bargain.pk)


def test_friends_cut_along_the_plan_and_the_last_planned_help_lands_on_the_floor(
    campaign: BargainCampaign, member: Member, friends: list[Member]
) -> None:
    bargain = bargain_start(context=SHOPPER_CONTEXT, member=member, campaign_id=campaign.pk).bargain
    assert (bargain.current_price, bargain.status, len(bargain.plan)) == (19900, BargainStatus.ONGOING, 20)
    assert sum(bargain.plan) == 19900

    helps = _help_all(bargain, friends, 5)
    assert [h.cut for h in helps] == bargain.plan[:5]
    assert _fresh(bargain).current_price == 19900 - sum(bargain.plan[:5])
    assert _fresh(bargain).remaining == _fresh(bargain).current_price

    _help_all(_fresh(bargain), friends[5:], 15)
    done = _fresh(bargain)
    assert (done.current_price, done.helps_count, done.status) == (0, 20, BargainStatus.REACHED)
    with pytest.raises(BargainClosed):
        bargain_help(context=SHOPPER_CONTEXT, helper=friends[20], share_token=bargain.share_token)
    assert Message.objects.get(kind="bargain_reached").member_id == member.pk
    assert Event.objects.filter(name="bargain_helped").count() == 20
    assert Event.objects.filter(name__in=["bargain_started", "bargain_reached"]).count() == 2


def test_starting_again_returns_the_open_bargain_and_the_limit_counts_starts(
    make_bargain_campaign: Callable[..., Any], speaker: Sku, member: Member
) -> None:
    campaign = make_bargain_campaign(speaker, per_member_limit=1, duration_minutes=60)
    first = bargain_start(context=SHOPPER_CONTEXT, member=member, campaign_id=campaign.pk)
    again = bargain_start(context=SHOPPER_CONTEXT, member=member, campaign_id=campaign.pk)
    assert first.created and not again.created and again.bargain.pk == first.bargain.pk
    with time_machine.travel(first.bargain.expires_at, tick=False):
        assert bargain_expire_due() == 1
        with pytest.raises(BargainLimitReached):
            bargain_start(context=SHOPPER_CONTEXT, member=member, campaign_id=campaign.pk)


def test_one_help_per_friend_never_the_initiator(
    campaign: BargainCampaign, member: Member, friends: list[Member]
) -> None:
    bargain = bargain_start(context=SHOPPER_CONTEXT, member=member, campaign_id=campaign.pk).bargain
    with pytest.raises(BargainSelfHelp):
        bargain_help(context=SHOPPER_CONTEXT, helper=member, share_token=bargain.share_token)
    bargain_help(context=SHOPPER_CONTEXT, helper=friends[0], share_token=bargain.share_token)
    with pytest.raises(BargainAlreadyHelped):
        bargain_help(context=SHOPPER_CONTEXT, helper=friends[0], share_token=bargain.share_token)
    with pytest.raises(BargainNotFound):
        bargain_help(context=SHOPPER_CONTEXT, helper=friends[1], share_token="nope")
    assert _fresh(bargain).helps_count == 1


def test_new_shoppers_only(
    make_bargain_campaign: Callable[..., Any], speaker: Sku, cookie: Sku, member: Member, friends: list[Member]
) -> None:
    campaign = make_bargain_campaign(speaker, helper_new_only=True)
    bargain = bargain_start(context=SHOPPER_CONTEXT, member=member, campaign_id=campaign.pk).bargain
    place(friends[0], [(cookie, 1)])
    with pytest.raises(BargainHelperNewOnly):
        bargain_help(context=SHOPPER_CONTEXT, helper=friends[0], share_token=bargain.share_token)
    bargain_help(context=SHOPPER_CONTEXT, helper=friends[1], share_token=bargain.share_token)


def test_farming_limits_per_day_per_network_and_per_device(
    make_bargain_campaign: Callable[..., Any], speaker: Sku, friends: list[Member]
) -> None:
    campaign = make_bargain_campaign(speaker, helps_per_helper_per_day=2, helps_per_ip=2, per_member_limit=1)
    starters = MemberFactory.create_batch(3)
    bargains = [bargain_start(context=SHOPPER_CONTEXT, member=m, campaign_id=campaign.pk).bargain for m in starters]
    helper = friends[0]
    with time_machine.travel("2026-03-02 23:50 +0800", tick=False):
        for bargain in bargains[:2]:
            bargain_help(context=SHOPPER_CONTEXT, helper=helper, share_token=bargain.share_token)
        with pytest.raises(BargainHelpLimited) as per_day:
            bargain_help(context=SHOPPER_CONTEXT, helper=helper, share_token=bargains[2].share_token)
        assert per_day.value.details["limit"] == "per_day"
    with time_machine.travel("2026-03-03 00:05 +0800", tick=False):  # a new day in Shanghai
        bargain_help(context=SHOPPER_CONTEXT, helper=helper, share_token=bargains[2].share_token)

        target = bargains[0].share_token
        bargain_help(helper=friends[1], share_token=target, context=RequestContext(ip="203.0.113.7", device_id="dev-1"))
        with pytest.raises(BargainHelpLimited) as per_device:
            bargain_help(
                helper=friends[2], share_token=target, context=RequestContext(ip="198.51.100.1", device_id="dev-1")
            )
        assert per_device.value.details["limit"] == "per_device"
        bargain_help(helper=friends[3], share_token=target, context=RequestContext(ip="203.0.113.7", device_id="dev-2"))
        with pytest.raises(BargainHelpLimited) as per_ip:
            bargain_help(
                helper=friends[4], share_token=target, context=RequestContext(ip="203.0.113.7", device_id="dev-3")
            )
        assert per_ip.value.details["limit"] == "per_ip"
    assert BargainHelp.objects.filter(bargain=bargains[0]).count() == 3


def test_the_initiator_buys_at_the_current_price_and_once(
    campaign: BargainCampaign, speaker: Sku, member: Member, friends: list[Member]
) -> None:
    bargain = bargain_start(context=SHOPPER_CONTEXT, member=member, campaign_id=campaign.pk).bargain
    _help_all(bargain, friends, 3)
    price = _fresh(bargain).current_price
    order = bargain_order(member, bargain, speaker)
    assert (order.deal_kind, order.deal_ref) == ("bargain", bargain.pk)
    assert order.lines.get().unit_price == price
    assert order.pricing["applied"][0]["name"] == campaign.name
    assert _fresh(bargain).status == BargainStatus.ORDERED
    assert BargainCampaign.objects.get(pk=campaign.pk).sold_count == 1
    with pytest.raises(BargainClosed):  # no more helps while an order holds it
        bargain_help(context=SHOPPER_CONTEXT, helper=friends[10], share_token=bargain.share_token)
    with pytest.raises(BargainClosed):
        bargain_order(member, bargain, speaker)

    assert order_cancel(order_id=order.pk, reason="shopper")
    assert _fresh(bargain).status == BargainStatus.ONGOING
    assert BargainCampaign.objects.get(pk=campaign.pk).sold_count == 0
    bargain_help(context=SHOPPER_CONTEXT, helper=friends[10], share_token=bargain.share_token)

    bought = pay(bargain_order(member, _fresh(bargain), speaker))
    assert bought.status == OrderStatus.PAID and bought.ship_hold == ""
    assert (_fresh(bargain).status, _fresh(bargain).bought_at is not None) == (BargainStatus.BOUGHT, True)
    assert Event.objects.filter(name="bargain_bought").count() == 1


def test_only_the_initiator_buys_and_only_the_bargains_sku(
    campaign: BargainCampaign, speaker: Sku, cookie: Sku, member: Member, other_member: Member
) -> None:
    bargain = bargain_start(context=SHOPPER_CONTEXT, member=member, campaign_id=campaign.pk).bargain
    with pytest.raises(DealNotFound):
        bargain_order(other_member, bargain, speaker)
    with pytest.raises(DealNotFound):
        bargain_order(member, bargain, cookie)


def test_free_when_cut_to_zero(campaign: BargainCampaign, speaker: Sku, member: Member, friends: list[Member]) -> None:
    bargain = bargain_start(context=SHOPPER_CONTEXT, member=member, campaign_id=campaign.pk).bargain
    _help_all(bargain, friends)
    order = bargain_order(member, _fresh(bargain), speaker)
    assert order.lines.get().unit_price == 0
    # Nothing to pay (shipping is free on a free order): paid at placement, no payment round-trip.
    assert (order.payable_amount, order.status) == (0, OrderStatus.PAID)
    assert _fresh(bargain).status == BargainStatus.BOUGHT


def test_a_help_landing_between_pricing_and_taking_refuses_the_dearer_order(
    campaign: BargainCampaign, speaker: Sku, member: Member, friends: list[Member], monkeypatch: pytest.MonkeyPatch
) -> None:
    bargain = bargain_start(context=SHOPPER_CONTEXT, member=member, campaign_id=campaign.pk).bargain
    original = bargain_services.BargainDeal.take

    def help_first(self: Any, **kwargs: Any) -> int:
        bargain_help(
            context=SHOPPER_CONTEXT, helper=friends[0], share_token=bargain.share_token
        )  # a friend's help commits meanwhile
        return original(self, **kwargs)

    monkeypatch.setattr(bargain_services.BargainDeal, "take", help_first)
    with pytest.raises(BargainPriceChanged):
        bargain_order(member, bargain, speaker)
    assert not Order.objects.filter(deal_kind="bargain").exists()


def test_the_deadline_closes_open_bargains_but_an_unpaid_order_keeps_its_chance(
    make_bargain_campaign: Callable[..., Any], speaker: Sku, friends: list[Member]
) -> None:
    campaign = make_bargain_campaign(speaker, duration_minutes=60)
    idle, buying, late = MemberFactory.create_batch(3)
    idle_bargain = bargain_start(context=SHOPPER_CONTEXT, member=idle, campaign_id=campaign.pk).bargain
    bargain_help(context=SHOPPER_CONTEXT, helper=friends[0], share_token=idle_bargain.share_token)
    buying_bargain = bargain_start(context=SHOPPER_CONTEXT, member=buying, campaign_id=campaign.pk).bargain
    late_bargain = bargain_start(context=SHOPPER_CONTEXT, member=late, campaign_id=campaign.pk).bargain
    deadline = idle_bargain.expires_at
    with time_machine.travel(deadline - timedelta(minutes=5), tick=False):
        paying = bargain_order(buying, buying_bargain, speaker)
        lapsing = bargain_order(late, late_bargain, speaker)
    with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
        assert bargain_expire_due() == 1
        assert bargain_expire(bargain_id=idle_bargain.pk) is False  # the task after the sweeper: nothing
        with pytest.raises(BargainClosed):
            bargain_help(context=SHOPPER_CONTEXT, helper=friends[1], share_token=idle_bargain.share_token)
        pay(paying)
    with time_machine.travel(lapsing.expires_at, tick=False):
        assert order_expire(order_id=lapsing.pk)
    assert _fresh(idle_bargain).status == BargainStatus.EXPIRED
    assert _fresh(buying_bargain).status == BargainStatus.BOUGHT
    assert _fresh(late_bargain).status == BargainStatus.EXPIRED  # released after the deadline: closed
    assert Message.objects.filter(kind="bargain_expired").count() == 1  # only the one friends helped


def test_the_quantity_sells_out_and_comes_back_on_cancel(
    make_bargain_campaign: Callable[..., Any], speaker: Sku, friends: list[Member]
) -> None:
    campaign = make_bargain_campaign(speaker, total_quantity=1)
    first, second = MemberFactory.create_batch(2)
    a = bargain_start(context=SHOPPER_CONTEXT, member=first, campaign_id=campaign.pk).bargain
    b = bargain_start(context=SHOPPER_CONTEXT, member=second, campaign_id=campaign.pk).bargain
    order = bargain_order(first, a, speaker)
    with pytest.raises(BargainSoldOut):
        bargain_order(second, b, speaker)
    with pytest.raises(BargainSoldOut):
        bargain_start(context=SHOPPER_CONTEXT, member=friends[0], campaign_id=campaign.pk)
    order_cancel(order_id=order.pk, reason="shopper")
    assert bargain_order(second, b, speaker).deal_ref == b.pk


def test_ending_a_campaign_closes_its_bargains(
    campaign: BargainCampaign, member: Member, friends: list[Member], staff: User
) -> None:
    bargain = bargain_start(context=SHOPPER_CONTEXT, member=member, campaign_id=campaign.pk).bargain
    assert bargain_campaign_end(actor=staff, campaign_id=campaign.pk) == 1
    assert _fresh(bargain).status == BargainStatus.EXPIRED
    with pytest.raises(BargainClosed):
        bargain_help(context=SHOPPER_CONTEXT, helper=friends[0], share_token=bargain.share_token)
    with pytest.raises(BargainCampaignNotOpen):
        bargain_start(context=SHOPPER_CONTEXT, member=friends[0], campaign_id=campaign.pk)
    assert AuditLog.objects.get(action="bargain.end").data["bargains_closed"] == 1


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        # 10 friends cutting at least 30 yuan = 300 > 199
        ({"cut_min": 3000, "cut_max": 5000}, "cut_min", "超过了需砍的 ¥199.00"),
        # 20 friends cutting at most 5 yuan = 100 < 199
        ({"cut_max": 500}, "cut_max", "砍不到底价"),
        # exactly 3.00 per cut, 2–3 friends: 6.00 or 9.00, never 7.00
        ({"start_price": 700, "helpers_min": 2, "helpers_max": 3, "cut_min": 300, "cut_max": 300}, "helpers_max", ""),
        ({"floor_price": 19900}, "floor_price", "底价"),
        ({"start_price": 20000}, "start_price", "售价"),
        ({"helpers_min": 5, "helpers_max": 4}, "helpers_max", ""),
        ({"cut_min": 0}, "cut_min", ""),
    ],
)
def test_configurations_that_cannot_reach_the_floor_are_refused_with_a_clear_message(
    staff: User, speaker: Sku, overrides: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(RulesInvalid) as refused:
        bargain_campaign_create(actor=staff, data=bargain_campaign_data(speaker, **overrides))
    assert refused.value.details["field"] == field
    assert words in str(refused.value.message)
    assert not BargainCampaign.objects.exists()
