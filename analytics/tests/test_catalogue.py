"""The behaviour-event catalogue: what fits and why the rest does not (stable codes)."""

from __future__ import annotations

import pytest

from analytics.catalogue import CATALOGUE, MINI_PROGRAM, event_problem, page_name


@pytest.mark.parametrize(
    ("name", "props"),
    [
        ("page_view", {"page": "pages/home/index", "dwell_ms": 5200}),
        ("page_view", {"page": "package-flash/index/index", "tool": "flash", "campaign_id": 3}),
        ("tap", {"page": "pages/home/index", "element": "home.banner"}),
        ("share", {"page": "pages/product/index", "product_id": 9}),
        ("add_to_cart", {"page": "pages/product/index", "product_id": 9, "sku_id": 2, "quantity": 1}),
        ("checkout_start", {"page": "package-order/checkout/index", "items": 2, "amount": 12900}),
        ("checkout_leave", {"page": "package-order/checkout/index", "reason": "coupon_unusable", "coupon_id": 4}),
        ("pay", {"page": "package-order/checkout/index", "amount": 12900}),
        ("search", {"page": "pages/category/index", "query": "茶叶"}),
    ],
)
def test_catalogue_accepts_its_events(name: str, props: dict) -> None:
    assert event_problem(name, props) is None


@pytest.mark.parametrize(
    ("name", "props", "code"),
    [
        ("login_hack", {}, "unknown_event"),
        (7, {}, "unknown_event"),
        ("page_view", [], "bad_props"),
        ("page_view", {}, "missing_prop:page"),
        ("page_view", {"page": "pages/home/index", "colour": "red"}, "unknown_prop:colour"),
        ("page_view", {"page": "pages/home/index", "dwell_ms": "12"}, "not_integer:dwell_ms"),
        ("page_view", {"page": "pages/home/index", "dwell_ms": True}, "not_integer:dwell_ms"),
        ("page_view", {"page": "pages/home/index", "dwell_ms": -1}, "out_of_range:dwell_ms"),
        ("page_view", {"page": "x" * 129}, "bad_length:page"),
        ("page_view", {"page": "pages/home/index", "tool": "lottery"}, "not_a_choice:tool"),
        ("checkout_leave", {"page": "p", "reason": "bored"}, "not_a_choice:reason"),
        ("checkout_leave", {"page": "p"}, "missing_prop:reason"),
        ("add_to_cart", {"page": "p"}, "missing_prop:product_id"),
        ("search", {"page": "p", "query": ""}, "bad_length:query"),
        ("tap", {"page": "p", "element": 5}, "not_string:element"),
    ],
)
def test_catalogue_refuses_with_a_code(name: object, props: object, code: str) -> None:
    assert event_problem(name, props) == code


def test_every_event_says_who_sends_it_and_has_a_page() -> None:
    assert set(CATALOGUE) == {
        "page_view",
        "tap",
        "share",
        "add_to_cart",
        "checkout_start",
        "checkout_leave",
        "pay",
        "search",
    }
    for spec in CATALOGUE.values():
        assert spec.sender == MINI_PROGRAM
        assert spec.props["page"].required


def test_page_names_are_chinese_and_unknown_routes_stay_routes() -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        assert page_name("pages/home/index") == "首页"
        assert page_name("pay") == "支付"
    assert page_name("pages/unknown/index") == "pages/unknown/index"
