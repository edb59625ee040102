"""Distribution reads: a promoter's earnings by state, their orders, customers and withdrawals, and
the console's figures. Each costs a fixed number of queries, pinned in the tests.

The withdrawable balance is derived, never stored: commission available now, less withdrawals
requested (reserved) or paid. Refunds after a row became available lower it (it may go below
zero: the promoter then withdraws nothing until later commission covers it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from mall.selectors.dashboard import shop_day_bounds, shop_today
from marketing.models import (
    Attribution,
    Commission,
    CommissionStatus,
    Promoter,
    Withdrawal,
    WithdrawalStatus,
)
from members.models import Member
from orders.models import Order

S = CommissionStatus
W = WithdrawalStatus


def mask_nickname(nickname: str) -> str:
    """ "小明" → "小*", "张三丰" → "张*丰", longer names keep the first and last character."""
    name = (nickname or "").strip()
    if not name:
        return "微信用户"
    if len(name) == 1:
        return name + "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * min(len(name) - 2, 3) + name[-1]


def mask_order_no(no: str) -> str:
    """Only the date part and the last four digits of an order number."""
    return f"{no[:6]}****{no[-4:]}" if len(no) > 10 else no


@dataclass(frozen=True)
class Earnings:
    """A promoter's money by state, in fen."""

    pending: int
    frozen: int
    available: int
    withdrawing: int
    withdrawn: int
    reversed: int

    @property
    def total(self) -> int:
        """Everything earned and not reversed, whatever its state."""
        return self.pending + self.frozen + self.available + self.withdrawing + self.withdrawn


def promoter_earnings(*, promoter_id: int) -> Earnings:
    """Two queries: commission by state, withdrawals by state."""
    by_status: dict[str, tuple[int, int]] = {
        row["status"]: (int(row["held"] or 0), int(row["amount"] or 0))
        for row in Commission.objects.filter(promoter_id=promoter_id)
        .order_by()
        .values("status")
        .annotate(held=Sum("held_amount"), amount=Sum("amount"))
    }
    paid_out: dict[str, int] = {
        row["status"]: int(row["total"] or 0)
        for row in Withdrawal.objects.filter(promoter_id=promoter_id)
        .order_by()
        .values("status")
        .annotate(total=Sum("amount"))
    }
    held = {status: values[0] for status, values in by_status.items()}
    reversed_total = sum(amount - kept for kept, amount in by_status.values())
    withdrawing, withdrawn = paid_out.get(W.REQUESTED, 0), paid_out.get(W.PAID, 0)
    return Earnings(
        pending=held.get(S.PENDING, 0),
        frozen=held.get(S.FROZEN, 0),
        available=held.get(S.AVAILABLE, 0) - withdrawing - withdrawn,
        withdrawing=withdrawing,
        withdrawn=withdrawn,
        reversed=reversed_total,
    )


def promoter_withdrawable(*, promoter_id: int) -> int:
    """What the promoter may ask for now (callers hold the promoter row lock to spend it)."""
    available = Commission.objects.filter(promoter_id=promoter_id, status=S.AVAILABLE).aggregate(
        total=Sum("held_amount")
    )["total"]
    taken = Withdrawal.objects.filter(promoter_id=promoter_id, status__in=[W.REQUESTED, W.PAID]).aggregate(
        total=Sum("amount")
    )["total"]
    return int(available or 0) - int(taken or 0)


def promoter_for_member(*, member: Member) -> Promoter | None:
    return Promoter.objects.filter(member_id=member.pk).first()


def promoter_orders(*, promoter_id: int) -> QuerySet[Order]:
    """Orders that pay this promoter, newest first, with the buyer and this promoter's rows."""
    rows = Commission.objects.filter(promoter_id=promoter_id).order_by("pk")
    return (
        Order.objects.filter(pk__in=Commission.objects.filter(promoter_id=promoter_id).values("order_id"))
        .select_related("member")
        .prefetch_related(Prefetch("commissions", queryset=rows, to_attr="promoter_rows"))
        .order_by("-pk")
    )


