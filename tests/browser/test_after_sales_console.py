"""The after-sales queue in a real browser: customer service opens the 待审核 tab, sees the
shopper's photo, and approves a refund-only request through the dialog."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from mall.console.roles import ROLE_SERVICE
from mall.services.staff import staff_create
from orders.models import AfterSale, AfterSaleStatus, Refund
from orders.services.after_sales import after_sale_photo_upload, after_sale_request
from orders.tests.payments.conftest import (  # noqa: F401 - fixtures requested by name below
    order_with_lines,
    pay_sandbox,
    shopper,
    sku_factory,
)


def test_customer_service_approves_a_request_from_the_queue(
    page_factory: Any,
    order_with_lines: Any,  # noqa: F811
    pay_sandbox: Any,  # noqa: F811
    shopper: Any,  # noqa: F811
    screenshot_dir: Path,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    order = pay_sandbox(order_with_lines(lines=[(2, 5980)]))
    data = io.BytesIO()
    Image.new("RGB", (120, 120), (250, 65, 38)).save(data, "JPEG")
    photo = after_sale_photo_upload(member=shopper, upload=SimpleUploadedFile("a.jpg", data.getvalue()))
    after_sale = after_sale_request(
        member=shopper,
        order_id=order.pk,
        line_id=order.lines.get().pk,
        qty=1,
        kind="refund_only",
        reason="not_wanted",
        description="颜色不喜欢",
        photo_ids=[photo.pk],
    )
    kefu = staff_create(username="kefu", password="kefu-pass-2026", role=ROLE_SERVICE, actor=None)

    page = page_factory(kefu)
    page.goto("/admin/orders/aftersale/")
    tabs = page.get_by_test_id("after-sale-tabs")
    expect(tabs).to_contain_text("待审核")
    tabs.get_by_role("link", name="待审核").click()
    expect(page.get_by_role("link", name=after_sale.no)).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "console-after-sales-queue.png"), full_page=True)

    page.get_by_role("link", name=after_sale.no).click()
    expect(page.get_by_test_id("after-sale-photo")).to_have_count(1)
    expect(page.locator("body")).to_contain_text("29.90")
    page.screenshot(path=str(screenshot_dir / "console-after-sale-detail.png"), full_page=True)
    page.get_by_role("link", name="同意").first.click()
    with page.expect_navigation():
        page.get_by_role("button", name="确认同意").click()
    expect(page.locator("body")).to_contain_text("已退款")
    assert AfterSale.objects.get(pk=after_sale.pk).status == AfterSaleStatus.REFUNDED
    assert Refund.objects.get().amount == 2990
