"""After-sales (P04) services: the state machine, the refund through ``refund_create``, timeouts,
and the races that could refund a line twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from mall.errors import PermissionDenied
from mall.models import AuditLog
from members.models import Member, Message
from members.tests.factories import MemberFactory
from orders.errors import (
    AfterSaleKindInvalid,
    AfterSaleNotAllowed,
    AfterSaleNotFound,
    AfterSaleOpenExists,
    AfterSaleQtyExceeds,
    AfterSaleRejectReasonRequired,
    AfterSaleReturnInfoRequired,
    AfterSaleStatusInvalid,
    RefundExceedsPaid,
)
from orders.models import AfterSale, AfterSaleKind, AfterSaleStatus, Order, OrderLine, OrderStatus, Refund
from orders.services.after_sales import (
    after_sale_approve,
    after_sale_cancel,
    after_sale_confirm_receipt,
    after_sale_reject,
    after_sale_request,
    after_sale_return_ship,
    after_sales_timeouts_due,
)
from orders.services.refunds import refund_create, refund_mark_failed, refund_mark_succeeded

S = AfterSaleStatus
REFUND_ONLY, RETURN_REFUND = AfterSaleKind.REFUND_ONLY, AfterSaleKind.RETURN_REFUND


def _line(order: Order) -> OrderLine:
    return OrderLine.objects.filter(order=order).order_by("pk").first()  # type: ignore[return-value]


def _ask(shopper: Member, order: Order, *, qty: int = 1, kind: str = REFUND_ONLY, **kw: Any) -> AfterSale:
    return after_sale_request(
        member=shopper,
        order_id=order.pk,
        line_id=kw.pop("line_id", _line(order).pk),
        qty=qty,
        kind=kind,
        reason=kw.pop("reason", "not_wanted"),
        description=kw.pop("description", "不想要了"),
        **kw,
    )


def _titles(shopper: Member) -> list[str]:
    return list(
        Message.objects.filter(member=shopper, kind="after_sale").order_by("id").values_list("title", flat=True)
    )


# --- refund only -------------------------------------------------------------------------


@pytest.mark.django_db
def test_refund_only_is_approved_by_customer_service_and_refunded_through_refund_create(
    paid: Callable[..., Order], shopper: Member, service_staff: User
) -> None:
    order = paid(lines=[(3, 3000)])
    request = _ask(shopper, order, qty=2)
    assert (request.status, request.amount, request.open_line) == (S.PENDING, 2000, _line(order).pk)

    done = after_sale_approve(after_sale_id=request.pk, actor=service_staff)

    refund = Refund.objects.get()
    assert done.status == S.REFUNDED and done.refund_id == refund.pk and done.open_line is None
    assert (refund.amount, refund.status) == (2000, Refund.Status.SUCCEEDED)
    assert refund.lines == [{"line_id": _line(order).pk, "qty": 2, "amount": 2000}]
    line = _line(order)
    assert (line.refunded_qty, line.refunded_amount) == (2, 2000)
    assert Order.objects.get(pk=order.pk).refunded_amount == 2000
    assert [step["status"] for step in done.history] == [S.PENDING, S.APPROVED, S.REFUNDED]
    assert _titles(shopper) == ["售后申请已提交", "退款成功"]
    actions = set(AuditLog.objects.filter(actor=service_staff).values_list("action", flat=True))
    assert actions == {"after_sale.approve", "after_sale.refund"}
    assert AuditLog.objects.filter(action="order.refund_create", data__reason=f"售后 {done.no}").exists()


@pytest.mark.django_db
def test_the_last_units_also_return_shipping_like_a_console_refund(
    paid: Callable[..., Order], shopper: Member, service_staff: User
) -> None:
    order = paid(lines=[(1, 1000)], shipping_fee=800)
    request = _ask(shopper, order)
    after_sale_approve(after_sale_id=request.pk, actor=service_staff)
    assert Refund.objects.get().amount == 1800
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED


@pytest.mark.django_db
def test_shipped_orders_allow_refund_only_and_received_orders_need_a_return(
    paid: Callable[..., Order],
    ship: Callable[[Order], Order],
    receive: Callable[[Order], Order],
    shopper: Member,
) -> None:
    shipped = ship(paid())
    with pytest.raises(AfterSaleKindInvalid):
        _ask(shopper, shipped, kind=RETURN_REFUND)
    assert _ask(shopper, shipped).kind == REFUND_ONLY

    received = receive(paid())
    with pytest.raises(AfterSaleKindInvalid):
        _ask(shopper, received, kind=REFUND_ONLY)
    assert _ask(shopper, received, kind=RETURN_REFUND).kind == RETURN_REFUND


@pytest.mark.django_db
def test_unpaid_and_foreign_orders_are_refused(
    order_with_lines: Callable[..., Order], paid: Callable[..., Order], shopper: Member
) -> None:
    with pytest.raises(AfterSaleNotAllowed):
        _ask(shopper, order_with_lines())
    stranger = MemberFactory.create()
    from orders.errors import OrderNotFound

    with pytest.raises(OrderNotFound):
        _ask(stranger, paid())
    assert not AfterSale.objects.exists()


@pytest.mark.django_db
def test_one_open_request_per_line_and_never_more_than_is_left(
    paid: Callable[..., Order], shopper: Member, service_staff: User
) -> None:
    order = paid(lines=[(3, 3000)])
    with pytest.raises(AfterSaleQtyExceeds):
        _ask(shopper, order, qty=4)
    first = _ask(shopper, order, qty=1)
    with pytest.raises(AfterSaleOpenExists):
        _ask(shopper, order, qty=1)
    after_sale_approve(after_sale_id=first.pk, actor=service_staff)
    # Refunded: the line is free again, for what is left (2 of 3).
    with pytest.raises(AfterSaleQtyExceeds):
        _ask(shopper, order, qty=3)
    second = _ask(shopper, order, qty=2)
    assert second.amount == 2000


@pytest.mark.django_db
def test_reject_needs_a_reason_frees_the_line_and_tells_the_shopper(
    paid: Callable[..., Order], shopper: Member, service_staff: User
) -> None:
    order = paid()
    request = _ask(shopper, order)
    with pytest.raises(AfterSaleRejectReasonRequired):
        after_sale_reject(after_sale_id=request.pk, actor=service_staff, reason="  ")
    rejected = after_sale_reject(after_sale_id=request.pk, actor=service_staff, reason="商品已使用，不支持退款")
    assert (rejected.status, rejected.reject_reason, rejected.open_line) == (S.REJECTED, "商品已使用，不支持退款", None)
    assert Message.objects.filter(member=shopper, title="售后申请被拒绝", body="商品已使用，不支持退款").exists()
    assert AuditLog.objects.filter(actor=service_staff, action="after_sale.reject").count() == 1
    with pytest.raises(AfterSaleStatusInvalid):
        after_sale_approve(after_sale_id=request.pk, actor=service_staff)
    assert not Refund.objects.exists()
    assert _ask(shopper, order).status == S.PENDING  # may ask again


@pytest.mark.django_db
def test_staff_without_the_permission_cannot_decide(paid: Callable[..., Order], shopper: Member) -> None:
    request = _ask(shopper, paid())
    clerk = User.objects.create_user(username="clerk", password="x", is_staff=True)
    with pytest.raises(PermissionDenied):
        after_sale_approve(after_sale_id=request.pk, actor=clerk)
    assert AfterSale.objects.get(pk=request.pk).status == S.PENDING


@pytest.mark.django_db
def test_the_shopper_cancels_only_their_own_waiting_request(paid: Callable[..., Order], shopper: Member) -> None:
    request = _ask(shopper, paid())
    with pytest.raises(AfterSaleNotFound):
        after_sale_cancel(member=MemberFactory.create(), after_sale_id=request.pk)
    cancelled = after_sale_cancel(member=shopper, after_sale_id=request.pk)
    assert (cancelled.status, cancelled.open_line) == (S.CANCELLED, None)
    assert after_sale_cancel(member=shopper, after_sale_id=request.pk).status == S.CANCELLED  # twice: harmless


# --- return and refund -------------------------------------------------------------------


@pytest.mark.django_db
def test_return_and_refund_runs_through_every_step(
    paid: Callable[..., Order], receive: Callable[[Order], Order], shopper: Member, service_staff: User
) -> None:
    order = receive(paid(lines=[(2, 5000)]))
    request = _ask(shopper, order, kind=RETURN_REFUND, reason="quality", description="有划痕")
    assert after_sale_approve(after_sale_id=request.pk, actor=service_staff).status == S.AWAITING_RETURN
    assert not Refund.objects.exists()
    with pytest.raises(AfterSaleStatusInvalid):  # nothing arrived yet
        after_sale_confirm_receipt(after_sale_id=request.pk, actor=service_staff)
    with pytest.raises(AfterSaleReturnInfoRequired):
        after_sale_return_ship(member=shopper, after_sale_id=request.pk, carrier="中通", tracking_no=" ")
    returned = after_sale_return_ship(
        member=shopper, after_sale_id=request.pk, carrier="中通", tracking_no="ZT7788990011"
    )
    assert (returned.status, returned.return_carrier, returned.return_tracking_no) == (
        S.RETURNED,
        "中通",
        "ZT7788990011",
    )
    done = after_sale_confirm_receipt(after_sale_id=request.pk, actor=service_staff)
    assert done.status == S.REFUNDED
    assert Refund.objects.get().amount == 2500
    assert [step["status"] for step in done.history] == [
        S.PENDING,
        S.AWAITING_RETURN,
        S.RETURNED,
        S.RECEIVED,
        S.REFUNDED,
    ]
    assert _titles(shopper) == [
        "售后申请已提交",
        "售后申请已同意，请寄回商品",
        "退货已寄回",
        "商家已收到退货",
        "退款成功",
    ]


# --- asynchronous refunds (WeChat Pay) ----------------------------------------------------


@pytest.mark.django_db
def test_a_wechat_refund_waits_in_refunding_until_it_settles(
    order_with_lines: Callable[..., Order],
    pay_wechat: Callable[[Order], Order],
    shopper: Member,
    service_staff: User,
) -> None:
    order = pay_wechat(order_with_lines(lines=[(2, 2000)]))
    request = _ask(shopper, order)
    refunding = after_sale_approve(after_sale_id=request.pk, actor=service_staff)
    assert refunding.status == S.REFUNDING and refunding.open_line is not None
    assert refunding.refund_id is not None
    assert refund_mark_succeeded(refund_id=refunding.refund_id, provider_refund_id="50300001")
    done = AfterSale.objects.get(pk=request.pk)
    assert (done.status, done.open_line) == (S.REFUNDED, None)
    assert _titles(shopper)[-1] == "退款成功"


@pytest.mark.django_db
def test_a_refused_refund_goes_back_to_the_merchant_and_can_be_retried(
    order_with_lines: Callable[..., Order],
    pay_wechat: Callable[[Order], Order],
    shopper: Member,
    service_staff: User,
) -> None:
    from orders.services.after_sales import after_sale_refund_retry

    order = pay_wechat(order_with_lines(lines=[(1, 2000)]))
    request = _ask(shopper, order)
    first = after_sale_approve(after_sale_id=request.pk, actor=service_staff)
    assert first.refund_id is not None
    assert refund_mark_failed(refund_id=first.refund_id, provider_status="ABNORMAL")
    back = AfterSale.objects.get(pk=request.pk)
    assert back.status == S.APPROVED and back.history[-1]["note"] == "退款失败，等待商家处理"
    assert _line(order).refunded_qty == 0  # the reservation was released
    again = after_sale_refund_retry(after_sale_id=request.pk, actor=service_staff)
    assert again.status == S.REFUNDING and again.refund_id != first.refund_id


# --- timeouts -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_silent_merchant_approves_after_48_hours_and_late_returns_close_after_7_days(
    paid: Callable[..., Order], receive: Callable[[Order], Order], shopper: Member
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        refund_only = _ask(shopper, paid(lines=[(1, 1500)]))
        with_return = _ask(shopper, receive(paid()), kind=RETURN_REFUND)
        clock.shift(timedelta(hours=47, minutes=59))
        assert after_sales_timeouts_due() == 0
        clock.shift(timedelta(minutes=1))
        assert after_sales_timeouts_due() == 2
        assert after_sales_timeouts_due() == 0  # idempotent
        assert AfterSale.objects.get(pk=refund_only.pk).status == S.REFUNDED
        assert Refund.objects.get().amount == 1500
        waiting = AfterSale.objects.get(pk=with_return.pk)
        assert waiting.status == S.AWAITING_RETURN
        assert AuditLog.objects.filter(actor=None, action="after_sale.approve").count() == 2

        clock.shift(timedelta(days=7) - timedelta(seconds=1))
        assert after_sales_timeouts_due() == 0
        clock.shift(timedelta(seconds=1))
        assert after_sales_timeouts_due() == 1
        closed = AfterSale.objects.get(pk=with_return.pk)
        assert (closed.status, closed.open_line) == (S.CLOSED, None)
        assert _titles(shopper)[-1] == "售后申请已关闭"
        assert after_sales_timeouts_due() == 0


@pytest.mark.django_db
def test_unshipped_refund_only_requests_can_be_approved_at_once(
    settings: Any, paid: Callable[..., Order], ship: Callable[[Order], Order], shopper: Member
) -> None:
    settings.AFTER_SALES_AUTO_APPROVE_UNSHIPPED = True
    assert _ask(shopper, paid()).status == S.REFUNDED
    assert _ask(shopper, ship(paid())).status == S.PENDING  # shipped: the merchant decides


# --- races --------------------------------------------------------------------------------


def _race(*calls: Callable[[], Any]) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            call()
            outcomes.append("ok")
        except (AfterSaleOpenExists, AfterSaleStatusInvalid, RefundExceedsPaid, AfterSaleQtyExceeds) as exc:
            outcomes.append(exc.code)
        except BaseException as exc:  # any other error fails the test
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_requests_for_one_line_at_once_open_only_one(paid: Callable[..., Order], shopper: Member) -> None:
    order = paid(lines=[(3, 3000)])
    outcomes = _race(lambda: _ask(shopper, order, qty=2), lambda: _ask(shopper, order, qty=3))
    assert outcomes == ["after_sale_open_exists", "ok"]
    assert AfterSale.objects.count() == 1


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_staff_approving_at_once_refund_once(
    paid: Callable[..., Order], shopper: Member, service_staff: User, finance: User
) -> None:
    order = paid(lines=[(2, 2000)])
    request = _ask(shopper, order, qty=2)
    outcomes = _race(
        lambda: after_sale_approve(after_sale_id=request.pk, actor=service_staff),
        lambda: after_sale_approve(after_sale_id=request.pk, actor=finance),
    )
    assert outcomes == ["after_sale_status_invalid", "ok"]
    assert Refund.objects.count() == 1
    line = _line(order)
    assert (line.refunded_qty, line.refunded_amount) == (2, 2000)


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_a_console_refund_racing_an_approval_never_refunds_more_than_was_paid(
    paid: Callable[..., Order], shopper: Member, service_staff: User, finance: User
) -> None:
    order = paid(lines=[(3, 3000)])
    line_id = _line(order).pk
    request = _ask(shopper, order, qty=2)
    outcomes = _race(
        lambda: after_sale_approve(after_sale_id=request.pk, actor=service_staff),
        lambda: refund_create(order_id=order.pk, lines=[(line_id, 2)], reason="客服直接退款", actor=finance),
    )
    assert outcomes == ["ok", "refund_exceeds_paid"]
    line = OrderLine.objects.get(pk=line_id)
    assert (line.refunded_qty, line.refunded_amount) == (2, 2000)
    assert sum(Refund.objects.values_list("amount", flat=True)) == 2000


@pytest.mark.django_db
def test_the_beat_schedule_runs_the_timeouts_task(paid: Callable[..., Order], shopper: Member, settings: Any) -> None:
    from mall.schedules import BEAT_SCHEDULE
    from orders.tasks import after_sales_timeouts_task

    entry = next(e for e in BEAT_SCHEDULE.values() if e["task"] == after_sales_timeouts_task.name)
    assert entry["schedule"] <= timedelta(minutes=30)  # type: ignore[operator]
    assert settings.CELERY_BEAT_SCHEDULE["orders-after-sales-timeouts"] is entry
    with time_machine.travel(timezone.now(), tick=False) as clock:
        request = _ask(shopper, paid())
        clock.shift(timedelta(hours=49))
        assert after_sales_timeouts_task() == 1
        assert after_sales_timeouts_task() == 0
    assert AfterSale.objects.get(pk=request.pk).status == S.REFUNDED


@pytest.mark.django_db
def test_a_returned_unit_takes_back_the_points_it_earned(
    paid: Callable[..., Order], receive: Callable[[Order], Order], shopper: Member, service_staff: User
) -> None:
    from members.selectors.points import points_balance

    order = receive(paid(lines=[(2, 5000)]))
    earned = points_balance(member_id=shopper.pk)
    assert earned == 50  # 1 point per yuan paid, granted at completion (F15)
    request = _ask(shopper, order, kind=RETURN_REFUND)
    after_sale_approve(after_sale_id=request.pk, actor=service_staff)
    after_sale_return_ship(member=shopper, after_sale_id=request.pk, carrier="顺丰", tracking_no="SF1")
    after_sale_confirm_receipt(after_sale_id=request.pk, actor=service_staff)
    assert points_balance(member_id=shopper.pk) == 25


@pytest.mark.django_db
def test_an_open_request_puts_its_order_in_the_desks_after_sales_tab(
    paid: Callable[..., Order], shopper: Member, service_staff: User
) -> None:
    from orders.selectors.desk import order_tab_counts, order_tab_get

    order = paid(lines=[(1, 3000)])
    assert order_tab_counts()["after_sales"] == 0
    request = _ask(shopper, order)

    assert order_tab_counts()["after_sales"] == 1
    tab = order_tab_get("after_sales")
    assert tab is not None and list(Order.objects.filter(tab.condition)) == [order]
    after_sale_approve(after_sale_id=request.pk, actor=service_staff)  # refunded: the request closes
    assert order_tab_counts()["after_sales"] == 0
