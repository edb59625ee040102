"""Issue 15 gap: what a push opens carries its tracking parameter — ``seg:<campaign>`` for a
segment campaign's message, ``journey:<journey>`` for a lifecycle journey's, ``msg:<message>``
for any other — and an order placed with it is attributed to the campaign."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import responses
import time_machine

from analytics.models import OrderTouch
from mall.models import Sku
from marketing.tests.conftest import pay, place
from members.models import Member, Message, Segment, SubscribeTemplate
from members.services.campaigns import (
    MESSAGE_KIND,
    CampaignData,
    segment_campaign_create,
    segment_campaign_deliver,
    segment_campaign_start,
)
from members.services.messages import (
    MessageDraft,
    link_src,
    link_with_src,
    message_push,
    message_send,
    messages_send_bulk,
    subscribe_consent_record,
)
from members.tests.factories import MemberFactory
from members.tests.wechat_stubs import SUBSCRIBE_SEND_URL, stub_subscribe_send
from orders.models import Order

pytestmark = pytest.mark.django_db
DAYTIME = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
GOLD = {"op": "all", "conditions": [{"field": "tier", "operator": "in", "value": ["gold"]}]}


def _pages(rsps: responses.RequestsMock) -> list[str]:
    calls = [call for call in rsps.calls if str(call.request.url).startswith(SUBSCRIBE_SEND_URL)]
    return [json.loads(bytes(call.request.body or b"{}"))["page"] for call in calls]  # type: ignore[arg-type]


def test_the_link_takes_src_once_and_keeps_its_own_query() -> None:
    assert link_with_src("pages/product/index?id=7", "seg:3") == "pages/product/index?id=7&src=seg:3"
    assert link_with_src("pages/coupons/index", "journey:5") == "pages/coupons/index?src=journey:5"
    assert link_with_src("", "msg:9") == "pages/home/index?src=msg:9"
    assert link_with_src("pages/x?src=seg:3", "msg:9") == "pages/x?src=seg:3"  # the sender's wins
    assert link_with_src("pages/x", "") == "pages/x"
    assert (link_src("pages/x?id=1&src=seg:3"), link_src("pages/x?id=1"), link_src("")) == ("seg:3", "", "")


def test_a_segment_campaigns_push_opens_its_page_with_src_and_the_order_is_attributed(
    wechat_api: responses.RequestsMock, shop: object, lipstick: Sku
) -> None:
    stub_subscribe_send(wechat_api)
    SubscribeTemplate.objects.create(
        kind=MESSAGE_KIND, template_id="TPL-SEG", fields={"thing1": "title", "thing2": "body"}, page=""
    )
    shopper = MemberFactory.create(tier=Member.Tier.GOLD)
    subscribe_consent_record(member=shopper, results={"TPL-SEG": "accept"})
    segment = Segment.objects.create(name="金卡", rules=GOLD)
    campaign = segment_campaign_create(
        actor=None,
        data=CampaignData(name="金卡回馈", segment_id=segment.pk, message_title="金卡专属福利", holdout_percent=0),
    )
    segment_campaign_start(actor=None, campaign_id=campaign.pk)
    segment_campaign_deliver(campaign_id=campaign.pk)

    message = Message.objects.get(member=shopper, kind=MESSAGE_KIND)
    assert message.link == f"pages/home/index?src=seg:{campaign.pk}"  # the inbox opens it tracked too
    with time_machine.travel(DAYTIME, tick=False):
        assert message_push(message_id=message.pk) == Message.PushStatus.SENT
    (page,) = _pages(wechat_api)
    assert page == f"pages/home/index?src=seg:{campaign.pk}"

    # The mini-program remembers src from the launch query and checkout sends it with the order.
    order = pay(place(shopper, [(lipstick, 1)], src=link_src(page)))
    assert Order.objects.get(pk=order.pk).src == f"seg:{campaign.pk}"
    touch = OrderTouch.objects.get(order=order, tool="segment")
    assert (touch.object_id, touch.gmv, touch.refund_key) == (campaign.pk, order.payable_amount, 0)


def test_a_template_page_still_carries_the_senders_src_and_a_plain_message_is_tracked_as_itself(
    wechat_api: responses.RequestsMock, member: Member
) -> None:
    stub_subscribe_send(wechat_api)
    SubscribeTemplate.objects.create(
        kind="flash_restock", template_id="TPL-R", fields={"thing1": "title"}, page="pages/home/index"
    )
    subscribe_consent_record(member=member, results={"TPL-R": "accept"})
    subscribe_consent_record(member=member, results={"TPL-R": "accept"})
    plain = message_send(member_id=member.pk, kind="flash_restock", title="补货啦", link="package-flash/slot/index")
    (journey_id,) = messages_send_bulk(
        drafts=[MessageDraft(member_id=member.pk, kind="flash_restock", title="想你了", src="journey:5")]
    )
    with time_machine.travel(DAYTIME, tick=False):
        assert message_push(message_id=plain.pk) == Message.PushStatus.SENT
        assert message_push(message_id=journey_id) == Message.PushStatus.SENT
    assert _pages(wechat_api) == [f"pages/home/index?src=msg:{plain.pk}", "pages/home/index?src=journey:5"]
    assert Message.objects.get(pk=plain.pk).link == "package-flash/slot/index"
