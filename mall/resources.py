"""Import and export of products with their SKUs (P06), as xlsx or csv, through the console.

One spreadsheet row is one product; its SKUs sit in one cell, one SKU per line::

    编码 | 规格名=规格值; 规格名=规格值 | 价格(元) | 库存 [| 成本价(元)]
    TEE-RED-M | 颜色=红; 尺码=M | 59.00 | 120 | 23.50

The cost price (issue 15, margin) is optional: a line without it leaves the SKU's cost alone,
an empty fifth part clears it.

Prices are yuan strings converted by ``mall.money``; the stock column sets the level (a
stock-take). A row with a 商品ID updates that product (SKUs missing from the cell are
disabled, never deleted: orders point at them); a row without one creates a product. Rows are
saved through the catalogue services, so imports follow the console's rules, keep
``min_price`` right and are audited under the importing staff user. Every problem is reported
against its row number and column, and nothing is written while any row is wrong (the console
lists the errors and offers no confirm button until the file is corrected).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field

from mall.errors import ApplicationError, ValidationFailed
from mall.models import Category, Product, Sku
from mall.money import MoneyFormatError, format_yuan, parse_yuan
from mall.services.catalogue import (
    SkuInput,
    names_from_text,
    product_create,
    product_tag_ids_for_names,
    product_update,
    specs_from_text,
    specs_to_text,
)

TRUE_WORDS = {"是", "1", "true", "yes", "y", "on", "上架"}
FALSE_WORDS = {"否", "0", "false", "no", "n", "off", "下架", ""}


@dataclass
class ProductRow:
    """A row parsed and checked for form; the services check the business rules when saving."""

    title: str
    subtitle: str
    category_id: int
    tag_names: list[str]
    spec_names: list[str]
    skus: list[SkuInput]
    is_on_shelf: bool
    is_consumable: bool
    replenish_cycle_days: int | None
    description: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("请填写“是”或“否”。"))


def _positive_int_or_none(value: Any) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(_("请填写正整数。"))
    return int(text)


def sku_line(sku: Sku) -> str:
    """``编码 | 规格 | 价格 | 库存``, plus ``| 成本价`` when the SKU has one (issue 15)."""
    line = f"{sku.code} | {specs_to_text(sku.specs)} | {format_yuan(sku.price)} | {sku.stock}"
    return line if sku.cost_price is None else f"{line} | {format_yuan(sku.cost_price)}"


def parse_sku_cell(cell: Any) -> list[SkuInput]:
    """The SKU cell → inputs; raises ``ValueError`` naming the SKU line at fault."""
    skus = []
    lines = [line.strip() for line in _text(cell).replace("\r\n", "\n").split("\n") if line.strip()]
    for number, line in enumerate(lines, 1):
        parts = [part.strip() for part in line.split("|")]
        if len(parts) not in (4, 5):
            raise ValueError(
                _("第 %(n)d 个 SKU 应写成“编码 | 规格 | 价格(元) | 库存”，可再加“| 成本价(元)”：%(line)s")
                % {"n": number, "line": line}
            )
        code, specs_text, price_text, stock_text = parts[:4]
        cost_price, keep_cost = None, True
        if len(parts) == 5:
            try:
                cost_price, keep_cost = (parse_yuan(parts[4]) if parts[4] else None), False
            except MoneyFormatError as exc:
                raise ValueError(
                    _("第 %(n)d 个 SKU：成本价应写成元，最多两位小数，如 23.50：%(price)s")
                    % {"n": number, "price": parts[4]}
                ) from exc
        try:
            specs = specs_from_text(specs_text)
            price = parse_yuan(price_text)
        except ValidationFailed as exc:
            raise ValueError(_("第 %(n)d 个 SKU：%(error)s") % {"n": number, "error": exc.message}) from exc
        except MoneyFormatError as exc:
            raise ValueError(
                _("第 %(n)d 个 SKU：价格应写成元，最多两位小数，如 59.90：%(price)s")
                % {"n": number, "price": price_text}
            ) from exc
        if not stock_text.isdigit():
            raise ValueError(
                _("第 %(n)d 个 SKU：库存应为不小于 0 的整数：%(stock)s") % {"n": number, "stock": stock_text}
            )
        skus.append(
            SkuInput(
                code=code,
                specs=specs,
                price=price,
                stock=int(stock_text),
                cost_price=cost_price,
                keep_cost_price=keep_cost,
            )
        )
    return skus


class ProductResource(resources.ModelResource):
    """A product row and its SKUs; see the module docstring for the columns."""

    id = Field(attribute="id", column_name="商品ID")
    title = Field(attribute="title", column_name="标题")
    subtitle = Field(attribute="subtitle", column_name="副标题")
    category = Field(column_name="分类")
    tags = Field(column_name="标签")
    spec_names = Field(column_name="规格名")
    skus = Field(column_name="SKU")
    is_on_shelf = Field(column_name="上架")
    is_consumable = Field(column_name="消耗品")
    replenish_cycle_days = Field(column_name="复购周期(天)")
    description = Field(attribute="description", column_name="详情")

    class Meta:
        model = Product
        fields = (
            "id",
            "title",
            "subtitle",
            "category",
            "tags",
            "spec_names",
            "skus",
            "is_on_shelf",
            "is_consumable",
            "replenish_cycle_days",
            "description",
        )
        export_order = fields
        import_id_fields = ("id",)
        skip_diff = True
        clean_model_instances = False
        use_transactions = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._paths: dict[int, str] | None = None

    # --- category paths ("美妆/面膜") -------------------------------------------------

    def _category_paths(self) -> dict[int, str]:
        if self._paths is None:
            rows = {c.id: (c.name, c.parent_id) for c in Category.objects.only("id", "name", "parent_id")}
            paths: dict[int, str] = {}
            for cid in rows:
                names: list[str] = []
                seen: set[int] = set()
                current: int | None = cid
                while current is not None and current in rows and current not in seen:
                    seen.add(current)
                    names.append(rows[current][0])
                    current = rows[current][1]
                paths[cid] = "/".join(reversed(names))
            self._paths = paths
        return self._paths

    def _category_id(self, text: str) -> int:
        wanted = "/".join(part.strip() for part in text.replace("／", "/").split("/") if part.strip())
        if not wanted:
            raise ValueError(_("请填写分类，如“美妆/面膜”。"))
        paths = self._category_paths()
        exact = [cid for cid, path in paths.items() if path == wanted]
        if exact:
            return exact[0]
        leaves = [cid for cid, path in paths.items() if path.rsplit("/", 1)[-1] == wanted]
        if len(leaves) == 1:
            return leaves[0]
        if len(leaves) > 1:
            raise ValueError(_("有多个分类叫“%(name)s”，请写完整路径，如“美妆/面膜”。") % {"name": wanted})
        raise ValueError(_("分类不存在：%(name)s") % {"name": wanted})

    # --- export ---------------------------------------------------------------------

    def get_queryset(self) -> QuerySet[Product]:
        return Product.objects.order_by("id")

    def filter_export(self, queryset: QuerySet[Product], **kwargs: Any) -> QuerySet[Product]:
        """Whatever the queryset (the console's filtered list or all), SKUs and tags come in 2 queries."""
        return queryset.prefetch_related(
            "tags", Prefetch("skus", queryset=Sku.objects.filter(is_active=True).order_by("id"))
        )

    def dehydrate_category(self, product: Product) -> str:
        return self._category_paths().get(product.category_id, "")

    def dehydrate_tags(self, product: Product) -> str:
        return ", ".join(tag.name for tag in product.tags.all())

    def dehydrate_spec_names(self, product: Product) -> str:
        return ", ".join(str(name) for name in product.spec_names or [])

    def dehydrate_skus(self, product: Product) -> str:
        return "\n".join(sku_line(sku) for sku in product.skus.all() if sku.is_active)

    def dehydrate_is_on_shelf(self, product: Product) -> str:
        return "是" if product.is_on_shelf else "否"

    def dehydrate_is_consumable(self, product: Product) -> str:
        return "是" if product.is_consumable else "否"

    def dehydrate_replenish_cycle_days(self, product: Product) -> str:
        return str(product.replenish_cycle_days or "")

    # --- import ---------------------------------------------------------------------

    def _cell(self, row: dict[str, Any], name: str) -> Any:
        return row.get(self.fields[name].column_name)

    def get_instance(self, instance_loader: Any, row: dict[str, Any]) -> Product | None:
        """The product named by 商品ID; an empty cell means a new product."""
        text = _text(self._cell(row, "id"))
        if not text:
            return None
        if not text.isdigit():
            raise ValidationError({"id": ValidationError(_("商品ID应为数字。"), code="invalid")})
        return Product.objects.filter(pk=int(text)).first()

    def import_instance(self, instance: Product, row: dict[str, Any], **kwargs: Any) -> None:
        """Parses the row's cells; form errors are collected per column and raised together."""
        errors: dict[str, Any] = {}

        def read(name: str, parse: Any) -> Any:
            try:
                return parse(self._cell(row, name))
            except ValueError as exc:
                errors[name] = ValidationError(str(exc), code="invalid")
                return None

        if instance.pk is None and _text(self._cell(row, "id")):
            errors["id"] = ValidationError(_("商品ID不存在；新商品请留空。"), code="invalid")
        title = _text(self._cell(row, "title"))
        if not title:
            errors["title"] = ValidationError(_("请填写商品标题。"), code="required")
        category_id = read("category", lambda v: self._category_id(_text(v)))
        skus = read("skus", parse_sku_cell)
        is_on_shelf = read("is_on_shelf", lambda v: _bool(v if _text(v) else "是"))
        is_consumable = read("is_consumable", _bool)
        cycle = read("replenish_cycle_days", _positive_int_or_none)
        if errors:
            raise ValidationError(errors)
        instance._import_row = ProductRow(  # type: ignore[attr-defined]
            title=title,
            subtitle=_text(self._cell(row, "subtitle")),
            category_id=category_id,
            tag_names=names_from_text(_text(self._cell(row, "tags"))),
            spec_names=names_from_text(_text(self._cell(row, "spec_names"))),
            skus=skus,
            is_on_shelf=is_on_shelf,
            is_consumable=is_consumable,
            replenish_cycle_days=cycle,
            description=_text(self._cell(row, "description")),
        )

    def save_instance(self, instance: Product, is_create: bool, row: dict[str, Any], **kwargs: Any) -> None:
        """Saves through the catalogue services; their refusals become this row's errors."""
        if not kwargs.get("using_transactions") and kwargs.get("dry_run"):
            return
        data: ProductRow = instance._import_row  # type: ignore[attr-defined]
        actor = kwargs.get("user")
        try:
            tag_ids = product_tag_ids_for_names(actor=actor, names=data.tag_names)
            fields: dict[str, Any] = {
                "category_id": data.category_id,
                "title": data.title,
                "subtitle": data.subtitle,
                "description": data.description,
                "spec_names": data.spec_names,
                "is_on_shelf": data.is_on_shelf,
                "is_consumable": data.is_consumable,
                "replenish_cycle_days": data.replenish_cycle_days,
            }
            if is_create:
                product = product_create(actor=actor, skus=data.skus, tag_ids=tag_ids, **fields)
            else:
                product = product_update(
                    actor=actor, product_id=instance.pk, fields=fields, tag_ids=tag_ids, skus=data.skus
                )
        except ApplicationError as exc:
            column = str(exc.details.get("field", ""))
            key = column if column in self.fields else NON_FIELD_ERRORS
            raise ValidationError({key: [str(exc.message)]}) from exc
        instance.pk = product.pk
        instance.title = product.title

    def save_m2m(self, instance: Product, row: dict[str, Any], **kwargs: Any) -> None:
        """Tags are set by the services together with the product."""
