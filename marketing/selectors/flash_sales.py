"""Flash-sale reads: states, the shoppers' slot list, releases, one item, product badges, the calendar.

What a shopper sees is derived, never stored: a published slot is 即将开始 before its start,
抢购中 while units are left, 已抢光 when none are (a release says 补货中，可预约 instead), 已结束
after its end; the merchant also sees 草稿 and 已暂停. Counts are the database's (quota,
locked, sold); "已抢 X%" is (locked + sold) / quota, rounded down so 100% means sold out.

The shopper lists are built in a fixed number of queries and kept for one second in the cache
(everyone refreshes them before a slot opens); states, countdowns and the server time are
computed per request from the kept rows, so they are never stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.errors import NotFound
from mall.models import ProductImage
from mall.selectors.catalogue import server_time_data
from marketing.errors import FlashItemNotFound
from marketing.models import (
    MAX_ITEMS_PER_SLOT,
    FlashItem,
    FlashReservation,
    FlashSlot,
    FlashSlotKind,
    FlashSlotStatus,
)
from marketing.selectors.pricing_rules import pricing_rules_active
from marketing.services.flash_gate import gate_peek
from members.models import Member

STATE_DRAFT = "draft"
STATE_PAUSED = "paused"
STATE_UPCOMING = "upcoming"
STATE_LIVE = "live"
STATE_SOLD_OUT = "sold_out"
STATE_ENDED = "ended"
STATES = (STATE_DRAFT, STATE_PAUSED, STATE_UPCOMING, STATE_LIVE, STATE_SOLD_OUT, STATE_ENDED)

LIST_TTL_SECONDS = 1
SHOPPER_STATUSES = (FlashSlotStatus.PUBLISHED, FlashSlotStatus.PAUSED, FlashSlotStatus.ENDED)


def state_label(state: str, kind: str = FlashSlotKind.SLOT) -> str:
    labels = {
        STATE_DRAFT: _("草稿"),
        STATE_PAUSED: _("已暂停"),
        STATE_UPCOMING: _("即将开始"),
        STATE_LIVE: _("抢购中"),
        STATE_SOLD_OUT: _("补货中，可预约") if kind == FlashSlotKind.RELEASE else _("已抢光"),
        STATE_ENDED: _("已结束"),
    }
    return str(labels[state])


def item_state(
    *, status: str, starts_at: datetime, ends_at: datetime, available: int, closed: bool, now: datetime
) -> str:
    """The state of one item at ``now`` (the window is half-open: start ≤ now < end)."""
    if status == FlashSlotStatus.DRAFT:
        return STATE_DRAFT
    if status == FlashSlotStatus.ENDED or closed or now >= ends_at:
        return STATE_ENDED
    if status == FlashSlotStatus.PAUSED:
        return STATE_PAUSED
    if now < starts_at:
        return STATE_UPCOMING
    return STATE_SOLD_OUT if available <= 0 else STATE_LIVE


def slot_state(
    *, status: str, starts_at: datetime, ends_at: datetime, item_states: Iterable[str], now: datetime
) -> str:
    """A slot is sold out when every item is; otherwise it shares its items' clock state."""
    base = item_state(status=status, starts_at=starts_at, ends_at=ends_at, available=1, closed=False, now=now)
    states = list(item_states)
    if base == STATE_LIVE and states and all(s in (STATE_SOLD_OUT, STATE_ENDED) for s in states):
        return STATE_SOLD_OUT
    return base


