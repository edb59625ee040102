"""Product import/export (P06): round trips through xlsx and csv, per-row errors, audit."""

from __future__ import annotations

from typing import Any

import pytest
import tablib
from django.contrib.auth.models import User
from import_export.formats import base_formats

from mall.models import AuditLog, Category, Product, Sku
from mall.resources import ProductResource, parse_sku_cell
from mall.services.catalogue import SkuInput, product_create
from mall.tests.factories import CategoryFactory, ProductTagFactory

pytestmark = pytest.mark.django_db

HEADERS = ["商品ID", "标题", "副标题", "分类", "标签", "规格名", "SKU", "上架", "消耗品", "复购周期(天)", "详情"]


@pytest.fixture
def tee(actor: User) -> Product:
    women = CategoryFactory.create(name="女装", parent=CategoryFactory.create(name="服饰"))
    tag = ProductTagFactory.create(name="利润品")
    return product_create(
        actor=actor,
        category_id=women.pk,
        title="纯棉T恤",
        subtitle="不易变形",
        spec_names=["颜色", "尺码"],
        tag_ids=[tag.pk],
        skus=[
            SkuInput(code="TEE-W-M", specs={"颜色": "白", "尺码": "M"}, price=6900, stock=12),
            SkuInput(code="TEE-B-M", specs={"颜色": "黑", "尺码": "M"}, price=7900, stock=3),
        ],
    )


def _roundtrip(dataset: tablib.Dataset, fmt: type[base_formats.Format]) -> tablib.Dataset:
    """Writes the dataset in a file format and reads it back as the console's import would."""
    file_format = fmt()
    content = file_format.export_data(dataset)
    if not file_format.is_binary() and isinstance(content, str):
        content = content.encode("utf-8")
    read_back = content if file_format.is_binary() else content.decode("utf-8")
    return file_format.create_dataset(read_back)


def _import(dataset: tablib.Dataset, actor: User, **kwargs: Any) -> Any:
    return ProductResource().import_data(
        dataset, dry_run=False, user=actor, rollback_on_validation_errors=True, **kwargs
    )


def test_export_writes_one_row_per_product_with_its_skus(tee: Product) -> None:
    dataset = ProductResource().export()

    assert dataset.headers == HEADERS
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row["商品ID"] == str(tee.pk)
    assert row["分类"] == "服饰/女装"
    assert row["标签"] == "利润品"
    assert row["规格名"] == "颜色, 尺码"
    assert row["SKU"].splitlines() == [
        "TEE-W-M | 颜色=白; 尺码=M | 69.00 | 12",
        "TEE-B-M | 颜色=黑; 尺码=M | 79.00 | 3",
    ]
    assert (row["上架"], row["消耗品"]) == ("是", "否")


@pytest.mark.parametrize("fmt", [base_formats.XLSX, base_formats.CSV])
def test_export_then_import_updates_products_and_skus(tee: Product, actor: User, fmt: Any) -> None:
    dataset = _roundtrip(ProductResource().export(), fmt)
    row = list(dataset[0])
    row[HEADERS.index("标题")] = "纯棉T恤（新款）"
    row[HEADERS.index("SKU")] = "\n".join(
        [
            "TEE-W-M | 颜色=白; 尺码=M | 59.90 | 20",  # cheaper, restocked
            "TEE-W-L | 颜色=白; 尺码=L | 69.00 | 8",  # new; TEE-B-M left out → disabled
        ]
    )
    dataset[0] = tuple(row)

    result = _import(dataset, actor)

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["update"] == 1
    tee.refresh_from_db()
    assert tee.title == "纯棉T恤（新款）"
    assert tee.min_price == 5990
    skus = {s.code: s for s in Sku.objects.filter(product=tee)}
    assert (skus["TEE-W-M"].price, skus["TEE-W-M"].stock) == (5990, 20)
    assert (skus["TEE-W-L"].stock, skus["TEE-W-L"].is_active) == (8, True)
    assert skus["TEE-B-M"].is_active is False
    assert AuditLog.objects.filter(action="product.update", target_id=str(tee.pk), actor=actor).exists()


@pytest.mark.parametrize("fmt", [base_formats.XLSX, base_formats.CSV])
def test_import_rows_without_id_create_products(tee: Product, actor: User, fmt: Any) -> None:
    exported = ProductResource().export()
    exported.append(
        (
            "",
            "每日坚果",
            "7 袋装",
            "服饰/女装",
            "引流品, 新品",
            "规格",
            "NUT-7 | 规格=7袋 | 39.90 | 100",
            "是",
            "是",
            30,
            "",
        )
    )
    dataset = _roundtrip(exported, fmt)

    result = _import(dataset, actor)

    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    assert (result.totals["new"], result.totals["update"]) == (1, 1)
    nuts = Product.objects.get(title="每日坚果")
    assert (nuts.min_price, nuts.is_consumable, nuts.replenish_cycle_days) == (3990, True, 30)
    assert sorted(nuts.tags.values_list("name", flat=True)) == ["引流品", "新品"]
    assert nuts.skus.get().specs == {"规格": "7袋"}
    assert AuditLog.objects.get(action="product.create", target_id=str(nuts.pk)).actor == actor


