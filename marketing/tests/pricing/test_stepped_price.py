"""F13 in the engine: each unit pays the step its number falls in, a line may straddle steps,
units beyond the last step pay the list price, and the breakdown names every unit range."""

from __future__ import annotations

from decimal import Decimal

import pytest

from marketing.pricing import PriceStep, SteppedPrice, UnitRange, quote, quote_to_dict
from marketing.pricing.reasons import STEPS_EXHAUSTED
from marketing.tests.pricing.builders import check_invariants, make_request, yuan

STEPS = (PriceStep(upto=100, rate=Decimal("0.5")), PriceStep(upto=300, rate=Decimal("0.6")))


def _quote(sold: int, qty: int, price: str = "100.00") -> tuple[int, tuple[UnitRange, ...]]:
    spec = SteppedPrice(id="steps", sku="NEW", sold=sold, steps=STEPS)
    q = quote(make_request([("NEW", "1", price, qty)], promotions=(spec,)))
    check_invariants(q)
    (line,) = q.lines
    return q.payable, line.unit_ranges


@pytest.mark.parametrize(
    ("sold", "qty", "payable"),
    [
        (0, 1, "50.00"),
        (99, 1, "50.00"),
        (100, 1, "60.00"),
        (98, 4, "220.00"),  # units 99, 100 at 5折 and 101, 102 at 6折
        (299, 3, "260.00"),  # unit 300 at 6折, 301 and 302 at the list price
        (0, 301, "17100.00"),  # 100 × 50 + 200 × 60 + 1 × 100
    ],
)
def test_each_unit_pays_its_own_step(sold: int, qty: int, payable: str) -> None:
    assert _quote(sold, qty)[0] == yuan(payable)


def test_a_straddling_line_lists_its_unit_ranges() -> None:
    _payable, ranges = _quote(98, 4)
    assert ranges == (
        UnitRange(first=99, last=100, unit_price=5000, rate=Decimal("0.5")),
        UnitRange(first=101, last=102, unit_price=6000, rate=Decimal("0.6")),
    )
    beyond = _quote(299, 3)[1]
    assert beyond[-1] == UnitRange(first=301, last=302, unit_price=10000, rate=None)


def test_the_breakdown_explains_the_ranges() -> None:
    spec = SteppedPrice(id="steps", sku="NEW", sold=98, steps=STEPS)
    line = quote_to_dict(quote(make_request([("NEW", "1", "100.00", 4)], promotions=(spec,))))["lines"][0]
    assert (line["unit_price"], line["line_price"]) == ("50.00", "220.00")
    assert line["unit_ranges"] == [
        {"first": 99, "last": 100, "qty": 2, "rate": "0.5", "unit_price": "50.00"},
        {"first": 101, "last": 102, "qty": 2, "rate": "0.6", "unit_price": "60.00"},
    ]


def test_beyond_the_last_step_the_campaign_gives_nothing() -> None:
    spec = SteppedPrice(id="steps", sku="NEW", sold=300, steps=STEPS)
    q = quote(make_request([("NEW", "1", "100.00", 2)], promotions=(spec,)))
    assert q.payable == yuan("200.00")
    assert [(r.rule_id, r.reason) for r in q.rejected] == [("steps", STEPS_EXHAUSTED)]
    assert q.lines[0].unit_ranges == ()


def test_a_cheaper_offer_beats_the_whole_straddling_line() -> None:
    """Offers compete on what the whole line costs: 2 units at 5折 + 2 at 6折 (220) lose to a
    flat 5.4折 (216) and beat a flat 5.6折 (224)."""
    from marketing.pricing import LimitedDiscount

    steps = SteppedPrice(id="steps", sku="NEW", sold=98, steps=STEPS)
    flat = LimitedDiscount(id="flat", rate=Decimal("0.54"))
    q = quote(make_request([("NEW", "1", "100.00", 4)], promotions=(steps, flat)))
    check_invariants(q)
    assert (q.payable, q.lines[0].item_rule_id, q.lines[0].unit_ranges) == (yuan("216.00"), "flat", ())
    dearer = LimitedDiscount(id="dearer", rate=Decimal("0.56"))
    q = quote(make_request([("NEW", "1", "100.00", 4)], promotions=(steps, dearer)))
    assert (q.payable, q.lines[0].item_rule_id) == (yuan("220.00"), "steps")


def test_a_line_offer_is_worked_out_once_per_list_price_and_quantity() -> None:
    """The units sold are part of the compiled spec, so what a line of (list price, qty) is
    offered never changes: a cart viewed again reuses the ranges; another qty gets its own."""
    promos = (SteppedPrice(id="steps", sku="NEW", sold=98, steps=STEPS),)
    first = quote(make_request([("NEW", "1", "100.00", 4)], promotions=promos))
    again = quote(make_request([("NEW", "1", "100.00", 4)], promotions=promos))
    other = quote(make_request([("NEW", "1", "100.00", 2)], promotions=promos))
    assert again.lines[0].unit_ranges is first.lines[0].unit_ranges
    assert [r.qty for r in other.lines[0].unit_ranges] == [2]
    assert other.payable == yuan("100.00")
