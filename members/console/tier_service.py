"""The 会员服务 page (F14, F16): how many shoppers sit on each tier (a bar chart), the shoppers with
专属客服, and the 优先发货 orders past their tier's shipping-time target. Reads only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.console.display import mask_phone, yuan
from members.models import TIER_LADDER, Member
from members.selectors.points import points_balance_subquery
from members.selectors.tiers import exclusive_service_members, late_priority_orders, priority_ship_hours
from members.services.tiers import tier_label

PERMISSION = "members.view_member"
LIST_LIMIT = 100


def _tier_bars() -> list[dict[str, Any]]:
    counts = dict(Member.objects.order_by().values_list("tier").annotate(n=Count("pk")))
    top = max(counts.values(), default=0) or 1
    return [
        {
            "tier": tier,
            "label": tier_label(tier),
            "count": counts.get(tier, 0),
            "share": counts.get(tier, 0) * 100 / top,
        }
        for tier in TIER_LADDER
    ]


@staff_member_required
def tier_service_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    now = timezone.now()
    hours = priority_ship_hours()
    members = exclusive_service_members().annotate(points=points_balance_subquery())[:LIST_LIMIT]
    late = []
    for order in late_priority_orders(now=now)[:LIST_LIMIT]:
        assert order.paid_at is not None  # noqa: S101 - the selector filters on paid_at
        within = hours.get(order.member.tier, 0)
        overdue = now - order.paid_at
        late.append(
            {
                "no": order.no,
                "link": reverse("admin:orders_order_change", args=[order.pk]),
                "member": str(order.member),
                "tier": tier_label(order.member.tier),
                "payable": yuan(order.payable_amount),
                "paid_at": timezone.localtime(order.paid_at).strftime("%Y-%m-%d %H:%M"),
                "target": _("%(h)s 小时内") % {"h": within},
                "overdue_hours": int(overdue.total_seconds() // 3600) - within,
            }
        )
    context = {
        **admin.site.each_context(request),
        "title": _("会员服务"),
        "bars": _tier_bars(),
        "members": [
            {
                "name": str(m),
                "link": reverse("admin:members_member_change", args=[m.pk]),
                "tier": tier_label(m.tier),
                "phone": mask_phone(m.phone),
                "points": m.points,
            }
            for m in members
        ],
        "late": late,
        "to_ship_link": reverse("admin:orders_order_changelist") + "?tab=to_ship",
    }
    return render(request, "members/tier_service.html", context)
