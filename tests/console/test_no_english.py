"""No English leftovers and no raw codes on console pages and in API messages: the admin's
multi-select widget, list headers, 试算's reasons, coupon refusals named, DRF/JWT messages."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from marketing.pricing import PricingError
from marketing.selectors.quotes import detail_label, pricing_error_to_application
from members.models import PointsEntry
from members.services.points import points_grant
from orders.models import Payment, Refund
from tests.console.factories import OrderFactory


@pytest.mark.django_db
def test_admin_multi_select_strings_get_chinese(owner: User, console_client: Callable[[User], Client]) -> None:
    """SelectFilter2.js's newer wording is missing from Django's zh_Hans djangojs; locale_vendor/ fills it."""
    client = console_client(owner)
    chinese = client.get("/admin/jsi18n/", headers={"accept-language": "zh-hans"}).content.decode()
    for text in ("添加全部%s", "移除全部%s", "（点击清除）"):
        assert json.dumps(text)[1:-1] in chinese or text in chinese, text
    english = client.get("/admin/jsi18n/", headers={"accept-language": "en"}).content.decode()
    assert "添加全部" not in english


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "chinese"),
    [
        ("/admin/orders/refund/", ("订单", "操作人", "创建时间")),
        ("/admin/orders/payment/", ("订单", "创建时间")),
        ("/admin/members/pointsentry/", ("会员", "时间")),
    ],
)
def test_list_headers_are_chinese(
    owner: User, console_client: Callable[[User], Client], url: str, chinese: tuple[str, ...]
) -> None:
    order = OrderFactory.create()
    Payment.objects.create(order=order, provider="sandbox", out_trade_no="P1", amount=5900)
    Refund.objects.create(order=order, out_refund_no="R1", amount=5900, reason="不想要了", created_by=owner)
    points_grant(member_id=order.member_id, delta=10, reason=PointsEntry.Reason.GRANT, ref="t1")
    html = console_client(owner).get(url).content.decode()
    for header in chinese:
        assert header in html, header
    for english in (">Order<", ">Created by<", ">Created at<", ">Member<"):
        assert english not in html.replace("\n", "").replace(" ", ""), english


@translation.override("zh-hans")
def test_engine_details_read_as_chinese_with_names() -> None:
    names = {"promotion:1": "满99减10"}
    assert detail_label("not running at the quote time", names) == "试算时间不在活动时间内"
    assert detail_label("promotion:1 of the same type gives more", names) == "同类的「满99减10」优惠更多"
    assert detail_label("scope amount 80.00 below 99.00", names) == "适用商品合计 ¥80.00，未达到门槛 ¥99.00"
    assert detail_label("used 1 of 1", names) == "已使用 1 次，上限 1 次"
    assert detail_label("something new from the engine", names) == ""  # never English on screen


@translation.override("zh-hans")
def test_coupon_refusals_name_the_coupon() -> None:
    error = PricingError("coupon_conflict", "优惠券 coupon:3 不能与所选的其他券同时使用", ref="coupon:3")
    exc = pricing_error_to_application(error, {"coupon:3": "店铺券20"})
    assert str(exc.message) == "优惠券「店铺券20」不能与所选的其他优惠券同时使用。"
    assert exc.code == "coupon_conflict"
    unnamed = pricing_error_to_application(error, {})
    assert "coupon:3" not in str(unnamed.message)


@pytest.mark.django_db
def test_api_parse_and_token_errors_are_translated(client: Client) -> None:
    bad_json = client.post("/api/v1/auth/dev-login", data="{bad", content_type="application/json")
    assert bad_json.status_code == 400
    assert bad_json.json()["code"] == "malformed_request"
    assert bad_json.json()["message"] == "请求内容不是有效的 JSON。"

    bad_token = client.get("/api/v1/me", headers={"authorization": "Bearer abc"})
    assert bad_token.status_code == 401
    assert bad_token.json()["message"] == "登录已失效，请重新登录。"
    assert bad_token.json()["details"] == {"reason": "token_not_valid"}

    english = client.get("/api/v1/me", headers={"authorization": "Bearer abc", "accept-language": "en"})
    assert english.json()["message"] == "Your sign-in has expired; please sign in again."
