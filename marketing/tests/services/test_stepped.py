"""F13 with the database: the per-campaign unit counter is taken at placement before pricing,
previews read it without taking, straddling orders get one line per step, cancelled orders
keep their numbers, and a failed placement gives them back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import Sku
from marketing.models import Promotion, StepCounter
from marketing.selectors.checkout_pricing import quote_for_checkout
from marketing.tests.conftest import place
from members.models import Member
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.errors import StockInsufficient
from orders.services.orders import order_cancel

pytestmark = pytest.mark.django_db

STEPS = [{"upto": 100, "rate": "0.5"}, {"upto": 300, "rate": "0.6"}]


@pytest.fixture
def stepped(make_promotion: Callable[..., Promotion], lipstick: Sku) -> Promotion:
    """口红 (100.00) at 5折 for units 1–100, 6折 for 101–300, list price after."""
    return make_promotion(type="stepped_price", name="新品阶梯价", rules={"sku": "LIP-01", "steps": STEPS})


def counter(promotion: Promotion) -> int:
    return StepCounter.objects.get(promotion=promotion).sold


def set_counter(promotion: Promotion, sold: int) -> None:
    StepCounter.objects.filter(promotion=promotion).update(sold=sold, taken_from=sold)


def test_the_counter_starts_with_the_campaign(stepped: Promotion) -> None:
    assert counter(stepped) == 0


def test_an_order_takes_its_units_and_pays_their_step(
    stepped: Promotion, lipstick: Sku, member: Member, shop: object
) -> None:
    first = place(member, [(lipstick, 3)])
    assert [(line.qty, line.unit_price) for line in first.lines.all()] == [(3, 5000)]
    assert counter(stepped) == 3
    assert first.pricing["stepped_taken"] == [[stepped.pk, 0]]
    line = first.lines.get()
    assert line.item_amount == 15000


def test_an_order_straddling_two_steps_gets_one_line_per_step(
    stepped: Promotion, lipstick: Sku, member: Member, shop: object, make_template: Callable[..., Any]
) -> None:
    from marketing.services.coupons import coupon_claim

    set_counter(stepped, 98)
    coupon = coupon_claim(
        context=SHOPPER_CONTEXT, member=member, template_id=make_template(off=1000).pk
    )  # 立减 10 on the order
    order = place(member, [(lipstick, 4)], coupon_ids=[coupon.pk])

    lines = list(order.lines.order_by("pk"))
    assert [(line.qty, line.unit_price, line.item_amount) for line in lines] == [(2, 5000, 10000), (2, 6000, 12000)]
    assert [line.allocations[0]["amount"] for line in lines] == [455, 545]  # 10.00 by what each part owes
    assert sum(line.paid_amount for line in lines) == order.payable_amount - order.shipping_fee == 21000
    for line in lines:
        assert line.paid_amount == line.item_amount - line.discount_amount
        assert line.discount_amount == sum(a["amount"] for a in line.allocations)
    rules = [line for line in order.pricing.get("applied", []) if line["rule_type"] == "stepped_price"]
    assert rules and rules[0]["amount"] == 40000 - 22000
    assert counter(stepped) == 102


def test_the_preview_prices_from_the_counter_without_taking(
    stepped: Promotion, lipstick: Sku, member: Member, shop: object, django_assert_max_num_queries: Any
) -> None:
    set_counter(stepped, 99)
    quote_for_checkout(member=member, items=[(lipstick, 2)])  # warm the rules
    with django_assert_max_num_queries(4):
        preview = quote_for_checkout(member=member, items=[(lipstick, 2)])
    assert [(line.qty, line.unit_price) for line in preview.lines] == [(1, 5000), (1, 6000)]
    assert preview.lines[0].item_rule is not None
    assert (preview.lines[0].item_rule["units"], preview.lines[0].item_rule["rate"]) == ([100, 100], "0.5")
    assert (preview.lines[1].item_rule or {})["units"] == [101, 101]
    assert counter(stepped) == 99
    assert preview.stepped_taken == ()


def test_a_cancelled_order_does_not_give_its_cheap_step_back(
    stepped: Promotion, lipstick: Sku, member: Member, other_member: Member, shop: object
) -> None:
    set_counter(stepped, 99)
    cheap = place(member, [(lipstick, 1)])
    assert cheap.lines.get().unit_price == 5000

    assert order_cancel(order_id=cheap.pk, reason="test")

    assert counter(stepped) == 100
    assert place(other_member, [(lipstick, 1)]).lines.get().unit_price == 6000


def test_a_placement_that_fails_gives_its_numbers_back(
    stepped: Promotion, lipstick: Sku, member: Member, shop: object
) -> None:
    Sku.objects.filter(pk=lipstick.pk).update(stock=2)
    with pytest.raises(StockInsufficient):
        place(member, [(lipstick, 3)])
    assert counter(stepped) == 0


def test_past_the_last_step_units_pay_the_list_price_and_are_not_numbered(
    stepped: Promotion, lipstick: Sku, member: Member, shop: object
) -> None:
    set_counter(stepped, 299)
    order = place(member, [(lipstick, 3)])
    assert [(line.qty, line.unit_price) for line in order.lines.order_by("pk")] == [(1, 6000), (2, 10000)]
    assert counter(stepped) == 300
    after = place(MemberFactory.create(), [(lipstick, 1)])
    assert after.lines.get().unit_price == 10000
    assert counter(stepped) == 300
    assert any(r["reason"] == "steps_exhausted" for r in after.pricing["rejected"])


def test_a_campaign_not_running_takes_nothing(
    make_promotion: Callable[..., Promotion], lipstick: Sku, member: Member, shop: object
) -> None:
    now = timezone.now()
    later = make_promotion(
        type="stepped_price",
        name="下周阶梯价",
        rules={"sku": "LIP-01", "steps": STEPS},
        starts_at=now + timedelta(days=7),
        ends_at=now + timedelta(days=8),
    )
    assert place(member, [(lipstick, 2)]).lines.get().unit_price == 10000
    assert counter(later) == 0


def test_orders_of_other_skus_never_touch_the_counter(
    stepped: Promotion, cookie: Sku, member: Member, shop: object
) -> None:
    place(member, [(cookie, 2)])
    assert counter(stepped) == 0


def test_a_campaign_without_a_counter_row_gets_one(
    stepped: Promotion, lipstick: Sku, member: Member, shop: object
) -> None:
    StepCounter.objects.filter(promotion=stepped).delete()
    assert place(member, [(lipstick, 2)]).lines.get().unit_price == 5000
    assert counter(stepped) == 2


def test_editing_the_steps_keeps_the_sequence(
    stepped: Promotion, lipstick: Sku, member: Member, shop: object, staff: User
) -> None:
    from marketing.services.promotions import promotion_update
    from marketing.tests.conftest import promotion_data

    place(member, [(lipstick, 5)])
    promotion_update(
        actor=staff,
        promotion_id=stepped.pk,
        data=promotion_data(
            type="stepped_price",
            name="新品阶梯价",
            rules={"sku": "LIP-01", "steps": [{"upto": 5, "rate": "0.5"}, {"upto": 10, "rate": "0.7"}]},
            starts_at=stepped.starts_at,
            ends_at=stepped.ends_at,
        ),
    )
    assert place(MemberFactory.create(), [(lipstick, 1)]).lines.get().unit_price == 7000  # unit 6
    assert counter(stepped) == 6


def test_the_console_lists_the_units_sold(stepped: Promotion, lipstick: Sku, member: Member, shop: object) -> None:
    from django.test import Client

    place(member, [(lipstick, 3)])
    client = Client()
    client.force_login(User.objects.create_superuser(username="boss", password="x"))
    page = client.get("/admin/marketing/promotion/").content.decode()
    assert "已售 3 件" in page
