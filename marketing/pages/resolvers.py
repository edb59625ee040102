"""Live data of page blocks, filled when a page is served (F26): pages store ids, never copies.

Each resolver takes every block of its type on the page at once and answers their data in
order, plus the moment that data stops being true (a countdown or a tool starting or ending),
so a page costs a fixed number of queries per block type whatever the number of blocks or
products, and its cache entry expires exactly when something on it changes by the clock.
Money is fen; moments are ISO 8601 in Asia/Shanghai with ``*_ms`` epoch milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mall.models import Product, ProductImage
from mall.money import MoneyFormatError, format_yuan, parse_yuan
from mall.selectors.catalogue import category_descendant_ids, product_card_data
from marketing.models import BargainCampaign, CouponChannel, CouponTemplate, GroupBuyCampaign, Promotion
from marketing.pages.guide import guide_parse
from marketing.selectors import bargains as bargain_selectors
from marketing.selectors import group_buys as group_selectors
from marketing.selectors.coupons import template_summary
from marketing.selectors.flash_sales import flash_slots_presented
from marketing.selectors.product_offers import product_offers_for
from members.models import CheckInRule

Settings = Mapping[str, Any]


@dataclass(frozen=True)
class Resolved:
    """The data of each block, in order, and when it next changes by the clock (or None)."""

    data: list[dict[str, Any]]
    next_change: datetime | None = None


def _sooner(*moments: datetime | None) -> datetime | None:
    return min((m for m in moments if m is not None), default=None)


def _future(moment: datetime | None, now: datetime) -> datetime | None:
    return moment if moment is not None and moment > now else None


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment is not None else None


def _ms(moment: datetime | None) -> int | None:
    return int(moment.timestamp() * 1000) if moment is not None else None


def _window_state(starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> str:
    if starts_at is not None and now < starts_at:
        return "upcoming"
    if ends_at is not None and now >= ends_at:
        return "ended"
    return "live"


STATE_LABELS = {"upcoming": gettext_lazy("即将开始"), "live": gettext_lazy("进行中"), "ended": gettext_lazy("已结束")}


def _state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


# --- static blocks: their settings are their data ----------------------------------------------


def resolve_static(settings_list: Sequence[Settings], now: datetime) -> Resolved:
    return Resolved([dict(s) for s in settings_list])


def resolve_rich_text(settings_list: Sequence[Settings], now: datetime) -> Resolved:
    """The body's paragraphs (blank lines separate them) for the mini-program's <text> blocks."""
    out = []
    for s in settings_list:
        body = str(s.get("body", ""))
        paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
        out.append({"title": s.get("title", ""), "image": s.get("image", ""), "paragraphs": paragraphs})
    return Resolved(out)


def resolve_countdown(settings_list: Sequence[Settings], now: datetime) -> Resolved:
    out, change = [], None
    for s in settings_list:
        starts = parse_datetime(s["starts_at"]) if s.get("starts_at") else None
        ends = parse_datetime(s["ends_at"])
        state = _window_state(starts, ends, now)
        target = starts if state == "upcoming" else ends
        out.append(
            {
                "title": s.get("title", ""),
                "state": state,
                "state_label": _state_label(state),
                "target_at": _iso(target) if state != "ended" else None,
                "target_ms": _ms(target) if state != "ended" else None,
            }
        )
        change = _sooner(change, _future(starts, now), _future(ends, now))
    return Resolved(out, change)


def _target(link: str) -> dict[str, Any] | None:
    """'product:7' / 'category:3' / 'campaign:5' / 'page:618' / 'coupons' … → {"type", "id"|"slug"}
    (checked on save)."""
    if not link:
        return None
    kind, _sep, ref = link.partition(":")
    if kind in ("product", "category", "campaign") and ref.isdigit():
        return {"type": kind, "id": int(ref)}
    if kind == "page" and ref:
        return {"type": "page", "slug": ref}
    return {"type": kind}


def resolve_banner(settings_list: Sequence[Settings], now: datetime) -> Resolved:
    """A banner's link to a product that left the shelf is dropped rather than leading nowhere."""
    product_ids = {t["id"] for s in settings_list if (t := _target(s.get("link", ""))) and t["type"] == "product"}
    on_shelf = set(Product.objects.filter(pk__in=product_ids, is_on_shelf=True).values_list("pk", flat=True))
    out = []
    for s in settings_list:
        target = _target(s.get("link", ""))
        if target and target["type"] == "product" and target["id"] not in on_shelf:
            target = None
        out.append({"image": s["image"], "title": s.get("title", ""), "target": target})
    return Resolved(out)


