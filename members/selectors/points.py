"""Points reads. The balance is always derived from the ledger (F15), never stored."""

from __future__ import annotations

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from members.models import Member, PointsEntry


def points_balance(*, member_id: int) -> int:
    """Sum of the member's entries; 0 without any. One query."""
    total = PointsEntry.objects.filter(member_id=member_id).aggregate(total=Sum("delta"))["total"]
    return int(total or 0)


def points_balance_subquery() -> Coalesce:
    """Per-member balance as an annotation (a correlated subquery, so lists need no GROUP BY)."""
    per_member = (
        PointsEntry.objects.filter(member_id=OuterRef("pk"))
        .order_by()
        .values("member_id")
        .annotate(total=Sum("delta"))
        .values("total")
    )
    return Coalesce(Subquery(per_member, output_field=IntegerField()), Value(0))


def member_list_with_points_balance() -> QuerySet[Member]:
    """Members annotated with ``points_balance`` (used by the console list)."""
    return Member.objects.annotate(points_balance=points_balance_subquery())


def points_entry_list_for_member(*, member_id: int) -> QuerySet[PointsEntry]:
    """The member's ledger, newest first."""
    return PointsEntry.objects.filter(member_id=member_id).order_by("-id")
