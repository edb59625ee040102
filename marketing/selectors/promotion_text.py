"""A promotion's rules as the merchant wrote them in the brief: 第2件5折, 满159赠旅行装洁面 ×1.

The console's promotion list used to print the stored JSON (``n=2, rate=0.5``); this turns
each type's rules into one short Chinese phrase, naming SKUs by product and spec.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mall.models import Sku


def rate_text(rate: Any) -> str:
    """``"0.5"`` → ``5折``, ``"0.85"`` → ``8.5折``, ``"0"`` → ``免费``."""
    try:
        value = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        return str(rate)
    if value <= 0:
        return _("免费")
    if value >= 1:
        return _("原价")
    if (get_language() or "zh").startswith("zh"):
        # Chinese counts tenths of the price paid (8折); other languages the share taken off.
        return f"{(value * 10).normalize():f}折"
    return _("减%(off)s%%") % {"off": f"{((1 - value) * 100).normalize():f}"}


def yuan_text(amount: Any) -> str:
    """``"159.00"`` → ``159``, ``"99.90"`` → ``99.9`` (rules store yuan strings)."""
    try:
        value = Decimal(str(amount)).normalize()
    except (InvalidOperation, ValueError):
        return str(amount)
    return f"{value:f}"


def sku_labels(codes: Iterable[str]) -> dict[str, str]:
    """``{code: "旅行装洁面 50ml"}`` for the given SKU codes, in one query."""
    wanted = {code for code in codes if code}
    if not wanted:
        return {}
    rows = Sku.objects.filter(code__in=wanted).select_related("product").only("code", "specs", "product__title")
    return {
        sku.code: " ".join([sku.product.title, *(str(v) for v in (sku.specs or {}).values())]).strip() for sku in rows
    }


def rule_sku_codes(rules: Mapping[str, Any]) -> list[str]:
    return [str(rules[key]) for key in ("sku", "gift_sku", "buy_sku") if rules.get(key)]


def promotion_rules_text(
    *, type: str, rules: Mapping[str, Any], skus: Mapping[str, str], sold: int | None = None
) -> str:
    """One phrase for ``rules`` of a promotion of ``type`` (``skus`` from :func:`sku_labels`)."""

    def sku(key: str) -> str:
        code = str(rules.get(key) or "")
        return skus.get(code) or code

    if type == "flash_sale":
        return _("%(sku)s 秒杀价 ¥%(price)s") % {"sku": sku("sku"), "price": yuan_text(rules.get("price"))}
    if type == "limited_discount":
        return _("限时%(rate)s") % {"rate": rate_text(rules.get("rate"))}
    if type == "stepped_price":
        parts, start = [], 1
        for step in rules.get("steps") or []:
            upto = step.get("upto")
            parts.append(
                _("第%(first)s–%(last)s件%(rate)s")
                % {"first": start, "last": upto, "rate": rate_text(step.get("rate"))}
            )
            start = int(upto or 0) + 1
        text = _("%(sku)s：%(steps)s") % {"sku": sku("sku"), "steps": "，".join(parts)}
        if sold is not None:
            text += _("（已售 %(n)d 件）") % {"n": sold}
        return text
    if type == "full_reduction":
        tiers = "，".join(
            _("满%(threshold)s减%(off)s") % {"threshold": yuan_text(t.get("threshold")), "off": yuan_text(t.get("off"))}
            for t in rules.get("tiers") or []
        )
        if rules.get("repeat"):
            tiers = _("每%(tiers)s") % {"tiers": tiers}
        if rules.get("max_off"):
            tiers += _("（最多减%(max)s）") % {"max": yuan_text(rules["max_off"])}
        return tiers
    if type == "full_gift":
        return _("满%(threshold)s赠%(gift)s ×%(qty)s") % {
            "threshold": yuan_text(rules.get("threshold")),
            "gift": sku("gift_sku"),
            "qty": rules.get("gift_qty") or 1,
        }
    if type == "nth_item":
        return _("第%(n)s件%(rate)s") % {"n": rules.get("n"), "rate": rate_text(rules.get("rate"))}
    if type == "buy_x_get_y":
        return _("买%(buy)s ×%(buy_qty)s 送%(gift)s ×%(gift_qty)s") % {
            "buy": sku("buy_sku"),
            "buy_qty": rules.get("buy_qty") or 1,
            "gift": sku("gift_sku"),
            "gift_qty": rules.get("gift_qty") or 1,
        }
    return ""