def test_a_bad_row_reports_its_number_and_column_and_nothing_is_saved(tee: Product, actor: User) -> None:
    dataset = tablib.Dataset(headers=HEADERS)
    dataset.append(("", "好商品", "", "服饰/女装", "", "", "OK-1 |  | 10.00 | 5", "是", "否", "", ""))
    dataset.append(("", "坏价格", "", "服饰/女装", "", "", "BAD-1 |  | 10.5x | 5", "是", "否", "", ""))
    dataset.append(("", "坏分类", "", "不存在的分类", "", "", "BAD-2 |  | 10.00 | 5", "是", "否", "", ""))

    result = _import(dataset, actor)

    assert result.has_validation_errors()
    errors = {row.number: row.field_specific_errors for row in result.invalid_rows}
    assert set(errors) == {2, 3}
    assert "skus" in errors[2] and "价格" in errors[2]["skus"][0]
    assert "category" in errors[3]
    assert not Product.objects.filter(title="好商品").exists()  # the file is all or nothing


def test_service_refusals_become_row_errors(tee: Product, actor: User) -> None:
    dataset = tablib.Dataset(headers=HEADERS)
    # The SKU code belongs to the T-shirt; spec names and SKU specs disagree in the second row.
    dataset.append(("", "抢编码", "", "女装", "", "", "TEE-W-M |  | 10.00 | 5", "是", "否", "", ""))
    dataset.append(("", "规格不符", "", "女装", "", "颜色", "X-1 | 尺码=M | 10.00 | 5", "是", "否", "", ""))
    dataset.append(("", "消耗品", "", "女装", "", "", "X-2 |  | 10.00 | 5", "是", "是", "", ""))

    result = _import(dataset, actor)

    errors = {row.number: row.field_specific_errors for row in result.invalid_rows}
    assert list(errors[1]) == ["skus"]
    assert list(errors[2]) == ["skus"]
    assert list(errors[3]) == ["replenish_cycle_days"]
    assert Product.objects.count() == 1


def test_unknown_product_id_is_reported(tee: Product, actor: User) -> None:
    dataset = tablib.Dataset(headers=HEADERS)
    dataset.append((tee.pk + 999, "幽灵", "", "女装", "", "", "G-1 |  | 1.00 | 1", "是", "否", "", ""))

    result = _import(dataset, actor)

    assert [row.field_specific_errors.keys() for row in result.invalid_rows] == [{"id": None}.keys()]
    assert Category.objects.filter(name="女装").exists()


def test_sku_cell_errors_name_the_sku_line() -> None:
    with pytest.raises(ValueError, match="第 2 个 SKU"):
        parse_sku_cell("A | 颜色=红 | 1.00 | 1\nB | 颜色=蓝 | 1.00")
    with pytest.raises(ValueError, match="库存"):
        parse_sku_cell("A | 颜色=红 | 1.00 | -1")
    assert parse_sku_cell("A | 颜色=红 | 1 | 0\r\n\r\n")[0] == SkuInput(
        code="A", specs={"颜色": "红"}, price=100, stock=0
    )


@pytest.mark.parametrize("fmt", [base_formats.XLSX, base_formats.CSV])
def test_cost_price_round_trips_and_four_part_lines_leave_it_alone(tee: Product, actor: User, fmt: Any) -> None:
    """Issue 15: the optional fifth part is the cost price (yuan); empty clears it."""
    Sku.objects.filter(code="TEE-W-M").update(cost_price=2350)
    dataset = _roundtrip(ProductResource().export(), fmt)
    row = dict(zip(HEADERS, dataset[0], strict=True))
    assert row["SKU"].splitlines() == [
        "TEE-W-M | 颜色=白; 尺码=M | 69.00 | 12 | 23.50",
        "TEE-B-M | 颜色=黑; 尺码=M | 79.00 | 3",
    ]
    edited = list(dataset[0])
    edited[HEADERS.index("SKU")] = (
        "TEE-W-M | 颜色=白; 尺码=M | 69.00 | 12\nTEE-B-M | 颜色=黑; 尺码=M | 79.00 | 3 | 31.00"
    )
    dataset[0] = tuple(edited)
    assert not _import(dataset, actor).has_errors()
    assert dict(Sku.objects.filter(product=tee).values_list("code", "cost_price")) == {"TEE-W-M": 2350, "TEE-B-M": 3100}
    edited[HEADERS.index("SKU")] = "TEE-W-M | 颜色=白; 尺码=M | 69.00 | 12 | \nTEE-B-M | 颜色=黑; 尺码=M | 79.00 | 3"
    dataset[0] = tuple(edited)
    assert not _import(dataset, actor).has_errors()
    assert dict(Sku.objects.filter(product=tee).values_list("code", "cost_price")) == {"TEE-W-M": None, "TEE-B-M": 3100}


def test_a_bad_cost_price_names_the_sku_line() -> None:
    with pytest.raises(ValueError, match="成本价"):
        parse_sku_cell("A | 颜色=红 | 1.00 | 1 | 1.234")
