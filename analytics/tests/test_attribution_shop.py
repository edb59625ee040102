"""A hand-computed shop (issue 15 §4): every order, cost and refund is known, every figure asserted.

The shop: 8.00 yuan shipping, free from 99.00 yuan; 满100减15 running; a 立减20 coupon.
口红 sells at 100.00 (cost 40.00), 饼干 at 30.00 (cost 10.00).

1. 小明 (first order): 1 口红 with 满100减15 and the coupon → goods 65.00 + shipping 8.00 = 73.00.
2. 小红 (first order): 2 饼干, nothing applies → 60.00 + 8.00 = 68.00.
3. 小明 again: 2 口红, 满100减15 and 500 points (5.00) → 180.00, shipping waived (8.00).
4. One 口红 of order 3 is refunded: 90.00 back, half the line's discount (7.50) and points (2.50).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from analytics.models import BehaviourEvent, FunnelDay, LineFigure, OrderTouch, ProductDailyFigure, ToolDailyFigure
from analytics.selectors.attribution import (
    ProductFigure,
    ToolFigure,
    campaign_live,
    participation_by_hour,
    product_class,
    product_figures,
    tool_daily_series,
    tool_figures,
)
from analytics.services.attribution import attributed_cost, order_attribute, refund_attribute
from analytics.services.figure_rollups import figures_rollup
from analytics.services.rollups import rollup_day
from mall.models import Sku
from marketing.models import Coupon, CouponTemplate, Promotion
from marketing.services.coupons import coupon_claim
from marketing.tests.conftest import grant_points, pay, place
from members.models import Member
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import Order, Payment
from orders.payments.sandbox import SandboxProvider
from orders.services.payments import payment_notice_handle
from orders.services.refunds import refund_create

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def frozen() -> Iterator[object]:
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False) as traveller:
        yield traveller


@pytest.fixture
def the_shop(
    frozen: object,
    shop: object,
    staff: User,
    lipstick: Sku,
    cookie: Sku,
    make_promotion: Callable[..., Promotion],
    make_template: Callable[..., CouponTemplate],
) -> dict[str, object]:
    Sku.objects.filter(pk=lipstick.pk).update(cost_price=4000)
    Sku.objects.filter(pk=cookie.pk).update(cost_price=1000)
    promotion = make_promotion()
    template = make_template(name="立减20", off=2000)
    xiaoming = MemberFactory.create(nickname="小明")
    xiaohong = MemberFactory.create(nickname="小红")
    coupon = coupon_claim(context=SHOPPER_CONTEXT, member=xiaoming, template_id=template.pk)
    first = pay(place(xiaoming, [(lipstick, 1)], coupon_ids=[coupon.pk]))
    second = pay(place(xiaohong, [(cookie, 2)]))
    grant_points(xiaoming, 1000)
    third = pay(place(xiaoming, [(lipstick, 2)], points=500))
    line = third.lines.get()
    refund = refund_create(order_id=third.pk, lines=[(line.pk, 1)], reason="不想要了", actor=staff)
    figures_rollup(start=DAY, end=DAY)
    return {
        "promotion": promotion,
        "template": template,
        "coupon": coupon,
        "orders": (first, second, third),
        "refund": refund,
        "members": (xiaoming, xiaohong),
    }


def by_tool(rows: list[ToolFigure]) -> dict[str, ToolFigure]:
    return {row.tool: row for row in rows}


def test_the_orders_are_what_the_story_says(the_shop: dict) -> None:
    first, second, third = the_shop["orders"]
    assert (first.payable_amount, second.payable_amount, third.payable_amount) == (7300, 6800, 18000)
    assert third.shipping_fee == 0 and third.points_discount == 500
    assert the_shop["refund"].amount == 9000 and the_shop["refund"].status == "succeeded"


def test_each_order_records_what_touched_it(the_shop: dict) -> None:
    first, second, third = the_shop["orders"]
    promotion, template = the_shop["promotion"], the_shop["template"]
    touches = {(t.order_id, t.tool, t.object_id): t for t in OrderTouch.objects.filter(refund_key=0)}
    assert set(touches) == {
        (first.pk, "promotion", promotion.pk),
        (first.pk, "coupon", template.pk),
        (second.pk, "direct", 0),
        (third.pk, "promotion", promotion.pk),
        (third.pk, "points", 0),
        (third.pk, "free_shipping", 0),
    }
    assert touches[(first.pk, "coupon", template.pk)].coupon == 2000
    assert touches[(first.pk, "coupon", template.pk)].object_name == "立减20"
    assert touches[(first.pk, "promotion", promotion.pk)].discount == 1500
    assert touches[(first.pk, "promotion", promotion.pk)].first_order is True
    assert touches[(third.pk, "promotion", promotion.pk)].first_order is False
    assert touches[(third.pk, "points", 0)].points == 500
    assert touches[(third.pk, "free_shipping", 0)].shipping == 800
    assert touches[(third.pk, "free_shipping", 0)].cogs == 8000
    assert all(t.gmv == t.order.payable_amount for t in touches.values())
    assert {t.hour for t in touches.values()} == {10}  # paid at 10:00 in Shanghai


def test_participation_by_hour_counts_paid_orders(the_shop: dict) -> None:
    hours = participation_by_hour(start=DAY, end=DAY)
    assert hours[10] == 3 and sum(hours) == 3
    assert participation_by_hour(start=DAY, end=DAY, tool="promotion")[10] == 2


def test_a_partial_refund_takes_back_exactly_its_units(the_shop: dict) -> None:
    third, refund = the_shop["orders"][2], the_shop["refund"]
    back = {t.tool: t for t in OrderTouch.objects.filter(refund_key=refund.pk)}
    assert set(back) == {"promotion", "points", "free_shipping"}
    assert (back["promotion"].discount, back["promotion"].gmv, back["promotion"].orders) == (-750, -9000, 0)
    assert back["points"].points == -250
    assert back["free_shipping"].shipping == 0  # one unit still with the shopper: shipping stays waived
    assert back["promotion"].cogs == -4000
    line_back = LineFigure.objects.get(order=third, refund_key=refund.pk)
    assert (line_back.units, line_back.paid, line_back.cogs, line_back.tool_cost) == (-1, -9000, -4000, -1000)


def test_a_full_refund_nets_every_touch_to_nothing(the_shop: dict, staff: User) -> None:
    third = the_shop["orders"][2]
    refund_create(order_id=third.pk, lines=None, reason="全部退", actor=staff)
    totals = attributed_cost(order_id=third.pk)
    assert totals == {c: 0 for c in totals}
    assert sum(OrderTouch.objects.filter(order=third, tool="promotion").values_list("orders", flat=True)) == 0
    assert sum(LineFigure.objects.filter(order=third).values_list("paid", flat=True)) == 0


def test_attribution_is_written_once(the_shop: dict) -> None:
    first = the_shop["orders"][0]
    before = OrderTouch.objects.count(), LineFigure.objects.count()
    payment = Payment.objects.get(order=first)
    notice = SandboxProvider().success_notice(out_trade_no=payment.out_trade_no, amount=payment.amount)
    payment_notice_handle(notice=notice)  # the callback, delivered again
    assert order_attribute(order_id=first.pk) == 0
    assert refund_attribute(refund_id=the_shop["refund"].pk) == 0
    assert (OrderTouch.objects.count(), LineFigure.objects.count()) == before


def test_per_tool_figures_are_exact(the_shop: dict) -> None:
    rows = by_tool(tool_figures(start=DAY, end=DAY))
    promotion = rows["promotion"]
    assert (promotion.orders, promotion.gmv, promotion.cost, promotion.cogs) == (2, 16300, 2250, 8000)
    assert (promotion.participants, promotion.new_shoppers, promotion.refunds) == (1, 1, 9000)
    assert (promotion.roi_text, promotion.margin, promotion.margin_roi_text) == ("1:7.2", 8300, "1:3.7")
    coupon = rows["coupon"]
    assert (coupon.orders, coupon.gmv, coupon.cost, coupon.roi_text) == (1, 7300, 2000, "1:3.7")
    assert coupon.redemption_rate == Decimal("100.0")
    points = rows["points"]
    assert (points.orders, points.gmv, points.cost, points.roi_text) == (1, 9000, 250, "1:36.0")
    free = rows["free_shipping"]
    assert (free.gmv, free.cost, free.cash_cost, free.margin) == (9000, 800, 800, 4200)
    direct = rows["direct"]
    assert (direct.orders, direct.gmv, direct.cost, direct.roi_text, direct.new_shoppers) == (1, 6800, 0, "—", 1)
    ranked = tool_figures(start=DAY, end=DAY)
    assert [r.tool for r in ranked] == ["points", "free_shipping", "promotion", "coupon", "direct"]
    assert [r.efficiency for r in ranked] == ["high", "", "", "low", ""]


def test_per_campaign_figures_name_the_campaign(the_shop: dict) -> None:
    template = the_shop["template"]
    rows = tool_figures(start=DAY, end=DAY, tool="coupon", per_campaign=True)
    assert [(r.object_id, r.name, r.gmv, r.cost) for r in rows] == [(template.pk, "立减20", 7300, 2000)]
    series = tool_daily_series(start=DAY - dt.timedelta(days=1), end=DAY, tool="promotion")
    assert [(p.day, p.orders, p.gmv, p.cost) for p in series] == [
        (DAY - dt.timedelta(days=1), 0, 0, 0),
        (DAY, 2, 16300, 2250),
    ]


def test_rollup_is_idempotent(the_shop: dict) -> None:
    snapshot = sorted(ToolDailyFigure.objects.values_list("tool", "object_id", "orders", "gmv", "cost"))
    figures_rollup(start=DAY, end=DAY)
    figures_rollup(start=DAY, end=DAY)
    assert sorted(ToolDailyFigure.objects.values_list("tool", "object_id", "orders", "gmv", "cost")) == snapshot
    assert ProductDailyFigure.objects.count() == 2


def test_live_campaign_reads_attribution_directly(the_shop: dict) -> None:
    promotion = the_shop["promotion"]
    live = campaign_live(tool="promotion", object_id=promotion.pk, use_cache=False)
    assert (live.today.orders, live.today.gmv, live.today.cost, live.total.participants) == (2, 16300, 2250, 1)
    assert live.adjust_url == f"/admin/marketing/promotion/{promotion.pk}/change/"


def _product_view(day: dt.date, product_id: int, device: str, seq: int) -> BehaviourEvent:
    at = dt.datetime(day.year, day.month, day.day, 9, seq, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return BehaviourEvent(
        day=day,
        hour=9,
        occurred_at=at,
        name="page_view",
        anon_id=device,
        session=f"s-{device}",
        page="pages/product/index",
        product_id=product_id,
        batch_key=f"b-{device}-{day:%d}",
        seq=seq,
    )


def test_product_figures_and_classes(the_shop: dict, lipstick: Sku, cookie: Sku) -> None:
    # The mini-program's product page views, rolled up per day (F37): 口红 viewed 3 times by one
    # device and once by another on DAY, once the day before; 饼干 once.
    views = [_product_view(DAY, lipstick.product_id, "dev-a", n) for n in range(3)]
    views += [_product_view(DAY, lipstick.product_id, "dev-b", 0), _product_view(DAY, cookie.product_id, "dev-c", 0)]
    views.append(_product_view(DAY - dt.timedelta(days=1), lipstick.product_id, "dev-d", 0))
    BehaviourEvent.objects.bulk_create(views)
    rollup_day(day=DAY)
    rollup_day(day=DAY - dt.timedelta(days=1))
    rows = {r.product_id: r for r in product_figures(start=DAY, end=DAY)}
    lip = rows[lipstick.product_id]
    # 4 views by 2 devices on DAY; 1 buyer (小明) → conversion 50%
    assert (lip.views, lip.visitors, lip.conversion) == (4, 2, Decimal("50.0"))
    # 3 units sold, 1 back: 2 units, paid 65.00 + 90.00, cost 2 × 40.00
    assert (lip.units, lip.paid, lip.cogs, lip.margin, lip.buyers, lip.orders) == (2, 15500, 8000, 7500, 1, 2)
    assert lip.campaign_units == 2 and lip.campaign_share == Decimal("100.0")
    assert lip.klass == "profit"  # margin 48.4% ≥ 20%
    biscuit = rows[cookie.product_id]
    assert (biscuit.units, biscuit.paid, biscuit.cogs, biscuit.klass) == (2, 6000, 2000, "profit")
    assert (biscuit.views, biscuit.visitors, biscuit.conversion) == (1, 1, Decimal("100.0"))
    two_days = {r.product_id: r for r in product_figures(start=DAY - dt.timedelta(days=1), end=DAY)}
    assert (two_days[lipstick.product_id].views, two_days[lipstick.product_id].visitors) == (5, 3)


def _figure(**kw: int) -> ProductFigure:
    base = {"views": 0, "visitors": 0, "buyers": 1, "orders": 10, "first_orders": 0, "units": 10}
    base.update({"campaign_units": 0, "paid": 10000, "cogs": 9000, "cash_cost": 0, "cost_missing": 0})
    base.update(kw)
    return ProductFigure(product_id=1, title="x", **base)  # type: ignore[arg-type]


def test_product_class_rule() -> None:
    assert product_class(_figure(units=1)) == "slow"  # fewer than 2 units
    assert product_class(_figure(cogs=7900)) == "profit"  # margin 21% ≥ 20%
    assert product_class(_figure(first_orders=3)) == "traffic"  # thin margin, 30% first orders
    assert product_class(_figure(campaign_units=5)) == "traffic"  # thin margin, half sold in campaigns
    assert product_class(_figure(first_orders=2, campaign_units=4)) == "regular"


def test_analytics_report_prints_json_lines(the_shop: dict) -> None:
    out = io.StringIO()
    call_command("analytics_report", "--days", "1", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    promotion = next(line for line in lines if line["tool"] == "promotion")
    assert promotion["gmv"] == "163.00" and promotion["cost"] == "22.50" and promotion["roi"] == "7.24"
    assert promotion["orders"] == 2 and promotion["new_shoppers"] == 1
    out = io.StringIO()
    call_command("analytics_report", "--days", "1", "--tool", "coupon", stdout=out)
    (coupon,) = [json.loads(line) for line in out.getvalue().splitlines()]
    assert (coupon["name"], coupon["gmv"], coupon["roi_text"]) == ("立减20", "73.00", "1:3.7")


def test_src_on_the_order_is_a_touch(frozen: object, shop: object, lipstick: Sku, member: Member) -> None:
    order = pay(place(member, [(lipstick, 1)], src="msg:42"))
    assert Order.objects.get(pk=order.pk).src == "msg:42"
    touch = OrderTouch.objects.get(order=order, tool="message")
    assert (touch.object_id, touch.gmv, touch.first_order) == (42, order.payable_amount, True)
    ignored = pay(place(member, [(lipstick, 1)], src="<script>"))
    assert Order.objects.get(pk=ignored.pk).src == ""
    assert not Coupon.objects.exists()


def test_console_pages_show_the_figures(the_shop: dict, staff: User, client: Client) -> None:
    client.force_login(staff)
    with translation.override("zh-hans"):
        page = client.get("/console/analytics/roi/?days=7")
        assert page.status_code == 200
        html = page.content.decode()
        assert "营销效果" in html and "1:7.2" in html and "¥163.00" in html and "立减20" in html
        assert "高效" in html and "低效" in html and 'data-type="scatter"' in html
        promotion = the_shop["promotion"]
        live = client.get(f"/console/analytics/live/promotion/{promotion.pk}/")
        assert live.status_code == 200 and "满100减15" in live.content.decode()
        polled = client.get(f"/console/analytics/live/promotion/{promotion.pk}/json/").json()
        assert polled["today"] == {
            "participants": 1,
            "new_shoppers": 1,
            "orders": 2,
            "gmv": "¥163.00",
            "cost": "¥22.50",
            "roi": "1:7.2",
        }
        assert client.get("/console/analytics/live/nothing/1/").status_code == 404
        ToolDailyFigure.objects.all().delete()
        refreshed = client.post("/console/analytics/roi/?days=7")
        assert (refreshed.status_code, refreshed["Location"]) == (302, "/console/analytics/roi/?days=7")
        assert ToolDailyFigure.objects.filter(tool="promotion").get().gmv == 16300  # recomputed on demand
        export = client.get("/console/analytics/roi/export/?days=7")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("营销工具", "参与人数", "新客", "订单数", "成交额(元)")
    promotion_row = next(r for r in rows if r[0] == "价格规则")
    assert promotion_row[3:6] == (2, 163.0, 22.5) and promotion_row[8] == "1:7.2"


def test_console_needs_the_permission(the_shop: dict, client: Client) -> None:
    clerk = User.objects.create_user(username="clerk", password="x", is_staff=True)
    client.force_login(clerk)
    assert client.get("/console/analytics/roi/").status_code == 403


def test_a_gift_costs_its_cost_price_once(
    frozen: object, shop: object, lipstick: Sku, cookie: Sku, make_promotion: Callable[..., Promotion], member: Member
) -> None:
    """满99赠饼干: the gift's cost (10.00) is the rule's cost, not its shelf value as a discount too."""
    Sku.objects.filter(pk=cookie.pk).update(cost_price=1000)
    gift_rule = make_promotion(type="full_gift", name="满99赠饼干", rules={"threshold": "99.00", "gift_sku": "COOKIE"})
    order = pay(place(member, [(lipstick, 1)]))
    assert order.lines.filter(is_gift=True).count() == 1
    touch = OrderTouch.objects.get(order=order, tool="promotion", object_id=gift_rule.pk)
    assert (touch.gift, touch.discount, touch.cost) == (1000, 0, 1000)
    assert touch.object_name == "满99赠饼干"


def test_dashboard_selectors_have_fixed_query_counts(the_shop: dict, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(4):
        tool_figures(start=DAY - dt.timedelta(days=29), end=DAY)
    with django_assert_max_num_queries(5):
        tool_figures(start=DAY - dt.timedelta(days=29), end=DAY, per_campaign=True)
    with django_assert_max_num_queries(1):
        tool_daily_series(start=DAY - dt.timedelta(days=29), end=DAY)
    with django_assert_max_num_queries(4):
        product_figures(start=DAY - dt.timedelta(days=29), end=DAY)
    with django_assert_max_num_queries(5):
        campaign_live(tool="coupon", object_id=the_shop["template"].pk, use_cache=False)


def test_conversion_comes_from_the_behaviour_funnel(the_shop: dict) -> None:
    template = the_shop["template"]
    # two days of the coupon centre's funnel: 8 + 12 visitors a day, 1 + 2 of them paid
    FunnelDay.objects.create(day=DAY - dt.timedelta(days=1), tool="coupon", campaign_id=0, viewers=8, payers=1)
    FunnelDay.objects.create(day=DAY, tool="coupon", campaign_id=0, viewers=12, payers=2)
    FunnelDay.objects.create(day=DAY, tool="coupon", campaign_id=template.pk, viewers=4, payers=1)
    rows = by_tool(tool_figures(start=DAY - dt.timedelta(days=1), end=DAY))
    assert (rows["coupon"].viewers, rows["coupon"].payers, rows["coupon"].conversion) == (20, 3, Decimal("15.0"))
    assert rows["promotion"].conversion is None  # a price rule has no page of its own
    (campaign,) = tool_figures(start=DAY, end=DAY, tool="coupon", per_campaign=True)
    assert campaign.conversion == Decimal("25.0")
    out = io.StringIO()
    call_command("analytics_report", "--days", "2", "--tool", "coupon", stdout=out)
    (line,) = [json.loads(text) for text in out.getvalue().splitlines()]
    assert line["conversion"] == "25.0"
