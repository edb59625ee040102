"""Promotions (merchant side): create and edit, validated by building the engine's rule.

Every change is audited with the staff actor and bumps the pricing-rules cache version, so
the next quote anywhere runs the new rules (F44: rules changed live, no code change).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mall.models import Category, Sku
from mall.services.audit import audit_record
from marketing.errors import PromotionNotFound, RulesInvalid
from marketing.models import SCOPED_TYPES, Promotion, PromotionType, StepCounter
from marketing.models.promotions import RETIRED_TYPE_LABELS
from marketing.selectors.pricing_rules import pricing_rules_bump
from marketing.services.coupons import Actor, require_staff
from marketing.services.rules import FLASH_SALE_RETIRED_MESSAGE, promotion_spec_build


@dataclass(frozen=True, kw_only=True)
class PromotionData:
    """What the merchant sets; ``rules`` is the type's fields in the scenario vocabulary."""

    type: str
    name: str
    starts_at: datetime
    ends_at: datetime
    rules: dict[str, Any]
    category_ids: tuple[int, ...] = ()
    sku_ids: tuple[int, ...] = ()
    exclude_sku_ids: tuple[int, ...] = ()
    per_user_limit: int | None = None
    is_active: bool = True


def promotion_validate(*, data: PromotionData) -> None:
    """RulesInvalid with a Chinese message per field for anything the engine could not run."""
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = _("请填写活动名称。")
    try:
        promotion_spec_build(
            pk=None,
            type=data.type,
            rules=data.rules,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            per_user_limit=data.per_user_limit,
        )
    except RulesInvalid as exc:
        errors.update({k: v for k, v in exc.details.get("errors", {}).items() if k not in errors})
    scoped = data.type in SCOPED_TYPES
    if not scoped and (data.category_ids or data.sku_ids or data.exclude_sku_ids):
        errors.setdefault("categories", _("该类型在规则里指定商品，不使用适用范围。"))
    if len(set(data.category_ids)) != Category.objects.filter(pk__in=data.category_ids).count():
        errors.setdefault("categories", _("所选分类不存在。"))
    wanted = set(data.sku_ids) | set(data.exclude_sku_ids)
    if len(wanted) != Sku.objects.filter(pk__in=wanted).count():
        errors.setdefault("skus", _("所选 SKU 不存在。"))
    if set(data.sku_ids) & set(data.exclude_sku_ids):
        errors.setdefault("exclude_skus", _("同一个 SKU 不能既适用又排除。"))
    if errors:
        first_key, first = next(iter(errors.items()))
        raise RulesInvalid(first, details={"field": first_key, "errors": errors})


def _apply(promotion: Promotion, data: PromotionData) -> None:
    promotion.type = data.type
    promotion.name = data.name.strip()[:60]
    promotion.starts_at = data.starts_at
    promotion.ends_at = data.ends_at
    promotion.rules = dict(data.rules)
    promotion.per_user_limit = data.per_user_limit
    promotion.is_active = data.is_active


def _scope_set(promotion: Promotion, data: PromotionData) -> None:
    promotion.categories.set(sorted(set(data.category_ids)))
    promotion.skus.set(sorted(set(data.sku_ids)))
    promotion.exclude_skus.set(sorted(set(data.exclude_sku_ids)))


def _audit_data(data: PromotionData) -> dict[str, Any]:
    return {
        "type": data.type,
        "name": data.name,
        "starts_at": data.starts_at.isoformat(),
        "ends_at": data.ends_at.isoformat(),
        "rules": data.rules,
        "category_ids": list(data.category_ids),
        "sku_ids": list(data.sku_ids),
        "exclude_sku_ids": list(data.exclude_sku_ids),
        "per_user_limit": data.per_user_limit,
        "is_active": data.is_active,
    }


@transaction.atomic
def promotion_create(*, actor: Actor, data: PromotionData) -> Promotion:
    require_staff(actor)
    promotion_validate(data=data)
    promotion = Promotion()
    _apply(promotion, data)
    promotion.save()
    _scope_set(promotion, data)
    if promotion.type == PromotionType.STEPPED_PRICE:
        # F13: its unit sequence starts at 0 (placements only ever UPDATE this row).
        StepCounter.objects.create(promotion=promotion)
    audit_record(actor=actor, action="promotion.create", target=promotion, data=_audit_data(data))
    pricing_rules_bump()
    return promotion


@transaction.atomic
def promotion_update(*, actor: Actor, promotion_id: int, data: PromotionData) -> Promotion:
    """Edit a promotion (its type may not change: usage already counted would mean something else)."""
    require_staff(actor)
    promotion = Promotion.objects.select_for_update().filter(pk=promotion_id).first()
    if promotion is None:
        raise PromotionNotFound()
    if data.type != promotion.type:
        message = _("活动类型创建后不能修改。")
        raise RulesInvalid(message, details={"field": "type", "errors": {"type": message}})
    promotion_validate(data=data)
    before = {"rules": promotion.rules, "is_active": promotion.is_active, "ends_at": promotion.ends_at.isoformat()}
    _apply(promotion, data)
    promotion.save()
    _scope_set(promotion, data)
    audit_record(actor=actor, action="promotion.update", target=promotion, data={**_audit_data(data), "before": before})
    pricing_rules_bump()
    return promotion


@transaction.atomic
def promotion_set_active(*, actor: Actor, promotion_id: int, is_active: bool) -> Promotion:
    """Pause or resume a promotion at once (console list action)."""
    require_staff(actor)
    promotion = Promotion.objects.select_for_update().filter(pk=promotion_id).first()
    if promotion is None:
        raise PromotionNotFound()
    if is_active and promotion.type in RETIRED_TYPE_LABELS:
        message = str(FLASH_SALE_RETIRED_MESSAGE)
        raise RulesInvalid(message, details={"field": "type", "errors": {"type": message}})
    promotion.is_active = is_active
    promotion.save(update_fields=["is_active", "updated_at"])
    audit_record(actor=actor, action="promotion.set_active", target=promotion, data={"is_active": is_active})
    pricing_rules_bump()
    return promotion
