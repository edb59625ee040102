"""Reads of after-sales requests: the shopper's list and detail, the console's queue and counts."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from members.models import Member
from orders.errors import AfterSaleNotFound
from orders.models import AfterSale, AfterSaleStatus


def _with_related(qs: QuerySet[AfterSale]) -> QuerySet[AfterSale]:
    return qs.select_related("order", "line", "refund").prefetch_related("photos")


def after_sale_list_for_member(*, member: Member, status: str | None = None) -> QuerySet[AfterSale]:
    """The shopper's requests, newest first (a fixed number of queries per page)."""
    qs = AfterSale.objects.filter(member=member).order_by("-id")
    if status:
        qs = qs.filter(status=status)
    return _with_related(qs)


def after_sale_get_for_member(*, member: Member, no: str) -> AfterSale:
    """One of the shopper's own requests; another shopper's is ``after_sale_not_found``."""
    after_sale = _with_related(AfterSale.objects.filter(member=member, no=no)).first()
    if after_sale is None:
        raise AfterSaleNotFound(details={"no": no})
    return after_sale


def after_sale_status_counts() -> dict[str, int]:
    """How many requests are in each state (the console queue's tabs), in one query."""
    counts = dict(AfterSale.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in AfterSaleStatus.values}
