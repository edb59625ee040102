"""Campaign templates (F27): one click makes a draft campaign; any campaign can become a template.

:func:`campaign_from_template` creates, in one transaction, the campaign, each tool as a draft
through its own service (promotions and coupon templates switched off, the flash slot a draft
whose items are the shop's top sellers when the template asks), links them, and the campaign's
page with the template's blocks — ids and times filled in. Publishing the campaign later turns
everything on. An error anywhere rolls back everything and names the template's part.

:func:`campaign_template_save` writes a campaign out in the same format (tools by ref, times
relative to the start, SKUs by code); :func:`campaign_template_import` checks a JSON file by
shape and by a dry run (the draft it would create, rolled back) before storing it. Group buys
and bargains are not carried by templates (their goods and prices are per shop): a saved
template lists them as left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.errors import ApplicationError
from mall.models import Sku
from mall.money import format_yuan, parse_yuan
from mall.services.audit import audit_record
from marketing.campaign_templates import BUILTIN_TEMPLATES, TEMPLATE_FORMAT, TEMPLATE_VERSION
from marketing.errors import CampaignNotFound, CampaignTemplateInvalid, CampaignTemplateNotFound
from marketing.models import (
    Campaign,
    CampaignTemplate,
    CampaignTool,
    CampaignToolKind,
    CouponChannel,
    CouponTemplate,
    FlashItem,
    FlashSlot,
    Promotion,
)
from marketing.services.campaign_template_format import REF_FIELDS, template_time, template_validate
from marketing.services.campaigns import CampaignData, campaign_create, campaign_page_create, campaign_tool_add
from marketing.services.coupons import Actor, CouponTemplateData, coupon_template_create, require_staff
from marketing.services.flash_sales import FlashItemData, FlashSlotData, flash_item_add, flash_slot_create
from marketing.services.pages import page_save
from marketing.services.promotions import PromotionData, promotion_create
from orders.models import OrderLine, OrderStatus

TOP_SELLER_DAYS = 30
MAX_IMPORT_BYTES = 200_000
SOLD_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)


@dataclass
class _Made:
    """Refs of the template's tools → the ids created for them."""

    ids: dict[str, int] = field(default_factory=dict)