def sold_percent(*, quota: int, locked: int, sold: int) -> int:
    return 0 if quota <= 0 else min(100, (locked + sold) * 100 // quota)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _image(product: Any) -> str:
    if product.main_image:
        return str(product.main_image.url)
    images = list(product.images.all())
    return str(images[0].image.url) if images else ""


def _items_prefetch() -> Prefetch:
    return Prefetch(
        "items",
        queryset=FlashItem.objects.select_related("sku__product")
        .prefetch_related(Prefetch("sku__product__images", queryset=ProductImage.objects.order_by("sort_order", "id")))
        .order_by("sort_order", "id"),
    )


def _item_row(item: FlashItem) -> dict[str, Any]:
    """The cached, clock-free part of an item."""
    product = item.sku.product
    return {
        "id": item.pk,
        "product_id": product.pk,
        "sku_id": item.sku_id,
        "title": product.title,
        "image": _image(product),
        "specs": item.sku.specs or {},
        "price": item.sku.price,
        "flash_price": item.flash_price,
        "quota": item.quota,
        "locked": item.locked,
        "sold": item.sold,
        "remaining": max(item.available, 0),
        "closed": item.closed,
        "per_shopper_limit": item.per_shopper_limit,
        "per_order_limit": item.per_order_limit,
        "free_shipping": item.free_shipping,
    }


def _slot_row(slot: FlashSlot) -> dict[str, Any]:
    return {
        "id": slot.pk,
        "kind": slot.kind,
        "title": slot.title or timezone.localtime(slot.starts_at).strftime("%H:%M"),
        "status": slot.status,
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "items": [_item_row(item) for item in slot.items.all()],
    }


def _present_item(row: dict[str, Any], slot: dict[str, Any], now: datetime) -> dict[str, Any]:
    state = item_state(
        status=slot["status"],
        starts_at=slot["starts_at"],
        ends_at=slot["ends_at"],
        available=row["remaining"],
        closed=row["closed"],
        now=now,
    )
    shown = {k: v for k, v in row.items() if k != "closed"}
    return {
        **shown,
        "sold_percent": sold_percent(quota=row["quota"], locked=row["locked"], sold=row["sold"]),
        "state": state,
        "state_label": state_label(state, slot["kind"]),
    }


def _present_slot(slot: dict[str, Any], now: datetime) -> dict[str, Any]:
    items = [_present_item(row, slot, now) for row in slot["items"]]
    state = slot_state(
        status=slot["status"],
        starts_at=slot["starts_at"],
        ends_at=slot["ends_at"],
        item_states=[i["state"] for i in items],
        now=now,
    )
    target = slot["starts_at"] if state == STATE_UPCOMING else slot["ends_at"]
    return {
        "id": slot["id"],
        "kind": slot["kind"],
        "title": slot["title"],
        "starts_at": timezone.localtime(slot["starts_at"]).isoformat(),
        "ends_at": timezone.localtime(slot["ends_at"]).isoformat(),
        "starts_at_ms": _ms(slot["starts_at"]),
        "ends_at_ms": _ms(slot["ends_at"]),
        "state": state,
        "state_label": state_label(state, slot["kind"]),
        # ms until the start (upcoming) or the end (live, sold out); 0 once over.
        "countdown_ms": max(0, _ms(target) - _ms(now)) if state not in (STATE_ENDED,) else 0,
        "items": items,
    }


def _shopper_slots(kind: str) -> QuerySet[FlashSlot]:
    return (
        FlashSlot.objects.filter(kind=kind, status__in=SHOPPER_STATUSES)
        .prefetch_related(_items_prefetch())
        .order_by("starts_at", "id")
    )


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    return start, start + timedelta(days=1)


def flash_slots_for_shoppers(*, now: datetime | None = None) -> dict[str, Any]:
    """Today's and tomorrow's slots with their items, states, countdowns and progress (F02, one request).

    Three queries when the one-second cache is cold (slots, items with SKUs and products,
    images), none when warm.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    key = f"flash:slots:{today.isoformat()}"
    rows = cache.get(key)
    if rows is None:
        start, _end = _day_bounds(today)
        slots = _shopper_slots(FlashSlotKind.SLOT).filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=2))
        rows = [_slot_row(slot) for slot in slots]
        cache.set(key, rows, LIST_TTL_SECONDS)
    days = []
    for offset, label in ((0, _("今天")), (1, _("明天"))):
        day = today + timedelta(days=offset)
        lo, hi = _day_bounds(day)
        days.append(
            {
                "date": day.isoformat(),
                "title": str(label),
                "slots": [_present_slot(s, now) for s in rows if lo <= s["starts_at"] < hi],
            }
        )
    return {"server_time": server_time_data(now=now), "days": days}


def flash_releases_for_shoppers(*, now: datetime | None = None) -> dict[str, Any]:
    """Running and upcoming limited releases (F12): "仅售 N 件", "已抢 X%", 补货中可预约."""
    now = now or timezone.now()
    rows = cache.get("flash:releases")
    if rows is None:
        releases = _shopper_slots(FlashSlotKind.RELEASE).filter(
            status__in=(FlashSlotStatus.PUBLISHED, FlashSlotStatus.PAUSED), ends_at__gt=now
        )
        rows = [_slot_row(slot) for slot in releases]
        cache.set("flash:releases", rows, LIST_TTL_SECONDS)
    presented = [_present_slot(s, now) for s in rows]
    return {"server_time": server_time_data(now=now), "releases": [s for s in presented if s["state"] != STATE_ENDED]}


def flash_slots_presented(*, slot_ids: Iterable[int], now: datetime) -> dict[int, dict[str, Any]]:
    """Published (or paused, ended) slots by id as the shopper's flash page shows them, for
    blocks of campaign pages (F26): three queries for any number of slots; drafts are absent."""
    slots = FlashSlot.objects.filter(pk__in=list(slot_ids), status__in=SHOPPER_STATUSES).prefetch_related(
        _items_prefetch()
    )
    return {slot.pk: _present_slot(_slot_row(slot), now) for slot in slots}


def flash_item_detail(*, item_id: int, member: Member | None = None, now: datetime | None = None) -> dict[str, Any]:
    """One item for its page: state, countdown, progress, and whether this shopper reserved it."""
    now = now or timezone.now()
    slot = (
        FlashSlot.objects.filter(items__pk=item_id, status__in=SHOPPER_STATUSES)
        .prefetch_related(_items_prefetch())
        .first()
    )
    if slot is None:
        raise FlashItemNotFound(details={"flash_item_id": item_id})
    presented = _present_slot(_slot_row(slot), now)
    item = next(i for i in presented["items"] if i["id"] == item_id)
    reserved = member is not None and FlashReservation.objects.filter(item_id=item_id, member=member).exists()
    slot_info = {k: v for k, v in presented.items() if k != "items"}
    return {
        "server_time": server_time_data(now=now),
        "slot": slot_info,
        "item": {**item, "reserved": reserved, "can_reserve": item["state"] == STATE_SOLD_OUT and not reserved},
    }


# --- product badges ---------------------------------------------------------------------------

# Product pages and lists read badges from memory: the offers are loaded with the pricing rules
# (kept per process under the rules' version), and every flash change bumps that version.
OFFER_HORIZON = timedelta(days=1)


@dataclass(frozen=True, kw_only=True)
class FlashOffer:
    """A product's live or upcoming flash item (the badge on product pages and cards)."""

    product_id: int
    item_id: int
    sku_id: int
    kind: str
    title: str
    flash_price: int
    starts_at: datetime
    ends_at: datetime
    free_shipping: bool = False

    def state(self, now: datetime) -> str:
        return STATE_UPCOMING if now < self.starts_at else STATE_LIVE

    def as_json(self, now: datetime) -> dict[str, Any]:
        """The badge: price and window for the countdown; whether units are left is the item
        page's live answer (``GET flash/items/{ref}``), not a cached page's."""
        state = self.state(now)
        return {
            "type": "flash_release" if self.kind == FlashSlotKind.RELEASE else "flash_sale",
            "ref": self.item_id,
            "sku_id": self.sku_id,
            "name": self.title,
            "kind_label": str(_("限量发售") if self.kind == FlashSlotKind.RELEASE else _("秒杀")),
            "state": state,
            "state_label": state_label(state, self.kind),
            "price": self.flash_price,
            "free_shipping": self.free_shipping,
            "starts_at": timezone.localtime(self.starts_at).isoformat(),
            "ends_at": timezone.localtime(self.ends_at).isoformat(),
        }


def flash_offers_load(*, now: datetime, keep_for: timedelta) -> tuple[FlashOffer, ...]:
    """Published, open items ending after ``now`` and starting within the horizon of any moment
    the result may be kept for (one query; part of the pricing rules' load)."""
    items = (
        FlashItem.objects.filter(
            closed=False,
            slot__status=FlashSlotStatus.PUBLISHED,
            slot__ends_at__gt=now,
            slot__starts_at__lt=now + OFFER_HORIZON + keep_for,
        )
        .select_related("slot", "sku")
        .order_by("slot__starts_at", "id")
    )
    return tuple(
        FlashOffer(
            product_id=item.sku.product_id,
            item_id=item.pk,
            sku_id=item.sku_id,
            kind=item.slot.kind,
            title=item.slot.title or f"{timezone.localtime(item.slot.starts_at):%H:%M}",
            flash_price=item.flash_price,
            starts_at=item.slot.starts_at,
            ends_at=item.slot.ends_at,
            free_shipping=item.free_shipping,
        )
        for item in items
    )


def flash_offer_index(*, now: datetime | None = None) -> tuple[FlashOffer, ...]:
    """Every badge-worthy item, from the pricing rules held in memory (no query when warm)."""
    return tuple(pricing_rules_active(now=now).flash_offers)


@dataclass(frozen=True)
class FlashOffers:
    by_product: dict[int, FlashOffer]
    valid_until: datetime | None


def flash_offers_for_products(*, product_ids: Iterable[int], now: datetime | None = None) -> FlashOffers:
    """Each product's nearest live or upcoming (within a day) flash item, and the next moment
    one of them starts or ends (cached pages must not outlive it). No query when warm."""
    now = now or timezone.now()
    wanted = set(product_ids)
    by_product: dict[int, FlashOffer] = {}
    moments: list[datetime] = []
    for offer in flash_offer_index(now=now):
        if offer.product_id not in wanted or offer.ends_at <= now or offer.starts_at >= now + OFFER_HORIZON:
            continue
        moments += [m for m in (offer.starts_at, offer.ends_at) if m > now]
        by_product.setdefault(offer.product_id, offer)
    return FlashOffers(by_product=by_product, valid_until=min(moments, default=None))


# --- the marketing centre (F46) -----------------------------------------------------------


def flash_centre_entries(*, now: datetime, upcoming_days: int, limit: int) -> list[dict[str, Any]]:
    """Published slots and releases running or starting soon, one entry each (one query)."""
    items = (
        FlashItem.objects.filter(
            slot__status=FlashSlotStatus.PUBLISHED,
            slot__ends_at__gt=now,
            slot__starts_at__lt=now + timedelta(days=upcoming_days),
        )
        .select_related("slot", "sku")
        .order_by("slot__starts_at", "slot_id", "sort_order", "id")[: limit * MAX_ITEMS_PER_SLOT]
    )
    by_slot: dict[int, list[FlashItem]] = {}
    for item in items:
        by_slot.setdefault(item.slot_id, []).append(item)
    entries = []
    for slot_items in list(by_slot.values())[:limit]:
        slot = slot_items[0].slot
        cheapest = min(item.flash_price for item in slot_items)
        kind_label = _("限量发售") if slot.kind == FlashSlotKind.RELEASE else _("秒杀")
        entries.append(
            {
                "type": "flash",
                "id": slot.pk,
                "kind": slot.kind,
                "title": slot.title or f"{timezone.localtime(slot.starts_at):%H:%M} {kind_label}",
                "subtitle": str(_("%(label)s ¥%(price)s 起") % {"label": kind_label, "price": f"{cheapest / 100:.2f}"}),
                "start_at": timezone.localtime(slot.starts_at).isoformat(),
                "end_at": timezone.localtime(slot.ends_at).isoformat(),
                "product_id": slot_items[0].sku.product_id,
                "item_id": slot_items[0].pk,
            }
        )
    return entries


# --- the console ---------------------------------------------------------------------------


def flash_calendar(*, first_day: date, days: int, now: datetime | None = None) -> dict[str, Any]:
    """Days × slots for the console, each item with quota and live sold / locked / remaining.

    Three queries (slots, items with SKUs and products, images) and one Redis round trip for
    what the gates still hand out, whatever the number of slots.
    """
    now = now or timezone.now()
    start, _end = _day_bounds(first_day)
    slots = list(
        FlashSlot.objects.filter(
            kind=FlashSlotKind.SLOT, starts_at__gte=start, starts_at__lt=start + timedelta(days=days)
        )
        .prefetch_related(_items_prefetch())
        .order_by("starts_at", "id")
    )
    rows = [_slot_row(slot) for slot in slots]
    gates = gate_peek([item["id"] for row in rows for item in row["items"] if row["status"] != FlashSlotStatus.ENDED])
    times = sorted({timezone.localtime(row["starts_at"]).strftime("%H:%M") for row in rows})
    grid = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        lo, hi = _day_bounds(day)
        cells: dict[str, list[dict[str, Any]]] = {t: [] for t in times}
        for row in rows:
            if lo <= row["starts_at"] < hi:
                presented = _present_slot(row, now)
                for item in presented["items"]:
                    item["gate_remaining"] = gates.get(item["id"])
                cells[timezone.localtime(row["starts_at"]).strftime("%H:%M")].append(
                    {**presented, "status": row["status"]}
                )
        grid.append({"date": day, "cells": [{"time": t, "slots": cells[t]} for t in times]})
    return {"times": times, "days": grid, "now": now}


def flash_slot_get(*, slot_id: int) -> FlashSlot:
    slot = FlashSlot.objects.filter(pk=slot_id).prefetch_related(_items_prefetch()).first()
    if slot is None:
        raise NotFound(details={"slot_id": slot_id})
    return slot
