"""A promotion's page in the mini-program (满减, 满赠, 第N件, 买A送B, 限时折扣, 阶梯价).

The marketing centre (F46) lists every running and upcoming promotion; tapping one opens
this page: the rule in the brief's words (满199减30, 第2件5折 …), the window with the server
time for its countdown, and the products it reaches. The scope comes from the same cached
rule book the engine prices with (:func:`pricing_rules_active`), so the page and the checkout
never disagree about which products take part.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.models import Product
from mall.selectors.catalogue import product_card_data, product_list, server_time_data
from marketing.errors import PromotionNotFound
from marketing.models import Promotion, PromotionType
from marketing.pricing.types import Scope
from marketing.selectors.pricing_rules import pricing_rules_active
from marketing.selectors.product_offers import product_offers_for
from marketing.selectors.promotion_text import promotion_rules_text, rule_sku_codes, sku_labels
from marketing.selectors.quotes import rule_label

PAGE_SIZE = 20
# Types that name their SKUs in ``rules`` rather than in the scope fields: the SKUs a shopper buys.
_NAMED_SKU_KEYS = {
    PromotionType.STEPPED_PRICE: ("sku",),
    PromotionType.BUY_X_GET_Y: ("buy_sku",),
}


def _product_filter(kind: str, rules: Mapping[str, Any], scope: Scope | None) -> Q | None:
    """Which products take part; ``None`` = the whole shop."""
    keys = _NAMED_SKU_KEYS.get(kind)  # type: ignore[call-overload]
    if keys:
        codes = [str(rules[k]) for k in keys if rules.get(k)]
        return Q(skus__code__in=codes)
    if scope is None or scope.whole_shop:
        return None
    reach = Q(pk__in=[])
    if scope.categories:
        reach |= Q(category_id__in=[int(c) for c in scope.categories])
    if scope.skus:
        reach |= Q(skus__code__in=sorted(scope.skus))
    return reach


def _state(starts_at: datetime, ends_at: datetime, now: datetime) -> tuple[str, str]:
    if now < starts_at:
        return "upcoming", _("即将开始")
    if now >= ends_at:
        return "ended", _("已结束")
    return "ongoing", _("进行中")


def promotion_page_data(
    *, promotion_id: int, page: int = 1, page_size: int = PAGE_SIZE, now: datetime | None = None
) -> dict[str, Any]:
    """The promotion's page: rule text, window and state, and one page of the products it reaches.

    Raises :class:`PromotionNotFound` for a promotion the shop is not running (switched off,
    ended, or never there): the page exists only while the rule can be used or is coming.
    """
    now = now or timezone.now()
    row = Promotion.objects.filter(pk=promotion_id, is_active=True, ends_at__gt=now).first()
    if row is None:
        raise PromotionNotFound(details={"promotion_id": promotion_id})
    entry = next((p for p in pricing_rules_active(now=now).promotions if p.pk == row.pk), None)
    scope: Scope | None = getattr(entry.spec, "scope", None) if entry is not None else None
    rules = row.rules or {}
    codes = rule_sku_codes(rules)
    reach = _product_filter(row.type, rules, scope)

    products = product_list()
    if reach is not None:
        products = products.filter(pk__in=Product.objects.filter(reach).values("pk"))
    count = products.count()
    start = (page - 1) * page_size
    rows = list(products[start : start + page_size]) if start < count else []
    offers = product_offers_for(product_ids=[p.id for p in rows], now=now)
    state, state_label = _state(row.starts_at, row.ends_at, now)
    return {
        "id": row.pk,
        "name": row.name,
        "kind": row.type,
        "kind_label": str(rule_label(row.type)),
        "rule_text": promotion_rules_text(type=row.type, rules=rules, skus=sku_labels(codes)),
        "starts_at": timezone.localtime(row.starts_at),
        "ends_at": timezone.localtime(row.ends_at),
        "state": state,
        "state_label": state_label,
        "whole_shop": reach is None,
        "per_user_limit": row.per_user_limit,
        "products": {"count": count, "results": [product_card_data(p, offers) for p in rows]},
        "server_time": server_time_data(now=now),
    }