def resolve_nav_icons(settings_list: Sequence[Settings], now: datetime) -> Resolved:
    out = []
    for s in settings_list:
        items = [
            {"title": item["title"], "icon": item.get("icon", ""), "target": _target(item.get("link", ""))}
            for item in s.get("items", [])
        ]
        out.append({"columns": s.get("columns", 4), "items": items})
    return Resolved(out)


# --- product grid -----------------------------------------------------------------------------


def _grid_ids(s: Settings) -> list[int]:
    """The product ids one grid shows, in order (one small query for a category or a tag)."""
    limit = int(s.get("limit", 6))
    source = s.get("source", "products")
    shelf = Product.objects.filter(is_on_shelf=True).order_by("-sales_count", "-id")
    if source == "category":
        ids = category_descendant_ids(category_id=int(s["category_id"]))
        return list(shelf.filter(category_id__in=ids).values_list("pk", flat=True)[:limit])
    if source == "tag":
        return list(shelf.filter(tags__name=s["tag"]).values_list("pk", flat=True)[:limit])
    return [int(i) for i in s.get("product_ids", [])][:limit]


def resolve_product_grid(settings_list: Sequence[Settings], now: datetime) -> Resolved:
    """Product cards as lists show them (with their offers); off-shelf products are left out."""
    # one small query per distinct category or tag source (the same source twice is asked once)
    memo: dict[tuple[Any, ...], list[int]] = {}
    per_block = []
    for s in settings_list:
        source = (s.get("source"), s.get("category_id"), s.get("tag"), s.get("limit"), tuple(s.get("product_ids", ())))
        if source not in memo:
            memo[source] = _grid_ids(s)
        per_block.append(memo[source])
    wanted = {pid for ids in per_block for pid in ids}
    products = {
        p.pk: p
        for p in Product.objects.filter(pk__in=wanted, is_on_shelf=True).prefetch_related(
            "tags", Prefetch("images", queryset=ProductImage.objects.order_by("sort_order", "id"))
        )
    }
    offers = product_offers_for(product_ids=list(products), now=now)
    out = []
    for s, ids in zip(settings_list, per_block, strict=True):
        cards = [product_card_data(products[pid], offers) for pid in ids if pid in products]
        out.append({"title": s.get("title", ""), "columns": s.get("columns", 2), "products": _jsonable(cards)})
    return Resolved(out, offers.valid_until)


def _jsonable(value: Any) -> Any:
    """Datetimes in nested card data as ISO strings (the page is JSON in the cache and the API)."""
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


# --- tools --------------------------------------------------------------------------------------


def resolve_flash_sale(settings_list: Sequence[Settings], now: datetime) -> Resolved:
    """The slot as the flash page shows it (states, countdown, progress); a draft or deleted slot
    shows as unavailable (the block stays on the page, the shopper sees nothing to buy)."""
    slots = flash_slots_presented(slot_ids=[int(s["slot_id"]) for s in settings_list], now=now)
    out, change = [], None
    for s in settings_list:
        slot = slots.get(int(s["slot_id"]))
        out.append({"title": s.get("title", ""), "available": slot is not None, "slot": slot})
        if slot is not None:
            starts = parse_datetime(slot["starts_at"])
            ends = parse_datetime(slot["ends_at"])
            change = _sooner(change, _future(starts, now), _future(ends, now))
    return Resolved(out, change)


