"""The console home in a real browser: logging in, today's figures, the charts, the language switch."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from orders.models import OrderStatus
from tests.browser.charts import charts_of
from tests.console.factories import member_at, order_at

SH = ZoneInfo("Asia/Shanghai")


def _noon_today() -> dt.datetime:
    """Today 14:00 in Shanghai: the clock the server runs on during a test (ticking, so sessions work)."""
    today = timezone.now().astimezone(SH).date()
    return dt.datetime.combine(today, dt.time(14, 0), tzinfo=SH)


def test_owner_logs_in_and_lands_on_the_home_page(page_factory, owner, screenshot_dir):
    now = _noon_today()
    with time_machine.travel(now, tick=True):
        order_at(now - dt.timedelta(hours=2), paid_at=now - dt.timedelta(hours=2), payable=25_800)
        for days in range(1, 30, 3):
            order_at(
                now - dt.timedelta(days=days), paid_at=now - dt.timedelta(days=days), payable=10_000 + days * 1_000
            )
        page = page_factory()

        page.goto("/admin/")
        assert "/admin/login/" in page.url
        page.fill("#id_username", "boss")
        page.fill("#id_password", "boss-pass-123")
        page.click("button[type=submit]")

        page.wait_for_url("**/admin/")
        assert page.get_by_test_id("home-title").inner_text() == "经营概况"
        assert page.get_by_test_id("kpi-orders_placed").inner_text() == "1"
        assert page.get_by_test_id("kpi-paid_gmv").inner_text() == "¥258.00"
        charts = page.locator("canvas.chart")
        assert charts.count() == 2
        # unfold's app.js turned both canvases into Chart.js charts with 30 points each
        points = charts_of(
            page, "() => [...document.querySelectorAll('canvas.chart')].map(c => Chart.getChart(c).data.labels.length)"
        )
        assert points == [30, 30]
        assert charts.first.bounding_box()["height"] > 100
        page.screenshot(path=str(screenshot_dir / "console-home.png"), full_page=True)


def test_home_figures_match_the_seeded_orders(page_factory, owner):
    now = _noon_today()
    with time_machine.travel(now, tick=True):
        order_at(now - dt.timedelta(hours=13, minutes=59), paid_at=now - dt.timedelta(hours=13), payable=12_300)
        order_at(
            now - dt.timedelta(hours=1),
            paid_at=now - dt.timedelta(minutes=30),
            payable=4_560,
            status=OrderStatus.SHIPPED,
        )
        order_at(now - dt.timedelta(minutes=10))
        order_at(
            now - dt.timedelta(hours=14, minutes=1), paid_at=now - dt.timedelta(hours=14, minutes=1), payable=99_900
        )  # 23:59 yesterday: neither placed nor paid today, but still to ship
        order_at(now - dt.timedelta(days=3), status=OrderStatus.CANCELLED, needs_attention=True)
        member_at(now - dt.timedelta(hours=1))
        page = page_factory(owner)

        page.goto("/admin/")

        figures = {
            key: page.get_by_test_id(f"kpi-{key}").inner_text()
            for key in ("orders_placed", "paid_gmv", "new_members", "pending_shipments", "needs_attention")
        }
        assert figures == {
            "orders_placed": "3",
            "paid_gmv": "¥168.60",
            "new_members": "4",
            "pending_shipments": "2",
            "needs_attention": "1",
        }
        paid_today = charts_of(
            page,
            "() => Chart.getChart(document.querySelector('canvas.chart[data-type=line]')).data.datasets[0].data.at(-1)",
        )
        assert paid_today == 168.6


def test_language_switch_turns_the_console_english(page_factory, owner, screenshot_dir):
    page = page_factory(owner)
    page.goto("/admin/")
    assert page.get_by_test_id("home-title").inner_text() == "经营概况"

    # the account menu at the foot of the sidebar holds unfold's language forms (/i18n/setlang/)
    page.get_by_text("boss@example.com").click()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("English")).click()

    expect(page.get_by_test_id("home-title")).to_have_text("Business overview")
    expect(page.get_by_test_id("kpis").get_by_text("Paid today", exact=True)).to_be_visible()
    expect(page.locator("#nav-sidebar-inner")).to_contain_text("Products")
    page.screenshot(path=str(screenshot_dir / "console-home-en.png"), full_page=True)
