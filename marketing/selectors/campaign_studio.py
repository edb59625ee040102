"""Reads of the campaign studio: a campaign's page (tools with live state, budget, audit trail),
the console list's figures, and the mini-program's minimal view.

A campaign's tools are described by their adapters, one query per tool kind, so the page costs
a fixed number of queries however many tools it runs (pinned in the tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from mall.models import AuditLog
from mall.selectors.catalogue import server_time_data
from marketing.errors import CampaignNotFound, PageNotFound
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
    "campaign.anomaly": _lazy("异常自动暂停"),
    "campaign.anomaly_settings": _lazy("修改异常监控"),
    "campaign.anomaly_resolve": _lazy("处理异常告警"),
    "campaign.extend": _lazy("延长"),
    "campaign.end": _lazy("结束"),
    "campaign.tool_adjust": _lazy("实时调整"),
    "campaign.page_link": _lazy("关联活动页面"),
    "campaign.from_template": _lazy("由模板创建"),
    "campaign.save_template": _lazy("保存为模板"),
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
    overlaps: list[Overlap]


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
    campaign = Campaign.objects.select_related("segment", "page").filter(pk=campaign_id).first()
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
        overlaps=campaign_overlaps(campaign=campaign, tools=tools) if campaign.status != CampaignStatus.ENDED else [],
    )


def audit_label(action: str) -> str:
    return str(AUDIT_LABELS[action]) if action in AUDIT_LABELS else action


def campaign_for_shopper(*, campaign_id: int, now: datetime) -> dict[str, Any]:
    """The mini-program's view: a published campaign's name, window, state and its tools."""
    campaign = (
        Campaign.objects.select_related("page").filter(pk=campaign_id).exclude(status=CampaignStatus.DRAFT).first()
    )
    if campaign is None:
        raise CampaignNotFound(details={"campaign_id": campaign_id})
    tools = list(CampaignTool.objects.filter(campaign=campaign).order_by("kind", "object_id"))
    phase = campaign.phase(now)
    page = campaign.page
    return {
        "id": campaign.pk,
        "name": campaign.name,
        # Only a published page is worth opening; a draft page's slug would answer page_not_found.
        "page_slug": page.slug if page is not None and page.published_version_id is not None else None,
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


def campaign_page_for_shopper(*, campaign_id: int, now: datetime) -> dict[str, Any]:
    """A shared campaign opened by its id (issue 17): its name, window and state plus its
    published page with every block resolved, in one request. The page is left out (null)
    when the campaign has ended (its tools have too) or has no published page; a draft or an
    unknown id is ``campaign_not_found``. One query besides the page's own cached build."""
    from marketing.selectors.pages import page_published_data

    campaign = (
        Campaign.objects.select_related("page").filter(pk=campaign_id).exclude(status=CampaignStatus.DRAFT).first()
    )
    if campaign is None:
        raise CampaignNotFound(details={"campaign_id": campaign_id})
    phase = campaign.phase(now)
    if phase == "paused" and now >= campaign.ends_at:
        phase = "ended"  # a campaign paused past its end is over for the shopper
    page, shown = campaign.page, None
    if page is not None and page.published_version_id is not None and phase != "ended":
        try:
            shown = page_published_data(key=page.slug, now=now)  # the slug API's cache entry
        except PageNotFound:
            shown = None  # unpublished a moment ago
    return {
        "campaign": {
            "id": campaign.pk,
            "name": campaign.name,
            "starts_at": campaign.starts_at,
            "ends_at": campaign.ends_at,
            "status": phase,
            "status_label": str(PHASE_LABELS[phase]),
        },
        "page": shown,
        "server_time": server_time_data(now=now),
    }


# --- several at once (issue 17 §4, first part): overlapping campaigns and the goods they share ---

ALL_GOODS = None  # a tool scoped to the whole shop


@dataclass(frozen=True)
class Overlap:
    """Another open campaign running at the same time, and the SKUs both may discount."""

    campaign: Campaign
    starts_at: datetime
    ends_at: datetime
    whole_shop: bool
    shared_sku_count: int


def _scoped_skus(rows: list[Any], parent: Mapping[int, int | None]) -> set[int] | None:
    """SKU ids a promotion's or coupon template's scope covers, or ALL_GOODS when unscoped."""
    from mall.models import Sku
    from marketing.selectors.pricing_rules import descendants

    found: set[int] = set()
    for row in rows:
        skus = {sku.pk for sku in row.skus.all()}
        categories = {category.pk for category in row.categories.all()}
        if not skus and not categories:
            return ALL_GOODS
        found |= skus
        if categories:
            under = descendants(categories, parent)
            found |= set(Sku.objects.filter(product__category_id__in=under).values_list("pk", flat=True))
    return found


def campaign_sku_scope(tools: list[CampaignTool]) -> set[int] | None:
    """Every SKU the campaign's tools may discount, or ALL_GOODS (a fixed number of queries per kind)."""
    from mall.models import Category
    from marketing.models import BargainCampaign, CouponTemplate, FlashItem, GroupBuyItem, Promotion

    ids: dict[str, list[int]] = {}
    for tool in tools:
        ids.setdefault(tool.kind, []).append(tool.object_id)
    parent = dict(Category.objects.values_list("pk", "parent_id"))
    found: set[int] = set()
    for model, kind in ((Promotion, "promotion"), (CouponTemplate, "coupon")):
        if ids.get(kind):
            rows = list(model.objects.filter(pk__in=ids[kind]).prefetch_related("skus", "categories"))
            scoped = _scoped_skus(rows, parent)
            if scoped is ALL_GOODS:
                return ALL_GOODS
            found |= scoped
    found |= set(FlashItem.objects.filter(slot_id__in=ids.get("flash", [])).values_list("sku_id", flat=True))
    found |= set(GroupBuyItem.objects.filter(campaign_id__in=ids.get("group_buy", [])).values_list("sku_id", flat=True))
    found |= set(BargainCampaign.objects.filter(pk__in=ids.get("bargain", [])).values_list("sku_id", flat=True))
    return found


def campaign_overlaps(*, campaign: Campaign, tools: list[CampaignTool]) -> list[Overlap]:
    """Open campaigns whose window crosses this one's, with the SKUs both may discount (the
    merchant checks how the stacking policy resolves them with 价格试算)."""
    others = list(
        Campaign.objects.exclude(pk=campaign.pk)
        .exclude(status=CampaignStatus.ENDED)
        .filter(starts_at__lt=campaign.ends_at, ends_at__gt=campaign.starts_at)
        .prefetch_related("tools")
        .order_by("starts_at")
    )
    if not others:
        return []
    mine = campaign_sku_scope(tools)
    overlaps = []
    for other in others:
        theirs = campaign_sku_scope(list(other.tools.all()))
        whole = mine is ALL_GOODS and theirs is ALL_GOODS
        if mine is ALL_GOODS:
            shared = len(theirs or ())
        elif theirs is ALL_GOODS:
            shared = len(mine)
        else:
            shared = len(mine & theirs)
        overlaps.append(
            Overlap(
                campaign=other,
                starts_at=max(campaign.starts_at, other.starts_at),
                ends_at=min(campaign.ends_at, other.ends_at),
                whole_shop=whole,
                shared_sku_count=shared,
            )
        )
    return overlaps
