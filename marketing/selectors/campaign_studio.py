"""Reads of the campaign studio: a campaign's page (tools with live state, budget, audit trail),
the console list's figures, and the mini-program's minimal view.

A campaign's tools are described by their adapters, one query per tool kind, so the page costs
a fixed number of queries however many tools it runs (pinned in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from mall.models import AuditLog
from marketing.errors import CampaignNotFound
from marketing.models import PHASE_LABELS, Campaign, CampaignStatus, CampaignTool
from marketing.services.campaign_tools import ADAPTERS, ToolView

AUDIT_ROWS = 30
# Audit actions as the merchant reads them.
AUDIT_LABELS = {
    "campaign.create": _lazy("创建活动"),
    "campaign.update": _lazy("修改活动"),
    "campaign.tool_add": _lazy("加入营销工具"),
    "campaign.tool_remove": _lazy("移出营销工具"),
    "campaign.publish": _lazy("发布"),
    "campaign.pause": _lazy("暂停"),
    "campaign.resume": _lazy("恢复"),
    "campaign.extend": _lazy("延长"),
    "campaign.end": _lazy("结束"),
    "campaign.tool_adjust": _lazy("实时调整"),
}


@dataclass(frozen=True)
class ToolRow:
    tool_id: int
    view: ToolView
    kind_label: str


@dataclass(frozen=True)
class BudgetFigures:
    amount: int | None
    spent_amount: int
    uses: int | None
    spent_uses: int

    @property
    def amount_percent(self) -> int:
        return min(100, self.spent_amount * 100 // self.amount) if self.amount else 0

    @property
    def uses_percent(self) -> int:
        return min(100, self.spent_uses * 100 // self.uses) if self.uses else 0


@dataclass(frozen=True)
class CampaignPage:
    campaign: Campaign
    phase: str
    phase_label: str
    tools: list[ToolRow]
    budget: BudgetFigures
    audit: list[AuditLog]


def campaign_phase_label(campaign: Campaign, now: datetime) -> str:
    return str(PHASE_LABELS[campaign.phase(now)])


def campaign_tool_rows(tools: list[CampaignTool], *, now: datetime) -> list[ToolRow]:
    """Each linked tool with its live state; one query per kind present."""
    by_kind: dict[str, list[int]] = {}
    for tool in tools:
        by_kind.setdefault(tool.kind, []).append(tool.object_id)
    views: dict[tuple[str, int], ToolView] = {}
    for kind, ids in by_kind.items():
        for pk, view in ADAPTERS[kind].describe(ids, now=now).items():
            views[(kind, pk)] = view
    rows = []
    for tool in tools:
        view = views.get((tool.kind, tool.object_id)) or ToolView(
            kind=tool.kind,
            object_id=tool.object_id,
            name=_("（已删除）"),
            state="—",
            window="—",
            stock="—",
            starts_at=None,
            ends_at=None,
            admin_path="",
            can_add_stock=False,
            missing=True,
        )
        rows.append(ToolRow(tool_id=tool.pk, view=view, kind_label=str(tool.get_kind_display())))
    return rows


def campaign_page(*, campaign_id: int, now: datetime) -> CampaignPage:
    campaign = Campaign.objects.select_related("segment").filter(pk=campaign_id).first()
    if campaign is None:
        raise CampaignNotFound(details={"campaign_id": campaign_id})
    tools = list(CampaignTool.objects.filter(campaign=campaign).order_by("kind", "object_id"))
    audit = list(
        AuditLog.objects.select_related("actor")
        .filter(target_type="marketing.campaign", target_id=str(campaign.pk))
        .order_by("-created_at", "-pk")[:AUDIT_ROWS]
    )
    return CampaignPage(
        campaign=campaign,
        phase=campaign.phase(now),
        phase_label=campaign_phase_label(campaign, now),
        tools=campaign_tool_rows(tools, now=now),
        budget=BudgetFigures(
            amount=campaign.budget_amount,
            spent_amount=campaign.spent_amount,
            uses=campaign.budget_uses,
            spent_uses=campaign.spent_uses,
        ),
        audit=audit,
    )


def audit_label(action: str) -> str:
    return str(AUDIT_LABELS[action]) if action in AUDIT_LABELS else action


def campaign_for_shopper(*, campaign_id: int, now: datetime) -> dict[str, Any]:
    """The mini-program's view: a published campaign's name, window, state and its tools."""
    campaign = Campaign.objects.filter(pk=campaign_id).exclude(status=CampaignStatus.DRAFT).first()
    if campaign is None:
        raise CampaignNotFound(details={"campaign_id": campaign_id})
    tools = list(CampaignTool.objects.filter(campaign=campaign).order_by("kind", "object_id"))
    phase = campaign.phase(now)
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "status": phase,
        "status_label": str(PHASE_LABELS[phase]),
        "tools": [
            {"kind": row.view.kind, "id": row.view.object_id, "name": row.view.name, "state": row.view.state}
            for row in campaign_tool_rows(tools, now=now)
            if not row.view.missing
        ],
    }
