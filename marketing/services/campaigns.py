"""The campaign (活动, issue 17 §1) and live adjustment of its tools (F30), merchant side.

A campaign is created as a draft, tools are linked to it (one campaign per tool), and
publishing makes it and its tools live. Pausing, resuming, extending and ending act on every
tool in one transaction with one audit row naming each tool; a single tool can be adjusted
live too (pause, resume, extend, add stock). Extending tells the shoppers who joined,
reserved, hold an unfinished group or bargain, or an unused coupon bound to the old end —
in the same transaction, so before the original end (pushes go after commit).

Extending moves the tools that end with the campaign (their end equals the campaign's); a
tool that ends earlier (a two-hour flash slot inside a week-long 618) keeps its own end.

A campaign's page (``Campaign.page``) follows it: publishing the campaign publishes the page's
newest version, ending it takes the page down — in the same transaction, each audited.

Lock order: the campaign row, then each tool's rows in (kind, id) order, then the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.money import format_yuan
from mall.services.audit import audit_record
from marketing.errors import (
    CampaignInvalid,
    CampaignNotFound,
    CampaignStackingWarning,
    CampaignStateInvalid,
    CampaignToolTaken,
)
from marketing.models import Campaign, CampaignPage, CampaignPauseReason, CampaignStatus, CampaignTool
from marketing.models.anomaly import CampaignAnomaly, CampaignAnomalyResolution
from marketing.selectors.campaign_anomaly import open_anomaly_alerts_refresh
from marketing.selectors.campaign_stacking import campaign_stacking_warnings
from marketing.selectors.campaign_tool_maps import campaign_tool_maps_forget
from marketing.services.campaign_tools import adapter_for
from marketing.services.coupons import Actor, require_staff
from marketing.services.pages import PageData, page_create, page_publish, page_unpublish
from members.models import Segment
from members.services.messages import MessageDraft, messages_send_bulk

EXTENDED_MESSAGE_KIND = "campaign_extended"
HOLDOUT_MAX = 50
NAME_MAX = 60


@dataclass(frozen=True, kw_only=True)
class CampaignData:
    name: str
    starts_at: datetime
    ends_at: datetime
    budget_amount: int | None = None
    budget_uses: int | None = None
    segment_id: int | None = None
    holdout_percent: int = 0


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _raise(errors: dict[str, str]) -> None:
    if errors:
        field, message = next(iter(errors.items()))
        raise CampaignInvalid(message, details={"field": field, "errors": errors})


def campaign_validate(*, data: CampaignData, campaign: Campaign | None = None) -> None:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = _("请填写活动名称。")
    elif len(data.name) > NAME_MAX:
        errors["name"] = _("活动名称最多 60 个字。")
    if data.ends_at <= data.starts_at:
        errors["ends_at"] = _("结束时间必须晚于开始时间。")
    if data.budget_amount is not None and data.budget_amount <= 0:
        errors["budget_amount"] = _("优惠预算须大于 0，或留空表示不限。")
    if data.budget_uses is not None and data.budget_uses <= 0:
        errors["budget_uses"] = _("优惠次数预算须大于 0，或留空表示不限。")
    if campaign is not None and data.budget_amount is not None and data.budget_amount < campaign.spent_amount:
        errors["budget_amount"] = _("优惠预算不能低于已占用的 %(spent)s。") % {
            "spent": format_yuan(campaign.spent_amount)
        }
    if campaign is not None and data.budget_uses is not None and data.budget_uses < campaign.spent_uses:
        errors["budget_uses"] = _("优惠次数预算不能低于已占用的 %(spent)d 次。") % {"spent": campaign.spent_uses}
    if not 0 <= data.holdout_percent <= HOLDOUT_MAX:
        errors["holdout_percent"] = _("对照组比例须在 0–50% 之间。")
    if data.segment_id is not None and not Segment.objects.filter(pk=data.segment_id).exists():
        errors["segment"] = _("目标人群不存在。")
    _raise(errors)


def _audit_data(campaign: Campaign) -> dict[str, Any]:
    return {
        "name": campaign.name,
        "starts_at": _iso(campaign.starts_at),
        "ends_at": _iso(campaign.ends_at),
        "status": campaign.status,
        "budget_amount": campaign.budget_amount,
        "budget_uses": campaign.budget_uses,
        "segment_id": campaign.segment_id,
        "holdout_percent": campaign.holdout_percent,
    }


def _lock(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise CampaignNotFound(details={"campaign_id": campaign_id})
    return campaign


def _tools(campaign: Campaign) -> list[CampaignTool]:
    return list(CampaignTool.objects.filter(campaign=campaign).order_by("kind", "object_id"))


def _apply(campaign: Campaign, data: CampaignData) -> None:
    campaign.name = data.name.strip()
    campaign.starts_at, campaign.ends_at = data.starts_at, data.ends_at
    campaign.budget_amount, campaign.budget_uses = data.budget_amount, data.budget_uses
    campaign.segment_id, campaign.holdout_percent = data.segment_id, data.holdout_percent


@transaction.atomic
def campaign_create(*, actor: Actor, data: CampaignData) -> Campaign:
    require_staff(actor)
    campaign_validate(data=data)
    campaign = Campaign(created_by=actor if isinstance(actor, User) else None)
    _apply(campaign, data)
    campaign.save()
    audit_record(actor=actor, action="campaign.create", target=campaign, data=_audit_data(campaign))
    return campaign


@transaction.atomic
def campaign_update(
    *, actor: Actor, campaign_id: int, data: CampaignData, confirm_stacking: bool | None = None
) -> Campaign:
    """Edit name, window, budget, segment and holdout (not once ended; the budget never below
    what is already reserved).

    ``confirm_stacking`` as for :func:`campaign_publish`: a new window can overlap other campaigns
    it did not before, so a changed window is checked the same way; only warnings the old window
    did not have ask again (the merchant confirmed or saw the others already)."""
    require_staff(actor)
    campaign = _lock(campaign_id)
    if campaign.status == CampaignStatus.ENDED:
        raise CampaignStateInvalid(details={"campaign_id": campaign.pk, "status": campaign.status})
    campaign_validate(data=data, campaign=campaign)
    before = _audit_data(campaign)
    moved = (campaign.starts_at, campaign.ends_at) != (data.starts_at, data.ends_at)
    now = timezone.now()
    had = _warning_keys(campaign, now=now) if moved and confirm_stacking is not None else set()
    _apply(campaign, data)
    campaign.save()
    confirmed: list[dict[str, Any]] = []
    if moved and confirm_stacking is not None:
        confirmed = _stacking_checked(campaign, confirm=confirm_stacking, now=now, known=had)
    audit_record(
        actor=actor,
        action="campaign.update",
        target=campaign,
        data={
            **_audit_data(campaign),
            "before": before,
            **({"stacking_confirmed": confirmed} if confirmed else {}),
        },
    )
    campaign_tool_maps_forget()
    return campaign


def _warning_keys(campaign: Campaign, *, now: datetime) -> set[tuple[str, int]]:
    return {(w.kind, w.other_id) for w in campaign_stacking_warnings(campaign=campaign, now=now)}


def _stacking_checked(
    campaign: Campaign, *, confirm: bool | None, now: datetime, known: set[tuple[str, int]] | None = None
) -> list[dict[str, Any]]:
    """F28: the overlap warnings for ``campaign`` (None = the caller does not ask, e.g. the demo or
    a template's tools); unconfirmed warnings refuse the change, confirmed ones go in the audit.
    ``known``: (kind, other campaign) pairs warned about before the change, not asked again."""
    if confirm is None:
        return []
    warnings = [
        w.as_data()
        for w in campaign_stacking_warnings(campaign=campaign, now=now)
        if (w.kind, w.other_id) not in (known or set())
    ]
    if warnings and not confirm:
        raise CampaignStackingWarning(details={"campaign_id": campaign.pk, "warnings": warnings})
    return warnings


@transaction.atomic
def campaign_tool_add(
    *, actor: Actor, campaign_id: int, kind: str, object_id: int, confirm_stacking: bool | None = None
) -> CampaignTool:
    """Link a tool. With ``confirm_stacking`` the overlap warnings are checked with the tool
    linked (False: refuse when there are any; True: record them as confirmed)."""
    require_staff(actor)
    campaign = _lock(campaign_id)
    if campaign.status == CampaignStatus.ENDED:
        raise CampaignStateInvalid(details={"campaign_id": campaign.pk, "status": campaign.status})
    adapter = adapter_for(kind)
    if not adapter.exists(object_id):
        _raise({"object_id": _("该营销工具不存在。")})
    if CampaignTool.objects.filter(kind=kind, object_id=object_id).exists():
        raise CampaignToolTaken(details={"kind": kind, "object_id": object_id})
    try:
        with transaction.atomic():
            tool = CampaignTool.objects.create(campaign=campaign, kind=kind, object_id=object_id)
    except IntegrityError as exc:  # another request linked it a moment ago
        raise CampaignToolTaken(details={"kind": kind, "object_id": object_id}) from exc
    confirmed = _stacking_checked(campaign, confirm=confirm_stacking, now=timezone.now())
    data: dict[str, Any] = {"kind": kind, "object_id": object_id}
    if confirmed:
        data["stacking_confirmed"] = confirmed
    audit_record(actor=actor, action="campaign.tool_add", target=campaign, data=data)
    campaign_tool_maps_forget()
    return tool


@transaction.atomic
def campaign_tool_remove(*, actor: Actor, campaign_id: int, tool_id: int) -> None:
    """Unlink a tool (the tool itself is left as it is)."""
    require_staff(actor)
    campaign = _lock(campaign_id)
    tool = CampaignTool.objects.filter(pk=tool_id, campaign=campaign).first()
    if tool is None:
        raise CampaignNotFound(details={"tool_id": tool_id})
    tool.delete()
    audit_record(
        actor=actor,
        action="campaign.tool_remove",
        target=campaign,
        data={"kind": tool.kind, "object_id": tool.object_id},
    )
    campaign_tool_maps_forget()


def _require_status(campaign: Campaign, *allowed: str) -> None:
    if campaign.status not in allowed:
        raise CampaignStateInvalid(details={"campaign_id": campaign.pk, "status": campaign.status})


def _tool_ids(tools: list[CampaignTool]) -> list[list[Any]]:
    return [[tool.kind, tool.object_id] for tool in tools]


@transaction.atomic
def campaign_publish(
    *, actor: Actor, campaign_id: int, now: datetime | None = None, confirm_stacking: bool | None = None
) -> Campaign:
    """Draft → live (预热 until its start, then 进行中); every tool goes live with it.

    ``confirm_stacking`` as for :func:`campaign_tool_add`: the console asks first (False) and
    publishes anyway (仍然发布, True) once the merchant has read the warnings."""
    require_staff(actor)
    now = now or timezone.now()
    campaign = _lock(campaign_id)
    _require_status(campaign, CampaignStatus.DRAFT)
    if campaign.ends_at <= now:
        _raise({"ends_at": _("活动已过结束时间，不能发布。")})
    tools = _tools(campaign)
    if not tools:
        _raise({"tools": _("活动里还没有营销工具。")})
    confirmed = _stacking_checked(campaign, confirm=confirm_stacking, now=now)
    for tool in tools:
        adapter_for(tool.kind).publish(actor=actor, object_id=tool.object_id)
    campaign.status, campaign.published_at = CampaignStatus.LIVE, now
    campaign.save(update_fields=["status", "published_at", "updated_at"])
    if campaign.page_id is not None:
        page_publish(actor=actor, page_id=campaign.page_id, now=now)
    audit_record(
        actor=actor,
        action="campaign.publish",
        target=campaign,
        data={
            "tools": _tool_ids(tools),
            "page_id": campaign.page_id,
            **({"stacking_confirmed": confirmed} if confirmed else {}),
        },
    )
    campaign_tool_maps_forget()
    return campaign


def _pause(campaign: Campaign, *, actor: Actor, reason: str) -> list[list[Any]]:
    paused = []
    for tool in _tools(campaign):
        if adapter_for(tool.kind).set_paused(object_id=tool.object_id, paused=True):
            paused.append([tool.kind, tool.object_id])
    campaign.status, campaign.pause_reason = CampaignStatus.PAUSED, reason
    campaign.save(update_fields=["status", "pause_reason", "updated_at"])
    audit_record(actor=actor, action="campaign.pause", target=campaign, data={"reason": reason, "tools": paused})
    return paused


@transaction.atomic
def campaign_pause(*, actor: Actor, campaign_id: int) -> Campaign:
    """Stop every tool at once (shoppers' unpaid orders keep their time to pay)."""
    require_staff(actor)
    campaign = _lock(campaign_id)
    _require_status(campaign, CampaignStatus.LIVE)
    _pause(campaign, actor=actor, reason=CampaignPauseReason.MERCHANT)
    return campaign


@transaction.atomic
def campaign_pause_for_budget(*, campaign_id: int) -> bool:
    """B02: the budget is spent — pause the campaign and its tools (no staff actor; audited as
    the system). True when it paused now."""
    campaign = _lock(campaign_id)
    if campaign.status != CampaignStatus.LIVE:
        return False
    _pause(campaign, actor=None, reason=CampaignPauseReason.BUDGET)
    return True


@transaction.atomic
def campaign_pause_for_anomaly(*, campaign_id: int, evidence: dict[str, Any]) -> bool:
    """F31: the anomaly watch saw a surge — pause the campaign and its tools as the system
    (audited with reason ``anomaly`` and the evidence). True when it paused now."""
    campaign = _lock(campaign_id)
    if campaign.status != CampaignStatus.LIVE:
        return False
    paused = _pause(campaign, actor=None, reason=CampaignPauseReason.ANOMALY)
    audit_record(actor=None, action="campaign.anomaly", target=campaign, data={"tools": paused, **evidence})
    return True


def open_alerts_forget() -> None:
    """Rewrite the console banner's cached open alerts (now and again after commit)."""
    open_anomaly_alerts_refresh()
    transaction.on_commit(open_anomaly_alerts_refresh, robust=True)


def _anomalies_resolve(campaign: Campaign, *, actor: Actor, resolution: str) -> None:
    """Resuming or ending a campaign closes its open anomaly alerts (F31): the merchant decided."""
    closed = CampaignAnomaly.objects.filter(campaign_id=campaign.pk, resolved_at__isnull=True).update(
        resolution=resolution,
        resolved_at=timezone.now(),
        resolved_by=actor if isinstance(actor, User) else None,
    )
    if closed:
        open_alerts_forget()


def _budget_left(campaign: Campaign) -> bool:
    amount_ok = campaign.budget_amount is None or campaign.spent_amount < campaign.budget_amount
    uses_ok = campaign.budget_uses is None or campaign.spent_uses < campaign.budget_uses
    return amount_ok and uses_ok


@transaction.atomic
def campaign_resume(*, actor: Actor, campaign_id: int) -> Campaign:
    require_staff(actor)
    campaign = _lock(campaign_id)
    _require_status(campaign, CampaignStatus.PAUSED)
    if not _budget_left(campaign):
        raise CampaignStateInvalid(
            _("活动预算已用完：请先提高预算再恢复。"), details={"campaign_id": campaign.pk, "reason": "budget"}
        )
    resumed = []
    for tool in _tools(campaign):
        if adapter_for(tool.kind).set_paused(object_id=tool.object_id, paused=False):
            resumed.append([tool.kind, tool.object_id])
    campaign.status, campaign.pause_reason = CampaignStatus.LIVE, CampaignPauseReason.NONE
    campaign.save(update_fields=["status", "pause_reason", "updated_at"])
    audit_record(actor=actor, action="campaign.resume", target=campaign, data={"tools": resumed})
    _anomalies_resolve(campaign, actor=actor, resolution=CampaignAnomalyResolution.RESUMED)
    return campaign


def _tell_extended(member_ids: set[int], *, campaign: Campaign, name: str, ends_at: datetime) -> int:
    """One message per shopper, written now (before the original end), pushed after commit."""
    local = timezone.localtime(ends_at)
    drafts = [
        MessageDraft(
            member_id=member_id,
            kind=EXTENDED_MESSAGE_KIND,
            title=_("活动延长啦"),
            body=_("您参与的“%(name)s”已延长至 %(end)s，别错过。") % {"name": name, "end": f"{local:%m-%d %H:%M}"},
            link=f"/pages/campaign/index?id={campaign.pk}",
            src=f"campaign:{campaign.pk}",
        )
        for member_id in sorted(member_ids)
    ]
    messages_send_bulk(drafts=drafts)
    return len(drafts)


@transaction.atomic
def campaign_extend(*, actor: Actor, campaign_id: int, ends_at: datetime, now: datetime | None = None) -> int:
    """Move the campaign's end later, with every tool that ends with it; returns shoppers told."""
    require_staff(actor)
    now = now or timezone.now()
    campaign = _lock(campaign_id)
    _require_status(campaign, CampaignStatus.DRAFT, CampaignStatus.LIVE, CampaignStatus.PAUSED)
    if ends_at <= campaign.ends_at or ends_at <= now:
        _raise({"ends_at": _("新的结束时间须晚于原结束时间和当前时间。")})
    old_end = campaign.ends_at
    tools = _tools(campaign)
    views = _views(tools, now=now)
    moved, told = [], set()
    for tool in tools:
        view = views.get((tool.kind, tool.object_id))
        if view is None or view.ends_at != old_end:
            continue
        told |= set(adapter_for(tool.kind).extend(actor=actor, object_id=tool.object_id, ends_at=ends_at, now=now))
        moved.append([tool.kind, tool.object_id])
    campaign.ends_at = ends_at
    campaign.save(update_fields=["ends_at", "updated_at"])
    count = _tell_extended(told, campaign=campaign, name=campaign.name, ends_at=ends_at) if told else 0
    audit_record(
        actor=actor,
        action="campaign.extend",
        target=campaign,
        data={"ends_at": [_iso(old_end), _iso(ends_at)], "tools": moved, "told": count},
    )
    return count


@transaction.atomic
def campaign_end(*, actor: Actor, campaign_id: int, now: datetime | None = None) -> Campaign:
    """End now: every tool ends (flash leftovers back to the shelf, open bargains closed, no new
    groups); issued coupons stay usable until they expire."""
    require_staff(actor)
    now = now or timezone.now()
    campaign = _lock(campaign_id)
    _require_status(campaign, CampaignStatus.DRAFT, CampaignStatus.LIVE, CampaignStatus.PAUSED)
    tools = _tools(campaign)
    for tool in tools:
        adapter_for(tool.kind).end(actor=actor, object_id=tool.object_id, now=now)
    campaign.status, campaign.ended_at = CampaignStatus.ENDED, now
    campaign.save(update_fields=["status", "ended_at", "updated_at"])
    page_down = _page_take_down(actor=actor, campaign=campaign)
    audit_record(
        actor=actor,
        action="campaign.end",
        target=campaign,
        data={"at": _iso(now), "tools": _tool_ids(tools), "page_unpublished": page_down},
    )
    campaign_tool_maps_forget()
    _anomalies_resolve(campaign, actor=actor, resolution=CampaignAnomalyResolution.ENDED)
    return campaign


def _page_take_down(*, actor: Actor, campaign: Campaign) -> bool:
    """The ended campaign's page leaves the mini-program (True when it was live)."""
    if campaign.page_id is None:
        return False
    live = CampaignPage.objects.filter(pk=campaign.page_id, published_version__isnull=False).exists()
    if live:
        page_unpublish(actor=actor, page_id=campaign.page_id)
    return live


# --- the campaign's page -----------------------------------------------------------------------


@transaction.atomic
def campaign_page_link(*, actor: Actor, campaign_id: int, page_id: int | None) -> Campaign:
    """Link an existing page to the campaign (or unlink with None); a page serves one campaign."""
    require_staff(actor)
    campaign = _lock(campaign_id)
    _require_status(campaign, CampaignStatus.DRAFT, CampaignStatus.LIVE, CampaignStatus.PAUSED)
    if page_id is not None:
        page = CampaignPage.objects.filter(pk=page_id).first()
        if page is None:
            _raise({"page": _("活动页面不存在。")})
        owner = Campaign.objects.filter(page_id=page_id).exclude(pk=campaign.pk).first()
        if owner is not None:
            _raise({"page": _("该页面已属于营销活动“%(name)s”。") % {"name": owner.name}})
        if page is not None and page.is_home:
            _raise({"page": _("店铺首页不能作为活动页面。")})
    before = campaign.page_id
    campaign.page_id = page_id
    try:
        with transaction.atomic():
            campaign.save(update_fields=["page", "updated_at"])
    except IntegrityError as exc:  # another campaign took the page a moment ago (one-to-one)
        raise CampaignInvalid(_("该页面已属于另一个营销活动。"), details={"field": "page"}) from exc
    audit_record(actor=actor, action="campaign.page_link", target=campaign, data={"page_id": [before, page_id]})
    return campaign


def _free_slug(base: str) -> str:
    stem = base[:32].strip("-") or "campaign"
    slug, n = stem, 1
    while CampaignPage.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{stem}-{n}"
    return slug


@transaction.atomic
def campaign_page_create(*, actor: Actor, campaign_id: int, slug: str = "") -> CampaignPage:
    """A new (empty, draft) page titled after the campaign, linked to it; edited in the page editor."""
    require_staff(actor)
    campaign = _lock(campaign_id)
    _require_status(campaign, CampaignStatus.DRAFT, CampaignStatus.LIVE, CampaignStatus.PAUSED)
    if campaign.page_id is not None:
        _raise({"page": _("活动已有页面。")})
    page = page_create(
        actor=actor,
        data=PageData(
            title=campaign.name, slug=slug or _free_slug(f"campaign-{campaign.pk}"), share_title=campaign.name
        ),
    )
    campaign.page = page
    campaign.save(update_fields=["page", "updated_at"])
    audit_record(actor=actor, action="campaign.page_link", target=campaign, data={"page_id": [None, page.pk]})
    return page


def _views(tools: list[CampaignTool], *, now: datetime) -> dict[tuple[str, int], Any]:
    by_kind: dict[str, list[int]] = {}
    for tool in tools:
        by_kind.setdefault(tool.kind, []).append(tool.object_id)
    views = {}
    for kind, ids in by_kind.items():
        for pk, view in adapter_for(kind).describe(ids, now=now).items():
            views[(kind, pk)] = view
    return views


# --- live adjustment of one tool (F30) ---------------------------------------------------------

ADJUSTMENTS = ("pause", "resume", "extend", "add_stock")


@dataclass(frozen=True, kw_only=True)
class ToolAdjustment:
    action: str
    ends_at: datetime | None = None
    units: int | None = None
    item_id: int | None = None


@transaction.atomic
def campaign_tool_adjust(
    *, actor: Actor, campaign_id: int, tool_id: int, adjustment: ToolAdjustment, now: datetime | None = None
) -> str:
    """Pause, resume, extend or add stock to one of the campaign's tools, at once; returns what
    was done in the merchant's words."""
    require_staff(actor)
    now = now or timezone.now()
    campaign = _lock(campaign_id)
    _require_status(campaign, CampaignStatus.DRAFT, CampaignStatus.LIVE, CampaignStatus.PAUSED)
    tool = CampaignTool.objects.filter(pk=tool_id, campaign=campaign).first()
    if tool is None:
        raise CampaignNotFound(details={"tool_id": tool_id})
    adapter = adapter_for(tool.kind)
    data: dict[str, Any] = {"kind": tool.kind, "object_id": tool.object_id, "action": adjustment.action}
    if adjustment.action in ("pause", "resume"):
        changed = adapter.set_paused(object_id=tool.object_id, paused=adjustment.action == "pause")
        data["changed"] = changed
        done = (_("已暂停。") if adjustment.action == "pause" else _("已恢复。")) if changed else _("状态未变。")
    elif adjustment.action == "extend":
        if adjustment.ends_at is None:
            raise CampaignInvalid(_("请填写新的结束时间。"), details={"field": "ends_at"})
        members = set(adapter.extend(actor=actor, object_id=tool.object_id, ends_at=adjustment.ends_at, now=now))
        name = adapter.describe([tool.object_id], now=now)[tool.object_id].name
        told = _tell_extended(members, campaign=campaign, name=name, ends_at=adjustment.ends_at) if members else 0
        data.update(ends_at=_iso(adjustment.ends_at), told=told)
        done = _("已延长，已通知 %(count)d 位参与的顾客。") % {"count": told}
    elif adjustment.action == "add_stock":
        units = adjustment.units or 0
        done = adapter.add_stock(actor=actor, object_id=tool.object_id, units=units, item_id=adjustment.item_id)
        data.update(units=units, item_id=adjustment.item_id)
    else:
        _raise({"action": _("不支持的调整。")})
    audit_record(actor=actor, action="campaign.tool_adjust", target=campaign, data=data)
    return str(done)


# --- the minute sweep (B02) --------------------------------------------------------------------


def campaigns_budget_sweep() -> int:
    """Pause live budgeted campaigns that are spent or refused a reservation (flagged in the
    cache by the refused order, whose own transaction rolled back). Idempotent; returns paused."""
    from mall.cache import cache_read, cache_write
    from marketing.services.campaign_budget import SHORT_FLAG_KEY

    paused = 0
    live = Campaign.objects.filter(status=CampaignStatus.LIVE).exclude(
        budget_amount__isnull=True, budget_uses__isnull=True
    )
    for campaign in live:
        flagged = cache_read(SHORT_FLAG_KEY.format(campaign.pk)) is not None
        if (flagged or not _budget_left(campaign)) and campaign_pause_for_budget(campaign_id=campaign.pk):
            paused += 1
        if flagged:
            cache_write(SHORT_FLAG_KEY.format(campaign.pk), None, timeout=1)
    return paused
