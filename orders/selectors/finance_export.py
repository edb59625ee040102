"""Rows of the finance export (P06 point 4): paid orders by Asia/Shanghai day and state, with their
lines, discounts by rule, points, shipping, refunds and payment transaction ids.

Orders are chosen by ``paid_at`` exactly as the console home page counts paid GMV
(``mall.selectors.dashboard``: ``shop_day_bounds`` and ``payable_amount``), so the sheet's
totals equal the dashboard's for the same days. Rows are produced lazily in chunks
(``iterator(chunk_size=…)`` with a prefetch per chunk) so a year of orders stays in bounded memory.
Money is integer fen here; the writer turns it into yuan.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.console.display import mask_phone
from mall.db_router import reporting
from mall.money import format_yuan
from mall.selectors.dashboard import shop_day_bounds
from marketing.selectors.quotes import rule_label
from orders.models import Order, OrderLine, Payment, Refund

CHUNK = 500
COUPON_RULE_TYPES = frozenset({"amount_off", "rate_off", "no_threshold"})


@dataclass(frozen=True)
class FinanceRange:
    first_day: dt.date
    last_day: dt.date
    states: tuple[str, ...] = ()

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        start, _end = shop_day_bounds(self.first_day)
        _start, end = shop_day_bounds(self.last_day)
        return start, end


def finance_orders(*, selection: FinanceRange) -> QuerySet[Order]:
    start, end = selection.bounds()
    queryset = reporting(Order.objects.all()).filter(paid_at__gte=start, paid_at__lt=end)
    if selection.states:
        queryset = queryset.filter(status__in=selection.states)
    return queryset.order_by("paid_at", "pk")


def _prefetched(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.select_related("member").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("sku").order_by("pk")),
        Prefetch("payments", queryset=Payment.objects.filter(status=Payment.Status.SUCCEEDED).order_by("pk")),
        Prefetch("refunds", queryset=Refund.objects.order_by("pk")),
    )


def _allocation_name(allocation: dict[str, Any]) -> str:
    return str(allocation.get("name") or rule_label(str(allocation.get("rule_type") or "")))


def yuan_amount(fen: int) -> Decimal:
    """``16500`` → ``Decimal("165.00")``: yuan with two decimals (a number in Excel, text in csv)."""
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def _fen(value: Any) -> int:
    return int(value or 0)


@dataclass
class FinanceTotals:
    """Sums of the money columns in fen (what the totals rows show in yuan)."""

    orders: int = 0
    goods: int = 0
    discount: int = 0
    coupon: int = 0
    points: int = 0
    points_value: int = 0
    shipping: int = 0
    paid: int = 0
    refunded: int = 0
    lines: int = 0
    line_paid: int = 0
    line_refunded: int = 0
    by_rule: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def net(self) -> int:
        return self.paid - self.refunded


def order_header() -> list[str]:
    return [
        _("订单号"),
        _("支付时间"),
        _("状态"),
        _("会员"),
        _("手机号"),
        _("商品金额（元）"),
        _("优惠合计（元）"),
        _("优惠明细"),
        _("优惠券（元）"),
        _("使用积分"),
        _("积分抵扣（元）"),
        _("运费（元）"),
        _("实付（元）"),
        _("已退款（元）"),
        _("净收入（元）"),
        _("微信支付单号"),
        _("退款单号"),
    ]


def line_header() -> list[str]:
    return [
        _("订单号"),
        _("SKU 编码"),
        _("商品"),
        _("数量"),
        _("单价（元）"),
        _("优惠分摊"),
        _("实付（元）"),
        _("已退数量"),
        _("已退金额（元）"),
    ]


def _detail_text(amounts: dict[str, int]) -> str:
    return "；".join(f"{name} {format_yuan(amount)}" for name, amount in amounts.items() if amount)


def _order_row(order: Order, lines: Sequence[OrderLine], *, reveal: bool, totals: FinanceTotals) -> list[Any]:
    by_rule: dict[str, int] = defaultdict(int)
    coupon = 0
    for line in lines:
        for allocation in line.allocations or []:
            amount = _fen(allocation.get("amount"))
            by_rule[_allocation_name(allocation)] += amount
            totals.by_rule[_allocation_name(allocation)] += amount
            if allocation.get("rule_type") in COUPON_RULE_TYPES:
                coupon += amount
    member = order.member
    phone = member.phone if reveal else mask_phone(member.phone)
    transaction_ids = "，".join(p.transaction_id or "" for p in order.payments.all() if p.transaction_id)
    refund_numbers = "，".join(
        f"{refund.out_refund_no}（{refund.get_status_display()}）" for refund in order.refunds.all()
    )
    totals.orders += 1
    totals.goods += order.goods_amount
    totals.discount += order.discount_amount
    totals.coupon += coupon
    totals.points += order.points_used
    totals.points_value += order.points_discount
    totals.shipping += order.shipping_fee
    totals.paid += order.payable_amount
    totals.refunded += order.refunded_amount
    paid_at = timezone.localtime(order.paid_at).strftime("%Y-%m-%d %H:%M:%S") if order.paid_at else ""
    return [
        order.no,
        paid_at,
        order.get_status_display(),
        str(member),
        phone or "-",
        yuan_amount(order.goods_amount),
        yuan_amount(order.discount_amount),
        _detail_text(by_rule),
        yuan_amount(coupon),
        order.points_used,
        yuan_amount(order.points_discount),
        yuan_amount(order.shipping_fee),
        yuan_amount(order.payable_amount),
        yuan_amount(order.refunded_amount),
        yuan_amount(order.payable_amount - order.refunded_amount),
        transaction_ids,
        refund_numbers,
    ]


def _line_row(order: Order, line: OrderLine, totals: FinanceTotals) -> list[Any]:
    amounts: dict[str, int] = defaultdict(int)
    for allocation in line.allocations or []:
        amounts[_allocation_name(allocation)] += _fen(allocation.get("amount"))
    totals.lines += 1
    totals.line_paid += line.paid_amount
    totals.line_refunded += line.refunded_amount
    return [
        order.no,
        line.sku.code,
        line.title,
        line.qty,
        yuan_amount(line.unit_price),
        _detail_text(amounts),
        yuan_amount(line.paid_amount),
        line.refunded_qty,
        yuan_amount(line.refunded_amount),
    ]


def finance_rows(
    *, selection: FinanceRange, reveal: bool, totals: FinanceTotals, line_rows: list[list[Any]] | None = None
) -> Iterator[list[Any]]:
    """Order rows, lazily, chunk by chunk; each order's line rows go to ``line_rows`` if given
    (the caller drains it as it writes). ``totals`` accumulates as rows are produced."""
    for order in _prefetched(finance_orders(selection=selection)).iterator(chunk_size=CHUNK):
        lines = list(order.lines.all())
        yield _order_row(order, lines, reveal=reveal, totals=totals)
        if line_rows is not None:
            line_rows.extend(_line_row(order, line, totals) for line in lines)


def finance_line_rows(*, selection: FinanceRange, totals: FinanceTotals) -> Iterator[list[Any]]:
    """Line rows alone, lazily (for the lines csv)."""
    orders = finance_orders(selection=selection).values("pk")
    lines = (
        reporting(OrderLine.objects.all())
        .filter(order__in=orders)
        .select_related("order", "sku")
        .order_by("order__paid_at", "order_id", "pk")
    )
    for line in lines.iterator(chunk_size=CHUNK):
        yield _line_row(line.order, line, totals)


def order_totals_row(totals: FinanceTotals) -> list[Any]:
    return [
        _("合计（%(n)d 单）") % {"n": totals.orders},
        "",
        "",
        "",
        "",
        yuan_amount(totals.goods),
        yuan_amount(totals.discount),
        _detail_text(dict(totals.by_rule)),
        yuan_amount(totals.coupon),
        totals.points,
        yuan_amount(totals.points_value),
        yuan_amount(totals.shipping),
        yuan_amount(totals.paid),
        yuan_amount(totals.refunded),
        yuan_amount(totals.net),
        "",
        "",
    ]


def line_totals_row(totals: FinanceTotals) -> list[Any]:
    return [
        _("合计（%(n)d 行）") % {"n": totals.lines},
        "",
        "",
        "",
        "",
        "",
        yuan_amount(totals.line_paid),
        "",
        yuan_amount(totals.line_refunded),
    ]
