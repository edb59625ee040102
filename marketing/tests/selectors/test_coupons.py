"""Coupon and rule reads: effective status, summaries, rows the engine cannot run."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mall.models import Sku
from marketing.models import CouponStatus
from marketing.selectors.checkout_pricing import quote_for_checkout
from marketing.selectors.coupons import coupon_effective_status, coupon_list_for_member, template_summary
from marketing.selectors.pricing_rules import pricing_rules_load
from marketing.tests.factories import CouponFactory, CouponTemplateFactory, PromotionFactory
from members.models import Member

pytestmark = pytest.mark.django_db


def test_an_unused_coupon_past_its_window_reads_as_expired(member: Member) -> None:
    now = timezone.now()
    stale = CouponFactory.create(member=member, valid_from=now - timedelta(days=8), valid_until=now - timedelta(days=1))
    fresh = CouponFactory.create(member=member)
    assert coupon_effective_status(stale, now) == CouponStatus.EXPIRED
    assert coupon_effective_status(fresh, now) == CouponStatus.UNUSED
    assert list(coupon_list_for_member(member=member, status="unused")) == [fresh]
    assert list(coupon_list_for_member(member=member, status="expired")) == [stale]


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"kind": "amount_off", "threshold": 10000, "off": 3000}, "满100.00减30.00"),
        ({"kind": "no_threshold", "threshold": 0, "off": 1000}, "无门槛减10.00"),
        ({"kind": "rate_off", "threshold": 0, "off": 0, "rate": Decimal("0.85")}, "8.5折"),
        (
            {"kind": "rate_off", "threshold": 20000, "off": 0, "rate": Decimal("0.9"), "max_off": 3000},
            "满200.00打9折，最多减30.00",
        ),
    ],
)
def test_template_summary_speaks_the_shoppers_language(fields: dict, text: str) -> None:
    assert template_summary(CouponTemplateFactory.build(**fields)) == text


def test_a_row_the_engine_cannot_run_is_left_out_of_quotes(member: Member, lipstick: Sku, shop: object) -> None:
    PromotionFactory.create(name="坏规则", rules={"tiers": "not a list"})
    good = PromotionFactory.create(name="满100减15")
    rules = pricing_rules_load()
    assert [p.pk for p in rules.promotions] == [good.pk]
    assert quote_for_checkout(member=member, items=[(lipstick, 1)]).discount_amount == 1500
