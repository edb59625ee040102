"""财务导出 (P06 point 4): paid orders by Shanghai day and state, with lines, discounts by rule,
coupon, points, shipping, refunds and transaction ids; yuan with two decimals; totals equal the
console home page's paid GMV for the same days; masked phones unless the role may reveal them;
audited; finance and owner only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from mall.models import AuditLog, Sku
from mall.selectors.audit import audit_describe
from mall.selectors.dashboard import dashboard_daily_series
from members.models import Member
from members.tests.factories import MemberFactory
from orders.models import Order, OrderLine, OrderStatus, Payment, Refund
from orders.selectors.finance_export import FinanceRange, FinanceTotals, finance_rows
from orders.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 3, 10)


def _at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


def _order(member: Member, *, no: str, status: str, paid_at: dt.datetime | None, **money: int) -> Order:
    return Order.objects.create(
        no=no,
        member=member,
        status=status,
        expires_at=(paid_at or _at(DAY, 12)) + dt.timedelta(minutes=15),
        idempotency_key=uuid.uuid4().hex,
        paid_at=paid_at,
        **money,
    )


def _line(
    order: Order, sku: Sku, *, qty: int, unit: int, allocations: list[dict[str, object]], **rest: int
) -> OrderLine:
    discount = sum(int(a["amount"]) for a in allocations)  # type: ignore[call-overload]
    return OrderLine.objects.create(
        order=order,
        sku=sku,
        product=sku.product,
        title=sku.product.title,
        unit_price=unit,
        qty=qty,
        item_amount=unit * qty,
        discount_amount=discount,
        paid_amount=rest.pop("paid", unit * qty - discount),
        allocations=allocations,
        **rest,
    )


@pytest.fixture
def shop_orders() -> dict[str, Order]:
    """A: coupon + 满减 + points, free shipping, partly refunded (one of two units of a line);
    B: plain, with shipping, shipped; C: paid one second into the next day; D: never paid."""
    member = MemberFactory.create(phone="13800000443", nickname="小林")
    cream, serum = SkuFactory.create(code="CREAM-50"), SkuFactory.create(code="SERUM-30")
    a = _order(
        member,
        no="DY0001",
        status=OrderStatus.COMPLETED,
        paid_at=_at(DAY, 0, 0, 0),
        goods_amount=20000,
        discount_amount=3000,
        points_used=500,
        points_discount=500,
        shipping_fee=0,
        payable_amount=16500,
        refunded_amount=4000,
    )
    full = {"rule_id": "promo:1", "rule_type": "full_reduction", "name": "满200减10"}
    coupon = {"rule_id": "coupon:9", "rule_type": "amount_off", "name": "新人券"}
    _line(
        a,
        cream,
        qty=2,
        unit=5000,
        allocations=[{**full, "amount": 500}, {**coupon, "amount": 1000}],
        paid=8250,
        refunded_qty=1,
        refunded_amount=4000,
    )
    _line(a, serum, qty=1, unit=10000, allocations=[{**full, "amount": 500}, {**coupon, "amount": 1000}], paid=8250)
    Payment.objects.create(
        order=a,
        provider="wechat",
        out_trade_no="PAY-A",
        transaction_id="4200001234202603100001",
        amount=16500,
        status=Payment.Status.SUCCEEDED,
        paid_at=a.paid_at,
    )
    Refund.objects.create(order=a, out_refund_no="RF-A1", amount=4000, status=Refund.Status.SUCCEEDED)
    b = _order(
        member,
        no="DY0002",
        status=OrderStatus.SHIPPED,
        paid_at=_at(DAY, 23, 59, 59),
        goods_amount=5900,
        shipping_fee=1000,
        payable_amount=6900,
    )
    _line(b, cream, qty=1, unit=5900, allocations=[])
    Payment.objects.create(
        order=b,
        provider="wechat",
        out_trade_no="PAY-B",
        transaction_id="4200001234202603100002",
        amount=6900,
        status=Payment.Status.SUCCEEDED,
        paid_at=b.paid_at,
    )
    c = _order(
        member,
        no="DY0003",
        status=OrderStatus.PAID,
        paid_at=_at(DAY + dt.timedelta(days=1), 0, 0, 1),
        goods_amount=5900,
        payable_amount=5900,
    )
    _line(c, cream, qty=1, unit=5900, allocations=[])
    d = _order(member, no="DY0004", status=OrderStatus.PENDING_PAYMENT, paid_at=None, payable_amount=5900)
    return {"a": a, "b": b, "c": c, "d": d}


@pytest.fixture
def role_client() -> Callable[[str], tuple[User, Client]]:
    from mall.services.staff import staff_create

    owner = User.objects.create_superuser(username="boss", password="x", email="boss@example.com")

    def make(role: str) -> tuple[User, Client]:
        user = (
            owner if role == "owner" else staff_create(username=role, password="staff-pass-123", role=role, actor=owner)
        )
        client = Client()
        client.force_login(user)
        return user, client

    return make


def _post(client: Client, fmt: str, first: dt.date = DAY, last: dt.date = DAY, states: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"first_day": first.isoformat(), "last_day": last.isoformat(), "fmt": fmt}
    if states:
        data["states"] = list(states)
    return client.post(reverse("admin:orders_order_finance_sheet"), data)


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_totals_equal_the_dashboard_paid_gmv_for_the_same_days(shop_orders: dict[str, Order]) -> None:
    totals = FinanceTotals()
    rows = list(finance_rows(selection=FinanceRange(first_day=DAY, last_day=DAY), reveal=False, totals=totals))
    assert [row[0] for row in rows] == ["DY0001", "DY0002"]  # by paid_at; C is the next day, D unpaid
    with time_machine.travel(_at(DAY, 18), tick=False):
        series = dashboard_daily_series(days=1)
    assert series[0].day == DAY
    assert totals.paid == series[0].paid_gmv == 16500 + 6900
    assert totals.orders == series[0].paid_orders == 2
    refunds = Refund.objects.filter(order__in=[shop_orders["a"], shop_orders["b"]], status=Refund.Status.SUCCEEDED)
    assert totals.refunded == refunds.aggregate(s=Sum("amount"))["s"] == 4000
    assert totals.net == 16500 + 6900 - 4000
    assert (totals.coupon, totals.points, totals.points_value, totals.shipping) == (2000, 500, 500, 1000)
    assert dict(totals.by_rule) == {"满200减10": 1000, "新人券": 2000}
    # Two days: the range spans both, still equal to the dashboard's two days.
    totals2 = FinanceTotals()
    list(
        finance_rows(
            selection=FinanceRange(first_day=DAY, last_day=DAY + dt.timedelta(days=1)), reveal=False, totals=totals2
        )
    )
    with time_machine.travel(_at(DAY + dt.timedelta(days=1), 18), tick=False):
        two = dashboard_daily_series(days=2)
    assert totals2.paid == sum(point.paid_gmv for point in two) == 16500 + 6900 + 5900


def test_finance_downloads_the_workbook_with_yuan_rules_masked_phone_and_totals(
    shop_orders: dict[str, Order], role_client: Callable[[str], tuple[User, Client]]
) -> None:
    user, client = role_client("finance")
    with translation.override("zh-hans"):
        page = client.get(reverse("admin:orders_order_finance_sheet"))
        assert page.status_code == 200
        assert "财务导出" in page.content.decode()
        response = _post(client, "xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('finance-orders-20260310-20260310.xlsx"')
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["订单", "商品明细"]
    orders = [list(row) for row in book["订单"].iter_rows(values_only=True)]
    header = orders[0]
    assert header[:3] == ["订单号", "支付时间", "状态"]
    a = dict(zip(header, orders[1], strict=True))
    assert a["订单号"] == "DY0001"
    assert a["支付时间"] == "2026-03-10 00:00:00"
    assert a["手机号"] == "138****0443"
    assert a["商品金额（元）"] == 200
    assert a["优惠明细"] == "满200减10 10.00；新人券 20.00"
    assert a["优惠券（元）"] == 20
    assert (a["使用积分"], a["积分抵扣（元）"], a["运费（元）"]) == (500, 5, 0)
    assert (a["实付（元）"], a["已退款（元）"], a["净收入（元）"]) == (165, 40, 125)
    assert a["微信支付单号"] == "4200001234202603100001"
    assert a["退款单号"] == "RF-A1（已退款）"
    total = dict(zip(header, orders[-1], strict=True))
    assert total["订单号"] == "合计（2 单）"
    assert (total["实付（元）"], total["已退款（元）"], total["净收入（元）"]) == (234, 40, 194)
    assert total["运费（元）"] == 10
    assert book["订单"]["M2"].number_format == "0.00"  # money is a number Excel can sum, two decimals
    lines = [list(row) for row in book["商品明细"].iter_rows(values_only=True)]
    assert lines[0] == [
        "订单号",
        "SKU 编码",
        "商品",
        "数量",
        "单价（元）",
        "优惠分摊",
        "实付（元）",
        "已退数量",
        "已退金额（元）",
    ]
    assert lines[1][:2] == ["DY0001", "CREAM-50"]
    assert lines[1][3:] == [2, 50, "满200减10 5.00；新人券 10.00", 82.5, 1, 40]
    assert lines[-1] == ["合计（3 行）", None, None, None, None, None, 224, None, 40]
    entry = AuditLog.objects.get(action="export.finance_orders")
    assert entry.actor_id == user.pk
    assert entry.data["rows"] == 2 and entry.data["lines"] == 3
    with translation.override("zh-hans"):
        (view,) = audit_describe([entry])
    assert view.action_label == "财务导出订单"
    assert "行数：2" in view.changes_text and "商品明细行数：3" in view.changes_text
    assert (entry.data["first_day"], entry.data["last_day"], entry.data["phones_revealed"]) == (
        "2026-03-10",
        "2026-03-10",
        False,
    )


def test_owner_sees_phones_and_csv_filters_by_state(
    shop_orders: dict[str, Order], role_client: Callable[[str], tuple[User, Client]]
) -> None:
    _user, client = role_client("owner")
    with translation.override("zh-hans"):
        rows = _csv(_post(client, "csv-orders", states=(OrderStatus.SHIPPED,)))
        lines = _csv(_post(client, "csv-lines", last=DAY + dt.timedelta(days=1)))
    assert [row[0] for row in rows] == ["订单号", "DY0002", "合计（1 单）"]
    assert rows[1][4] == "13800000443"
    assert rows[-1][12] == "69.00"
    assert [row[0] for row in lines] == ["订单号", "DY0001", "DY0001", "DY0002", "DY0003", "合计（4 行）"]
    audits = list(AuditLog.objects.filter(action="export.finance_orders").order_by("pk"))
    assert [(e.data["rows"], e.data["lines"], e.data["status"], e.data["phones_revealed"]) for e in audits] == [
        (1, 1, ["shipped"], True),
        (3, 4, [], True),
    ]
    with translation.override("zh-hans"):
        first = audit_describe(audits)[0]
    assert "已发货" in first.changes_text and "shipped" not in first.changes_text


@pytest.mark.parametrize("role", ["operator", "customer_service"])
def test_other_roles_may_not_export(
    role: str, shop_orders: dict[str, Order], role_client: Callable[[str], tuple[User, Client]]
) -> None:
    _user, client = role_client(role)
    assert client.get(reverse("admin:orders_order_finance_sheet")).status_code == 403
    assert _post(client, "xlsx").status_code == 403
    assert not AuditLog.objects.filter(action="export.finance_orders").exists()


def test_a_backwards_range_is_refused_on_the_page(role_client: Callable[[str], tuple[User, Client]]) -> None:
    _user, client = role_client("finance")
    with translation.override("zh-hans"):
        response = _post(client, "xlsx", first=DAY, last=DAY - dt.timedelta(days=1))
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not AuditLog.objects.filter(action="export.finance_orders").exists()


def test_rows_are_read_in_chunks_with_a_fixed_number_of_queries(shop_orders: dict[str, Order]) -> None:
    """No query per order: one page of orders plus one prefetch each for lines, payments, refunds."""
    selection = FinanceRange(first_day=DAY, last_day=DAY + dt.timedelta(days=1))
    with CaptureQueriesContext(connection) as few:
        assert len(list(finance_rows(selection=selection, reveal=False, totals=FinanceTotals()))) == 3
    member = MemberFactory.create()
    sku = SkuFactory.create()
    for index in range(12):
        extra = _order(member, no=f"DY1{index:03d}", status=OrderStatus.PAID, paid_at=_at(DAY, 12), payable_amount=100)
        _line(extra, sku, qty=1, unit=100, allocations=[])
    with CaptureQueriesContext(connection) as many:
        assert len(list(finance_rows(selection=selection, reveal=False, totals=FinanceTotals()))) == 15
    assert len(many) == len(few) == 4


def test_the_order_desk_shows_the_button_to_finance_only(role_client: Callable[[str], tuple[User, Client]]) -> None:
    url = reverse("admin:orders_order_finance_sheet")
    for role, shown in (("finance", True), ("owner", True), ("customer_service", False)):
        _user, client = role_client(role)
        with translation.override("zh-hans"):
            page = client.get(reverse("admin:orders_order_changelist")).content.decode()
        assert ("财务导出" in page) is shown, role
        assert (url in page or reverse("admin:orders_order_finance_export") in page) is shown, role


def test_a_long_range_is_exported_by_a_job_with_the_same_sheets_and_totals(
    shop_orders: dict[str, Order],
    role_client: Callable[[str], tuple[User, Client]],
    settings: object,
    tmp_path: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over the inline limit the page queues a job; its workbook equals the inline one cell for cell."""
    from mall.models import SheetJob
    from mall.services import sheet_jobs
    from orders.services.finance_export import finance_export_xlsx

    settings.SHEET_JOBS_ROOT = tmp_path  # type: ignore[attr-defined]
    settings.SHEET_INLINE_MAX_ROWS = 1  # type: ignore[attr-defined]
    monkeypatch.setattr(sheet_jobs, "_enqueue", lambda job_id: None)
    user, client = role_client("finance")
    with translation.override("zh-hans"):
        response = _post(client, "xlsx")
        job = SheetJob.objects.get(kind=SheetJob.Kind.FINANCE_EXPORT)
        assert response["Location"] == reverse("console:sheet_job", args=[job.pk])
        assert job.total == 2
        done = sheet_jobs.sheet_job_run(job_id=job.pk)
        assert done is not None
        assert done.status == SheetJob.Status.DONE, done.message
        assert done.message == "已导出 2 笔订单，实收合计 ¥194.00。"
        download = client.get(reverse("console:sheet_job_download", args=[job.pk]))
        inline, _totals = finance_export_xlsx(actor=user, selection=FinanceRange(first_day=DAY, last_day=DAY))
    assert download["Content-Disposition"].endswith('finance-orders-20260310-20260310.xlsx"')
    from_job = load_workbook(io.BytesIO(b"".join(download.streaming_content)))  # type: ignore[attr-defined]
    from_request = load_workbook(inline)
    assert from_job.sheetnames == from_request.sheetnames == ["订单", "商品明细"]
    for name in from_job.sheetnames:
        job_rows = [list(row) for row in from_job[name].iter_rows(values_only=True)]
        assert job_rows == [list(row) for row in from_request[name].iter_rows(values_only=True)]
    assert from_job["订单"]["M2"].number_format == "0.00"
    # Audited once when queued (who, days, rows), like the inline export.
    assert AuditLog.objects.filter(action="export.finance_orders", actor=user, data__rows=2).count() == 2

    with translation.override("zh-hans"):
        _post(client, "csv-lines")
    lines_job = SheetJob.objects.filter(kind=SheetJob.Kind.FINANCE_EXPORT).latest("pk")
    assert sheet_jobs.sheet_job_run(job_id=lines_job.pk).message == "已导出 3 行商品明细。"  # type: ignore[union-attr]
    body = b"".join(client.get(reverse("console:sheet_job_download", args=[lines_job.pk])).streaming_content)  # type: ignore[attr-defined]
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert lines[-1][0] == "合计（3 行）" and len(lines) == 5
