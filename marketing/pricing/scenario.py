"""Read the scenario JSON format (yuan strings, rate strings, merchant vocabulary) into a
:class:`PricingRequest`.

Every problem raises :class:`ScenarioError` naming the field, e.g.
``cart[0].qty: must be a positive integer``, so a merchant trying a rule set sees one clear
line. ``parse_promotion`` and ``parse_coupon`` are public: campaign rules stored as JSON in
the same vocabulary are read by the same code.

Beyond the shared README the format accepts: ``shopper.used`` ({rule id: units or orders
already taken}), ``per_user_limit`` and ``new_user_only`` on any promotion or coupon,
``max_off`` on ``full_reduction``, ``group_price`` / ``bargain_price`` / ``fan_price`` promotions (``sku``,
``price``), ``selected_coupons`` (a list of ids; absent = the engine picks), ``policy`` (any
:class:`StackingPolicy` field) and ``expect.rejected`` ({rule id: reason code}).

Shipping (运费 / 包邮, issue 10 §4): ``shipping`` {``flat_fee``, optional ``free_from``} is the
shop's rule; ``"free_shipping": true`` on a catalog item (商品包邮) or on a ``flash_sale`` /
``group_price`` / ``bargain_price`` promotion (活动包邮: on its SKU while it is open);
``expect.shipping_fee`` (yuan) and ``expect.shipping_reason`` (``threshold`` | ``waived`` |
``charged`` | ``nothing_to_pay`` | ``no_fee``) check the decision of
:mod:`marketing.pricing.shipping`, made after the quote on what the lines cost before points.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, cast

from mall.money import Fen
from marketing.pricing.fields import Fields, ScenarioError
from marketing.pricing.shipping import (
    ShippingQuote,
    ShippingRule,
    ShippingWaiver,
    shipping_lines,
    shipping_quote,
)
from marketing.pricing.types import (
    WHOLE_SHOP,
    BargainPrice,
    BuyXGetY,
    CartLine,
    CatalogItem,
    CouponKind,
    CouponSpec,
    FanPrice,
    FlashSale,
    FullGift,
    FullReduction,
    GroupPrice,
    LimitedDiscount,
    NthItem,
    PointsRequest,
    PriceStep,
    PricingRequest,
    Promotion,
    Quote,
    ReductionTier,
    Scope,
    ShopperInfo,
    StackingPolicy,
    SteppedPrice,
)

DEFAULT_TIER_RATES: Mapping[str, Decimal] = {
    "silver": Decimal("0.95"),
    "gold": Decimal("0.9"),
    "diamond": Decimal("0.85"),
}
"""F14's table (白银 9.5折, 黄金 9折, 钻石 8.5折), used when a scenario gives no ``tier_rates``."""

TIERS = ("normal", "silver", "gold", "diamond")
COUPON_GROUPS = ("shop", "category", "platform")


@dataclass(frozen=True)
class Expectation:
    payable: Fen | None = None
    points_used: int | None = None
    gift_skus: tuple[str, ...] | None = None
    error: str | None = None
    rejected: Mapping[str, str] | None = None  # rule id -> reason code
    shipping_fee: Fen | None = None
    shipping_reason: str | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    request: PricingRequest
    expect: Expectation
    shipping: ShippingRule | None = None
    shipping_waivers: tuple[ShippingWaiver, ...] = ()


# Promotions whose 包邮 a scenario may set: they price one SKU (the deal tools' prices).
FREE_SHIPPING_PROMOTIONS = ("flash_sale", "group_price", "bargain_price")


def scenario_shipping(scenario: Scenario, q: Quote) -> ShippingQuote | None:
    """The shipping decision for a priced scenario (None when it sets no ``shipping`` rule).

    A promotion's 包邮 counts while the promotion is open at the scenario's time, as a deal's
    campaign counts only while the deal seam lets the order through it."""
    if scenario.shipping is None:
        return None
    request = scenario.request
    closed = {p.id for p in request.promotions if not p.in_window(request.at)}
    waivers = [w for w in scenario.shipping_waivers if w.rule_id not in closed]
    return shipping_quote(rule=scenario.shipping, lines=shipping_lines(q), waivers=waivers)


