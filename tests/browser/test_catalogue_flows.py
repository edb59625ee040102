"""Catalogue work in a real browser: create a product with an SKU, edit it, import products from a file.

Written against the standard admin URLs (/admin/mall/product/add/, …/import/); the product
pages save through the catalogue services, so what the merchant sees is what the services wrote.
"""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

from mall.models import AuditLog, Category, Product
from mall.services.staff import staff_create


def test_operator_creates_a_product_with_an_sku_then_edits_its_title(page_factory, owner):
    category = Category.objects.create(name="美妆")
    operator = staff_create(username="xiaoyun", password="op-pass-1234", role="operator", actor=owner)
    page = page_factory(operator)

    page.goto("/admin/mall/product/add/")
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_title", "氨基酸洁面乳")
    page.fill("#id_subtitle", "温和不紧绷")
    page.fill("#id_spec_names", "规格")
    page.fill("#id_skus-0-code", "CLEAN-100")
    page.fill("#id_skus-0-specs", "规格=100ml")
    page.fill("#id_skus-0-price", "59.90")
    page.fill("#id_skus-0-stock", "120")
    with page.expect_navigation():
        page.locator("button[form=product_form][name=_save]").click()

    expect(page).to_have_url(re.compile(r"/admin/mall/product/$"))
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("氨基酸洁面乳")
    expect(rows.first).to_contain_text("59.90")
    product = Product.objects.get(title="氨基酸洁面乳")
    sku = product.skus.get()
    assert (sku.code, sku.specs, sku.price, sku.stock) == ("CLEAN-100", {"规格": "100ml"}, 5990, 120)
    assert product.min_price == 5990

    rows.first.get_by_role("link", name="氨基酸洁面乳").click()
    page.wait_for_url(f"**/admin/mall/product/{product.pk}/change/")
    page.fill("#id_title", "氨基酸洁面乳（新版）")
    with page.expect_navigation():
        page.locator("button[form=product_form][name=_save]").click()

    expect(page.locator("#result_list tbody tr").first).to_contain_text("氨基酸洁面乳（新版）")
    product.refresh_from_db()
    assert product.title == "氨基酸洁面乳（新版）"
    assert AuditLog.objects.filter(actor=operator, target_type="mall.product", target_id=str(product.pk)).count() >= 2


def _products_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["商品ID", "标题", "副标题", "分类", "标签", "规格名", "SKU", "上架", "消耗品", "复购周期(天)", "详情"]
    )
    writer.writerow(
        [
            "",
            "保湿面膜",
            "补水",
            "美妆/面膜",
            "",
            "规格",
            "MASK-5 | 规格=5片 | 49.00 | 80",
            "是",
            "是",
            "30",
            "每周两次",
        ]
    )
    writer.writerow(
        [
            "",
            "棉质T恤",
            "",
            "服饰",
            "",
            "颜色, 尺码",
            "TEE-R-M | 颜色=红; 尺码=M | 59.00 | 10\nTEE-B-L | 颜色=蓝; 尺码=L | 69.00 | 5",
            "是",
            "否",
            "",
            "",
        ]
    )
    return out.getvalue().encode("utf-8")


def test_operator_imports_products_from_a_csv_file(page_factory, owner, tmp_path, screenshot_dir):
    beauty = Category.objects.create(name="美妆")
    Category.objects.create(name="面膜", parent=beauty)
    Category.objects.create(name="服饰")
    operator = staff_create(username="xiaoyun", password="op-pass-1234", role="operator", actor=owner)
    upload = tmp_path / "products.csv"
    upload.write_bytes(_products_csv())
    page = page_factory(operator)

    page.goto("/admin/mall/product/")
    page.locator("a[href='/admin/mall/product/import/']").click()
    page.wait_for_url("**/admin/mall/product/import/")
    page.set_input_files("#id_import_file", str(upload))
    page.select_option("#id_format", label="csv")
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()

    page.screenshot(path=str(screenshot_dir / "product-import-preview.png"), full_page=True)
    # the preview marks both rows as new and offers the confirm button; nothing is written yet
    expect(page.get_by_text("新增", exact=True)).to_have_count(2)
    assert Product.objects.count() == 0
    with page.expect_navigation():
        page.get_by_role("button", name="确认导入").click()

    expect(page.locator("#result_list")).to_contain_text("棉质T恤")
    mask = Product.objects.get(title="保湿面膜")
    assert (mask.category.name, mask.is_consumable, mask.replenish_cycle_days, mask.min_price) == (
        "面膜",
        True,
        30,
        4900,
    )
    tee = Product.objects.get(title="棉质T恤")
    assert sorted(tee.skus.values_list("code", "price", "stock")) == [("TEE-B-L", 6900, 5), ("TEE-R-M", 5900, 10)]
    assert AuditLog.objects.filter(actor=operator, target_type="mall.product").count() >= 2