def _hours(tool: dict[str, Any], starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    start = starts_at + timedelta(hours=tool.get("start_hours") or 0)
    end = start + timedelta(hours=tool["hours"]) if tool.get("hours") else ends_at
    return start, min(end, ends_at)


def _yuan(value: Any) -> int:
    return parse_yuan(value) if value not in (None, "") else 0


def _make_promotion(actor: Actor, tool: dict[str, Any], start: datetime, end: datetime) -> int:
    codes = tool.get("sku_codes", [])
    sku_ids = tuple(Sku.objects.filter(code__in=codes).values_list("pk", flat=True))
    if len(sku_ids) != len(set(codes)):
        raise CampaignTemplateInvalid(_("模板里的部分 SKU 在本店不存在。"), details={"field": "sku_codes"})
    data = PromotionData(
        type=tool["type"],
        name=tool["name"],
        starts_at=start,
        ends_at=end,
        rules=dict(tool["rules"]),
        category_ids=tuple(tool.get("category_ids", [])),
        sku_ids=sku_ids,
        per_user_limit=tool.get("per_user_limit"),
        is_active=False,
    )
    return promotion_create(actor=actor, data=data).pk


def _make_coupon(actor: Actor, tool: dict[str, Any], start: datetime, end: datetime) -> int:
    days = tool.get("valid_days")
    data = CouponTemplateData(
        name=tool["name"],
        kind=tool["coupon_kind"],
        channel=tool.get("channel", CouponChannel.CLAIM),
        threshold=_yuan(tool.get("threshold")),
        off=_yuan(tool.get("off")),
        rate=Decimal(tool["rate"]) if tool.get("rate") else None,
        max_off=_yuan(tool["max_off"]) if tool.get("max_off") else None,
        valid_from=None if days else start,
        valid_until=None if days else end,
        valid_days=days,
        total_quantity=tool.get("total_quantity"),
        per_user_limit=tool.get("per_user_limit") or 1,
        new_user_only=bool(tool.get("new_user_only", False)),
        is_active=False,
    )
    return coupon_template_create(actor=actor, data=data).pk


def top_sellers(count: int, *, now: datetime) -> list[Sku]:
    """The SKUs sold most (paid, not gifts) over the last 30 days, on the shelf, best first."""
    since = now - timedelta(days=TOP_SELLER_DAYS)
    ranked = (
        OrderLine.objects.filter(order__paid_at__gte=since, is_gift=False, sku__is_active=True)
        .filter(sku__product__is_on_shelf=True)
        .filter(order__status__in=SOLD_STATUSES)
        .values("sku_id")
        .annotate(sold=Sum("qty"))
        .order_by("-sold", "sku_id")[:count]
    )
    ids = [row["sku_id"] for row in ranked]
    by_id = Sku.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def _make_flash(actor: Actor, tool: dict[str, Any], start: datetime, end: datetime, now: datetime) -> int:
    slot = flash_slot_create(actor=actor, data=FlashSlotData(starts_at=start, ends_at=end, title=tool.get("title", "")))
    items = tool.get("items", {"pick": "none"})
    wanted: list[FlashItemData] = []
    if isinstance(items, dict) and items.get("pick") == "top_sellers":
        rate = Decimal(items["rate"])
        for sku in top_sellers(items["count"], now=now):
            price = max(1, int((Decimal(sku.price) * rate).to_integral_value()))
            wanted.append(FlashItemData(sku_id=sku.pk, flash_price=min(price, sku.price), quota=items["quota"]))
    elif isinstance(items, list):
        skus = Sku.objects.in_bulk([item["sku"] for item in items], field_name="code")
        for n, item in enumerate(items):
            found = skus.get(item["sku"])
            if found is None:
                raise CampaignTemplateInvalid(
                    _("SKU %(code)s 在本店不存在。") % {"code": item["sku"]}, details={"field": f"items.{n}.sku"}
                )
            wanted.append(
                FlashItemData(
                    sku_id=found.pk,
                    flash_price=parse_yuan(item["flash_price"]),
                    quota=item["quota"],
                    per_shopper_limit=item.get("per_shopper_limit") or 1,
                    sort_order=n,
                )
            )
    for data in wanted:
        flash_item_add(actor=actor, slot_id=slot.pk, data=data)
    return slot.pk


def _blocks(page: dict[str, Any], made: _Made, starts_at: datetime, ends_at: datetime) -> list[dict[str, Any]]:
    """The template's blocks with ``@ref`` → the created ids and ``@start`` → the moment."""

    def fill(value: Any) -> Any:
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, str) and value.startswith("@"):
            moment = template_time(value, starts_at=starts_at, ends_at=ends_at)
            if moment is not None:
                return moment.isoformat()
            return made.ids.get(value[1:], value)
        return value

    return [
        {"type": block["type"], "settings": {k: fill(v) for k, v in block.get("settings", {}).items()}}
        for block in page.get("blocks", [])
    ]


def _tool_kind(kind: str) -> str:
    return {"promotion": CampaignToolKind.PROMOTION, "coupon": CampaignToolKind.COUPON}.get(
        kind, CampaignToolKind.FLASH
    )


def _where(exc: ApplicationError, prefix: str) -> CampaignTemplateInvalid:
    errors = exc.details.get("errors") or {exc.details.get("field", ""): str(exc.message)}
    located = {f"{prefix}{key}".rstrip("."): str(message) for key, message in errors.items()}
    path, message = next(iter(located.items()))
    return CampaignTemplateInvalid(f"{path}：{message}", details={"errors": located})


