"""Rows of the members export (personal data); the console's export action calls it.

Besides who the shopper is: tier, points balance, tags, spend (the growth ledger's total: completed
orders less refunds, plus the old shop's spend for imported customers), and the last paid order.
The phone is masked unless the exporting role may see phone numbers (``orders.reveal_phone``).
The header names match the members import, so a sheet exported with phones goes back in as is.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.console.display import mask_phone
from mall.money import format_yuan
from members.models import GrowthEntry, Member, MemberTag
from members.selectors.points import points_balance_subquery
from orders.models import Order


def _spend_subquery() -> Coalesce:
    per_member = (
        GrowthEntry.objects.filter(member_id=OuterRef("pk"))
        .order_by()
        .values("member_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(per_member), 0)


def _last_order_subquery() -> Subquery:
    per_member = (
        Order.objects.filter(member_id=OuterRef("pk"), paid_at__isnull=False)
        .order_by()
        .values("member_id")
        .annotate(last=Max("paid_at"))
        .values("last")
    )
    return Subquery(per_member)


def member_export_rows(queryset: QuerySet[Member], *, reveal_phone: bool = False) -> tuple[list[str], list[list[Any]]]:
    """Header and rows for the selected shoppers, in two queries (members with their figures; tags)."""
    header = [
        _("会员 ID"),
        _("昵称"),
        _("手机号"),
        _("生日"),
        _("会员等级"),
        _("积分"),
        _("标签"),
        _("累计消费(元)"),
        _("最近下单"),
        _("已封禁"),
        _("注册时间"),
    ]
    tags = Prefetch("member_tags", queryset=MemberTag.objects.select_related("tag").order_by("tag_id"))
    members = (
        queryset.annotate(
            points_balance=points_balance_subquery(), spend=_spend_subquery(), last_paid_at=_last_order_subquery()
        )
        .prefetch_related(tags)
        .order_by("pk")
    )
    rows = [
        [
            member.pk,
            member.nickname,
            member.phone if reveal_phone else mask_phone(member.phone),
            member.birthday.isoformat() if member.birthday else "",
            member.get_tier_display(),
            int(member.points_balance or 0),
            ",".join(link.tag.name for link in member.member_tags.all()),
            format_yuan(max(0, int(member.spend or 0))),
            timezone.localtime(member.last_paid_at).strftime("%Y-%m-%d %H:%M") if member.last_paid_at else "",
            _("是") if member.is_blocked else _("否"),
            timezone.localtime(member.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for member in members
    ]
    return header, rows