def _orders_of_customer() -> Subquery:
    per_member = (
        Commission.objects.filter(promoter_id=OuterRef("promoter_id"), order__member_id=OuterRef("member_id"))
        .order_by()
        .values("promoter_id")
        .annotate(n=Count("order_id", distinct=True))
        .values("n")
    )
    return Subquery(per_member, output_field=IntegerField())


def promoter_customers(*, promoter_id: int) -> QuerySet[Attribution]:
    """Shoppers who opened this promoter's links, latest click first, with how many orders paid them."""
    return (
        Attribution.objects.filter(promoter_id=promoter_id)
        .select_related("member")
        .annotate(orders=Coalesce(_orders_of_customer(), Value(0)))
        .order_by("-last_clicked_at", "-pk")
    )


def promoter_withdrawals(*, promoter_id: int) -> QuerySet[Withdrawal]:
    return Withdrawal.objects.filter(promoter_id=promoter_id).order_by("-pk")


# --- console figures -----------------------------------------------------------------------------


def _commission_sum(status: str) -> Coalesce:
    rows = (
        Commission.objects.filter(promoter_id=OuterRef("pk"), status=status)
        .order_by()
        .values("promoter_id")
        .annotate(total=Sum("held_amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _withdrawal_sum(statuses: list[str]) -> Coalesce:
    rows = (
        Withdrawal.objects.filter(promoter_id=OuterRef("pk"), status__in=statuses)
        .order_by()
        .values("promoter_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def promoter_list_with_earnings() -> QuerySet[Promoter]:
    """Promoters annotated with their money by state (correlated subqueries: one query per page)."""
    return Promoter.objects.select_related("member").annotate(
        frozen_amount=_commission_sum(S.FROZEN),
        available_amount=_commission_sum(S.AVAILABLE),
        withdrawn_amount=_withdrawal_sum([W.PAID]),
        reserved_amount=_withdrawal_sum([W.REQUESTED, W.PAID]),
    )


def distribution_totals() -> dict[str, Any]:
    """The console's outcome counts: commission by state (fen and rows), withdrawals, promoters."""
    commission = Commission.objects.aggregate(
        pending=Coalesce(Sum("held_amount", filter=Q(status=S.PENDING)), 0),
        frozen=Coalesce(Sum("held_amount", filter=Q(status=S.FROZEN)), 0),
        available=Coalesce(Sum("held_amount", filter=Q(status=S.AVAILABLE)), 0),
        reversed=Coalesce(Sum("amount"), 0) - Coalesce(Sum("held_amount"), 0),
        orders=Count("order_id", distinct=True),
    )
    withdrawals = Withdrawal.objects.aggregate(
        paid=Coalesce(Sum("amount", filter=Q(status=W.PAID)), 0),
        requested=Coalesce(Sum("amount", filter=Q(status=W.REQUESTED)), 0),
        requested_count=Count("pk", filter=Q(status=W.REQUESTED)),
    )
    promoters = Promoter.objects.aggregate(
        approved=Count("pk", filter=Q(status="approved")),
        applied=Count("pk", filter=Q(status="applied")),
    )
    return {**commission, **withdrawals, **promoters}


@dataclass(frozen=True)
class CommissionDay:
    day: date
    orders: int
    amount: int


def commission_daily_series(*, days: int = 30, now: datetime | None = None) -> list[CommissionDay]:
    """Commission created per shop day (orders attributed, fen), oldest first, in one query."""
    today = shop_today(now)
    day_list = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    aggregates: dict[str, Count | Sum] = {}
    for index, day in enumerate(day_list):
        start, end = shop_day_bounds(day)
        window = Q(created_at__gte=start, created_at__lt=end)
        aggregates[f"o{index}"] = Count("order_id", filter=window, distinct=True)
        aggregates[f"a{index}"] = Sum("amount", filter=window, default=0)
    first_start, _end = shop_day_bounds(day_list[0])
    row = Commission.objects.filter(created_at__gte=first_start).aggregate(**aggregates)
    return [
        CommissionDay(day=day, orders=int(row[f"o{index}"]), amount=int(row[f"a{index}"]))
        for index, day in enumerate(day_list)
    ]