def _scope(f: Fields) -> Scope:
    if not f.has("scope"):
        return WHOLE_SHOP
    s = Fields(f.data["scope"], f.where("scope"))
    categories = frozenset(s.strings("categories")) if s.has("categories") else None
    skus = frozenset(s.strings("skus")) if s.has("skus") else None
    exclude = frozenset(s.strings("exclude_skus"))
    s.close()
    return Scope(categories=categories, skus=skus, exclude_skus=exclude)


def _common(f: Fields) -> dict[str, Any]:
    starts, ends = f.moment("starts_at"), f.moment("ends_at")
    if starts and ends and ends <= starts:
        raise f.fail("ends_at", "must be after starts_at")
    limit = f.integer("per_user_limit", minimum=1) if f.has("per_user_limit") else None
    return {
        "id": f.text("id"),
        "starts_at": starts,
        "ends_at": ends,
        "new_user_only": f.flag("new_user_only"),
        "per_user_limit": limit,
    }


def _steps(item: Any, where: str) -> PriceStep:
    f = Fields(item, where)
    step = PriceStep(upto=f.integer("upto", minimum=1), rate=f.rate("rate"))
    f.close()
    return step


def _tier(item: Any, where: str) -> ReductionTier:
    f = Fields(item, where)
    tier = ReductionTier(threshold=f.money("threshold", positive=True), off=f.money("off", positive=True))
    f.close()
    return tier


def _flash_sale(f: Fields, common: dict[str, Any]) -> Promotion:
    return FlashSale(sku=f.text("sku"), price=f.money("price"), **common)


def _limited_discount(f: Fields, common: dict[str, Any]) -> Promotion:
    return LimitedDiscount(rate=f.rate("rate"), scope=_scope(f), **common)


def _stepped_price(f: Fields, common: dict[str, Any]) -> Promotion:
    steps = f.items("steps", _steps, required=True)
    if not steps:
        raise f.fail("steps", "must list at least one step")
    for i in range(1, len(steps)):
        if steps[i].upto <= steps[i - 1].upto:
            raise f.fail(f"steps[{i}].upto", "must be larger than the step before")
    return SteppedPrice(sku=f.text("sku"), sold=f.integer("sold", minimum=0), steps=tuple(steps), **common)


def _group_price(f: Fields, common: dict[str, Any]) -> Promotion:
    return GroupPrice(sku=f.text("sku"), price=f.money("price"), **common)


def _bargain_price(f: Fields, common: dict[str, Any]) -> Promotion:
    return BargainPrice(sku=f.text("sku"), price=f.money("price"), **common)


def _fan_price(f: Fields, common: dict[str, Any]) -> Promotion:
    return FanPrice(sku=f.text("sku"), price=f.money("price"), **common)


def _full_reduction(f: Fields, common: dict[str, Any]) -> Promotion:
    tiers = f.items("tiers", _tier, required=True)
    if not tiers:
        raise f.fail("tiers", "must list at least one tier")
    max_off = f.money("max_off", positive=True) if f.has("max_off") else None
    return FullReduction(
        tiers=tuple(sorted(tiers, key=lambda t: t.threshold)),
        repeat=f.flag("repeat"),
        max_off=max_off,
        scope=_scope(f),
        **common,
    )


def _full_gift(f: Fields, common: dict[str, Any]) -> Promotion:
    return FullGift(
        threshold=f.money("threshold"),
        gift_sku=f.text("gift_sku"),
        gift_qty=f.integer("gift_qty", minimum=1, default=1),
        scope=_scope(f),
        **common,
    )


def _nth_item(f: Fields, common: dict[str, Any]) -> Promotion:
    return NthItem(n=f.integer("n", minimum=1), rate=f.rate("rate"), scope=_scope(f), **common)


