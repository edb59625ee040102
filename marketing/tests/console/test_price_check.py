"""The 试算 page: staff see the engine's full breakdown; anyone else is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mall.models import Category, Sku
from marketing.models import CouponTemplate, Promotion

pytestmark = pytest.mark.django_db

URL = "/console/marketing/price-check/"


def _form(skus: list[tuple[Sku, int]], **extra: Any) -> dict[str, Any]:
    now = timezone.localtime()
    data: dict[str, Any] = {
        "tier": "normal",
        "points_balance": 0,
        "points": "0",
        "auto_coupons": "on",
        "at_0": now.strftime("%Y-%m-%d"),
        "at_1": now.strftime("%H:%M:%S"),
    }
    for i, (sku, qty) in enumerate(skus):
        data[f"sku_{i}"], data[f"qty_{i}"] = sku.pk, qty
    data.update(extra)
    return data


@pytest.fixture
def staff_client(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def test_the_route_is_the_consoles(staff_client: Client) -> None:
    assert reverse("console:marketing_price_check") == URL
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert "价格试算" in response.content.decode()


def test_staff_sees_the_full_breakdown(
    staff_client: Client,
    make_promotion: Callable[..., Promotion],
    make_template: Callable[..., CouponTemplate],
    beauty: Category,
    lipstick: Sku,
    cookie: Sku,
) -> None:
    make_promotion(name="满100减15")
    make_promotion(type="full_gift", name="满200赠饼干", rules={"threshold": "200.00", "gift_sku": "COOKIE"})
    shop_coupon = make_template(name="店铺券20")
    beauty_coupon = make_template(name="美妆券10", group="category", off=1000, category_ids=(beauty.pk,))
    response = staff_client.post(URL, _form([(lipstick, 1)], tier="gold", templates=[shop_coupon.pk, beauty_coupon.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    breakdown = response.context["breakdown"]
    # gold 9折 → 90.00; 满100减15 not reached at 90 → rejected with a hint; two coupons 30 off
    assert breakdown["payable"]["yuan"] == "60.00"
    assert breakdown["lines"][0]["item_rule"]["type"] == "tier_rate"
    assert {r["name"]: r["reason"] for r in breakdown["rejected"]}["满100减15"] == "threshold_not_met"
    assert {a["name"] for a in breakdown["applied"]} == {"会员折扣", "店铺券20", "美妆券10"}
    assert any(h["type"] == "full_reduction" for h in breakdown["hints"])
    for text in ("¥60.00", "会员折扣", "满100减15", "未达到使用门槛", "店铺券20", "凑单提示"):
        assert text in page


def test_inactive_promotions_can_be_tried_before_they_go_live(
    staff_client: Client, make_promotion: Callable[..., Promotion], lipstick: Sku
) -> None:
    make_promotion(name="待上线满减", is_active=False)
    live = staff_client.post(URL, _form([(lipstick, 1)])).context["breakdown"]
    trial = staff_client.post(URL, _form([(lipstick, 1)], include_inactive="on")).context["breakdown"]
    assert (live["payable"]["fen"], trial["payable"]["fen"]) == (10000, 8500)


def test_an_empty_cart_is_a_form_error(staff_client: Client) -> None:
    response = staff_client.post(URL, _form([]))
    assert response.status_code == 200
    assert response.context["breakdown"] is None
    assert "请至少选择一件商品" in response.content.decode()


def test_a_refused_cart_shows_the_reason(
    staff_client: Client, make_template: Callable[..., CouponTemplate], lipstick: Sku
) -> None:
    """A coupon chosen by hand whose threshold the cart does not reach refuses the cart."""
    coupon = make_template(name="满200减20", threshold=20000, off=2000)
    form = _form([(lipstick, 1)], templates=[coupon.pk])
    del form["auto_coupons"]
    response = staff_client.post(URL, form)
    # the sentence naming the coupon, not the API's code
    assert "coupon_not_usable" not in response.context["error"]
    assert "满200减20" in response.context["error"]


def test_anonymous_is_sent_to_the_login(lipstick: Sku) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_non_staff_user_is_refused(lipstick: Sku) -> None:
    user = User.objects.create_user(username="shopper", password="x")
    client = Client()
    client.force_login(user)
    response = client.post(URL, _form([(lipstick, 1)]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_without_marketing_permission_is_refused(lipstick: Sku) -> None:
    user = User.objects.create_user(username="kefu", password="x", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get(URL).status_code == 403


def test_the_price_check_shows_shipping_and_why_it_is_free(staff_client: Client, lipstick: Sku, cookie: Sku) -> None:
    """Issue 10 §4: the 试算 page names the 包邮 that applies (here a product marked 包邮)."""
    from mall.models import ShopSettings

    shop = ShopSettings.load()
    shop.shipping_flat_fee, shop.free_shipping_threshold = 800, 9900
    shop.save()
    charged = staff_client.post(URL, _form([(cookie, 1)])).context["breakdown"]["shipping"]
    assert (charged["fee"]["fen"], charged["reason_label"]) == (800, "运费 8.00 元")
    cookie.product.free_shipping = True
    cookie.product.save(update_fields=["free_shipping"])
    response = staff_client.post(URL, _form([(cookie, 1)]))
    shipping = response.context["breakdown"]["shipping"]
    assert (shipping["fee"]["fen"], shipping["reason_label"]) == (0, "商品 COOKIE 包邮")
    assert "商品 COOKIE 包邮" in response.content.decode()
    by_amount = staff_client.post(URL, _form([(lipstick, 1)])).context["breakdown"]["shipping"]
    assert by_amount["reason_label"] == "满 99.00 元包邮"
