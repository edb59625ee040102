"""Reads of the lifecycle journeys: a shopper's 专属回归礼 and recommendations, the report.

Every function runs a fixed number of queries (pinned in tests) whatever the number of rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Sum
from django.utils import timezone

from mall.models import Product, ProductImage
from marketing.models import Coupon, CouponStatus, JourneyKind, JourneyPush, JourneyRun, JourneySend
from marketing.services.journeys.common import PAID_STATUSES
from members.models import Member
from orders.models import Order, OrderLine

RECOMMENDATIONS = 6
REPORT_WINDOW_DAYS = 7

BOUGHT_NEXT = "bought_next"
SAME_CATEGORY = "same_category"


@dataclass(frozen=True)
class Recommendation:
    product: Product
    reason: str  # bought_next | same_category


def _bought(member_id: int) -> Any:
    return OrderLine.objects.filter(order__member_id=member_id, order__status__in=PAID_STATUSES)


def journey_recommendations(*, member_id: int, limit: int = RECOMMENDATIONS) -> list[Recommendation]:
    """What to show a shopper coming back, from their own history (3 queries).

    First what other buyers of the same items bought *after* them, most buyers first; then the
    best sellers of the categories the shopper bought from. Never a product the shopper already
    bought (and so never one they restocked), never one off the shelf.
    """
    mine = _bought(member_id).values("product_id")
    earlier_same_item = OrderLine.objects.filter(
        order__member_id=OuterRef("order__member_id"),
        order__status__in=PAID_STATUSES,
        order__paid_at__lt=OuterRef("order__paid_at"),
        product_id__in=_bought(member_id).values("product_id"),
    )
    next_rows = (
        OrderLine.objects.filter(order__status__in=PAID_STATUSES, product__is_on_shelf=True)
        .exclude(order__member_id=member_id)
        .exclude(product_id__in=mine)
        .filter(Exists(earlier_same_item))
        .values("product_id")
        .annotate(buyers=Count("order__member_id", distinct=True))
        .order_by("-buyers", "product_id")[:limit]
    )
    picked: list[tuple[int, str]] = [(row["product_id"], BOUGHT_NEXT) for row in next_rows]
    if len(picked) < limit:
        taken = [pid for pid, _reason in picked]
        fillers = (
            Product.objects.filter(is_on_shelf=True, category_id__in=_bought(member_id).values("product__category_id"))
            .exclude(pk__in=mine)
            .exclude(pk__in=taken)
            .order_by("-sales_count", "-pk")
            .values_list("pk", flat=True)[: limit - len(picked)]
        )
        picked += [(pid, SAME_CATEGORY) for pid in fillers]
    if not picked:
        return []
    products = Product.objects.prefetch_related(
        Prefetch("images", queryset=ProductImage.objects.order_by("sort_order", "id"))
    ).in_bulk([pid for pid, _reason in picked])
    return [Recommendation(products[pid], reason) for pid, reason in picked if pid in products]


@dataclass(frozen=True)
class ComebackOffer:
    coupon: Coupon | None
    coupon_status: str
    recommendations: list[Recommendation]


def comeback_offer_for_member(*, member: Member, now: datetime | None = None) -> ComebackOffer:
    """The shopper's latest 专属回归礼 coupon (if any) and their recommendations."""
    now = now or timezone.now()
    send = (
        JourneySend.objects.filter(kind=JourneyKind.DORMANT, member_id=member.pk, coupon__isnull=False)
        .select_related("coupon__template", "coupon__order")
        .order_by("-sent_at", "-pk")
        .first()
    )
    coupon = send.coupon if send is not None else None
    status = ""
    if coupon is not None:
        status = coupon.status
        if status == CouponStatus.UNUSED and coupon.valid_until <= now:
            status = CouponStatus.EXPIRED
    return ComebackOffer(coupon, status, journey_recommendations(member_id=member.pk))


# --- the report ----------------------------------------------------------------------


@dataclass
class JourneyReport:
    kind: str
    label: str
    eligible: int = 0
    sent: int = 0
    granted: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    coupons_used: int = 0
    orders: int = 0
    buyers: int = 0
    gmv: int = 0  # fen

    @property
    def use_rate(self) -> float:
        return self.coupons_used / self.granted if self.granted else 0.0


def journey_reports(*, since: datetime | None = None) -> list[JourneyReport]:
    """Per journey: eligible, pushed, skipped by reason (from the runs); coupons used, orders and
    GMV paid within 7 days after each message (from orders). Five queries."""
    reports = {kind: JourneyReport(kind=kind, label=str(label)) for kind, label in JourneyKind.choices}
    runs = JourneyRun.objects.all()
    # Held-out shoppers (the journey's and the shop's global holdout) got nothing: not counted here.
    sends = JourneySend.objects.filter(is_holdout=False).exclude(push=JourneyPush.GLOBAL_HOLDOUT)
    if since is not None:
        runs, sends = runs.filter(ran_at__gte=since), sends.filter(sent_at__gte=since)
    for kind, eligible, sent, skipped in runs.values_list("kind", "eligible", "sent", "skipped"):
        report = reports[kind]
        report.eligible += eligible
        report.sent += sent
        report.skipped.update({str(k): int(v) for k, v in (skipped or {}).items()})
    for row in sends.values("kind").annotate(
        granted=Count("pk"), used=Count("pk", filter=Q(coupon__status=CouponStatus.USED))
    ):
        reports[row["kind"]].granted = row["granted"]
        reports[row["kind"]].coupons_used = row["used"]
    for kind in reports:
        after_send = sends.filter(
            kind=kind,
            member_id=OuterRef("member_id"),
            sent_at__lte=OuterRef("paid_at"),
            sent_at__gt=OuterRef("paid_at") - timedelta(days=REPORT_WINDOW_DAYS),
        )
        totals = (
            Order.objects.filter(status__in=PAID_STATUSES, paid_at__isnull=False)
            .filter(Exists(after_send))
            .aggregate(
                orders=Count("pk"),
                buyers=Count("member_id", distinct=True),
                gmv=Sum(F("payable_amount") - F("refunded_amount")),
            )
        )
        reports[kind].orders = totals["orders"] or 0
        reports[kind].buyers = totals["buyers"] or 0
        reports[kind].gmv = totals["gmv"] or 0
    return list(reports.values())
