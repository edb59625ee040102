"""Hypothesis strategies: random shops, carts, rule sets and wallets over every rule type."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

from hypothesis import strategies as st

from marketing.pricing import (
    BargainPrice,
    BuyXGetY,
    CartLine,
    CatalogItem,
    CouponSpec,
    FlashSale,
    FullGift,
    FullReduction,
    GroupPrice,
    LimitedDiscount,
    NthItem,
    PriceStep,
    PricingRequest,
    Promotion,
    ReductionTier,
    Scope,
    ShopperInfo,
    SteppedPrice,
)
from marketing.pricing.scenario import DEFAULT_TIER_RATES
from marketing.pricing.types import CouponKind, PointsRequest, StackingPolicy
from marketing.tests.pricing.builders import AT

SKUS = ("A", "B", "C", "D", "E", "F")
CATEGORIES = ("美妆", "零食", "服饰")
CATEGORY_OF = {"A": "美妆", "B": "美妆", "C": "零食", "D": "零食", "E": "服饰", "F": "服饰"}
RATES = tuple(Decimal(r) for r in ("0", "0.33", "0.5", "0.8", "0.85", "0.88", "0.9", "0.95", "1"))

# Strategies are built once here: building them inside a composite on every draw costs more
# than the quote under test.
fen = st.integers(min_value=1, max_value=30_000)
rates = st.sampled_from(RATES)
_prices = st.integers(0, 20_000)
_list_prices = st.integers(1, 30_000)
_booleans = st.booleans()
_quarter = st.integers(0, 3)
_sku = st.sampled_from(SKUS)
_window_kind = st.sampled_from(("none", "none", "none", "open", "ended", "later"))
_scope_kind = st.sampled_from(("shop", "shop", "categories", "skus", "both"))
_exclude = st.lists(_sku, max_size=1)
_categories = st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2)
_sku_list = st.lists(_sku, min_size=1, max_size=3)
_limit = st.one_of(st.none(), st.integers(1, 6))
_optional_fen = st.one_of(st.none(), fen)
_tiers = st.lists(st.builds(ReductionTier, fen, fen), min_size=1, max_size=3)
_thresholds = st.integers(0, 60_000)
_promotion_kind = st.sampled_from(
    (
        "flash_sale",
        "limited_discount",
        "stepped_price",
        "group_price",
        "bargain_price",
        "full_reduction",
        "full_gift",
        "nth_item",
        "buy_x_get_y",
    )
)
_coupon_kind = st.sampled_from(("amount_off", "rate_off", "no_threshold"))
_group = st.sampled_from(("shop", "shop", "category", "platform"))
_sold = st.integers(0, 400)
_one_or_two = st.integers(1, 2)
_one_to_three = st.integers(1, 3)
_cart_skus = st.lists(_sku, min_size=1, max_size=len(SKUS), unique=True)
_qty = st.integers(1, 4)
_count = st.integers(0, 6)
_tier = st.sampled_from(("normal", "silver", "gold", "diamond"))
_balance = st.integers(0, 30_000)
_points_request = st.one_of(st.just(0), st.just("max"), _balance)
_STEPS = (PriceStep(100, Decimal("0.5")), PriceStep(300, Decimal("0.6")))


def _window(draw: st.DrawFn) -> dict[str, object]:
    kind = draw(_window_kind)
    if kind == "open":
        return {"starts_at": AT - timedelta(hours=1), "ends_at": AT + timedelta(hours=1)}
    if kind == "ended":
        return {"ends_at": AT}
    if kind == "later":
        return {"starts_at": AT + timedelta(seconds=1)}
    return {}


def _scope(draw: st.DrawFn) -> Scope:
    kind = draw(_scope_kind)
    exclude = frozenset(draw(_exclude))
    if kind == "shop":
        return Scope(exclude_skus=exclude)
    cats = frozenset(draw(_categories)) if kind in ("categories", "both") else None
    skus = frozenset(draw(_sku_list)) if kind in ("skus", "both") else None
    return Scope(categories=cats, skus=skus, exclude_skus=exclude)


def _new_only(draw: st.DrawFn) -> bool:
    return draw(_quarter) == 0


def _promotion(draw: st.DrawFn, pid: str) -> Promotion:
    kind = draw(_promotion_kind)
    common: dict[str, Any] = {"id": pid, **_window(draw), "new_user_only": _new_only(draw)}
    if kind == "flash_sale":
        return FlashSale(sku=draw(_sku), price=draw(_prices), per_user_limit=draw(_limit), **common)
    if kind == "limited_discount":
        return LimitedDiscount(rate=draw(rates), scope=_scope(draw), **common)
    if kind == "stepped_price":
        return SteppedPrice(sku=draw(_sku), sold=draw(_sold), steps=_STEPS, **common)
    if kind == "group_price":
        return GroupPrice(sku=draw(_sku), price=draw(_prices), **common)
    if kind == "bargain_price":
        return BargainPrice(sku=draw(_sku), price=draw(_prices), **common)
    if kind == "full_reduction":
        return FullReduction(
            tiers=tuple(sorted(draw(_tiers), key=lambda t: t.threshold)),
            repeat=draw(_booleans),
            max_off=draw(_optional_fen),
            scope=_scope(draw),
            **common,
        )
    if kind == "full_gift":
        return FullGift(
            threshold=draw(_thresholds),
            gift_sku=draw(_sku),
            gift_qty=draw(_one_or_two),
            scope=_scope(draw),
            **common,
        )
    if kind == "nth_item":
        return NthItem(n=draw(_one_to_three), rate=draw(rates), scope=_scope(draw), **common)
    return BuyXGetY(
        buy_sku=draw(_sku),
        buy_qty=draw(_one_to_three),
        gift_sku=draw(_sku),
        gift_qty=draw(_one_or_two),
        **common,
    )


def _coupon(draw: st.DrawFn, cid: str) -> CouponSpec:
    kind = cast(CouponKind, draw(_coupon_kind))
    common: dict[str, Any] = {
        "id": cid,
        **_window(draw),
        "new_user_only": _new_only(draw),
        "group": draw(_group),
        "scope": _scope(draw),
    }
    if kind == "amount_off":
        return CouponSpec(kind=kind, threshold=draw(_thresholds), off=draw(fen), **common)
    if kind == "rate_off":
        return CouponSpec(
            kind=kind,
            threshold=draw(_thresholds),
            rate=draw(rates),
            max_off=draw(_optional_fen),
            **common,
        )
    return CouponSpec(kind="no_threshold", off=draw(fen), **common)


@st.composite
def requests(draw: st.DrawFn, max_coupons: int = 6) -> PricingRequest:
    skus = tuple(draw(_cart_skus))
    catalog = {sku: CatalogItem(sku=sku, category=CATEGORY_OF[sku], price=draw(_list_prices)) for sku in SKUS}
    cart = tuple(CartLine(sku, draw(_qty)) for sku in skus)
    n_promos = draw(_count)
    promos = tuple(_promotion(draw, f"p{i}") for i in range(n_promos))
    n_coupons = min(draw(_count), max_coupons)
    wallet = tuple(_coupon(draw, f"c{i}") for i in range(n_coupons))
    shopper = ShopperInfo(
        tier=draw(_tier),
        points=draw(_balance),
        is_new=draw(_booleans),
    )
    points = cast(PointsRequest, draw(_points_request))
    # both ways of settling one type's order promotions, with and without special-price lines
    policy = StackingPolicy(
        same_type=draw(st.sampled_from(("best", "stack"))),
        special_price_lines_join_order_promotions=draw(_booleans),
    )
    return PricingRequest(
        at=AT,
        shopper=shopper,
        catalog=catalog,
        cart=cart,
        promotions=promos,
        coupons=wallet,
        points_to_use=points,
        tier_rates=DEFAULT_TIER_RATES,
        policy=policy,
    )
