"""Shared set-up for the F28 tests: campaigns built through the services from a scenario-like
description (rules in the pricing scenarios' vocabulary, money in yuan strings)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User

from mall.models import Category, Product, Sku
from mall.money import parse_yuan
from marketing.models import Campaign
from marketing.services.campaigns import CampaignData, campaign_create, campaign_publish, campaign_tool_add
from marketing.services.coupons import CouponTemplateData, coupon_template_create
from marketing.services.promotions import PromotionData, promotion_create

NOW = datetime.fromisoformat("2026-06-18T10:00:00+08:00")


def sku(code: str, price: str, cost: str | None, *, category: str = "美妆") -> Sku:
    shelf = Category.objects.get_or_create(name=category)[0]
    fen = parse_yuan(price)
    product = Product.objects.create(category=shelf, title=f"商品 {code}", min_price=fen)
    return Sku.objects.create(
        product=product, code=code, price=fen, stock=100, cost_price=None if cost is None else parse_yuan(cost)
    )


def campaign(
    staff: User,
    name: str,
    *,
    promotions: list[dict[str, Any]] = (),  # type: ignore[assignment]
    coupons: list[dict[str, Any]] = (),  # type: ignore[assignment]
    starts: timedelta = timedelta(hours=-1),
    days: int = 3,
    publish: bool = False,
    skus: tuple[int, ...] = (),
    base: datetime = NOW,
) -> Campaign:
    """A campaign with its tools; ``promotions`` items: ``{"type", "rules"}``; ``coupons``
    items: CouponTemplateData fields with money in yuan (``threshold``, ``off``)."""
    made = campaign_create(
        actor=staff, data=CampaignData(name=name, starts_at=base + starts, ends_at=base + starts + timedelta(days=days))
    )
    for i, spec in enumerate(promotions):
        promotion = promotion_create(
            actor=staff,
            data=PromotionData(
                type=spec["type"],
                name=spec.get("name", f"{name} 规则{i + 1}"),
                starts_at=base - timedelta(days=1),
                ends_at=base + timedelta(days=30),
                rules=spec["rules"],
                sku_ids=skus,
                is_active=False,
            ),
        )
        campaign_tool_add(actor=staff, campaign_id=made.pk, kind="promotion", object_id=promotion.pk)
    for i, spec in enumerate(coupons):
        fields = dict(spec)
        for key in ("threshold", "off"):
            if key in fields:
                fields[key] = parse_yuan(fields[key])
        if "rate" in fields:
            fields["rate"] = Decimal(fields["rate"])
        template = coupon_template_create(
            actor=staff,
            data=CouponTemplateData(name=fields.pop("name", f"{name} 券{i + 1}"), valid_days=7, sku_ids=skus, **fields),
        )
        campaign_tool_add(actor=staff, campaign_id=made.pk, kind="coupon", object_id=template.pk)
    if publish:
        campaign_publish(actor=staff, campaign_id=made.pk, now=base)
    made.refresh_from_db()
    return made