def _campaign_data(card: dict[str, Any], is_open: bool, now: datetime) -> dict[str, Any]:
    state = _window_state(card["starts_at"], card["ends_at"], now)
    if not is_open and state == "live":
        state = "ended"
    return {**_jsonable(card), "state": state, "state_label": _state_label(state)}


def resolve_group_buy(settings_list: Sequence[Settings], now: datetime) -> Resolved:
    wanted = {i for s in settings_list for i in s.get("campaign_ids", [])}
    campaigns = {
        c.pk: c
        for c in GroupBuyCampaign.objects.filter(pk__in=wanted)
        .select_related("product")
        .prefetch_related("items__sku", "product__images")
    }
    out, change = [], None
    for s in settings_list:
        rows = []
        for cid in s.get("campaign_ids", []):
            campaign = campaigns.get(cid)
            if campaign is None:
                continue
            card = group_selectors.campaign_card(campaign)
            rows.append(_campaign_data(card, group_selectors.campaign_is_open(campaign, now), now))
            change = _sooner(change, _future(campaign.starts_at, now), _future(campaign.ends_at, now))
        out.append({"title": s.get("title", ""), "campaigns": rows})
    return Resolved(out, change)


def resolve_bargain(settings_list: Sequence[Settings], now: datetime) -> Resolved:
    wanted = {i for s in settings_list for i in s.get("campaign_ids", [])}
    campaigns = {
        c.pk: c
        for c in BargainCampaign.objects.filter(pk__in=wanted)
        .select_related("sku__product")
        .prefetch_related("sku__product__images")
    }
    out, change = [], None
    for s in settings_list:
        rows = []
        for cid in s.get("campaign_ids", []):
            campaign = campaigns.get(cid)
            if campaign is None:
                continue
            card = bargain_selectors.campaign_card(campaign)
            rows.append(_campaign_data(card, bargain_selectors.campaign_is_open(campaign, now), now))
            change = _sooner(change, _future(campaign.starts_at, now), _future(campaign.ends_at, now))
        out.append({"title": s.get("title", ""), "campaigns": rows})
    return Resolved(out, change)


def _coupon_state(template: CouponTemplate, now: datetime) -> str:
    if not template.is_active or template.channel != CouponChannel.CLAIM:
        return "unavailable"
    if template.valid_until is not None and template.valid_until <= now:
        return "ended"
    if template.total_quantity is not None and template.issued_count >= template.total_quantity:
        return "sold_out"
    return "claimable"


COUPON_STATE_LABELS = {
    "claimable": gettext_lazy("立即领取"),
    "sold_out": gettext_lazy("已领完"),
    "ended": gettext_lazy("已结束"),
    "unavailable": gettext_lazy("不可领取"),
}


def resolve_coupon(settings_list: Sequence[Settings], now: datetime) -> Resolved:
    """Claimable coupons of the page; whether this shopper may still claim is the claim's answer
    (the page is one answer for every shopper)."""
    wanted = {i for s in settings_list for i in s.get("template_ids", [])}
    templates = {t.pk: t for t in CouponTemplate.objects.filter(pk__in=wanted)}
    out, change = [], None
    for s in settings_list:
        rows = []
        for tid in s.get("template_ids", []):
            template = templates.get(tid)
            if template is None:
                continue
            state = _coupon_state(template, now)
            remaining = (
                None if template.total_quantity is None else max(0, template.total_quantity - template.issued_count)
            )
            rows.append(
                {
                    "id": template.pk,
                    "name": template.name,
                    "summary": template_summary(template),
                    "threshold": template.threshold,
                    "off": template.off,
                    "remaining": remaining,
                    "state": state,
                    "state_label": str(COUPON_STATE_LABELS[state]),
                }
            )
            change = _sooner(change, _future(template.valid_until, now))
        out.append({"title": s.get("title", ""), "coupons": rows})
    return Resolved(out, change)


