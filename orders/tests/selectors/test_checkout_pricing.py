"""The checkout price path: list price × qty, the shop's shipping rule, points, stable invariants."""

from __future__ import annotations

import pytest

from mall.models import ShopSettings
from marketing.errors import CouponNotFound
from marketing.selectors.checkout_pricing import CheckoutQuote, quote_for_checkout
from members.models import Member
from orders.tests.conftest import grant_points
from orders.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db


def assert_invariants(quote: CheckoutQuote) -> None:
    for line in quote.lines:
        assert line.item_amount == line.unit_price * line.qty
        assert line.paid_amount == line.item_amount - line.discount_amount
        assert line.discount_amount == sum(a["amount"] for a in line.allocations)
    assert quote.payable_amount == sum(line.paid_amount for line in quote.lines) + quote.shipping_fee
    assert quote.payable_amount == (
        quote.goods_amount - quote.discount_amount - quote.points_discount + quote.shipping_fee
    )


def test_lines_are_list_price_times_quantity(member: Member, shop: ShopSettings) -> None:
    cream, serum = SkuFactory.create(price=5900), SkuFactory.create(price=12900)
    quote = quote_for_checkout(member=member, items=[(cream, 2), (serum, 1)])
    assert [(line.sku_id, line.unit_price, line.item_amount) for line in quote.lines] == [
        (cream.pk, 5900, 11800),
        (serum.pk, 12900, 12900),
    ]
    assert (quote.goods_amount, quote.discount_amount, quote.shipping_fee, quote.payable_amount) == (24700, 0, 0, 24700)
    assert_invariants(quote)


def test_shipping_fee_below_threshold_with_a_hint(member: Member, shop: ShopSettings) -> None:
    quote = quote_for_checkout(member=member, items=[(SkuFactory.create(price=5900), 1)])
    assert quote.shipping_fee == 800
    assert quote.payable_amount == 6700
    assert quote.hints[0]["rule_type"] == "free_shipping"
    assert quote.hints[0]["short_by"] == 4000
    assert "40.00" in quote.hints[0]["text"]
    assert_invariants(quote)


def test_free_shipping_exactly_at_the_threshold(member: Member, shop: ShopSettings) -> None:
    at = quote_for_checkout(member=member, items=[(SkuFactory.create(price=9900), 1)])
    below = quote_for_checkout(member=member, items=[(SkuFactory.create(price=9899), 1)])
    assert (at.shipping_fee, below.shipping_fee) == (0, 800)
    assert at.hints == ()


def test_shipping_follows_the_merchants_settings(member: Member, shop: ShopSettings) -> None:
    shop.shipping_flat_fee, shop.free_shipping_threshold = 1200, 20000
    shop.save()
    quote = quote_for_checkout(member=member, items=[(SkuFactory.create(price=9900), 1)])
    assert (quote.shipping_fee, quote.payable_amount) == (1200, 11100)


def test_points_max_is_capped_at_half_of_the_goods_and_spread_over_lines(member: Member, shop: ShopSettings) -> None:
    grant_points(member, 100_000)
    a, b = SkuFactory.create(price=3000), SkuFactory.create(price=7001)
    quote = quote_for_checkout(member=member, items=[(a, 1), (b, 1)], points="max")
    assert quote.points_used == 5000  # half of 100.01 yuan, floored: a 50% cap never lets 50.01% through
    assert quote.points_discount == 5000
    assert sum(line.discount_amount for line in quote.lines) == 5000
    assert quote.shipping_fee == 0  # the threshold is measured before points
    assert_invariants(quote)


def test_points_beyond_the_balance_are_clamped_and_reported(member: Member, shop: ShopSettings) -> None:
    grant_points(member, 300)
    quote = quote_for_checkout(member=member, items=[(SkuFactory.create(price=9900), 1)], points=1000)
    assert quote.points_used == 300
    assert {"rule_type": "points", "reason": "points_insufficient"}.items() <= quote.rejected[0].items()
    assert_invariants(quote)


def test_a_coupon_that_is_not_in_the_wallet_is_refused(member: Member, shop: ShopSettings) -> None:
    with pytest.raises(CouponNotFound):
        quote_for_checkout(member=member, items=[(SkuFactory.create(), 1)], coupon_ids=[7])
