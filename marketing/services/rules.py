"""Turning stored marketing rules into the engine's dataclasses, refusing impossible ones.

Promotions and coupon templates are validated by building the very dataclass the engine
will run (``parse_promotion`` reads the same JSON vocabulary as scenario files). Before that,
the checks a merchant is likely to trip over get a Chinese message naming the field:
tiers that do not increase, a reduction as large as its threshold, a rate outside (0, 1], a
SKU that does not exist. One :class:`~marketing.errors.RulesInvalid` carries every problem in
``details["errors"]`` ({field: message}) so the console can show each next to its field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from mall.models import Sku
from mall.money import MoneyFormatError, format_yuan, parse_rate, parse_yuan
from marketing.errors import RulesInvalid
from marketing.models import CouponKind, PromotionType
from marketing.models.promotions import RETIRED_TYPE_LABELS
from marketing.pricing import (
    WHOLE_SHOP,
    CouponSpec,
    FullGift,
    FullReduction,
    LimitedDiscount,
    NthItem,
    Promotion,
    ScenarioError,
    Scope,
    parse_promotion,
)

# Keys of ``Promotion.rules`` per type (the scope, window and limit live in model fields).
RULE_FIELDS: Mapping[str, frozenset[str]] = {
    PromotionType.LIMITED_DISCOUNT: frozenset({"rate"}),
    PromotionType.STEPPED_PRICE: frozenset({"sku", "steps"}),
    PromotionType.FULL_REDUCTION: frozenset({"tiers", "repeat", "max_off"}),
    PromotionType.FULL_GIFT: frozenset({"threshold", "gift_sku", "gift_qty"}),
    PromotionType.NTH_ITEM: frozenset({"n", "rate"}),
    PromotionType.BUY_X_GET_Y: frozenset({"buy_sku", "buy_qty", "gift_sku", "gift_qty"}),
}


FLASH_SALE_RETIRED_MESSAGE = _lazy("秒杀价已停用：请在“秒杀日历”中创建秒杀场次（有限量、防刷和限购）。")


def promotion_rule_id(pk: int | None) -> str:
    """The id a promotion carries inside the engine and in every quote."""
    return f"promotion:{pk or 0}"


def coupon_rule_id(pk: int | None) -> str:
    """The id an issued coupon carries inside the engine (the API speaks integer ids)."""
    return f"coupon:{pk or 0}"


@dataclass
class _Problems:
    """Collects {field: message}; ``raise_if_any`` turns them into one RulesInvalid."""

    errors: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, message)

    def raise_if_any(self) -> None:
        if self.errors:
            first_key, first = next(iter(self.errors.items()))
            raise RulesInvalid(first, details={"field": first_key, "errors": dict(self.errors)})

    def money(self, key: str, value: Any, *, positive: bool = True) -> int | None:
        if value is None or value == "":
            self.add(key, _("请填写金额。"))
            return None
        try:
            fen = parse_yuan(value)
        except MoneyFormatError:
            self.add(key, _("金额应写成元，最多两位小数，如 99.00。"))
            return None
        if fen < 0 or (positive and fen == 0):
            self.add(key, _("金额必须大于 0。"))
            return None
        return fen

    def rate(self, key: str, value: Any, *, allow_one: bool = True) -> Decimal | None:
        try:
            rate = (
                parse_rate(str(value))
                if isinstance(value, str | int | Decimal) and not isinstance(value, bool)
                else None
            )
        except MoneyFormatError:
            rate = None
        if rate is None or rate <= 0 or rate > 1 or (rate == 1 and not allow_one):
            upper = _("不超过 1") if allow_one else _("小于 1")
            self.add(key, _("折扣率须大于 0 且%(upper)s，如 0.8 表示 8 折。") % {"upper": upper})
            return None
        return rate

    def count(self, key: str, value: Any, *, minimum: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.add(key, _("须为不小于 %(n)d 的整数。") % {"n": minimum})
            return None
        return value


def _sku_prices(codes: Iterable[str]) -> dict[str, int]:
    wanted = {c for c in codes if isinstance(c, str) and c}
    if not wanted:
        return {}
    return dict(Sku.objects.filter(code__in=wanted, is_active=True).values_list("code", "price"))


def _check_sku(problems: _Problems, key: str, code: Any, prices: Mapping[str, int]) -> None:
    if not isinstance(code, str) or not code:
        problems.add(key, _("请选择商品 SKU。"))
    elif code not in prices:
        problems.add(key, _("SKU %(code)s 不存在或已停用。") % {"code": code})


def _check_tiers(problems: _Problems, rules: Mapping[str, Any]) -> None:
    tiers = rules.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        problems.add("tiers", _("至少设置一档满减。"))
        return
    previous: tuple[int, int] | None = None
    for tier in tiers:
        if not isinstance(tier, dict):
            problems.add("tiers", _("每一档须有门槛和减额。"))
            return
        threshold = problems.money("tiers", tier.get("threshold"))
        off = problems.money("tiers", tier.get("off"))
        if threshold is None or off is None:
            return
        if off >= threshold:
            problems.add(
                "tiers",
                _("满 %(t)s 减 %(o)s：减额必须小于门槛。") % {"t": format_yuan(threshold), "o": format_yuan(off)},
            )
            return
        if previous is not None and (threshold <= previous[0] or off <= previous[1]):
            problems.add("tiers", _("各档的门槛和减额都必须逐档递增。"))
            return
        previous = (threshold, off)
    if rules.get("max_off") not in (None, ""):
        problems.money("max_off", rules.get("max_off"))
    if not isinstance(rules.get("repeat", False), bool):
        problems.add("repeat", _("“每满”只能是是或否。"))


def _check_steps(problems: _Problems, rules: Mapping[str, Any]) -> None:
    steps = rules.get("steps")
    if not isinstance(steps, list) or not steps:
        problems.add("steps", _("至少设置一个阶梯。"))
        return
    last = 0
    for step in steps:
        if not isinstance(step, dict):
            problems.add("steps", _("每个阶梯须有件数上限和折扣率。"))
            return
        upto = problems.count("steps", step.get("upto"), minimum=1)
        rate = problems.rate("steps", step.get("rate"))
        if upto is None or rate is None:
            return
        if upto <= last:
            problems.add("steps", _("阶梯的件数上限必须逐级递增。"))
            return
        last = upto


def _check_promotion_rules(problems: _Problems, kind: str, rules: Mapping[str, Any]) -> None:
    unknown = sorted(set(rules) - RULE_FIELDS[kind])
    if unknown:
        problems.add(unknown[0], _("该类型不支持字段 %(f)s。") % {"f": ", ".join(unknown)})
    codes = [rules.get(k) for k in ("sku", "gift_sku", "buy_sku")]
    prices = _sku_prices(c for c in codes if isinstance(c, str))
    if kind == PromotionType.LIMITED_DISCOUNT:
        problems.rate("rate", rules.get("rate"))
    elif kind == PromotionType.STEPPED_PRICE:
        _check_sku(problems, "sku", rules.get("sku"), prices)
        _check_steps(problems, rules)
    elif kind == PromotionType.FULL_REDUCTION:
        _check_tiers(problems, rules)
    elif kind == PromotionType.FULL_GIFT:
        problems.money("threshold", rules.get("threshold"))
        _check_sku(problems, "gift_sku", rules.get("gift_sku"), prices)
        problems.count("gift_qty", rules.get("gift_qty", 1), minimum=1)
    elif kind == PromotionType.NTH_ITEM:
        problems.count("n", rules.get("n"), minimum=2)
        problems.rate("rate", rules.get("rate"))
    elif kind == PromotionType.BUY_X_GET_Y:
        _check_sku(problems, "buy_sku", rules.get("buy_sku"), prices)
        _check_sku(problems, "gift_sku", rules.get("gift_sku"), prices)
        problems.count("buy_qty", rules.get("buy_qty"), minimum=1)
        problems.count("gift_qty", rules.get("gift_qty", 1), minimum=1)


def promotion_spec_build(
    *,
    pk: int | None,
    type: str,
    rules: Mapping[str, Any],
    starts_at: datetime | None,
    ends_at: datetime | None,
    per_user_limit: int | None,
    scope: Scope = WHOLE_SHOP,
    check_skus: bool = True,
) -> Promotion:
    """The engine dataclass for a promotion, or RulesInvalid with a Chinese message per field.

    ``check_skus=False`` skips the catalogue look-ups (used when filling the rule cache from
    rows that were validated when they were saved).
    """
    problems = _Problems()
    if type in RETIRED_TYPE_LABELS:
        problems.add("type", str(FLASH_SALE_RETIRED_MESSAGE))
        problems.raise_if_any()
    if type not in RULE_FIELDS:
        problems.add("type", _("未知的促销类型。"))
        problems.raise_if_any()
    if not isinstance(rules, Mapping):
        problems.add("rules", _("规则格式有误。"))
        problems.raise_if_any()
    if starts_at is None or ends_at is None:
        problems.add("ends_at", _("请填写活动开始和结束时间。"))
    elif ends_at <= starts_at:
        problems.add("ends_at", _("结束时间必须晚于开始时间。"))
    if per_user_limit is not None and per_user_limit < 1:
        problems.add("per_user_limit", _("每人限购须至少为 1，不限购请留空。"))
    if check_skus:
        _check_promotion_rules(problems, type, rules)
    problems.raise_if_any()
    data: dict[str, Any] = {"id": promotion_rule_id(pk), "type": type, **rules}
    if type == PromotionType.STEPPED_PRICE:
        data["sold"] = 0  # counted from orders when a quote is made
    data["starts_at"] = starts_at.isoformat() if starts_at else None
    data["ends_at"] = ends_at.isoformat() if ends_at else None
    if per_user_limit is not None:
        data["per_user_limit"] = per_user_limit
    try:
        spec = parse_promotion(data, where="rules")
    except ScenarioError as exc:
        raise RulesInvalid(
            _("规则无效：%(detail)s") % {"detail": exc},
            details={"field": "rules", "errors": {"rules": str(exc)}},
        ) from exc
    if isinstance(spec, LimitedDiscount | FullReduction | FullGift | NthItem):
        spec = replace(spec, scope=scope)
    return spec


def coupon_spec_build(
    *,
    pk: int | None,
    kind: str,
    group: str,
    threshold: int,
    off: int,
    rate: Decimal | None,
    max_off: int | None,
    scope: Scope = WHOLE_SHOP,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> CouponSpec:
    """The engine dataclass for a coupon of this template (amounts already in fen)."""
    problems = _Problems()
    if kind == CouponKind.AMOUNT_OFF:
        if off <= 0:
            problems.add("off", _("减免金额必须大于 0。"))
        elif threshold and off >= threshold:
            problems.add("off", _("减免金额必须小于使用门槛。"))
    elif kind == CouponKind.NO_THRESHOLD:
        if off <= 0:
            problems.add("off", _("减免金额必须大于 0。"))
        if threshold:
            problems.add("threshold", _("无门槛券的门槛必须为 0。"))
    elif kind == CouponKind.RATE_OFF:
        if rate is None:
            problems.add("rate", _("请填写折扣率，如 0.9 表示 9 折。"))
        else:
            problems.rate("rate", rate, allow_one=False)
        if max_off is not None and max_off <= 0:
            problems.add("max_off", _("最多减的金额必须大于 0。"))
    else:
        problems.add("kind", _("未知的优惠券类型。"))
    if group not in ("shop", "category", "platform"):
        problems.add("group", _("未知的叠加分组。"))
    if threshold < 0:
        problems.add("threshold", _("使用门槛不能为负。"))
    problems.raise_if_any()
    return CouponSpec(
        id=coupon_rule_id(pk),
        kind=kind,  # type: ignore[arg-type]
        group=group,
        scope=scope,
        threshold=threshold,
        off=0 if kind == CouponKind.RATE_OFF else off,
        rate=rate if kind == CouponKind.RATE_OFF else None,
        max_off=max_off if kind == CouponKind.RATE_OFF else None,
        starts_at=starts_at,
        ends_at=ends_at,
    )
