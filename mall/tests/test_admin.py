"""The catalogue console pages render, and saving through them goes through the services (audited)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from mall.models import AuditLog, Category, Product, Sku
from mall.resources import ProductResource
from mall.services.catalogue import SkuInput, product_create
from mall.tests.factories import CategoryFactory, ProductTagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(actor: User) -> Client:
    client = Client()
    client.force_login(actor)
    return client


@pytest.fixture
def product(actor: User, category: Category) -> Product:
    return product_create(
        actor=actor,
        category_id=category.pk,
        title="补水面膜",
        spec_names=["规格"],
        skus=[SkuInput(code="MASK-10", specs={"规格": "10片"}, price=5900, stock=10)],
    )


def _formset(prefix: str, forms: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(forms)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, form in enumerate(forms):
        data.update({f"{prefix}-{n}-{key}": value for key, value in form.items()})
    return data


def _product_post(category: Category, skus: list[dict[str, Any]], initial: int = 0, **fields: Any) -> dict[str, Any]:
    data = {
        "category": str(category.pk),
        "title": "纯棉T恤",
        "subtitle": "不易变形",
        "description": "",
        "spec_names": "颜色",
        "is_on_shelf": "on",
        "replenish_cycle_days": "",
        **fields,
    }
    data.update(_formset("skus", skus, initial))
    data.update(_formset("images", []))
    return data


@pytest.mark.parametrize(
    "url",
    [
        "/admin/mall/product/",
        "/admin/mall/product/add/",
        "/admin/mall/product/import/",
        "/admin/mall/product/export/",
        "/admin/mall/category/",
        "/admin/mall/category/add/",
        "/admin/mall/producttag/",
        "/admin/mall/producttag/add/",
        "/admin/mall/shopsettings/",
        "/admin/mall/auditlog/",
    ],
)
def test_console_pages_render_for_a_superuser(console: Client, product: Product, url: str) -> None:
    response = console.get(url)
    assert response.status_code == 200, url


def test_change_pages_render(console: Client, product: Product) -> None:
    audit = AuditLog.objects.first()
    assert audit is not None
    for url in (
        f"/admin/mall/product/{product.pk}/change/",
        f"/admin/mall/category/{product.category_id}/change/",
        f"/admin/mall/auditlog/{audit.pk}/change/",
    ):
        response = console.get(url)
        assert response.status_code == 200, url
    body = console.get(f"/admin/mall/product/{product.pk}/change/").content.decode()
    assert "MASK-10" in body and "59.00" in body and "规格=10片" in body


def test_adding_a_product_in_the_console_goes_through_the_service(
    console: Client, actor: User, category: Category
) -> None:
    tag = ProductTagFactory.create(name="新品")
    data = _product_post(
        category,
        [
            {"code": "TEE-R", "specs": "颜色=红", "price": "59.90", "stock": "10", "is_active": "on"},
            {"code": "TEE-B", "specs": "颜色=蓝", "price": "69.00", "stock": "5", "is_active": "on"},
        ],
        tags=[str(tag.pk)],
    )

    response = console.post("/admin/mall/product/add/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    product = Product.objects.get(title="纯棉T恤")
    assert product.min_price == 5990
    assert product.spec_names == ["颜色"]
    assert list(product.tags.all()) == [tag]
    assert dict(product.skus.values_list("code", "stock")) == {"TEE-R": 10, "TEE-B": 5}
    assert AuditLog.objects.get(action="product.create", target_id=str(product.pk)).actor == actor


def test_console_shows_sku_rule_errors_beside_the_form(console: Client, category: Category) -> None:
    data = _product_post(category, [{"code": "X", "specs": "尺码=M", "price": "1.00", "stock": "1", "is_active": "on"}])

    response = console.post("/admin/mall/product/add/", data)

    assert response.status_code == 200
    assert "SKU X 的规格必须正好填写" in response.content.decode()
    assert not Product.objects.exists()


def test_console_refuses_a_bad_price(console: Client, category: Category) -> None:
    data = _product_post(
        category, [{"code": "X", "specs": "颜色=红", "price": "1.234", "stock": "1", "is_active": "on"}]
    )

    response = console.post("/admin/mall/product/add/", data)

    assert response.status_code == 200
    assert "价格应写成元" in response.content.decode()
    assert not Product.objects.exists()


def test_console_refuses_negative_stock_next_to_the_field(console: Client, category: Category) -> None:
    data = _product_post(
        category, [{"code": "X", "specs": "颜色=红", "price": "1.00", "stock": "-3", "is_active": "on"}]
    )

    response = console.post("/admin/mall/product/add/", data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "库存不能小于 0。" in html
    assert "sku_stock_not_negative" not in html and "约束" not in html
    # beside the stock input, not in a banner at the top of the form
    inline = response.context["inline_admin_formsets"][0].formset
    assert inline.forms[0].errors == {"stock": ["库存不能小于 0。"]}
    assert not Product.objects.exists()


def test_console_stock_edit_moves_by_the_difference_seen(
    console: Client, actor: User, product: Product, category: Category
) -> None:
    sku = product.skus.get()
    Sku.objects.filter(pk=sku.pk).update(stock=8)  # two sold while the page was open (it showed 10)
    data = _product_post(
        category,
        [
            {
                "id": str(sku.pk),
                "product": str(product.pk),
                "code": "MASK-10",
                "specs": "规格=10片",
                "price": "49.00",
                "stock": "15",
                "stock_seen": "10",
                "is_active": "on",
            }
        ],
        initial=1,
        title="补水面膜",
        spec_names="规格",
    )

    response = console.post(f"/admin/mall/product/{product.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    sku.refresh_from_db()
    product.refresh_from_db()
    assert sku.stock == 13  # +5 on what is there now, not overwritten to 15
    assert (sku.price, product.min_price) == (4900, 4900)
    stock_row = AuditLog.objects.get(action="sku.stock_adjust")
    assert (stock_row.actor, stock_row.data["delta"]) == (actor, 5)
    assert AuditLog.objects.filter(action="product.update", actor=actor).exists()


def test_shelf_actions_call_the_services(console: Client, actor: User, product: Product) -> None:
    response = console.post(
        "/admin/mall/product/", {"action": "shelf_off", "_selected_action": [str(product.pk)]}, follow=True
    )

    assert response.status_code == 200
    product.refresh_from_db()
    assert product.is_on_shelf is False
    assert AuditLog.objects.get(action="product.shelf_off").actor == actor


def test_products_cannot_be_deleted_from_the_console(console: Client, product: Product) -> None:
    assert console.get(f"/admin/mall/product/{product.pk}/delete/").status_code == 403


def test_category_saves_go_through_services_and_cycles_show_as_a_message(console: Client, actor: User) -> None:
    response = console.post("/admin/mall/category/add/", {"name": "零食", "sort_order": "1", "is_active": "on"})
    assert response.status_code == 302
    snacks = Category.objects.get(name="零食")
    assert AuditLog.objects.get(action="category.create", target_id=str(snacks.pk)).actor == actor
    nuts = CategoryFactory.create(name="坚果", parent=snacks)

    response = console.post(
        f"/admin/mall/category/{snacks.pk}/change/",
        {"name": "零食", "parent": str(nuts.pk), "sort_order": "1", "is_active": "on"},
        follow=True,
    )

    assert response.status_code == 200
    assert "不能把分类移动到它自己或它的下级分类之下" in response.content.decode()
    snacks.refresh_from_db()
    assert snacks.parent_id is None


def test_shop_settings_are_saved_through_the_service(console: Client, actor: User) -> None:
    from mall.models import ShopSettings

    settings_row = ShopSettings.load()
    response = console.post(
        f"/admin/mall/shopsettings/{settings_row.pk}/change/",
        {
            "name": "多营旗舰店",
            "shipping_flat_fee": "6.00",  # typed in yuan, stored in fen
            "free_shipping_threshold": "99",
            "auto_complete_days": "7",
        },
    )

    assert response.status_code == 302
    settings_row.refresh_from_db()
    assert (settings_row.name, settings_row.shipping_flat_fee) == ("多营旗舰店", 600)
    row = AuditLog.objects.get(action="shop_settings.update")
    assert row.actor == actor
    assert row.data["shipping_flat_fee"] == {"from": 800, "to": 600}
    page = console.get(f"/admin/mall/shopsettings/{settings_row.pk}/change/").content.decode()
    assert 'value="6.00"' in page and 'value="99.00"' in page and "(分)" not in page


def test_import_through_the_console_previews_then_saves(console: Client, actor: User, product: Product) -> None:
    dataset = ProductResource().export()
    row = list(dataset[0])
    row[1] = "补水面膜（升级版）"
    dataset[0] = tuple(row)
    upload = SimpleUploadedFile("products.csv", dataset.export("csv").encode("utf-8"), content_type="text/csv")

    preview = console.post("/admin/mall/product/import/", {"import_file": upload, "format": "1"})

    assert preview.status_code == 200
    body = preview.content.decode()
    assert "import_file_name" in body, body[:3000]
    product.refresh_from_db()
    assert product.title == "补水面膜"  # the preview is a dry run
    confirm = preview.context["confirm_form"]
    done = console.post("/admin/mall/product/process_import/", confirm.initial, follow=True)

    assert done.status_code == 200
    product.refresh_from_db()
    assert product.title == "补水面膜（升级版）"
    assert AuditLog.objects.filter(action="product.update", target_id=str(product.pk), actor=actor).exists()


def test_audit_log_is_read_only(console: Client, product: Product) -> None:
    assert console.get("/admin/mall/auditlog/add/").status_code == 403
    row = AuditLog.objects.first()
    assert row is not None
    response = console.post(f"/admin/mall/auditlog/{row.pk}/change/", {"action": "forged"})
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.action == "product.create"


def test_import_needs_the_rights_to_add_and_change_products(product: Product) -> None:
    from django.contrib.auth.models import Permission

    from mall.tests.factories import StaffUserFactory

    viewer = StaffUserFactory.create(username="viewer", is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_product"))
    client = Client()
    client.force_login(viewer)

    assert client.get("/admin/mall/product/export/").status_code == 200
    assert client.get("/admin/mall/product/import/").status_code == 403


def test_the_product_form_has_free_shipping_and_the_list_shows_it(console: Client, category: Category) -> None:
    """Issue 10 §4: 包邮 per product, ticked on the product form, a column and a filter in the list."""
    form = console.get("/admin/mall/product/add/")
    assert "free_shipping" in form.context["adminform"].form.fields
    assert "包邮" in form.content.decode()
    data = _product_post(
        category,
        [{"code": "TEE-R", "specs": "颜色=红", "price": "19.90", "stock": "10", "is_active": "on"}],
        free_shipping="on",
    )
    assert console.post("/admin/mall/product/add/", data).status_code == 302
    product = Product.objects.get(title="纯棉T恤")
    assert product.free_shipping is True
    listing = console.get("/admin/mall/product/")
    # the list flags 包邮 products and shows nothing on the others (no red ✗)
    assert "shipping_flag" in listing.context["cl"].list_display
    assert "包邮" in listing.content.decode()
    assert console.get("/admin/mall/product/?free_shipping__exact=1").context["cl"].result_count == 1
    # Unticked on the change form: the service records the change.
    edit = _product_post(
        category,
        [
            {
                "code": "TEE-R",
                "specs": "颜色=红",
                "price": "19.90",
                "stock": "10",
                "stock_seen": "10",
                "is_active": "on",
                "id": str(product.skus.get().pk),
                "product": str(product.pk),
            }
        ],
        initial=1,
    )
    assert console.post(f"/admin/mall/product/{product.pk}/change/", edit).status_code == 302
    assert Product.objects.get(pk=product.pk).free_shipping is False
    assert "free_shipping" in AuditLog.objects.filter(action="product.update").latest("pk").data["fields"]


def test_the_sku_form_edits_the_cost_price_in_yuan(console: Client, category: Category) -> None:
    """Issue 15: the cost price is typed in yuan, stored in fen, optional, and refused when malformed."""
    data = _product_post(
        category,
        [
            {
                "code": "TEE-R",
                "specs": "颜色=红",
                "price": "59.90",
                "cost_price": "23.50",
                "stock": "10",
                "is_active": "on",
            },
            {"code": "TEE-B", "specs": "颜色=蓝", "price": "69.00", "cost_price": "", "stock": "5", "is_active": "on"},
        ],
    )
    response = console.post("/admin/mall/product/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert dict(Sku.objects.values_list("code", "cost_price")) == {"TEE-R": 2350, "TEE-B": None}
    product = Product.objects.get(title="纯棉T恤")
    page = console.get(f"/admin/mall/product/{product.pk}/change/").content.decode()
    assert 'value="23.50"' in page
    bad = _product_post(
        category,
        [{"code": "TEE-X", "specs": "颜色=绿", "price": "59.90", "cost_price": "abc", "stock": "1", "is_active": "on"}],
        title="另一件",
    )
    with translation.override("zh-hans"):
        refused = console.post("/admin/mall/product/add/", bad)
    assert refused.status_code == 200 and "成本价应写成元" in refused.content.decode()