def promotion_tiers(rules: Mapping[str, Any]) -> list[dict[str, Any]]:
    """满减 tiers in fen with their text, lowest threshold first (rules are yuan strings)."""
    tiers = []
    for tier in rules.get("tiers", []):
        try:
            threshold, off = parse_yuan(str(tier["threshold"])), parse_yuan(str(tier["off"]))
        except (KeyError, MoneyFormatError):
            continue
        text = _("满%(t)s减%(o)s") % {"t": format_yuan(threshold), "o": format_yuan(off)}
        tiers.append({"threshold": threshold, "off": off, "text": text})
    return sorted(tiers, key=lambda t: t["threshold"])


def resolve_full_reduction(settings_list: Sequence[Settings], now: datetime) -> Resolved:
    promotions = {p.pk: p for p in Promotion.objects.filter(pk__in={int(s["promotion_id"]) for s in settings_list})}
    out, change = [], None
    for s in settings_list:
        promotion = promotions.get(int(s["promotion_id"]))
        if promotion is None:
            out.append({"title": s.get("title", ""), "available": False, "promotion": None})
            continue
        state = _window_state(promotion.starts_at, promotion.ends_at, now) if promotion.is_active else "ended"
        out.append(
            {
                "title": s.get("title", "") or promotion.name,
                "available": state != "ended",
                "promotion": {
                    "id": promotion.pk,
                    "name": promotion.name,
                    "tiers": promotion_tiers(promotion.rules or {}),
                    "starts_at": _iso(promotion.starts_at),
                    "ends_at": _iso(promotion.ends_at),
                    "state": state,
                    "state_label": _state_label(state),
                },
            }
        )
        change = _sooner(change, _future(promotion.starts_at, now), _future(promotion.ends_at, now))
    return Resolved(out, change)


def resolve_checkin_entry(settings_list: Sequence[Settings], now: datetime) -> Resolved:
    rule = CheckInRule.objects.filter(pk=1).first()
    enabled = rule is None or rule.enabled  # the rule row is made with its defaults on first use
    points = rule.base_points if rule is not None else CheckInRule._meta.get_field("base_points").get_default()
    return Resolved(
        [
            {"title": s.get("title", ""), "subtitle": s.get("subtitle", ""), "enabled": enabled, "points": points}
            for s in settings_list
        ]
    )


# --- guide (F25 topic pages) ---------------------------------------------------------------------


def resolve_guide(settings_list: Sequence[Settings], now: datetime) -> Resolved:
    """The guide's pieces in order, each product mark a live card (name, price, offers, stock);
    a product that left the shelf is left out of the text rather than shown as unbuyable."""
    parsed = [guide_parse(str(s.get("body", ""))) for s in settings_list]
    wanted = {pid for p in parsed for pid in p.product_ids}
    products = {
        p.pk: p
        for p in Product.objects.filter(pk__in=wanted, is_on_shelf=True)
        .annotate(stock_total=Sum("skus__stock", filter=Q(skus__is_active=True)))
        .prefetch_related("tags", Prefetch("images", queryset=ProductImage.objects.order_by("sort_order", "id")))
    }
    offers = product_offers_for(product_ids=list(products), now=now)
    out = []
    for s, guide in zip(settings_list, parsed, strict=True):
        items: list[dict[str, Any]] = []
        for piece in guide.pieces:
            if piece.kind == "product":
                product = products.get(piece.product_id)
                if product is None:
                    continue
                stock = int(product.stock_total or 0)  # type: ignore[attr-defined]
                card = _jsonable(product_card_data(product, offers))
                items.append({"kind": "product", "product": {**card, "stock": stock, "in_stock": stock > 0}})
            elif piece.kind == "image":
                items.append({"kind": "image", "image": piece.url})
            else:
                items.append({"kind": piece.kind, "text": piece.text})
        out.append({"title": s.get("title", ""), "items": items})
    return Resolved(out, offers.valid_until)


def ids_missing(model: Any, ids: Iterable[int], extra: Q | None = None) -> list[int]:
    """Which of ``ids`` have no row (for the blocks' checks on save)."""
    wanted = list(dict.fromkeys(ids))
    found = set(model.objects.filter(Q(pk__in=wanted) & (extra or Q())).values_list("pk", flat=True))
    return [i for i in wanted if i not in found]