def _buy_x_get_y(f: Fields, common: dict[str, Any]) -> Promotion:
    return BuyXGetY(
        buy_sku=f.text("buy_sku"),
        buy_qty=f.integer("buy_qty", minimum=1),
        gift_sku=f.text("gift_sku"),
        gift_qty=f.integer("gift_qty", minimum=1, default=1),
        **common,
    )


PROMOTION_PARSERS: Mapping[str, Callable[[Fields, dict[str, Any]], Promotion]] = {
    "flash_sale": _flash_sale,
    "limited_discount": _limited_discount,
    "stepped_price": _stepped_price,
    "group_price": _group_price,
    "bargain_price": _bargain_price,
    "fan_price": _fan_price,
    "full_reduction": _full_reduction,
    "full_gift": _full_gift,
    "nth_item": _nth_item,
    "buy_x_get_y": _buy_x_get_y,
}


def parse_promotion(data: Any, where: str = "promotion") -> Promotion:
    """One promotion object, e.g. ``{"id": "p1", "type": "full_reduction", "tiers": [...]}``."""
    f = Fields(data, where)
    kind = f.text("type")
    parser = PROMOTION_PARSERS.get(kind)
    if parser is None:
        raise f.fail("type", f"unknown promotion type {kind!r} (one of {', '.join(PROMOTION_PARSERS)})")
    promotion = parser(f, _common(f))
    f.close(f"type {kind!r}")
    return promotion


_COUPON_FIELDS: Mapping[str, frozenset[str]] = {
    "amount_off": frozenset({"threshold", "off"}),
    "rate_off": frozenset({"threshold", "rate", "max_off"}),
    "no_threshold": frozenset({"off"}),
}


def parse_coupon(data: Any, where: str = "coupon", groups: tuple[str, ...] = COUPON_GROUPS) -> CouponSpec:
    """One wallet coupon, e.g. ``{"id": "c1", "kind": "amount_off", "group": "shop", ...}``."""
    f = Fields(data, where)
    common = _common(f)
    kind = f.text("kind")
    if kind not in _COUPON_FIELDS:
        raise f.fail("kind", f"unknown coupon kind {kind!r} (one of {', '.join(_COUPON_FIELDS)})")
    group = f.text("group")
    if group not in groups:
        raise f.fail("group", f"unknown coupon group {group!r} (one of {', '.join(groups)})")
    fields = _COUPON_FIELDS[kind]
    spec = CouponSpec(
        kind=cast(CouponKind, kind),
        group=group,
        scope=_scope(f),
        threshold=f.money("threshold") if "threshold" in fields and f.has("threshold") else 0,
        off=f.money("off", positive=True) if "off" in fields else 0,
        rate=f.rate("rate") if "rate" in fields else None,
        max_off=f.money("max_off", positive=True) if "max_off" in fields and f.has("max_off") else None,
        **common,
    )
    f.close(f"kind {kind!r}")
    return spec


def _catalog_item(data: Any, where: str) -> CatalogItem:
    f = Fields(data, where)
    item = CatalogItem(sku=f.text("sku"), category=f.text("category"), price=f.money("price"))
    f.raw("name", False)
    f.flag("free_shipping")  # validated here, turned into a waiver by parse_scenario
    f.close()
    return item


def _cart_line(data: Any, where: str) -> CartLine:
    f = Fields(data, where)
    line = CartLine(sku=f.text("sku"), qty=f.integer("qty", minimum=1))
    f.close()
    return line


def _shopper(data: Any, tiers: tuple[str, ...]) -> ShopperInfo:
    if data is None:
        return ShopperInfo()
    f = Fields(data, "shopper")
    tier = f.text("tier") if f.has("tier") else "normal"
    if tier not in tiers:
        raise f.fail("tier", f"unknown tier {tier!r} (one of {', '.join(tiers)})")
    used: dict[str, int] = {}
    if f.has("used"):
        u = Fields(f.data["used"], "shopper.used")
        used = {key: u.integer(key, minimum=0) for key in list(u.data)}
    shopper = ShopperInfo(
        tier=tier, points=f.integer("points", minimum=0, default=0), is_new=f.flag("is_new"), used=used
    )
    f.close()
    return shopper


