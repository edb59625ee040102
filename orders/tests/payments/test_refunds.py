"""refund_create: exact amounts by largest remainder, never more than paid, once, audited, raced."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import responses
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client

from analytics.models import Event
from mall.errors import PermissionDenied
from mall.models import AuditLog
from orders.errors import OrderNotRefundable, RefundExceedsPaid, RefundInvalid
from orders.models import Order, OrderLine, OrderStatus, PaymentNotice, Refund
from orders.selectors.refunds import order_refundable_lines
from orders.services.refunds import refund_create, refund_line_amount, refund_submit, refund_sync
from orders.tests.payments import wechat_fake
from orders.tests.payments.wechat_fake import FakeWeChat


def _line(order: Order, index: int = 0) -> OrderLine:
    return list(order.lines.order_by("pk"))[index]


def test_unit_shares_follow_largest_remainder() -> None:
    amounts = [refund_line_amount(paid_amount=100, qty=3, already_refunded_qty=done, refund_qty=1) for done in range(3)]
    assert amounts == [34, 33, 33]
    assert refund_line_amount(paid_amount=100, qty=3, already_refunded_qty=0, refund_qty=3) == 100
    with pytest.raises(RefundExceedsPaid):
        refund_line_amount(paid_amount=100, qty=3, already_refunded_qty=2, refund_qty=2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("paid", "qty", "steps"),
    [(100, 3, [1, 1, 1]), (1000, 7, [3, 1, 3]), (999, 4, [2, 2]), (1, 3, [2, 1]), (5, 5, [1, 4])],
)
def test_partial_refunds_add_up_to_exactly_what_was_paid(
    order_with_lines: Callable[..., Order],
    pay_sandbox: Callable[[Order], Order],
    finance: User,
    paid: int,
    qty: int,
    steps: list[int],
) -> None:
    order = pay_sandbox(order_with_lines(lines=[(qty, paid)]))
    line = _line(order)
    refunds = [
        refund_create(order_id=order.pk, lines=[(line.pk, step)], reason="部分退货", actor=finance) for step in steps
    ]
    assert sum(r.amount for r in refunds) == paid
    line.refresh_from_db()
    assert (line.refunded_qty, line.refunded_amount) == (qty, paid)
    order = Order.objects.get(pk=order.pk)
    assert order.refunded_amount == paid
    assert order.status == OrderStatus.REFUNDED
    assert all(r.status == Refund.Status.SUCCEEDED for r in refunds)


@pytest.mark.django_db
def test_full_refund_returns_everything_paid_including_shipping(
    order_with_lines: Callable[..., Order], pay_sandbox: Callable[[Order], Order], finance: User
) -> None:
    order = pay_sandbox(order_with_lines(lines=[(2, 5900), (1, 1000)], shipping_fee=800))
    refund = refund_create(order_id=order.pk, lines=None, reason="客户取消", actor=finance)
    assert refund.amount == 7700
    assert refund.status == Refund.Status.SUCCEEDED and refund.provider_refund_id.startswith("SANDBOXR")
    assert refund.created_by == finance
    assert sorted((p["qty"], p["amount"]) for p in refund.lines) == [(1, 1000), (2, 5900)]
    order = Order.objects.get(pk=order.pk)
    assert (order.status, order.refunded_amount) == (OrderStatus.REFUNDED, 7700)
    assert [(line.refunded_qty, line.refunded_amount) for line in order.lines.order_by("pk")] == [(2, 5900), (1, 1000)]
    audit = AuditLog.objects.get(action="order.refund_create")
    assert audit.actor == finance
    assert audit.data["amount"] == 7700 and audit.data["shipping_amount"] == 800 and audit.data["full"] is True
    assert Event.objects.filter(name="order_refunded").count() == 1


@pytest.mark.django_db
def test_a_partial_refund_leaves_the_order_paid(
    order_with_lines: Callable[..., Order], pay_sandbox: Callable[[Order], Order], finance: User
) -> None:
    order = pay_sandbox(order_with_lines(lines=[(3, 100), (1, 500)], shipping_fee=800))
    refund = refund_create(order_id=order.pk, lines=[(_line(order).pk, 1)], reason="少发一件", actor=finance)
    assert refund.amount == 34
    order = Order.objects.get(pk=order.pk)
    assert (order.status, order.refunded_amount) == (OrderStatus.PAID, 34)


@pytest.mark.django_db
def test_refunding_the_last_unit_also_returns_shipping(
    order_with_lines: Callable[..., Order], pay_sandbox: Callable[[Order], Order], finance: User
) -> None:
    order = pay_sandbox(order_with_lines(lines=[(1, 3000), (1, 2000)], shipping_fee=800))
    first = refund_create(order_id=order.pk, lines=[(_line(order, 0).pk, 1)], reason="退货", actor=finance)
    last = refund_create(order_id=order.pk, lines=[(_line(order, 1).pk, 1)], reason="退货", actor=finance)
    assert (first.amount, last.amount) == (3000, 2800)
    order = Order.objects.get(pk=order.pk)
    assert (order.status, order.refunded_amount) == (OrderStatus.REFUNDED, 5800)


@pytest.mark.django_db
def test_refunding_more_units_than_remain_is_refused_and_writes_nothing(
    order_with_lines: Callable[..., Order], pay_sandbox: Callable[[Order], Order], finance: User
) -> None:
    order = pay_sandbox(order_with_lines(lines=[(2, 2000)]))
    line = _line(order)
    refund_create(order_id=order.pk, lines=[(line.pk, 1)], reason="退一件", actor=finance)
    audits = AuditLog.objects.count()
    with pytest.raises(RefundExceedsPaid):
        refund_create(order_id=order.pk, lines=[(line.pk, 2)], reason="再退两件", actor=finance)
    line.refresh_from_db()
    assert (line.refunded_qty, line.refunded_amount) == (1, 1000)
    assert Refund.objects.count() == 1 and AuditLog.objects.count() == audits
    assert Order.objects.get(pk=order.pk).refunded_amount == 1000


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["foreign_line", "duplicate_line", "zero_qty", "empty"])
def test_invalid_refund_lines_are_refused(
    order_with_lines: Callable[..., Order], pay_sandbox: Callable[[Order], Order], finance: User, bad: str
) -> None:
    order = pay_sandbox(order_with_lines(lines=[(2, 2000)]))
    other = order_with_lines(lines=[(1, 100)])
    line_id = _line(order).pk
    lines = {
        "foreign_line": [(_line(other).pk, 1)],
        "duplicate_line": [(line_id, 1), (line_id, 1)],
        "zero_qty": [(line_id, 0)],
        "empty": [],
    }[bad]
    with pytest.raises(RefundInvalid):
        refund_create(order_id=order.pk, lines=lines, reason="x", actor=finance)
    assert not Refund.objects.exists()


@pytest.mark.django_db
def test_an_unpaid_order_cannot_be_refunded(order_with_lines: Callable[..., Order], finance: User) -> None:
    order = order_with_lines()
    with pytest.raises(OrderNotRefundable):
        refund_create(order_id=order.pk, lines=None, reason="x", actor=finance)
    assert not Refund.objects.exists()


@pytest.mark.django_db
def test_a_fully_refunded_order_cannot_be_refunded_again(
    order_with_lines: Callable[..., Order], pay_sandbox: Callable[[Order], Order], finance: User
) -> None:
    order = pay_sandbox(order_with_lines())
    refund_create(order_id=order.pk, lines=None, reason="全退", actor=finance)
    with pytest.raises(OrderNotRefundable):
        refund_create(order_id=order.pk, lines=None, reason="再全退", actor=finance)
    assert Refund.objects.count() == 1


@pytest.mark.django_db
def test_refunds_need_the_refund_permission(
    order_with_lines: Callable[..., Order], pay_sandbox: Callable[[Order], Order]
) -> None:
    order = pay_sandbox(order_with_lines())
    clerk = User.objects.create_user(username="clerk", password="x", is_staff=True)
    with pytest.raises(PermissionDenied):
        refund_create(order_id=order.pk, lines=None, reason="x", actor=clerk)
    clerk.user_permissions.add(Permission.objects.get(codename="add_refund"))
    clerk = User.objects.get(pk=clerk.pk)  # drop the permission cache
    assert refund_create(order_id=order.pk, lines=None, reason="x", actor=clerk).amount == 1000


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_staff_refunding_one_line_at_once_cannot_exceed_its_quantity(
    order_with_lines: Callable[..., Order], pay_sandbox: Callable[[Order], Order], finance: User
) -> None:
    order = pay_sandbox(order_with_lines(lines=[(3, 3000)]))
    line_id = _line(order).pk
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            refund_create(order_id=order.pk, lines=[(line_id, 2)], reason="同时退款", actor=finance)
            outcomes.append("ok")
        except RefundExceedsPaid:
            outcomes.append("refused")
        except BaseException as exc:  # any other error fails the test below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok", "refused"]
    line = OrderLine.objects.get(pk=line_id)
    assert (line.refunded_qty, line.refunded_amount) == (2, 2000)
    assert Refund.objects.get().amount == 2000
    assert Order.objects.get(pk=order.pk).refunded_amount == 2000


# --- WeChat Pay refunds -------------------------------------------------------------------


def _refund_answer(refund: Refund, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "refund_id": "50300000000099",
        "out_refund_no": refund.out_refund_no,
        "transaction_id": "4200000000001",
        "out_trade_no": refund.order.payments.get().out_trade_no,
        "channel": "ORIGINAL",
        "user_received_account": "支付用户零钱",
        "create_time": "2026-03-02T10:00:00+08:00",
        "status": status,
        "amount": {"total": refund.order.payable_amount, "refund": refund.amount, "currency": "CNY"},
        **extra,
    }


def _deliver(notice: Any) -> Any:
    return Client().post(
        "/api/v1/payments/wechat/notify", data=notice.body, content_type="application/json", headers=notice.headers
    )


@pytest.mark.django_db
def test_wechat_refund_is_sent_after_commit_and_settled_by_its_notice(
    wechat: FakeWeChat,
    wechat_api: responses.RequestsMock,
    order_with_lines: Callable[..., Order],
    pay_wechat: Callable[[Order], Order],
    finance: User,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order = pay_wechat(order_with_lines(lines=[(2, 5000)], shipping_fee=800))
    queued: list[int] = []
    monkeypatch.setattr("orders.tasks.refund_submit_task.delay", lambda *, refund_id: queued.append(refund_id))
    with django_capture_on_commit_callbacks(execute=True):
        refund = refund_create(order_id=order.pk, lines=None, reason="客户取消", actor=finance)
    assert queued == [refund.pk] and not wechat_api.calls  # nothing sent inside the transaction
    assert refund.status == Refund.Status.PROCESSING
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDING

    wechat.mock(wechat_api, "POST", "/v3/refund/domestic/refunds", _refund_answer(refund, "PROCESSING"))
    refund = refund_submit(refund_id=refund.pk)
    sent = wechat_api.calls[0].request
    body = wechat_fake.sent_json(sent)
    assert body["out_refund_no"] == refund.out_refund_no
    assert body["amount"] == {"refund": 5800, "total": 5800, "currency": "CNY"}
    assert body["notify_url"].endswith("/payments/wechat/notify")
    assert wechat.verify_merchant_authorization(sent)
    assert refund.provider_refund_id == "50300000000099"

    payment = order.payments.get()
    resource = wechat.refund_resource(
        out_trade_no=payment.out_trade_no, out_refund_no=refund.out_refund_no, refund=5800, total=5800
    )
    notice = wechat.notice(resource, event_type="REFUND.SUCCESS", notice_id="EV-REFUND-1")
    for _ in range(3):
        response = _deliver(wechat.sign_body(notice.body))
        assert response.status_code == 200 and response.json()["code"] == "SUCCESS"
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.succeeded_at is not None
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED
    assert PaymentNotice.objects.filter(notice_id="EV-REFUND-1").count() == 1
    assert Event.objects.filter(name="order_refunded").count() == 1


@pytest.mark.django_db
def test_wechat_refund_answered_success_settles_at_once(
    wechat: FakeWeChat,
    wechat_api: responses.RequestsMock,
    order_with_lines: Callable[..., Order],
    pay_wechat: Callable[[Order], Order],
    finance: User,
) -> None:
    order = pay_wechat(order_with_lines(lines=[(4, 1000)]))
    refund = refund_create(order_id=order.pk, lines=[(_line(order).pk, 1)], reason="退一件", actor=finance)
    wechat.mock(
        wechat_api,
        "POST",
        "/v3/refund/domestic/refunds",
        _refund_answer(refund, "SUCCESS", success_time="2026-03-02T10:00:02+08:00"),
    )
    refund = refund_submit(refund_id=refund.pk)
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.succeeded_at is not None and refund.succeeded_at.isoformat() == "2026-03-02T02:00:02+00:00"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


@pytest.mark.django_db
def test_a_refund_wechat_gives_up_on_releases_its_amount_and_flags_the_order(
    wechat: FakeWeChat,
    wechat_api: responses.RequestsMock,
    order_with_lines: Callable[..., Order],
    pay_wechat: Callable[[Order], Order],
    finance: User,
) -> None:
    order = pay_wechat(order_with_lines(lines=[(2, 2000)]))
    line = _line(order)
    refund = refund_create(order_id=order.pk, lines=[(line.pk, 1)], reason="退一件", actor=finance)
    wechat.mock(wechat_api, "POST", "/v3/refund/domestic/refunds", _refund_answer(refund, "PROCESSING"))
    refund_submit(refund_id=refund.pk)
    wechat.mock(
        wechat_api,
        "GET",
        f"/v3/refund/domestic/refunds/{refund.out_refund_no}",
        _refund_answer(refund, "ABNORMAL"),
    )
    refund = refund_sync(refund_id=refund.pk)
    assert refund.status == Refund.Status.FAILED
    line.refresh_from_db()
    assert (line.refunded_qty, line.refunded_amount) == (0, 0)
    order = Order.objects.get(pk=order.pk)
    assert order.refunded_amount == 0 and order.needs_attention is True
    assert refund.out_refund_no in order.attention_note
    assert AuditLog.objects.filter(action="order.refund_failed").count() == 1


@pytest.mark.django_db
def test_a_refund_notice_with_the_wrong_amount_is_refused(
    wechat: FakeWeChat,
    order_with_lines: Callable[..., Order],
    pay_wechat: Callable[[Order], Order],
    finance: User,
) -> None:
    order = pay_wechat(order_with_lines(lines=[(1, 3000)]))
    refund = refund_create(order_id=order.pk, lines=None, reason="x", actor=finance)
    resource = wechat.refund_resource(
        out_trade_no=order.payments.get().out_trade_no, out_refund_no=refund.out_refund_no, refund=2999, total=3000
    )
    notices = PaymentNotice.objects.count()
    response = _deliver(wechat.notice(resource, event_type="REFUND.SUCCESS"))
    assert response.status_code == 400 and response.json()["code"] == "FAIL"
    assert PaymentNotice.objects.count() == notices
    assert Refund.objects.get(pk=refund.pk).status == Refund.Status.PROCESSING


@pytest.mark.django_db
def test_refundable_lines_are_read_in_one_query(
    order_with_lines: Callable[..., Order],
    pay_sandbox: Callable[[Order], Order],
    finance: User,
    django_assert_num_queries: Any,
) -> None:
    order = pay_sandbox(order_with_lines(lines=[(1, 100), (2, 200), (3, 300)]))
    refund_create(order_id=order.pk, lines=[(_line(order, 0).pk, 1)], reason="x", actor=finance)
    with django_assert_num_queries(1):
        lines = order_refundable_lines(order_id=order.pk)
    assert [(line.qty - line.refunded_qty) for line in lines] == [2, 3]
