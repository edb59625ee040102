"""The what-if replay (B01) in pure engine terms: every figure checked by hand on small baskets."""

from __future__ import annotations

from decimal import Decimal

import pytest

from marketing.pricing import CartLine, CatalogItem, FullGift, FullReduction, LimitedDiscount, ReductionTier, Scope
from marketing.pricing import replay as replay_module
from marketing.pricing.replay import Basket, Replayer, replay, saving_band, timeless, touches
from marketing.tests.pricing.builders import AT

CATALOG = {
    "SNACK": CatalogItem(sku="SNACK", category="1", price=12500),
    "TEA": CatalogItem(sku="TEA", category="2", price=5000),
    "GIFT": CatalogItem(sku="GIFT", category="2", price=900),
}
COSTS: dict[str, int | None] = {"SNACK": 8000, "TEA": 3000, "GIFT": 400}
TIERS = {"silver": Decimal("0.95")}
TIERED = FullReduction(id="tiers", tiers=(ReductionTier(9900, 1000), ReductionTier(19900, 3000)))


def replayer(*promotions: object) -> Replayer:
    return Replayer(at=AT, catalog=CATALOG, costs=COSTS, promotions=timeless(promotions), tier_rates=TIERS)  # type: ignore[arg-type]


def basket(tier: str = "normal", **qty: int) -> Basket:
    return Basket(tier=tier, lines=tuple(CartLine(sku, n) for sku, n in sorted(qty.items())))


def test_a_new_tier_moves_gmv_discount_and_margin_by_hand() -> None:
    baskets = [basket(SNACK=2), basket(TEA=1), basket(TEA=1, SNACK=1)]  # 250, 50, 175 yuan
    totals = replay(baskets, before=replayer(), after=replayer(TIERED))
    assert totals.orders == 3 and totals.affected == 2
    assert totals.subtotal == 47500
    assert (totals.gmv_before, totals.gmv_after) == (47500, 47500 - 3000 - 1000)
    assert (totals.discount_before, totals.discount_after) == (0, 4000)
    cogs = 2 * 8000 + 3000 + 3000 + 8000
    assert (totals.margin_before, totals.margin_after) == (47500 - cogs, 43500 - cogs)
    assert totals.average(totals.gmv_after) == 14500
    # 30 yuan more saved falls in ¥20–50, 10 yuan in ¥10–20; nobody saves less
    assert totals.savings[saving_band(3000)] == 1 and totals.savings[saving_band(1000)] == 1
    assert sum(totals.savings) == totals.affected


def test_an_edit_replacing_a_live_rule_can_give_less() -> None:
    weaker = FullReduction(id="tiers", tiers=(ReductionTier(19900, 2000),))
    totals = replay([basket(SNACK=2), basket(TEA=3)], before=replayer(TIERED), after=replayer(weaker))
    assert (totals.discount_before, totals.discount_after) == (3000 + 1000, 2000)
    assert totals.savings[0] == 2  # both shoppers would save less
    assert totals.gmv_after - totals.gmv_before == 2000


def test_windows_and_limits_are_ignored_and_tiers_still_price() -> None:
    later = LimitedDiscount(id="later", rate=Decimal("0.8"), starts_at=AT.replace(year=2030), per_user_limit=1)
    totals = replay([basket("silver", TEA=1), basket(TEA=1)], before=replayer(), after=replayer(later))
    assert totals.gmv_before == 4750 + 5000  # 白银 9.5折 before
    assert totals.gmv_after == 4000 + 4000  # 8折 beats 9.5折 for both
    assert totals.affected == 2


def test_gifts_cost_margin_not_price() -> None:
    gift = FullGift(id="gift", threshold=10000, gift_sku="GIFT")
    totals = replay([basket(SNACK=1)], before=replayer(), after=replayer(gift))
    assert totals.gmv_before == totals.gmv_after == 12500
    assert (totals.gifts_before, totals.gifts_after) == (0, 900)
    assert totals.margin_before - totals.margin_after == 400
    assert totals.affected == 1


def test_unknown_cost_and_unknown_sku() -> None:
    costs = dict(COSTS, TEA=None)
    before = Replayer(at=AT, catalog=CATALOG, costs=costs, promotions=(), tier_rates=TIERS)
    totals = replay([basket(TEA=2), basket(GONE=1)], before=before, after=before)
    assert totals.missing_cost_units == 2 and totals.skipped == 1 and totals.orders == 1
    assert totals.margin_before == 10000  # unknown cost counted as 0, and reported


def test_identical_baskets_are_priced_once_and_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay_module, "MEMO_LIMIT", 50)
    before, after = replayer(), replayer(TIERED)
    seen: list[int] = []
    totals = replay([basket(SNACK=2) for _ in range(1000)], before=before, after=after, on_basket=seen.append)
    assert totals.orders == 1000 and totals.discount_after == 3_000_000
    assert len(before._memo) == 1 and seen[-1] == 1000
    many = (Basket(tier="normal", lines=(CartLine("TEA", n),)) for n in range(1, 200))
    assert replay(many, before=before, after=after).orders == 199
    assert 0 < len(before._memo) <= 50


def test_baskets_a_changed_rule_cannot_touch_are_not_priced_again() -> None:
    tea_only = LimitedDiscount(id="tea", rate=Decimal("0.5"), scope=Scope(categories=frozenset({"2"})))
    before, after = replayer(TIERED), replayer(TIERED, tea_only)
    totals = replay([basket(SNACK=2), basket(TEA=1), basket(SNACK=1, TEA=1)], before=before, after=after)
    assert len(after._memo) == 2  # the snack-only basket was not quoted again
    assert (
        totals.affected == 2 and totals.discount_after - totals.discount_before == 2500 + 2500
    )  # 半价茶; 175 → 150 still 满99减10
    assert touches(tea_only, basket(TEA=1), CATALOG) and not touches(tea_only, basket(SNACK=1), CATALOG)
    gift = FullGift(id="gift", threshold=10000, gift_sku="GIFT")  # whole shop: touches every basket
    assert touches(gift, basket(SNACK=1), CATALOG)
