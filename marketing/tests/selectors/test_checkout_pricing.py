"""The checkout path runs the engine: the brief's worked examples through the database."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mall.models import Category, Sku
from marketing.errors import CouponConflict, CouponNotUsable
from marketing.models import CouponTemplate, Promotion
from marketing.selectors.checkout_pricing import CheckoutQuote, quote_for_checkout
from marketing.services.coupons import coupon_claim
from marketing.tests.conftest import grant_points, place
from members.models import Member
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db


def assert_invariants(quote: CheckoutQuote) -> None:
    for line in quote.lines:
        assert line.item_amount == line.unit_price * line.qty
        assert line.paid_amount == line.item_amount - line.discount_amount >= 0
        assert line.discount_amount == sum(a["amount"] for a in line.allocations)
    assert quote.payable_amount == sum(line.paid_amount for line in quote.lines) + quote.shipping_fee
    assert quote.payable_amount == (
        quote.goods_amount - quote.discount_amount - quote.points_discount + quote.shipping_fee
    )


def test_f10_triple_stack_pays_55(
    make_promotion: Callable[..., Promotion],
    make_template: Callable[..., CouponTemplate],
    member: Member,
    beauty: Category,
    lipstick: Sku,
    shop: object,
) -> None:
    make_promotion()
    shop_coupon = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=make_template(name="店铺券20").pk)
    beauty_coupon = coupon_claim(
        context=SHOPPER_CONTEXT,
        member=member,
        template_id=make_template(name="美妆券10", group="category", off=1000, category_ids=(beauty.pk,)).pk,
    )
    quote = quote_for_checkout(member=member, items=[(lipstick, 1)], coupon_ids=None)
    assert quote.payable_amount - quote.shipping_fee == 5500
    assert set(quote.coupon_ids) == {shop_coupon.pk, beauty_coupon.pk}
    applied = {a["name"]: a["amount"] for a in quote.applied}
    assert applied == {"满100减15": 1500, "店铺券20": 2000, "美妆券10": 1000}
    assert_invariants(quote)


def test_a_chosen_coupon_below_its_threshold_is_refused(
    make_template: Callable[..., CouponTemplate], member: Member, cookie: Sku, shop: object
) -> None:
    coupon = coupon_claim(
        context=SHOPPER_CONTEXT, member=member, template_id=make_template(threshold=10000, off=2000).pk
    )
    with pytest.raises(CouponNotUsable):
        quote_for_checkout(member=member, items=[(cookie, 1)], coupon_ids=[coupon.pk])
    verdict = quote_for_checkout(member=member, items=[(cookie, 1)], coupon_ids=None).coupons[0]
    assert (verdict["usable"], verdict["reason"]) == (False, "threshold_not_met")


def test_two_shop_coupons_conflict(
    make_template: Callable[..., CouponTemplate], member: Member, lipstick: Sku, shop: object
) -> None:
    a = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=make_template().pk)
    b = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=make_template(off=1000).pk)
    with pytest.raises(CouponConflict):
        quote_for_checkout(member=member, items=[(lipstick, 1)], coupon_ids=[a.pk, b.pk])


def test_full_gift_adds_a_zero_price_gift_line(
    make_promotion: Callable[..., Promotion], member: Member, lipstick: Sku, cookie: Sku, shop: object
) -> None:
    make_promotion(type="full_gift", name="满99赠饼干", rules={"threshold": "99.00", "gift_sku": "COOKIE"})
    quote = quote_for_checkout(member=member, items=[(lipstick, 1)])
    gift = quote.lines[-1]
    assert (gift.sku_id, gift.is_gift, gift.paid_amount, gift.unit_price) == (cookie.pk, True, 0, 0)
    assert quote.payable_amount == 10000
    assert_invariants(quote)


def test_points_and_hints_come_through(
    make_promotion: Callable[..., Promotion], member: Member, cookie: Sku, shop: object
) -> None:
    make_promotion()
    grant_points(member, 300)
    quote = quote_for_checkout(member=member, items=[(cookie, 1)], points=1000)
    assert (quote.points_used, quote.points_discount) == (300, 300)
    assert {"rule_type": "points", "reason": "points_insufficient"}.items() <= quote.rejected[-1].items()
    hint_types = {h["rule_type"] for h in quote.hints}
    assert hint_types == {"full_reduction", "free_shipping"}
    reduction_hint = next(h for h in quote.hints if h["rule_type"] == "full_reduction")
    assert (reduction_hint["short_by"], reduction_hint["reward"]) == (7000, 1500)
    assert quote.points_earned == (3000 - 300) // 100
    assert_invariants(quote)


def test_a_gift_out_of_stock_is_left_out_not_fatal(
    make_promotion: Callable[..., Promotion], member: Member, lipstick: Sku, cookie: Sku, shop: object
) -> None:
    make_promotion(type="full_gift", name="满99赠饼干", rules={"threshold": "99.00", "gift_sku": "COOKIE"})
    Sku.objects.filter(pk=cookie.pk).update(stock=0)
    quote = quote_for_checkout(member=member, items=[(lipstick, 1)])
    assert [line.is_gift for line in quote.lines] == [False]
    assert {"name": "满99赠饼干", "reason": "gift_out_of_stock"}.items() <= quote.rejected[0].items()
    order = place(member, [(lipstick, 1)])
    assert order.lines.count() == 1
