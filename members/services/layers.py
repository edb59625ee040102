"""Layered strategies (F35): four default layers as segments, each with an editable playbook
launched in one step, and a monthly snapshot to count who moved between layers.

Layers are checked in priority order (高价值, 潜力, 低频, 流失风险): a shopper belongs to the
first whose segment matches. A playbook (``Segment.playbook``) holds up to two coupons, an
optional message, points, a holdout share, a customer-service follow-up list and 新品优先购
(products shown only to the layer for some days before their public launch).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from mall.models import Product
from mall.selectors.catalogue import catalogue_cache_bump
from mall.services.audit import audit_record
from marketing.models import CouponChannel
from members.models import EarlyAccess, Layer, LayerSnapshot, Segment, SegmentCampaign
from members.people_errors import CampaignInvalid
from members.selectors.segments import segment_count, segment_members
from members.services.campaigns import CampaignData, segment_campaign_create, segment_campaign_start

Actor = AbstractBaseUser | AnonymousUser | None
SHOP_TZ = ZoneInfo("Asia/Shanghai")
LAYER_ORDER = (Layer.HIGH_VALUE, Layer.POTENTIAL, Layer.LOW_FREQUENCY, Layer.CHURN_RISK)

LAYER_RULES: dict[str, dict[str, Any]] = {
    Layer.HIGH_VALUE: {
        "op": "any",
        "conditions": [
            {"field": "rfm_group", "operator": "in", "value": ["important_value", "important_keep"]},
            {"field": "spend", "operator": "gte", "value": 200_000, "days": 365},
        ],
    },
    Layer.POTENTIAL: {
        "op": "all",
        "conditions": [
            {"field": "days_since_last_order", "operator": "lte", "value": 60},
            {"field": "order_count", "operator": "lte", "value": 2, "days": 365},
        ],
    },
    Layer.LOW_FREQUENCY: {
        "op": "all",
        "conditions": [
            {"field": "days_since_last_order", "operator": "lte", "value": 89},
            {"field": "order_count", "operator": "eq", "value": 1, "days": 365},
        ],
    },
    Layer.CHURN_RISK: {
        "op": "all",
        "conditions": [
            {"field": "days_since_last_order", "operator": "gte", "value": 90},
        ],
    },
}
PLAYBOOKS: dict[str, dict[str, Any]] = {
    Layer.HIGH_VALUE: {
        "coupons": [
            {"name": "高价值专属 9 折券", "kind": "rate_off", "rate": "0.90", "threshold": 0, "valid_days": 14}
        ],
        "message_title": "专属折扣已到账",
        "message_body": "感谢一直以来的支持，专属 9 折券和新品优先购已为您开启。",
        "early_access_days": 3,
        "early_access_products": [],
        "points": 0,
        "holdout_percent": 10,
        "follow_up": False,
    },
    Layer.POTENTIAL: {
        "coupons": [
            {"name": "满 199 减 30", "kind": "amount_off", "threshold": 19_900, "off": 3_000, "valid_days": 14},
            {"name": "第二件立减 20", "kind": "amount_off", "threshold": 15_000, "off": 2_000, "valid_days": 14},
        ],
        "message_title": "凑单更划算",
        "message_body": "满 199 减 30、第二件立减 20 的优惠券已放入您的账户。",
        "points": 0,
        "holdout_percent": 10,
        "follow_up": False,
    },
    Layer.LOW_FREQUENCY: {
        "coupons": [
            {"name": "回来看看 满 99 减 15", "kind": "amount_off", "threshold": 9_900, "off": 1_500, "valid_days": 7}
        ],
        "message_title": "送您 100 积分",
        "message_body": "100 积分和一张满 99 减 15 的优惠券已到账，回来看看吧。",
        "points": 100,
        "holdout_percent": 10,
        "follow_up": False,
    },
    Layer.CHURN_RISK: {
        "coupons": [
            {"name": "好久不见 满 100 减 50", "kind": "amount_off", "threshold": 10_000, "off": 5_000, "valid_days": 14}
        ],
        "message_title": "好久不见，送您一张大额券",
        "message_body": "满 100 减 50 的优惠券已到账，专属客服也会联系您。",
        "points": 0,
        "holdout_percent": 10,
        "follow_up": True,
    },
}


def layers_ensure() -> list[Segment]:
    """The four layer segments (created with their default rules and playbooks if missing)."""
    existing = {s.layer: s for s in Segment.objects.exclude(layer="")}
    for layer in LAYER_ORDER:
        if layer not in existing:
            name = str(Layer(layer).label)
            if Segment.objects.filter(name=name).exists():
                name = f"{name}（分层）"
            existing[layer] = Segment.objects.create(
                name=name, layer=layer, rules=LAYER_RULES[layer], playbook=PLAYBOOKS[layer]
            )
    return [existing[layer] for layer in LAYER_ORDER]


def playbook_clean(playbook: dict[str, Any]) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    coupons = playbook.get("coupons") or []
    if not isinstance(coupons, list) or len(coupons) > 2:
        problems["coupons"] = "at most two"
        coupons = []
    for index, coupon in enumerate(coupons):
        kind = coupon.get("kind")
        ok = isinstance(coupon.get("name"), str) and coupon["name"].strip()
        ok = ok and kind in ("amount_off", "rate_off") and 1 <= int(coupon.get("valid_days") or 0) <= 365
        if kind == "amount_off":
            ok = ok and int(coupon.get("off") or 0) > 0 and int(coupon.get("threshold") or 0) >= 0
        if kind == "rate_off":
            ok = ok and Decimal("0") < Decimal(str(coupon.get("rate") or "0")) < Decimal("1")
        if not ok:
            problems[f"coupon_{index + 1}"] = coupon
    if not 0 <= int(playbook.get("holdout_percent") or 0) <= 50:
        problems["holdout_percent"] = "0-50"
    if not 0 <= int(playbook.get("points") or 0) <= 100_000:
        problems["points"] = "0-100000"
    products = playbook.get("early_access_products") or []
    if products and Product.objects.filter(pk__in=products).count() != len(set(products)):
        problems["early_access_products"] = products
    if problems:
        raise CampaignInvalid(details=problems)
    return playbook


@transaction.atomic
def layer_playbook_update(*, actor: Actor, segment_id: int, playbook: dict[str, Any]) -> Segment:
    segment = Segment.objects.select_for_update().get(pk=segment_id)
    segment.playbook = playbook_clean(playbook)
    segment.save(update_fields=["playbook", "updated_at"])
    audit_record(actor=actor, action="layer.playbook_update", target=segment, data={"playbook": segment.playbook})
    return segment


@dataclass(frozen=True)
class LaunchResult:
    campaigns: list[SegmentCampaign]
    early_access: int


@transaction.atomic
def layer_launch(*, actor: Actor, segment_id: int, now: datetime | None = None) -> LaunchResult:
    """One step: the playbook's coupon templates, one campaign per coupon (the first also
    carries the message, points and follow-up list), started now; and 新品优先购 windows."""
    from marketing.services.coupons import CouponTemplateData, coupon_template_create

    now = now or timezone.now()
    segment = Segment.objects.select_for_update().get(pk=segment_id)
    playbook = playbook_clean(dict(segment.playbook or {}))
    stamp = timezone.localtime(now, SHOP_TZ).strftime("%m%d")
    coupons = playbook.get("coupons") or []
    offers: list[int | None] = []
    for coupon in coupons:
        template = coupon_template_create(
            actor=actor,  # type: ignore[arg-type]
            data=CouponTemplateData(
                name=f"{coupon['name']}"[:60],
                kind=coupon["kind"],
                channel=CouponChannel.SYSTEM,
                threshold=int(coupon.get("threshold") or 0),
                off=int(coupon.get("off") or 0),
                rate=Decimal(str(coupon["rate"])) if coupon["kind"] == "rate_off" else None,
                valid_days=int(coupon["valid_days"]),
            ),
        )
        offers.append(template.pk)
    if not offers:
        offers.append(None)
    campaigns = []
    for index, template_id in enumerate(offers):
        first = index == 0
        campaign = segment_campaign_create(
            actor=actor,
            data=CampaignData(
                name=f"{segment.name} {stamp}" + ("" if first else f" #{index + 1}"),
                segment_id=segment.pk,
                coupon_template_id=template_id,
                message_title=str(playbook.get("message_title") or "") if first else "",
                message_body=str(playbook.get("message_body") or "") if first else "",
                holdout_percent=int(playbook.get("holdout_percent") or 0),
                follow_up=bool(playbook.get("follow_up")) and first,
                points=int(playbook.get("points") or 0) if first else 0,
            ),
        )
        campaigns.append(segment_campaign_start(actor=actor, campaign_id=campaign.pk, now=now))
    days = int(playbook.get("early_access_days") or 0)
    products = list(playbook.get("early_access_products") or [])
    if days and products:
        EarlyAccess.objects.bulk_create(
            [
                EarlyAccess(product_id=pk, segment=segment, starts_at=now, launch_at=now + timedelta(days=days))
                for pk in products
            ]
        )
        catalogue_cache_bump()  # the shop's lists leave them out from now on
    audit_record(
        actor=actor,
        action="layer.launch",
        target=segment,
        data={"campaigns": [c.pk for c in campaigns], "early_access": products},
    )
    return LaunchResult(campaigns=campaigns, early_access=len(products) if days else 0)


def month_of(at: datetime) -> str:
    return timezone.localtime(at, SHOP_TZ).strftime("%Y-%m")


def previous_month(month: str) -> str:
    year, mon = (int(part) for part in month.split("-"))
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def layer_snapshot_take(*, now: datetime | None = None) -> int:
    """Record this month's layer of every shopper in one (the first run of a month wins: the
    unique (month, member) key and INSERT IGNORE make later runs add only newcomers). Set-based."""
    now = now or timezone.now()
    month = month_of(now)
    insert = "INSERT IGNORE INTO" if connection.vendor == "mysql" else "INSERT OR IGNORE INTO"
    table = LayerSnapshot._meta.db_table
    added = 0
    for segment in layers_ensure():
        sql, params = segment_members(segment.rules, now).values("pk").query.sql_with_params()
        with connection.cursor() as cursor, transaction.atomic():
            cursor.execute(
                f"{insert} {table} (month, member_id, layer, created_at) "  # noqa: S608 - compiled ORM SQL
                f"SELECT %s, matching.*, %s, %s FROM ({sql}) matching",
                [month, segment.layer, now, *params],
            )
            added += max(cursor.rowcount, 0)
    return added


@dataclass(frozen=True)
class LayerRow:
    segment: Segment
    size: int
    came_in: int  # in this layer this month, elsewhere (or nowhere) last month
    went_out: int  # in this layer last month, elsewhere (or nowhere) this month


def layer_overview(*, now: datetime | None = None) -> tuple[list[LayerRow], int]:
    """Each layer's live size and this month's moves (from the snapshots); and the total moved."""
    now = now or timezone.now()
    month = month_of(now)
    last = previous_month(month)
    this_month = dict(LayerSnapshot.objects.filter(month=month).values_list("member_id", "layer"))
    last_month = dict(LayerSnapshot.objects.filter(month=last).values_list("member_id", "layer"))
    came: dict[str, int] = {}
    went: dict[str, int] = {}
    moved = 0
    if last_month:
        for member_id in set(this_month) | set(last_month):
            before, after = last_month.get(member_id), this_month.get(member_id)
            if before == after:
                continue
            moved += 1
            if after:
                came[after] = came.get(after, 0) + 1
            if before:
                went[before] = went.get(before, 0) + 1
    rows = [
        LayerRow(segment, segment_count(segment.rules, now), came.get(segment.layer, 0), went.get(segment.layer, 0))
        for segment in layers_ensure()
    ]
    return rows, moved


def layer_snapshot_sizes(*, month: str) -> dict[str, int]:
    rows = LayerSnapshot.objects.filter(month=month).values("layer").annotate(n=Count("id")).order_by()
    return {row["layer"]: row["n"] for row in rows}
