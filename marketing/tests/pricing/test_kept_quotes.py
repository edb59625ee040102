"""Whole quotes kept per rule book (issue 12): a request priced again gets the quote kept for
it only when every input is equal and no window opens or closes between the two moments."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.bench_pricing_inprocess import MIXES
from bench.bench_pricing_inprocess import request as bench_request
from marketing.pricing import (
    CartLine,
    CatalogItem,
    CouponSpec,
    PricingError,
    PricingRequest,
    ShopperInfo,
    quote,
    quote_to_dict,
)
from marketing.pricing.applicator import price_afresh
from marketing.pricing.kept_quotes import QUOTES_KEPT, boundaries_of, steady_span
from marketing.pricing.rulebook import SEEN, rules_for
from marketing.tests.pricing.builders import AT
from marketing.tests.pricing.strategies import requests

_TICK = timedelta(microseconds=1)


def _priced(request: PricingRequest, price: Any = quote) -> Any:
    try:
        return quote_to_dict(price(request))
    except PricingError as exc:
        return ("refused", exc.code)


def _moments(request: PricingRequest) -> list[Any]:
    """The request's moment, and each window boundary of its promotions and coupons with the
    instants just before and after it: where a kept quote would go stale."""
    edges = {*boundaries_of(request.promotions), *boundaries_of(request.coupons)}  # type: ignore[arg-type]
    return [request.at, *sorted({edge + delta for edge in edges for delta in (-_TICK, timedelta(0), _TICK)})]


@settings(max_examples=300, deadline=None)
@given(requests(), st.data())
def test_a_request_priced_again_at_any_moment_gets_what_the_plain_engine_gives(
    request: PricingRequest, data: st.DataObject
) -> None:
    """Three times at its moment (the third is handed the kept quote), then at moments drawn from
    around every boundary, three times each, then at its own again: every answer is the one
    the engine gives when it runs every step."""
    moments = data.draw(st.lists(st.sampled_from(_moments(request)), min_size=1, max_size=6))
    for at in [request.at, request.at, request.at, *[m for m in moments for _ in range(3)], request.at]:
        priced = replace(request, at=at)
        assert _priced(priced) == _priced(priced, price_afresh)


def test_the_third_quote_of_a_request_is_the_kept_one_while_no_window_moves() -> None:
    request = bench_request(MIXES["shop"]())
    book = rules_for(request.promotions)
    first = quote(request)
    assert list(book.quotes.values()) == [SEEN]  # met once: its hash only
    second = quote(replace(request, at=request.at + timedelta(seconds=1)))
    assert second is not first and second == first
    third = quote(replace(request, at=request.at + timedelta(seconds=2)))
    assert third is second  # handed out as it was kept
    assert quote(replace(request, points_to_use=0)) is not second  # another request: priced
    ahead = next((edge for edge in book.boundaries if edge > request.at), None)
    if ahead is not None:  # at a boundary the kept quote is stale: priced again
        assert quote(replace(request, at=ahead)) is not second


def test_a_refusal_is_never_kept() -> None:
    request = bench_request(MIXES["shop"]())
    refused = replace(request, selected_coupon_ids=("nobody's",))
    book = rules_for(request.promotions)
    before = len(book.quotes)
    for _ in range(3):
        assert _priced(refused) == ("refused", "coupon_not_found")
    assert len(book.quotes) == before


def test_the_kept_quotes_of_a_rule_book_are_bounded() -> None:
    request = bench_request(MIXES["shop"]())
    book = rules_for(request.promotions)
    for points in range(QUOTES_KEPT * 2):
        for _ in range(2):
            quote(replace(request, points_to_use=points))
    assert len(book.quotes) == QUOTES_KEPT
    assert all(entry is not SEEN for entry in book.quotes.values())


def test_the_steady_span_is_bounded_by_the_nearest_promotion_and_coupon_edges() -> None:
    hour = timedelta(hours=1)
    boundaries = (AT - 2 * hour, AT, AT + 3 * hour)
    coupon = CouponSpec(id="c", kind="amount_off", group="shop", starts_at=AT - hour, ends_at=AT + 2 * hour)
    assert steady_span(AT, boundaries, ()) == (AT, AT + 3 * hour)  # a boundary at the moment opens it
    assert steady_span(AT - _TICK, boundaries, ()) == (AT - 2 * hour, AT)
    assert steady_span(AT, boundaries, (coupon,)) == (AT, AT + 2 * hour)
    assert steady_span(AT - _TICK, boundaries, (coupon,)) == (AT - hour, AT)
    assert steady_span(AT, (), ()) == (None, None)
    assert steady_span(AT + 4 * hour, boundaries, (coupon,)) == (AT + 3 * hour, None)


def test_the_key_names_every_field_a_quote_reads() -> None:
    """A field added to the request, the shopper or a catalogue entry must be added to
    ``request_key`` too (or shown not to change a quote): this fails until it is looked at."""
    assert [f.name for f in fields(PricingRequest)] == [
        "at",  # through the windows: ``steady_span``
        "shopper",
        "catalog",
        "cart",
        "promotions",  # the rule book that keeps the quotes
        "coupons",
        "points_to_use",
        "selected_coupon_ids",
        "tier_rates",
        "policy",
    ]
    assert [f.name for f in fields(ShopperInfo)] == ["tier", "points", "is_new", "used"]
    assert [f.name for f in fields(CatalogItem)] == ["sku", "category", "price"]
    assert [f.name for f in fields(CartLine)] == ["sku", "qty"]
