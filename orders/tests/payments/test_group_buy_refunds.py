"""A failed 拼团 refunded through WeChat Pay: the refunds are created in the failure's
transactions, sent to WeChat only after commit, and settled by WeChat's answer (its HTTPS API
replaced at the boundary with the documented payload)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import responses
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import Category, Product, ShopSettings, Sku
from marketing.models import GroupBuyGroup, GroupMemberStatus, GroupStatus
from marketing.services.deals import DealRequest
from marketing.services.group_buys import (
    GroupBuyCampaignData,
    GroupBuyItemData,
    group_buy_campaign_create,
    group_expire,
)
from members.models import Member
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import Order, OrderStatus, Refund
from orders.services.orders import order_place
from orders.services.refunds import refund_submit
from orders.tests.payments.wechat_fake import FakeWeChat

pytestmark = pytest.mark.django_db


def _group_order(member: Member, campaign_id: int, sku: Sku, token: str | None = None) -> Order:
    address = AddressFactory.create(member=member)
    return order_place(
        context=SHOPPER_CONTEXT,
        member=member,
        items=[(sku.pk, 1)],
        address_id=address.pk,
        idempotency_key=uuid.uuid4().hex,
        deal=DealRequest(kind="group", ref=campaign_id, params={"share_token": token} if token else {}),
    )


def test_a_failed_group_paid_with_wechat_is_refunded_after_commit(
    wechat: FakeWeChat,
    wechat_api: responses.RequestsMock,
    pay_wechat: Callable[[Order], Order],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ShopSettings.load()
    staff = User.objects.create_superuser(username="ops", password="x", email="ops@example.com")
    product = Product.objects.create(category=Category.objects.create(name="美妆"), title="面霜", min_price=5900)
    sku = Sku.objects.create(product=product, code="CREAM-W", price=5900, stock=10)
    now = timezone.now()
    campaign = group_buy_campaign_create(
        actor=staff,
        data=GroupBuyCampaignData(
            name="面霜 3 人团",
            product_id=product.pk,
            items=(GroupBuyItemData(sku_id=sku.pk, price=2900),),
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=1),
        ),
    )
    leader, friend = MemberFactory.create_batch(2)
    opened = pay_wechat(_group_order(leader, campaign.pk, sku))
    group = GroupBuyGroup.objects.get(pk=opened.deal_ref or 0)
    joined = pay_wechat(_group_order(friend, campaign.pk, sku, token=group.share_token))
    queued: list[int] = []
    monkeypatch.setattr("orders.tasks.refund_submit_task.delay", lambda *, refund_id: queued.append(refund_id))

    assert group.expires_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert group_expire(group_id=group.pk, now=group.expires_at) == GroupStatus.FAILED
    refunds = list(Refund.objects.order_by("pk"))
    assert sorted(queued) == [r.pk for r in refunds] and not wechat_api.calls  # nothing sent inside a transaction
    assert [(r.order_id, r.amount, r.status) for r in refunds] == [
        (opened.pk, opened.payable_amount, Refund.Status.PROCESSING),
        (joined.pk, joined.payable_amount, Refund.Status.PROCESSING),
    ]
    assert set(group.members.values_list("status", flat=True)) == {GroupMemberStatus.REFUNDED}

    for refund in refunds:
        answer = {
            "refund_id": f"5030000000{refund.pk:04d}",
            "out_refund_no": refund.out_refund_no,
            "transaction_id": "4200000000001",
            "out_trade_no": refund.order.payments.get().out_trade_no,
            "channel": "ORIGINAL",
            "user_received_account": "支付用户零钱",
            "create_time": "2026-03-02T10:00:00+08:00",
            "success_time": "2026-03-02T10:00:02+08:00",
            "status": "SUCCESS",
            "amount": {"total": refund.order.payable_amount, "refund": refund.amount, "currency": "CNY"},
        }
        wechat.mock(wechat_api, "POST", "/v3/refund/domestic/refunds", answer)
        assert refund_submit(refund_id=refund.pk).status == Refund.Status.SUCCEEDED
    assert set(Order.objects.filter(deal_kind="group").values_list("status", flat=True)) == {OrderStatus.REFUNDED}
