"""智能建议 (F39): the nightly generator.

One small rule per kind, each a function over figures already read from the rollups (tool and
product figures, hour-of-day participation, the basket distribution) that returns drafts; the
thresholds live in settings (``SUGGESTION_*``). ``suggestions_generate`` reads the figures once,
runs every rule and writes the drafts with ``get_or_create`` on the unique (kind, subject, day)
key, so running it twice on one day writes nothing new. Accepting or dismissing is audited.
Action links open a pre-filled draft (a new flash slot, a new promotion) and never touch a live
campaign.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.errors import SuggestionNotNew
from analytics.models import Suggestion, SuggestionKind, SuggestionState, Tool
from analytics.selectors.attribution import (
    ProductClass,
    ProductFigure,
    ToolFigure,
    participation_by_hour,
    percent,
    product_figures,
    tool_figures,
)
from analytics.services.attribution import shop_day
from mall.money import format_yuan
from mall.services.audit import audit_record


@dataclass(frozen=True)
class Draft:
    kind: str
    subject: str
    title: str
    evidence: dict[str, Any] = field(default_factory=dict)
    action_url: str = ""


def _url(name: str, params: dict[str, Any] | None = None, args: Sequence[Any] = ()) -> str:
    try:
        base = reverse(name, args=list(args))
    except NoReverseMatch:
        return ""
    return f"{base}?{urlencode(params)}" if params else base


def _ratio(value: Decimal | None) -> str:
    return f"1:{(value or Decimal(0)).quantize(Decimal('0.1'))}"


@dataclass(frozen=True)
class Limits:
    """The generator's thresholds; ``from_settings()`` reads the shop's ``SUGGESTION_*`` settings,
    and a caller (the demo's small shop) may pass its own instead of patching settings."""

    window_days: int
    tool_min_orders: int
    tool_min_ratio: float
    basket_min_redemption: int
    basket_min_share: int
    basket_min_orders: int
    time_min_orders: int
    time_min_share: int
    products_max: int
    traffic_min_visitors: int

    @classmethod
    def from_settings(cls, **overrides: Any) -> Limits:
        values = {f.name: getattr(settings, f"SUGGESTION_{f.name.upper()}") for f in fields(cls)}
        return cls(**{**values, **overrides})


# --- rule 1: tool ROI ----------------------------------------------------------------------

TOOL_DRAFT_URLS = {
    Tool.FLASH: ("console:marketing_flash_new", {}),
    Tool.RELEASE: ("console:marketing_flash_new", {"kind": "release"}),
    Tool.GROUP_BUY: ("admin:marketing_groupbuycampaign_add", {}),
    Tool.BARGAIN: ("admin:marketing_bargaincampaign_add", {}),
    Tool.COUPON: ("admin:marketing_coupontemplate_add", {}),
    Tool.PROMOTION: ("admin:marketing_promotion_add", {}),
    Tool.INVITE: ("admin:marketing_inviteprogram_add", {}),
}


def rule_tool_roi(figures: list[ToolFigure], *, days: int, limits: Limits | None = None) -> list[Draft]:
    """Best vs worst tool by ROI (each with at least ``SUGGESTION_TOOL_MIN_ORDERS`` orders and a
    cost); a suggestion when the best beats the worst by ``SUGGESTION_TOOL_MIN_RATIO`` times."""
    limits = limits or Limits.from_settings()
    rows = [f for f in figures if f.cost > 0 and f.orders >= limits.tool_min_orders and f.roi]
    if len(rows) < 2:
        return []
    rows.sort(key=lambda f: (-(f.roi or 0), f.tool))
    best, worst = rows[0], rows[-1]
    if (best.roi or 0) < (worst.roi or 0) * Decimal(str(limits.tool_min_ratio)):
        return []
    title = _(
        "近 %(days)s 天%(best)s拉新 %(new)s 人，ROI %(roi)s，高于%(worst)s %(worst_roi)s，建议增加%(best)s频次"
    ) % {
        "days": days,
        "best": best.tool_label,
        "new": best.new_shoppers,
        "roi": _ratio(best.roi),
        "worst": worst.tool_label,
        "worst_roi": _ratio(worst.roi),
    }
    name, params = TOOL_DRAFT_URLS.get(Tool(best.tool), ("console:analytics_roi", {}))
    evidence = {
        "days": days,
        "best": {
            "tool": best.tool,
            "orders": best.orders,
            "new_shoppers": best.new_shoppers,
            "gmv": best.gmv,
            "cost": best.cost,
            "roi": str(best.roi),
        },
        "worst": {
            "tool": worst.tool,
            "orders": worst.orders,
            "new_shoppers": worst.new_shoppers,
            "gmv": worst.gmv,
            "cost": worst.cost,
            "roi": str(worst.roi),
        },
    }
    return [Draft(SuggestionKind.TOOL, best.tool, title, evidence, _url(name, params))]


# --- rule 2: 满减 basket gap ---------------------------------------------------------------


@dataclass(frozen=True)
class TierFigure:
    promotion_id: int
    name: str
    threshold: int  # fen
    off: int  # fen
    eligible_orders: int  # paid orders at or above the threshold
    redeemed_orders: int  # of those, orders that took the promotion


def next_tier(threshold: int, off: int) -> tuple[int, int, int]:
    """(band start, next threshold, next off) in fen: 199 → orders in ¥240–299 → 满299减60."""
    band_low = -(-threshold * 6 // 5 // 1000) * 1000
    upper = -(-threshold * 3 // 2 // 10000) * 10000 - 100
    return band_low, max(upper, band_low + 100), off * 2


def rule_basket_gap(tiers: list[TierFigure], amounts: list[int], limits: Limits | None = None) -> list[Draft]:
    """A top 满减 tier redeemed by ≥ ``SUGGESTION_BASKET_MIN_REDEMPTION`` % of eligible orders, with
    ≥ ``SUGGESTION_BASKET_MIN_SHARE`` % of all paid orders just above it → suggest the next tier."""
    limits = limits or Limits.from_settings()
    total = len(amounts)
    if total < limits.basket_min_orders:
        return []
    drafts = []
    for tier in tiers:
        redemption = percent(tier.redeemed_orders, tier.eligible_orders)
        if redemption is None or redemption < limits.basket_min_redemption:
            continue
        band_low, upper, new_off = next_tier(tier.threshold, tier.off)
        in_band = sum(1 for a in amounts if band_low <= a <= upper)
        share = percent(in_band, total) or Decimal(0)
        if share < limits.basket_min_share:
            continue
        title = _("满%(t)s减%(o)s 核销率 %(r)s%%，且 %(s)s%% 的订单落在 ¥%(lo)s–%(hi)s，建议新增满%(nt)s减%(no)s") % {
            "t": tier.threshold // 100,
            "o": tier.off // 100,
            "r": redemption,
            "s": share,
            "lo": band_low // 100,
            "hi": upper // 100,
            "nt": upper // 100,
            "no": new_off // 100,
        }
        rules = {"tiers": [{"threshold": format_yuan(upper), "off": format_yuan(new_off)}]}
        params = {
            "type": "full_reduction",
            "name": _("满%(nt)s减%(no)s") % {"nt": upper // 100, "no": new_off // 100},
            "rules": json.dumps(rules),
            "is_active": "",
        }
        evidence = {
            "promotion_id": tier.promotion_id,
            "threshold": tier.threshold,
            "off": tier.off,
            "eligible_orders": tier.eligible_orders,
            "redeemed_orders": tier.redeemed_orders,
            "redemption": str(redemption),
            "orders": total,
            "band_orders": in_band,
            "band_low": band_low,
            "band_high": upper,
            "next_threshold": upper,
            "next_off": new_off,
        }
        drafts.append(
            Draft(
                SuggestionKind.BASKET,
                str(tier.promotion_id),
                title,
                evidence,
                _url("admin:marketing_promotion_add", params),
            )
        )
    return drafts


# --- rule 3: time peak ---------------------------------------------------------------------


def peak_window(hours: list[int], width: int = 2) -> tuple[int, int]:
    """(start hour, orders) of the busiest ``width``-hour window of the day."""
    best = max(range(24), key=lambda h: (sum(hours[(h + i) % 24] for i in range(width)), -h))
    return best, sum(hours[(best + i) % 24] for i in range(width))


def rule_time_peak(hours: list[int], slot_hours: set[int], limits: Limits | None = None) -> list[Draft]:
    """A two-hour participation peak holding ≥ ``SUGGESTION_TIME_MIN_SHARE`` % of the orders
    that no current flash slot starts in → suggest moving the slot there."""
    limits = limits or Limits.from_settings()
    total = sum(hours)
    if total < limits.time_min_orders:
        return []
    start, orders = peak_window(hours)
    share = percent(orders, total) or Decimal(0)
    if share < limits.time_min_share or slot_hours & {start, (start + 1) % 24}:
        return []
    title = _("活动参与高峰在 %(a)s–%(b)s 点，建议把秒杀时段调整到 %(a)s 点") % {"a": start, "b": start + 2}
    evidence = {
        "hours": hours,
        "peak_start": start,
        "peak_orders": orders,
        "orders": total,
        "share": str(share),
        "slot_hours": sorted(slot_hours),
    }
    return [
        Draft(SuggestionKind.TIME, str(start), title, evidence, _url("console:marketing_flash_new", {"hour": start}))
    ]


# --- rule 4: products ----------------------------------------------------------------------


def rule_products(figures: list[ProductFigure], *, in_flash: set[int], limits: Limits | None = None) -> list[Draft]:
    """引流品 (most visited first, not already in an upcoming slot) for the next flash slot, and
    滞销 products with visitors but (almost) no sales for a clearance; at most
    ``SUGGESTION_PRODUCTS_MAX`` of each."""
    limits = limits or Limits.from_settings()
    limit = limits.products_max
    traffic = sorted(
        (
            f
            for f in figures
            if f.klass == ProductClass.TRAFFIC
            and f.product_id not in in_flash
            and f.visitors >= limits.traffic_min_visitors
        ),
        key=lambda f: (-f.visitors, -f.units, f.product_id),
    )[:limit]
    slow = sorted(
        (f for f in figures if f.klass == ProductClass.SLOW and f.visitors > 0),
        key=lambda f: (-f.visitors, f.product_id),
    )[:limit]
    drafts = []
    for f in traffic:
        title = _("「%(p)s」%(v)s 位访客、首单 %(fo)s 单，适合做引流品，建议放进下一场秒杀") % {
            "p": f.title,
            "v": f.visitors,
            "fo": f.first_orders,
        }
        evidence = _product_evidence(f)
        url = _url("console:marketing_flash_new", {"title": _("引流：%(p)s") % {"p": f.title}})
        drafts.append(Draft(SuggestionKind.TRAFFIC, str(f.product_id), title, evidence, url))
    for f in slow:
        title = _("「%(p)s」%(v)s 位访客只卖出 %(u)s 件，属于滞销，建议限时折扣清仓") % {
            "p": f.title,
            "v": f.visitors,
            "u": f.units,
        }
        params = {
            "type": "limited_discount",
            "name": _("清仓：%(p)s") % {"p": f.title},
            "rules": json.dumps({"rate": "0.7"}),
            "is_active": "",
        }
        drafts.append(
            Draft(
                SuggestionKind.SLOW,
                str(f.product_id),
                title,
                _product_evidence(f),
                _url("admin:marketing_promotion_add", params),
            )
        )
    return drafts


def _product_evidence(f: ProductFigure) -> dict[str, Any]:
    return {
        "product_id": f.product_id,
        "visitors": f.visitors,
        "buyers": f.buyers,
        "orders": f.orders,
        "first_orders": f.first_orders,
        "units": f.units,
        "paid": f.paid,
        "margin": f.margin,
    }


# --- reading the figures -------------------------------------------------------------------


def _tier_figures(start: dt.date, end: dt.date) -> tuple[list[TierFigure], list[int]]:
    from mall.selectors.dashboard import shop_day_bounds
    from marketing.models import Promotion, PromotionUsage
    from marketing.models.promotions import PromotionType
    from orders.models import Order

    since, _x = shop_day_bounds(start)
    _y, until = shop_day_bounds(end)
    amounts = list(Order.objects.filter(paid_at__gte=since, paid_at__lt=until).values_list("goods_amount", flat=True))
    promotions = Promotion.objects.filter(type=PromotionType.FULL_REDUCTION, is_active=True, ends_at__gte=since)
    used = dict(
        PromotionUsage.objects.filter(order__paid_at__gte=since, order__paid_at__lt=until)
        .values("promotion_id")
        .annotate(n=Count("order", distinct=True))
        .values_list("promotion_id", "n")
    )
    tiers = []
    for promotion in promotions:
        rows = (promotion.rules or {}).get("tiers") or []
        if not rows:
            continue
        top = max(rows, key=lambda r: Decimal(str(r.get("threshold", "0"))))
        threshold = int(Decimal(str(top.get("threshold", "0"))) * 100)
        off = int(Decimal(str(top.get("off", "0"))) * 100)
        if threshold <= 0:
            continue
        tiers.append(
            TierFigure(
                promotion_id=promotion.pk,
                name=promotion.name,
                threshold=threshold,
                off=off,
                eligible_orders=sum(1 for a in amounts if a >= threshold),
                redeemed_orders=int(used.get(promotion.pk, 0)),
            )
        )
    return tiers, amounts


def _flash_context(now: dt.datetime, start: dt.date) -> tuple[set[int], set[int]]:
    """(start hours of recent and upcoming slots, product ids in upcoming slots)."""
    from mall.selectors.dashboard import shop_day_bounds
    from marketing.models import FlashItem, FlashSlot

    since, _x = shop_day_bounds(start)
    slots = FlashSlot.objects.filter(starts_at__gte=since).values_list("starts_at", flat=True)
    hours = {timezone.localtime(s).hour for s in slots}
    upcoming = set(
        FlashItem.objects.filter(slot__ends_at__gte=now).values_list("sku__product_id", flat=True).distinct()
    )
    return hours, upcoming


def suggestion_drafts(*, now: dt.datetime, limits: Limits | None = None) -> list[Draft]:
    limits = limits or Limits.from_settings()
    days = limits.window_days
    end = shop_day(now) - dt.timedelta(days=1)
    start = end - dt.timedelta(days=days - 1)
    tiers, amounts = _tier_figures(start, end)
    slot_hours, in_flash = _flash_context(now, start)
    return [
        *rule_tool_roi(tool_figures(start=start, end=end), days=days, limits=limits),
        *rule_basket_gap(tiers, amounts, limits),
        *rule_time_peak(participation_by_hour(start=start, end=end), slot_hours, limits),
        *rule_products(product_figures(start=start, end=end), in_flash=in_flash, limits=limits),
    ]


def suggestions_generate(*, now: dt.datetime | None = None, limits: Limits | None = None) -> dict[str, dict[str, int]]:
    """Write today's drafts once; per kind how many were found and how many were new."""
    now = now or timezone.now()
    day = shop_day(now)
    counts: dict[str, dict[str, int]] = {kind: {"found": 0, "created": 0} for kind in SuggestionKind.values}
    for draft in suggestion_drafts(now=now, limits=limits):
        counts[draft.kind]["found"] += 1
        try:
            with transaction.atomic():
                _row, created = Suggestion.objects.get_or_create(
                    kind=draft.kind,
                    subject=draft.subject,
                    day=day,
                    defaults={"title": draft.title[:200], "evidence": draft.evidence, "action_url": draft.action_url},
                )
        except IntegrityError:
            created = False
        counts[draft.kind]["created"] += int(created)
    return counts


def suggestion_decide(*, actor: AbstractBaseUser | AnonymousUser, suggestion_id: int, accept: bool) -> Suggestion:
    """Accept or dismiss a new suggestion (a conditional update: decided once), audited."""
    state = SuggestionState.ACCEPTED if accept else SuggestionState.DISMISSED
    with transaction.atomic():
        changed = Suggestion.objects.filter(pk=suggestion_id, state=SuggestionState.NEW).update(
            state=state, decided_by=actor if actor.is_authenticated else None, decided_at=timezone.now()
        )
        if not changed:
            raise SuggestionNotNew()
        suggestion = Suggestion.objects.get(pk=suggestion_id)
        audit_record(
            actor=actor,
            action="analytics.suggestion_accept" if accept else "analytics.suggestion_dismiss",
            target=suggestion,
            data={"kind": suggestion.kind, "subject": suggestion.subject, "title": suggestion.title},
        )
    return suggestion


def suggestion_draft_link(
    *, actor: AbstractBaseUser | AnonymousUser, suggestion_id: int, tool: str, object_id: int, name: str
) -> bool:
    """Link an accepted suggestion to the tool object its draft became (once: a conditional
    update on a still-unlinked accepted row), audited. False when there is nothing to link."""
    with transaction.atomic():
        linked = Suggestion.objects.filter(
            pk=suggestion_id, state=SuggestionState.ACCEPTED, draft_object_id__isnull=True
        ).update(draft_tool=tool, draft_object_id=object_id, draft_name=name[:120])
        if linked:
            audit_record(
                actor=actor,
                action="analytics.suggestion_draft_link",
                target_type="analytics.suggestion",
                target_id=suggestion_id,
                data={"tool": tool, "object_id": object_id, "name": name[:120]},
            )
    return bool(linked)
