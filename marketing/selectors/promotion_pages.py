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
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mall.models import Product, Sku
from mall.money import format_yuan, parse_rate, parse_yuan
from mall.selectors.catalogue import product_card_data, product_list, server_time_data
from marketing.errors import PromotionNotFound
from marketing.models import Promotion, PromotionType
from marketing.pricing.types import Scope
from marketing.selectors.pricing_rules import pricing_rules_active
from marketing.selectors.product_offers import product_offers_for
from marketing.selectors.quotes import rule_label

PAGE_SIZE = 20
# Types that name their SKUs in ``rules`` rather than in the scope fields: the SKUs a shopper buys.
_NAMED_SKU_KEYS = {
    PromotionType.STEPPED_PRICE: ("sku",),
    PromotionType.BUY_X_GET_Y: ("buy_sku",),
}


def discount_text(rate: Decimal | str) -> str:
    """A rate as shoppers say it: 0.8 → 8折, 0.85 → 8.5折, 0 → 免费."""
    kept = parse_rate(rate)
    if kept == 0:
        return _("免费")
    if (get_language() or "zh").startswith("zh"):
        # Chinese counts tenths of the price paid (8折); other languages the share taken off.
        return f"{(kept * 10).normalize():f}折"
    return _("减%(off)s%%") % {"off": f"{((1 - kept) * 100).normalize():f}"}


def _yuan(value: Any) -> str:
    """'159.00' → '159', '9.90' → '9.9': prices in a slogan carry no trailing zeros."""
    text = format_yuan(parse_yuan(value))
    return text.rstrip("0").rstrip(".") if "." in text else text


def promotion_rule_text(kind: str, rules: Mapping[str, Any], sku_titles: Mapping[str, str]) -> str:
    """The rule in the brief's words (满199减30，满299减60 · 第2件5折 · 满159赠 …).

    ``sku_titles`` names the SKUs the rule refers to by code (gifts, 买A送B); a code without a
    title is shown as it is, never dropped.
    """

    def sku(code: Any) -> str:
        return sku_titles.get(str(code), str(code))

    if kind == PromotionType.FULL_REDUCTION:
        each = bool(rules.get("repeat"))
        parts = [
            (_("每满%(t)s减%(o)s") if each else _("满%(t)s减%(o)s"))
            % {"t": _yuan(t["threshold"]), "o": _yuan(t["off"])}
            for t in rules.get("tiers", [])
        ]
        text = _("，").join(parts)
        if rules.get("max_off") not in (None, ""):
            text += _("（最多减%(m)s元）") % {"m": _yuan(rules["max_off"])}
        return text
    if kind == PromotionType.FULL_GIFT:
        qty = int(rules.get("gift_qty", 1))
        gift = sku(rules.get("gift_sku"))
        return _("满%(t)s赠%(g)s") % {"t": _yuan(rules.get("threshold", "0")), "g": gift} + (
            f" ×{qty}" if qty > 1 else ""
        )
    if kind == PromotionType.NTH_ITEM:
        return _("第%(n)s件%(d)s") % {"n": rules.get("n"), "d": discount_text(rules.get("rate", "1"))}
    if kind == PromotionType.BUY_X_GET_Y:
        return _("买%(a)s %(x)s件，送%(b)s %(y)s件") % {
            "a": sku(rules.get("buy_sku")),
            "x": rules.get("buy_qty", 1),
            "b": sku(rules.get("gift_sku")),
            "y": rules.get("gift_qty", 1),
        }
    if kind == PromotionType.LIMITED_DISCOUNT:
        return _("限时%(d)s") % {"d": discount_text(rules.get("rate", "1"))}
    if kind == PromotionType.STEPPED_PRICE:
        parts, start = [], 1
        for step in rules.get("steps", []):
            upto = int(step["upto"])
            parts.append(
                _("第%(a)s–%(b)s件%(d)s") % {"a": start, "b": upto, "d": discount_text(step["rate"])}
                if start > 1
                else _("前%(b)s件%(d)s") % {"b": upto, "d": discount_text(step["rate"])}
            )
            start = upto + 1
        return _("，").join(parts)
    return str(rule_label(kind))


def _sku_titles(codes: list[str]) -> dict[str, str]:
    titles = {}
    for code, title, specs in Sku.objects.filter(code__in=codes).values_list("code", "product__title", "specs"):
        spec_text = " ".join(str(v) for v in (specs or {}).values()) if isinstance(specs, dict) else ""
        titles[code] = f"{title}（{spec_text}）" if spec_text else title
    return titles


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
    codes = [str(rules[k]) for k in ("sku", "gift_sku", "buy_sku") if rules.get(k)]
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
        "rule_text": promotion_rule_text(row.type, rules, _sku_titles(codes) if codes else {}),
        "starts_at": timezone.localtime(row.starts_at),
        "ends_at": timezone.localtime(row.ends_at),
        "state": state,
        "state_label": state_label,
        "whole_shop": reach is None,
        "per_user_limit": row.per_user_limit,
        "products": {"count": count, "results": [product_card_data(p, offers) for p in rows]},
        "server_time": server_time_data(now=now),
    }
