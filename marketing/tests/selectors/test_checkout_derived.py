"""The checkout's breakdown made once per kept engine quote (issue 12): the same answer as made
afresh, in the shopper's language, never for a placement or a deal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from mall.models import Sku
from marketing.models import CouponTemplate, Promotion
from marketing.selectors import checkout_pricing
from marketing.selectors.checkout_pricing import CheckoutQuote, quote_for_checkout
from marketing.services.coupons import coupon_claim
from marketing.tests.conftest import grant_points
from members.models import Member
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_made_yet() -> None:
    checkout_pricing._derived.clear()


def _afresh(**kwargs: Any) -> CheckoutQuote:
    """The quote as made with nothing held."""
    held = dict(checkout_pricing._derived)
    checkout_pricing._derived.clear()
    try:
        return quote_for_checkout(**kwargs)
    finally:
        checkout_pricing._derived.clear()
        checkout_pricing._derived.update(held)


@pytest.fixture
def cart(
    make_promotion: Callable[..., Promotion],
    make_template: Callable[..., CouponTemplate],
    member: Member,
    lipstick: Sku,
    cookie: Sku,
    shop: object,
) -> dict[str, Any]:
    make_promotion()
    coupon = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=make_template(name="店铺券20").pk)
    grant_points(member, 500)
    # one moment for every call: inside every window, so each call prices the same request
    at = timezone.now() + timedelta(hours=1)
    return {"member": member, "items": [(lipstick, 1), (cookie, 1)], "coupon_ids": [coupon.pk], "at": at}


def test_a_cart_priced_again_takes_the_breakdown_made_for_its_kept_quote(cart: dict[str, Any]) -> None:
    quotes = [quote_for_checkout(**cart) for _ in range(4)]
    # the engine keeps the quote from the second time and hands it out from the third
    assert quotes[3].applied is quotes[2].applied
    assert quotes[3].lines is quotes[2].lines
    assert quotes[1].applied is not quotes[0].applied
    fresh = _afresh(**cart)
    assert fresh.applied is not quotes[3].applied
    assert all(quote == fresh for quote in quotes)
    assert {a["name"] for a in fresh.applied} == {"满100减15", "店铺券20"}
    # the SKU rows are the caller's own, never another request's
    lipstick, cookie = (sku for sku, _qty in cart["items"])
    assert quotes[3].skus[lipstick.pk] is lipstick and quotes[3].skus[cookie.pk] is cookie


def test_another_language_is_made_in_that_language(cart: dict[str, Any]) -> None:
    for _ in range(3):
        chinese = quote_for_checkout(**cart)
    with translation.override("en"):
        english = quote_for_checkout(**cart)
        assert english == _afresh(**cart)
    assert english.shipping["reason_label"] != chinese.shipping["reason_label"]
    assert english.applied is not chinese.applied


def test_other_inputs_are_made_afresh(cart: dict[str, Any], member: Member) -> None:
    for _ in range(3):
        kept = quote_for_checkout(**cart)
    with_points = quote_for_checkout(**cart, points=300)
    assert with_points.points_used == 300 and with_points == _afresh(**cart, points=300)
    grant_points(member, 100)  # the balance is read with the wallet: the points refusal may change
    again = quote_for_checkout(**cart, points=10_000)
    assert again == _afresh(**cart, points=10_000)
    assert kept.applied is not again.applied


def test_placement_makes_its_own(cart: dict[str, Any]) -> None:
    for _ in range(3):
        quote_for_checkout(**cart, whole_wallet=False)
    assert checkout_pricing._derived == {}