def _policy(data: Any) -> StackingPolicy:
    if data is None:
        return StackingPolicy()
    f = Fields(data, "policy")
    defaults = StackingPolicy()
    same_type = f.text("same_type") if f.has("same_type") else defaults.same_type
    if same_type not in ("best", "stack"):
        raise f.fail("same_type", "must be 'best' or 'stack'")
    policy = StackingPolicy(
        coupon_groups=tuple(f.strings("coupon_groups")) if f.has("coupon_groups") else defaults.coupon_groups,
        coupons_per_group=f.integer("coupons_per_group", minimum=1, default=defaults.coupons_per_group),
        special_price_lines_join_order_promotions=f.flag(
            "special_price_lines_join_order_promotions", defaults.special_price_lines_join_order_promotions
        ),
        special_price_lines_take_coupons=f.flag(
            "special_price_lines_take_coupons", defaults.special_price_lines_take_coupons
        ),
        points_cap_rate=f.rate("points_cap_rate") if f.has("points_cap_rate") else defaults.points_cap_rate,
        points_per_yuan=f.integer("points_per_yuan", minimum=1, default=defaults.points_per_yuan),
        points_earned_per_yuan=f.integer("points_earned_per_yuan", minimum=0, default=defaults.points_earned_per_yuan),
        same_type=cast(Literal["best", "stack"], same_type),
    )
    f.close()
    return policy


def _points_to_use(f: Fields) -> PointsRequest:
    value = f.raw("points_to_use", False)
    if value is None:
        return 0
    if value == "max":
        return "max"
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise f.fail("points_to_use", 'must be a whole number of points >= 0, or "max"')
    return value


def _rejections(f: Fields) -> dict[str, str]:
    r = Fields(f.data["rejected"], f.where("rejected"))
    return {key: r.text(key) for key in list(r.data)}


def _expectation(data: Any) -> Expectation:
    if data is None:
        return Expectation()
    f = Fields(data, "expect")
    expect = Expectation(
        payable=f.money("payable") if f.has("payable") else None,
        points_used=f.integer("points_used", minimum=0) if f.has("points_used") else None,
        gift_skus=tuple(f.strings("gift_skus")) if f.has("gift_skus") else None,
        error=f.text("error") if f.has("error") else None,
        rejected=_rejections(f) if f.has("rejected") else None,
        shipping_fee=f.money("shipping_fee") if f.has("shipping_fee") else None,
        shipping_reason=f.text("shipping_reason") if f.has("shipping_reason") else None,
    )
    f.close()
    return expect


def _shipping_rule(data: Any) -> ShippingRule | None:
    if data is None:
        return None
    f = Fields(data, "shipping")
    rule = ShippingRule(
        flat_fee=f.money("flat_fee"), free_threshold=f.money("free_from") if f.has("free_from") else None
    )
    f.close()
    return rule


def _scenario_promotion(data: Any, where: str) -> tuple[Promotion, bool]:
    """A promotion of the file and its ``free_shipping`` flag (a scenario-only key: stored
    promotions never carry it, a deal's campaign says it through the deal seam)."""
    if not isinstance(data, Mapping) or "free_shipping" not in data:
        return parse_promotion(data, where), False
    rest = {key: value for key, value in data.items() if key != "free_shipping"}
    flag = Fields({"free_shipping": data["free_shipping"]}, where).flag("free_shipping")
    promotion = parse_promotion(rest, where)
    if flag and promotion.type not in FREE_SHIPPING_PROMOTIONS:
        raise ScenarioError(f"{where}.free_shipping: only on {', '.join(FREE_SHIPPING_PROMOTIONS)}")
    return promotion, flag