@transaction.atomic
def campaign_from_template(
    *, actor: Actor, template: dict[str, Any], starts_at: datetime, name: str = "", now: datetime | None = None
) -> Campaign:
    """A draft campaign with its tools (drafts) and page made from the template, starting then."""
    require_staff(actor)
    now = now or timezone.now()
    data = template_validate(template)
    spec = data["campaign"]
    ends_at = starts_at + timedelta(hours=spec["hours"])
    try:
        campaign = campaign_create(
            actor=actor,
            data=CampaignData(
                name=(name or spec["name"]).strip(),
                starts_at=starts_at,
                ends_at=ends_at,
                budget_amount=_yuan(spec["budget_amount"]) if spec.get("budget_amount") else None,
                budget_uses=spec.get("budget_uses"),
                holdout_percent=spec.get("holdout_percent") or 0,
            ),
        )
    except ApplicationError as exc:
        raise _where(exc, "campaign.") from exc
    made = _Made()
    for n, tool in enumerate(data.get("tools", [])):
        start, end = _hours(tool, starts_at, ends_at)
        try:
            if tool["kind"] == "promotion":
                object_id = _make_promotion(actor, tool, start, end)
            elif tool["kind"] == "coupon":
                object_id = _make_coupon(actor, tool, start, end)
            else:
                object_id = _make_flash(actor, tool, start, end, now)
            campaign_tool_add(actor=actor, campaign_id=campaign.pk, kind=_tool_kind(tool["kind"]), object_id=object_id)
        except ApplicationError as exc:
            raise _where(exc, f"tools.{n}.") from exc
        made.ids[tool["ref"]] = object_id
    page_spec = data.get("page")
    if page_spec is not None:
        try:
            page = campaign_page_create(actor=actor, campaign_id=campaign.pk, slug=_slug(page_spec.get("slug", "")))
            page.title, page.share_title = page_spec["title"][:60], page_spec.get("share_title", "")[:60]
            page.save(update_fields=["title", "share_title", "updated_at"])
            page_save(
                actor=actor,
                page_id=page.pk,
                blocks=_blocks(page_spec, made, starts_at, ends_at),
                note=_("由模板创建"),
            )
        except ApplicationError as exc:
            raise _where(exc, "page.") from exc
    audit_record(
        actor=actor,
        action="campaign.from_template",
        target=campaign,
        data={"template": spec["name"], "tools": sorted(made.ids.values()), "starts_at": starts_at.isoformat()},
    )
    campaign.refresh_from_db()
    return campaign


def _slug(base: str) -> str:
    from marketing.models import CampaignPage
    from marketing.services.pages import RESERVED_SLUGS, SLUG_PATTERN

    stem = base.lower()[:32].strip("-")
    if not stem or not SLUG_PATTERN.match(stem) or stem in RESERVED_SLUGS:
        return ""
    slug, n = stem, 1
    while CampaignPage.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{stem}-{n}"
    return slug


def builtin_template(key: str) -> dict[str, Any]:
    if key not in BUILTIN_TEMPLATES:
        raise CampaignTemplateNotFound(details={"key": key})
    return BUILTIN_TEMPLATES[key]


def template_by_key(key: str) -> tuple[str, dict[str, Any]]:
    """``builtin:618`` or ``saved:12`` → (name, template JSON)."""
    source, _sep, ident = key.partition(":")
    if source == "builtin":
        data = builtin_template(ident)
        return data["campaign"]["name"], data
    saved = CampaignTemplate.objects.filter(pk=int(ident)).first() if ident.isdigit() and source == "saved" else None
    if saved is None:
        raise CampaignTemplateNotFound(details={"key": key})
    return saved.name, saved.data


# --- a campaign written out as a template ------------------------------------------------------


def _offset(moment: datetime | None, starts_at: datetime) -> int:
    if moment is None:
        return 0
    return max(0, round((moment - starts_at).total_seconds() / 3600))


def _fit(start: datetime, end: datetime, campaign: tuple[datetime, int]) -> dict[str, int]:
    """A tool's window in hours from the campaign's start, fitted inside the campaign (a rule
    that began before or runs past the campaign is carried as the campaign's part of it)."""
    starts_at, hours = campaign
    first = min(_offset(start, starts_at), hours - 1)
    last = min(max(_offset(end, starts_at), first + 1), hours)
    return {"start_hours": first, "hours": last - first}


def _promotion_out(p: Promotion, ref: str, campaign: tuple[datetime, int]) -> dict[str, Any]:
    return {
        "ref": ref,
        "kind": "promotion",
        "name": p.name,
        "type": p.type,
        "rules": p.rules,
        "category_ids": sorted(c.pk for c in p.categories.all()),
        "sku_codes": sorted(s.code for s in p.skus.all()),
        "per_user_limit": p.per_user_limit,
        **_fit(p.starts_at, p.ends_at, campaign),
    }


