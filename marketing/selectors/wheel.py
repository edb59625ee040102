"""Reads for the lucky wheel (F21): the shopper's wheel page, their prizes, the merchant's figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum

from analytics.models import OrderTouch, Tool
from marketing.models import ChanceStatus, CouponStatus, PrizeKind, Wheel, WheelChance, WheelDraw, WheelPrize
from marketing.services.wheel import shop_day, wheel_live
from members.models import Member
from orders.models import Order

MY_PRIZES_MAX = 50


@dataclass(frozen=True)
class WheelPage:
    wheel: Wheel | None
    prizes: list[WheelPrize]
    chances_left: int
    draws_today: int
    draws_left_today: int


def wheel_page_for_member(*, member: Member, now: dt.datetime | None = None) -> WheelPage:
    """The live wheel with its prizes, the shopper's chances and today's draws (4 queries)."""
    wheel = wheel_live()
    chances = WheelChance.objects.filter(member_id=member.pk, status=ChanceStatus.AVAILABLE).count()
    if wheel is None:
        return WheelPage(wheel=None, prizes=[], chances_left=chances, draws_today=0, draws_left_today=0)
    prizes = list(wheel.prizes.order_by("position", "id"))
    today = WheelDraw.objects.filter(member_id=member.pk, day=shop_day(now)).count()
    return WheelPage(
        wheel=wheel,
        prizes=prizes,
        chances_left=chances,
        draws_today=today,
        draws_left_today=min(chances, max(0, wheel.daily_draw_limit - today)),
    )


def wheel_prizes_for_member(*, member: Member) -> list[WheelDraw]:
    """The shopper's won prizes (谢谢参与 left out), newest first, with their coupons (1 query)."""
    return list(
        WheelDraw.objects.filter(member_id=member.pk)
        .exclude(kind=PrizeKind.THANKS)
        .select_related("prize", "coupon")
        .order_by("-id")[:MY_PRIZES_MAX]
    )


@dataclass(frozen=True)
class PrizeFigure:
    prize: WheelPrize
    draws: int
    fallbacks_to: int


@dataclass(frozen=True)
class WheelFigures:
    participants: int
    participants_today: int
    draws_total: int
    chances_granted: int
    chances_withdrawn: int
    prizes_issued: int
    coupons_issued: int
    coupons_used: int
    cost_issued: int
    cost_used: int
    orders: int
    gmv: int
    coupon_orders: int  # paid with a coupon the wheel gave (attribution, net of refunds)
    coupon_gmv: int
    daily: list[tuple[dt.date, int, int]]  # (day, participants, draws)
    prizes: list[PrizeFigure]


def _participant_orders(draws: QuerySet[WheelDraw]) -> tuple[int, int]:
    """Paid orders of shoppers placed after their first draw, and what they paid net of refunds (1 query)."""
    first_draw = draws.filter(member_id=OuterRef("member_id")).order_by("created_at").values("created_at")[:1]
    rows = (
        Order.objects.filter(paid_at__isnull=False)
        .annotate(first_draw=Subquery(first_draw))
        .filter(first_draw__isnull=False, paid_at__gte=F("first_draw"))
    )
    totals = rows.aggregate(n=Count("id"), paid=Sum("payable_amount"), refunded=Sum("refunded_amount"))
    return totals["n"] or 0, (totals["paid"] or 0) - (totals["refunded"] or 0)


def wheel_figures(*, wheel: Wheel | None = None, days: int = 30, now: dt.datetime | None = None) -> WheelFigures:
    """The game's figures across every version (or one ``wheel``'s): participants, daily actives,
    prizes issued and used, their cost, and orders and GMV from participants after their first
    draw. A fixed number of queries whatever the number of draws."""
    today = shop_day(now)
    first = today - dt.timedelta(days=days - 1)
    draws = WheelDraw.objects.all() if wheel is None else WheelDraw.objects.filter(wheel=wheel)
    totals = draws.aggregate(
        members=Count("member_id", distinct=True),
        n=Count("id"),
        won=Count("id", filter=~Q(kind=PrizeKind.THANKS)),
        coupons=Count("id", filter=Q(coupon__isnull=False)),
        used=Count("id", filter=Q(coupon__status=CouponStatus.USED)),
        cost=Sum("value"),
        cost_used=Sum("value", filter=Q(coupon__status=CouponStatus.USED) | Q(kind=PrizeKind.POINTS)),
        today=Count("member_id", distinct=True, filter=Q(day=today)),
    )
    per_day = {
        row["day"]: (row["members"], row["n"])
        for row in draws.filter(day__gte=first, day__lte=today)
        .order_by()
        .values("day")
        .annotate(members=Count("member_id", distinct=True), n=Count("id"))
    }
    chances = WheelChance.objects.aggregate(
        granted=Count("id"), withdrawn=Count("id", filter=Q(status=ChanceStatus.WITHDRAWN))
    )
    prize_rows = WheelPrize.objects.filter(wheel=wheel) if wheel is not None else WheelPrize.objects.none()
    prize_rows = prize_rows.annotate(
        n_draws=Count("draws", distinct=True),
    ).order_by("position", "id")
    fell = dict(
        draws.filter(fell_back=True)
        .order_by()
        .values("picked_id")
        .annotate(n=Count("id"))
        .values_list("picked_id", "n")
    )
    orders, gmv = _participant_orders(draws)
    touches = OrderTouch.objects.filter(tool=Tool.WHEEL)
    if wheel is not None:
        touches = touches.filter(object_id=wheel.pk)
    attributed = touches.aggregate(orders=Sum("orders"), gmv=Sum("gmv"))
    return WheelFigures(
        participants=totals["members"] or 0,
        participants_today=totals["today"] or 0,
        draws_total=totals["n"] or 0,
        chances_granted=chances["granted"] or 0,
        chances_withdrawn=chances["withdrawn"] or 0,
        prizes_issued=totals["won"] or 0,
        coupons_issued=totals["coupons"] or 0,
        coupons_used=totals["used"] or 0,
        cost_issued=totals["cost"] or 0,
        cost_used=totals["cost_used"] or 0,
        orders=orders,
        gmv=gmv,
        coupon_orders=attributed["orders"] or 0,
        coupon_gmv=attributed["gmv"] or 0,
        daily=[(first + dt.timedelta(days=i), *per_day.get(first + dt.timedelta(days=i), (0, 0))) for i in range(days)],
        prizes=[PrizeFigure(prize=row, draws=row.n_draws, fallbacks_to=fell.get(row.pk, 0)) for row in prize_rows],
    )


def wheel_for_figures(wheel_id: int | None) -> Wheel | None:
    """The version the figures page shows: the one asked for, else the live one, else the newest."""
    if wheel_id:
        return Wheel.objects.filter(pk=wheel_id).first()
    return wheel_live() or Wheel.objects.order_by("-id").first()
