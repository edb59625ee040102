"""Points-mall goods refunded through WeChat Pay (asynchronous): the points paid for the refunded
units come back when the refund succeeds — split over the units by largest remainder across
partial refunds, never more than was paid, once per refund however often the notice arrives, and
not at all for a refund WeChat refuses."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from mall.tests.concurrency import run_in_threads
from members.models import Member, PointsEntry, PointsMallItem, PointsMallRedemption
from members.selectors.points import points_balance
from members.services.points import points_grant
from orders.models import Order, Refund
from orders.services.refunds import refund_create, refund_mark_failed, refund_mark_succeeded
from orders.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db


def _points_mall_order(order: Order, shopper: Member, points: int) -> PointsMallRedemption:
    """The redemption ``order_place`` records for a points-mall deal, on a three-unit line (the
    deal sells one unit per order today; the refund split does not depend on it)."""
    item = PointsMallItem.objects.create(
        name="保温杯", kind="goods", sku=SkuFactory.create(), points=points, cash=990, stock=10, redeemed_count=1
    )
    Order.objects.filter(pk=order.pk).update(deal_kind="points_mall", deal_ref=item.pk)
    points_grant(member_id=shopper.pk, delta=points, reason=PointsEntry.Reason.GRANT, ref=f"seed-{order.no}")
    points_grant(member_id=shopper.pk, delta=-points, reason=PointsEntry.Reason.MALL_REDEEM, ref=f"mall:{order.no}")
    return PointsMallRedemption.objects.create(
        item=item, member=shopper, seq=1, ref=f"order:{order.no}", points=points, cash=990, order=order
    )


def _returned(shopper: Member) -> list[int]:
    return list(
        PointsEntry.objects.filter(member=shopper, reason=PointsEntry.Reason.MALL_RETURN)
        .order_by("pk")
        .values_list("delta", flat=True)
    )


def test_partial_refunds_return_the_units_points_exactly_once_each(
    order_with_lines: Callable[..., Order], pay_wechat: Callable[[Order], Order], shopper: Member, finance: User
) -> None:
    order = pay_wechat(order_with_lines(lines=[(3, 2970)]))
    _points_mall_order(order, shopper, points=1000)
    line = order.lines.get()  # type: ignore[attr-defined]
    assert points_balance(member_id=shopper.pk) == 0

    first = refund_create(order_id=order.pk, lines=[(line.pk, 1)], reason="少发一件", actor=finance)
    assert first.status == Refund.Status.PROCESSING
    assert _returned(shopper) == []  # nothing until WeChat says the money is back
    assert refund_mark_succeeded(refund_id=first.pk, provider_refund_id="50300001")
    assert refund_mark_succeeded(refund_id=first.pk, provider_refund_id="50300001") is False  # the notice again
    assert _returned(shopper) == [334]  # 1000 over 3 units: 334 + 333 + 333

    refused = refund_create(order_id=order.pk, lines=[(line.pk, 2)], reason="不要了", actor=finance)
    assert refund_mark_failed(refund_id=refused.pk, provider_status="ABNORMAL")
    assert _returned(shopper) == [334]  # a refused refund gives no points

    rest = refund_create(order_id=order.pk, lines=[(line.pk, 2)], reason="不要了", actor=finance)
    assert refund_mark_succeeded(refund_id=rest.pk, provider_refund_id="50300002")
    assert refund_mark_succeeded(refund_id=rest.pk, provider_refund_id="50300002") is False
    assert _returned(shopper) == [334, 666]
    assert points_balance(member_id=shopper.pk) == 1000  # exactly what was paid, never more
    refs = set(
        PointsEntry.objects.filter(member=shopper, reason=PointsEntry.Reason.MALL_RETURN).values_list("ref", flat=True)
    )
    assert refs == {f"mall-refund:{first.out_refund_no}", f"mall-refund:{rest.out_refund_no}"}


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_eight_refund_notices_at_once_return_the_points_once(
    order_with_lines: Callable[..., Order], pay_wechat: Callable[[Order], Order], shopper: Member, finance: User
) -> None:
    order = pay_wechat(order_with_lines(lines=[(1, 990)]))
    _points_mall_order(order, shopper, points=2000)
    refund = refund_create(order_id=order.pk, lines=None, reason="不要了", actor=finance)

    results = run_in_threads(8, lambda i: refund_mark_succeeded(refund_id=refund.pk, provider_refund_id="50300009"))

    assert sorted(results, key=str) == [False] * 7 + [True], results
    assert _returned(shopper) == [2000]
    assert points_balance(member_id=shopper.pk) == 2000
