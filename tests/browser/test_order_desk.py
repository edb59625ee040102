"""The order desk in a real browser: tabs with counts, a readable order page (yuan, text, a
breakdown table), a ship dialog whose inputs can be seen and which checks the tracking number,
and the audited phone reveal through htmx (CSRF included)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from mall.models import AuditLog
from mall.services.staff import staff_create
from orders.models import Order, OrderLine, OrderStatus
from orders.tests.factories import SkuFactory
from tests.console.factories import OrderFactory

ADDRESS = {
    "receiver": "王小丫",
    "phone": "13912340443",
    "province": "广东省",
    "city": "深圳市",
    "district": "南山区",
    "detail": "科技园路 1 号",
}


def _paid_order() -> Order:
    sku = SkuFactory.create(price=5900, specs={"容量": "250ml"})
    order = OrderFactory.create(
        status=OrderStatus.PAID,
        goods_amount=11800,
        discount_amount=1500,
        payable_amount=10300,
        address=ADDRESS,
        pricing={
            "applied": [{"rule_id": "promotion:1", "rule_type": "full_reduction", "name": "满100减15", "amount": 1500}]
        },
    )
    OrderLine.objects.create(
        order=order,
        sku=sku,
        product=sku.product,
        title="烟酰胺身体乳",
        specs=sku.specs,
        unit_price=5900,
        qty=2,
        item_amount=11800,
        discount_amount=1500,
        paid_amount=10300,
    )
    return order


def _border_visible(locator: Any) -> bool:
    style = locator.evaluate(
        "el => { const s = getComputedStyle(el); return [s.borderTopWidth, s.borderTopColor, s.borderTopStyle]; }"
    )
    width, color, kind = style
    return float(width.rstrip("px")) > 0 and kind != "none" and "rgba(0, 0, 0, 0)" not in color


def test_owner_reads_an_order_and_ships_it_from_the_dialog(page_factory, owner, screenshot_dir):
    order = _paid_order()
    OrderFactory.create(status=OrderStatus.CANCELLED)
    page = page_factory(owner)

    page.goto("/admin/orders/order/")
    expect(page.get_by_test_id("tab-to_ship")).to_contain_text("待发货")
    expect(page.get_by_test_id("tab-to_ship")).to_contain_text("1")
    expect(page.get_by_test_id("tab-cancelled")).to_contain_text("1")
    expect(page.locator("#result_list")).to_contain_text("139****0443")
    page.screenshot(path=str(screenshot_dir / "order-list.png"), full_page=True)

    page.goto(f"/admin/orders/order/{order.pk}/change/")
    breakdown = page.get_by_test_id("price-breakdown")
    expect(breakdown).to_contain_text("满100减15")
    expect(breakdown).to_contain_text("-¥15.00")
    expect(breakdown).to_contain_text("¥103.00")
    body = page.locator("#content").inner_text()
    assert "11800" not in body and "10300" not in body and "\\u" not in body
    assert "容量：250ml" in body and "广东省 深圳市 南山区 科技园路 1 号" in body
    page.screenshot(path=str(screenshot_dir / "order-detail.png"), full_page=True)

    page.locator(f'a[href$="/orders/order/{order.pk}/ship/"]').first.click()
    tracking = page.locator("#dialog input[name=tracking_no]")
    expect(tracking).to_be_visible()
    assert _border_visible(tracking) and _border_visible(page.locator("#dialog select[name=carrier]"))
    page.select_option("#dialog select[name=carrier]", "yto")
    tracking.fill("SF1234567890")
    page.screenshot(path=str(screenshot_dir / "order-ship-dialog.png"))
    page.locator("#dialog button[type=submit]").click()
    expect(page.locator("#dialog")).to_contain_text("这不像圆通速递的运单号")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID

    page.locator("#dialog input[name=tracking_no]").fill("YT1234567890123")
    page.locator("#dialog button[type=submit]").click()
    page.wait_for_url(f"**/orders/order/{order.pk}/change/")
    expect(page.locator("body")).to_contain_text("已发货")
    shipped = Order.objects.get(pk=order.pk)
    assert (shipped.status, shipped.carrier, shipped.tracking_no) == (
        OrderStatus.SHIPPED,
        "圆通速递",
        "YT1234567890123",
    )


def test_customer_service_reveals_a_phone_and_it_is_audited(page_factory, owner, screenshot_dir):
    order = _paid_order()
    service = staff_create(username="kefu1", password="staff-pass-123", role="customer_service", actor=owner)
    page = page_factory(service)

    page.goto(f"/admin/orders/order/{order.pk}/change/")
    expect(page.get_by_test_id("receiver-phone")).to_have_text("139****0443")
    page.get_by_test_id("reveal-phone").click()
    expect(page.get_by_test_id("receiver-phone")).to_have_text("13912340443")
    expect(page.get_by_test_id("reveal-phone")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "order-phone-revealed.png"))
    assert AuditLog.objects.filter(action="order.phone_reveal", actor=service, target_id=str(order.pk)).count() == 1