def _waivers(catalog_data: Any, promotions: list[tuple[Promotion, bool]]) -> tuple[ShippingWaiver, ...]:
    waivers = [
        ShippingWaiver(rule_id=f"product:{item['sku']}", source="product", skus=frozenset({item["sku"]}))
        for item in catalog_data
        if isinstance(item, Mapping) and item.get("free_shipping") is True
    ]
    for promotion, free in promotions:
        code = getattr(promotion, "sku", None)
        if free and isinstance(code, str):
            waivers.append(ShippingWaiver(rule_id=promotion.id, source=promotion.type, skus=frozenset({code})))
    return tuple(waivers)


def _unique(values: list[str], where: Callable[[int], str], what: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise ScenarioError(f"{where(i)}: {what} {value!r} appears twice")
        seen.add(value)


def parse_scenario(data: Any) -> Scenario:
    """A whole scenario object (already decoded from JSON)."""
    f = Fields(data, "")
    name = f.raw("name", False)
    if name is not None and not isinstance(name, str):
        raise f.fail("name", "must be a string")
    f.raw("note", False)
    at = f.moment("at")
    if at is None:
        raise f.fail("at", "is required")
    tier_rates = DEFAULT_TIER_RATES
    if f.has("tier_rates"):
        t = Fields(f.data["tier_rates"], "tier_rates")
        tier_rates = {key: t.rate(key) for key in list(t.data)}
    policy = _policy(f.raw("policy", False))
    shopper = _shopper(f.raw("shopper", False), tuple(dict.fromkeys((*TIERS, *tier_rates))))
    catalog = f.items("catalog", _catalog_item, required=True)
    _unique([c.sku for c in catalog], lambda i: f"catalog[{i}].sku", "SKU")
    known = {item.sku for item in catalog}
    cart = f.items("cart", _cart_line, required=True)
    if not cart:
        raise f.fail("cart", "must list at least one line")
    _unique([c.sku for c in cart], lambda i: f"cart[{i}].sku", "SKU")
    for i, line in enumerate(cart):
        if line.sku not in known:
            raise ScenarioError(f"cart[{i}].sku: {line.sku!r} is not in the catalog")
    flagged = f.items("promotions", _scenario_promotion)
    promotions = [promotion for promotion, _free in flagged]
    _unique([p.id for p in promotions], lambda i: f"promotions[{i}].id", "id")
    for i, promotion in enumerate(promotions):
        gift = getattr(promotion, "gift_sku", None)
        if gift is not None and gift not in known:
            raise ScenarioError(f"promotions[{i}].gift_sku: {gift!r} is not in the catalog")
    groups = tuple(dict.fromkeys((*COUPON_GROUPS, *policy.coupon_groups)))
    coupons = f.items("coupons", lambda item, where: parse_coupon(item, where, groups))
    _unique([c.id for c in coupons], lambda i: f"coupons[{i}].id", "id")
    selected = tuple(f.strings("selected_coupons")) if f.has("selected_coupons") else None
    request = PricingRequest(
        at=at,
        shopper=shopper,
        catalog={item.sku: item for item in catalog},
        cart=tuple(cart),
        promotions=tuple(promotions),
        coupons=tuple(coupons),
        points_to_use=_points_to_use(f),
        selected_coupon_ids=selected,
        tier_rates=tier_rates,
        policy=policy,
    )
    expect = _expectation(f.raw("expect", False))
    shipping = _shipping_rule(f.raw("shipping", False))
    if shipping is None and (expect.shipping_fee is not None or expect.shipping_reason is not None):
        raise ScenarioError('expect.shipping_fee: the scenario needs a shipping rule ({"flat_fee", "free_from"})')
    waivers = _waivers(f.data["catalog"], flagged)
    f.close()
    return Scenario(name=name or "", request=request, expect=expect, shipping=shipping, shipping_waivers=waivers)


def load_scenario(path: str | Path) -> Scenario:
    """Read and parse a scenario file; every failure is a one-line ScenarioError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    return parse_scenario(data)
