"""The 订阅消息效果 page (F48): per kind of message, pushes sent and not sent by reason, 30 days.

Merchants see whether shoppers grant the templates they mapped, and what keeps pushes from
going out (no grant, the monthly cap, quiet hours, WeChat errors), by the kinds' names.
Reads only, through one selector query.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from members.models import Message
from members.selectors.messages import PushKindStats, push_stats_by_kind

STATS_DAYS = 30
PERMISSION = "members.view_message"
# The reasons in the order a merchant acts on them; each has its colour on the bar.
REASONS: tuple[tuple[str, str], ...] = (
    (Message.SkipReason.NO_CONSENT, "no-consent"),
    (Message.SkipReason.MONTHLY_CAP, "monthly-cap"),
    (Message.SkipReason.QUIET_HOURS, "quiet-hours"),
    (Message.SkipReason.WECHAT_ERROR, "wechat-error"),
)


def _share(part: int, total: int) -> float:
    return round(part * 100 / total, 1) if total else 0.0


def _row(entry: PushKindStats) -> dict[str, Any]:
    total = entry.total
    cells = [{"key": "sent", "count": entry.sent, "share": _share(entry.sent, total)}]
    cells += [
        {"key": css, "count": entry.skipped[reason], "share": _share(entry.skipped[reason], total)}
        for reason, css in REASONS
    ]
    return {
        "kind": entry.kind,
        "label": entry.label,
        "total": total,
        "sent": entry.sent,
        "sent_after_quiet_hours": entry.sent_after_quiet_hours,
        "waiting": entry.waiting,
        "skipped": [entry.skipped[reason] for reason, _css in REASONS],
        "delivered_rate": f"{_share(entry.sent, total):.1f}%",
        "bar": [cell for cell in cells if cell["count"]],
    }


@staff_member_required
def subscribe_stats_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    rows = [_row(entry) for entry in push_stats_by_kind(days=STATS_DAYS)]
    context = {
        **admin.site.each_context(request),
        "title": _("订阅消息效果"),
        "days": STATS_DAYS,
        "rows": rows,
        "reasons": [(css, Message.SkipReason(reason).label) for reason, css in REASONS],
        "totals": {
            "sent": sum(row["sent"] for row in rows),
            "skipped": sum(sum(row["skipped"]) for row in rows),
            "waiting": sum(row["waiting"] for row in rows),
        },
    }
    return render(request, "members/subscribe_stats.html", context)