def _coupon_out(t: CouponTemplate, ref: str, campaign: tuple[datetime, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ref": ref,
        "kind": "coupon",
        "name": t.name,
        "coupon_kind": t.kind,
        "channel": t.channel,
        "threshold": format_yuan(t.threshold),
        "off": format_yuan(t.off),
        "rate": str(t.rate) if t.rate is not None else None,
        "max_off": format_yuan(t.max_off) if t.max_off is not None else None,
        "total_quantity": t.total_quantity,
        "per_user_limit": t.per_user_limit,
        "new_user_only": t.new_user_only,
    }
    if t.valid_days:
        out["valid_days"] = t.valid_days
    elif t.valid_from is not None and t.valid_until is not None:
        out.update(_fit(t.valid_from, t.valid_until, campaign))
    return out


def _flash_out(slot: FlashSlot, ref: str, campaign: tuple[datetime, int]) -> dict[str, Any]:
    items = FlashItem.objects.filter(slot=slot).select_related("sku").order_by("sort_order", "pk")
    return {
        "ref": ref,
        "kind": "flash",
        "title": slot.title,
        **_fit(slot.starts_at, slot.ends_at, campaign),
        "items": [
            {
                "sku": item.sku.code,
                "flash_price": format_yuan(item.flash_price),
                "quota": item.quota,
                "per_shopper_limit": item.per_shopper_limit,
            }
            for item in items
        ],
    }


def _relative(value: str, starts_at: datetime, ends_at: datetime) -> str:
    moment = datetime.fromisoformat(value)
    if moment == ends_at:
        return "@end"
    hours = _offset(moment, starts_at)
    return f"@start+{hours}h" if hours else "@start"


def campaign_template_data(*, campaign_id: int) -> tuple[dict[str, Any], list[str]]:
    """The campaign as template JSON, and the names of tools a template cannot carry."""
    from marketing.pages.blocks import BLOCKS

    campaign = Campaign.objects.select_related("page__published_version").filter(pk=campaign_id).first()
    if campaign is None:
        raise CampaignNotFound(details={"campaign_id": campaign_id})
    starts_at, ends_at = campaign.starts_at, campaign.ends_at
    hours = max(1, round((ends_at - starts_at).total_seconds() / 3600))
    window = (starts_at, hours)
    tools: list[dict[str, Any]] = []
    refs: dict[tuple[str, int], str] = {}
    left_out: list[str] = []
    links = list(CampaignTool.objects.filter(campaign=campaign).order_by("kind", "object_id"))
    promotions = Promotion.objects.prefetch_related("categories", "skus").in_bulk(
        [t.object_id for t in links if t.kind == CampaignToolKind.PROMOTION]
    )
    coupons = CouponTemplate.objects.in_bulk([t.object_id for t in links if t.kind == CampaignToolKind.COUPON])
    slots = FlashSlot.objects.in_bulk([t.object_id for t in links if t.kind == CampaignToolKind.FLASH])
    counts: dict[str, int] = {}
    for link in links:
        counts[link.kind] = counts.get(link.kind, 0) + 1
        ref = f"{link.kind}{counts[link.kind]}"
        if link.kind == CampaignToolKind.PROMOTION and link.object_id in promotions:
            tools.append(_promotion_out(promotions[link.object_id], ref, window))
        elif link.kind == CampaignToolKind.COUPON and link.object_id in coupons:
            tools.append(_coupon_out(coupons[link.object_id], ref, window))
        elif link.kind == CampaignToolKind.FLASH and link.object_id in slots:
            tools.append(_flash_out(slots[link.object_id], ref, window))
        else:
            left_out.append(f"{link.get_kind_display()} #{link.object_id}")
            continue
        refs[(link.kind, link.object_id)] = ref
    page_out = None
    page = campaign.page
    if page is not None:
        version = page.published_version or page.versions.order_by("-number").first()
        kind_of = {"slot_id": CampaignToolKind.FLASH, "promotion_id": CampaignToolKind.PROMOTION}
        kind_of["template_ids"] = CampaignToolKind.COUPON
        blocks = []
        for block in version.blocks if version is not None else []:
            datetimes = {f.name for f in BLOCKS[block["type"]].fields if f.kind == "datetime"}
            settings: dict[str, Any] = {}
            for key, value in block.get("settings", {}).items():
                if key in datetimes and isinstance(value, str) and value:
                    settings[key] = _relative(value, starts_at, ends_at)
                elif key in REF_FIELDS:
                    values = value if isinstance(value, list) else [value]
                    mapped = [f"@{refs[(kind_of[key], v)]}" if (kind_of[key], v) in refs else v for v in values]
                    settings[key] = mapped if isinstance(value, list) else mapped[0]
                else:
                    settings[key] = value
            blocks.append({"type": block["type"], "settings": settings})
        page_out = {"title": page.title, "slug": page.slug, "share_title": page.share_title, "blocks": blocks}
    data = {
        "format": TEMPLATE_FORMAT,
        "version": TEMPLATE_VERSION,
        "campaign": {
            "name": campaign.name,
            "hours": hours,
            "budget_amount": format_yuan(campaign.budget_amount) if campaign.budget_amount is not None else None,
            "budget_uses": campaign.budget_uses,
            "holdout_percent": campaign.holdout_percent,
        },
        "tools": tools,
        "page": page_out,
    }
    return data, left_out


@transaction.atomic
def campaign_template_save(
    *, actor: Actor, campaign_id: int, name: str, description: str = ""
) -> tuple[CampaignTemplate, list[str]]:
    """Keep a campaign as a template of this shop; returns it and the tools left out."""
    require_staff(actor)
    data, left_out = campaign_template_data(campaign_id=campaign_id)
    template_validate(data)
    template = _store(actor, name or data["campaign"]["name"], description, data)
    audit_record(
        actor=actor,
        action="campaign.save_template",
        target=Campaign(pk=campaign_id),
        data={"template_id": template.pk, "left_out": left_out},
    )
    return template, left_out


def _store(actor: Actor, name: str, description: str, data: dict[str, Any]) -> CampaignTemplate:
    name = name.strip()
    if not name or len(name) > 60:
        raise CampaignTemplateInvalid(
            _("模板名称须为 1–60 个字。"), details={"errors": {"name": _("模板名称须为 1–60 个字。")}}
        )
    template = CampaignTemplate.objects.create(
        name=name,
        description=description.strip()[:200],
        data=data,
        created_by=actor if isinstance(actor, User) else None,
    )
    audit_record(actor=actor, action="campaign_template.create", target=template, data={"name": template.name})
    return template


def template_export(data: dict[str, Any]) -> str:
    """The template as the JSON file a merchant downloads (readable Chinese, stable order)."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)


class _DryRun(Exception):
    """Raised to roll back the draft a template check created."""


def template_dry_run(*, actor: Actor, data: dict[str, Any], now: datetime | None = None) -> None:
    """Create the draft the template would make a year from now, then roll it all back: what
    only the shop can tell (SKUs, categories, block references) is checked the real way."""
    now = now or timezone.now()
    local = timezone.localtime(now) + timedelta(days=365)
    starts_at = local.replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        with transaction.atomic():
            campaign_from_template(actor=actor, template=data, starts_at=starts_at, now=now)
            raise _DryRun
    except _DryRun:
        return


@transaction.atomic
def campaign_template_import(*, actor: Actor, raw: str | bytes, name: str = "") -> CampaignTemplate:
    """A template from an exported JSON file: shape checked, dry-run in this shop, stored."""
    require_staff(actor)
    if len(raw) > MAX_IMPORT_BYTES:
        raise CampaignTemplateInvalid(_("文件太大（最多 200 KB）。"), details={"errors": {"file": _("文件太大。")}})
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        message = _("不是有效的 JSON 文件。")
        raise CampaignTemplateInvalid(message, details={"errors": {"file": message}}) from exc
    template_validate(data)
    template_dry_run(actor=actor, data=data)
    return _store(actor, name or str(data["campaign"]["name"]), "", data)


@transaction.atomic
def campaign_template_delete(*, actor: Actor, template_id: int) -> None:
    require_staff(actor)
    template = CampaignTemplate.objects.select_for_update().filter(pk=template_id).first()
    if template is None:
        raise CampaignTemplateNotFound(details={"template_id": template_id})
    audit_record(actor=actor, action="campaign_template.delete", target=template, data={"name": template.name})
    template.delete()
