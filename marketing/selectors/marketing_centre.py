"""The marketing centre (F46): one home-page entry listing what is 正在进行 and 即将开始.

Each tool contributes its campaigns through a *source* (:func:`centre_source`): a function of
the time that returns entries ``{type, id, title, subtitle, start_at, end_at, product_id?,
path?}``. This module gathers them, keeps those running now or starting within
``UPCOMING_DAYS``, and splits them by state; the mini-program recomputes the split on server
time, so an entry moves from 即将开始 to 正在进行 without a reload. The whole centre is cached
for ``CENTRE_TTL_SECONDS`` under the pricing rules' version, so a merchant's change to a
promotion or a coupon shows at once and a campaign's own clock is never more than that late.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from marketing.models import CouponChannel, CouponTemplate, Promotion
from marketing.selectors.coupons import template_summary
from marketing.selectors.pricing_rules import pricing_rules_version
from marketing.selectors.quotes import rule_label

UPCOMING_DAYS = 7
CENTRE_TTL_SECONDS = 30
MAX_PER_STATE = 20
CENTRE_KEY = "marketing:centre:{version}"

Entry = dict[str, Any]
Source = Callable[[datetime], list[Entry]]
_sources: list[Source] = []


def centre_source(source: Source) -> Source:
    """Register a tool's source of centre entries (decorator)."""
    _sources.append(source)
    return source


def _iso(at: datetime | None) -> str | None:
    return timezone.localtime(at).isoformat() if at is not None else None


@centre_source
def promotion_entries(now: datetime) -> list[Entry]:
    """Shop promotions (限时折扣, 满减, 满赠, 第二件半价 …) running or starting soon."""
    rows = Promotion.objects.filter(
        is_active=True, ends_at__gt=now, starts_at__lt=now + timedelta(days=UPCOMING_DAYS)
    ).order_by("starts_at", "pk")[: MAX_PER_STATE * 2]
    return [
        {
            "type": "promotion",
            "id": p.pk,
            "kind": p.type,
            "title": p.name,
            "subtitle": str(rule_label(p.type)),
            "start_at": _iso(p.starts_at),
            "end_at": _iso(p.ends_at),
        }
        for p in rows
    ]


@centre_source
def coupon_entries(now: datetime) -> list[Entry]:
    """Coupons shoppers can claim in the 领券中心 (only those with a window: 限时领券)."""
    rows = (
        CouponTemplate.objects.filter(channel=CouponChannel.CLAIM, is_active=True, valid_until__gt=now)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lt=now + timedelta(days=UPCOMING_DAYS)))
        .order_by("valid_until", "pk")[: MAX_PER_STATE * 2]
    )
    return [
        {
            "type": "coupon",
            "id": t.pk,
            "kind": t.kind,
            "title": t.name,
            "subtitle": str(template_summary(t)),
            "start_at": _iso(t.valid_from or t.created_at),
            "end_at": _iso(t.valid_until),
            "path": "/package-member/coupons/index?tab=center",
        }
        for t in rows
    ]


@centre_source
def flash_entries(now: datetime) -> list[Entry]:
    """Flash-sale slots and limited releases (F02, F12) running or starting soon."""
    from marketing.selectors.flash_sales import flash_centre_entries  # flash selectors import the gate

    return flash_centre_entries(now=now, upcoming_days=UPCOMING_DAYS, limit=MAX_PER_STATE * 2)


def _state(entry: Entry, now: datetime) -> str:
    start = datetime.fromisoformat(entry["start_at"]) if entry.get("start_at") else None
    end = datetime.fromisoformat(entry["end_at"]) if entry.get("end_at") else None
    if end is not None and end <= now:
        return "ended"
    if start is not None and start > now:
        return "upcoming"
    return "ongoing"


def _build(now: datetime) -> dict[str, list[Entry]]:
    ongoing: list[Entry] = []
    upcoming: list[Entry] = []
    for source in _sources:
        for entry in source(now):
            state = _state(entry, now)
            if state == "ongoing":
                ongoing.append(entry)
            elif state == "upcoming":
                upcoming.append(entry)
    # Ending soonest first among the running ones; starting soonest first among the rest.
    ongoing.sort(key=lambda e: (e.get("end_at") or "9999", e["type"], e["id"]))
    upcoming.sort(key=lambda e: (e.get("start_at") or "9999", e["type"], e["id"]))
    return {"ongoing": ongoing[:MAX_PER_STATE], "upcoming": upcoming[:MAX_PER_STATE]}


def marketing_centre_data(*, now: datetime | None = None) -> dict[str, list[Entry]]:
    """``{"ongoing": [...], "upcoming": [...]}`` for the home screen, cached briefly."""
    if now is not None:
        return _build(now)
    key = CENTRE_KEY.format(version=pricing_rules_version())
    found = cache.get(key)
    if found is None:
        found = _build(timezone.now())
        cache.set(key, found, CENTRE_TTL_SECONDS)
    return found  # type: ignore[no-any-return]
