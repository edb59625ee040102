"""Rows of the members export (personal data: phone, birthday); the console's export action calls it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member
from members.selectors.points import points_balance_subquery


def member_export_rows(queryset: QuerySet[Member]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows for the selected shoppers, in one query."""
    header = [_("会员 ID"), _("昵称"), _("手机号"), _("生日"), _("会员等级"), _("积分"), _("已封禁"), _("注册时间")]
    rows = [
        [
            member.pk,
            member.nickname,
            member.phone,
            member.birthday.isoformat() if member.birthday else "",
            member.get_tier_display(),
            int(member.points_balance or 0),
            _("是") if member.is_blocked else _("否"),
            timezone.localtime(member.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for member in queryset.annotate(points_balance=points_balance_subquery()).order_by("pk")
    ]
    return header, rows
