"""The catalogue (P01): a category tree, products with SKUs, images, stock and tags."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField


class Category(models.Model):
    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    icon = models.ImageField(_("图标"), upload_to="categories/", blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("商品分类")
        verbose_name_plural = _("商品分类")
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_per_parent")]

    def __str__(self) -> str:
        return self.name


class ProductTag(models.Model):
    """Merchant-facing labels such as 引流品 (traffic driver) and 利润品 (profit maker)."""

    name = models.CharField(_("名称"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("商品标签")
        verbose_name_plural = _("商品标签")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    category = models.ForeignKey(Category, verbose_name=_("分类"), on_delete=models.PROTECT, related_name="products")
    title = models.CharField(_("标题"), max_length=120)
    subtitle = models.CharField(_("副标题"), max_length=200, blank=True)
    description = models.TextField(_("详情"), blank=True)
    main_image = models.ImageField(_("主图"), upload_to="products/", blank=True)
    spec_names = models.JSONField(_("规格名"), default=list, blank=True, help_text=_('如 ["颜色", "尺码"]'))
    tags = models.ManyToManyField(ProductTag, verbose_name=_("标签"), blank=True, related_name="products")
    is_on_shelf = models.BooleanField(_("上架"), default=True, db_index=True)
    is_consumable = models.BooleanField(_("消耗品"), default=False)
    free_shipping = models.BooleanField(_("包邮"), default=False, help_text=_("勾选后该商品不收运费"))
    replenish_cycle_days = models.PositiveIntegerField(_("复购周期(天)"), null=True, blank=True)
    # Price range and sales are denormalised for list sorting; kept in step by catalogue services.
    min_price = models.PositiveIntegerField(_("最低价(分)"), default=0, db_index=True)
    sales_count = models.PositiveIntegerField(_("销量"), default=0, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("商品")
        verbose_name_plural = _("商品")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_consumable=False) | Q(replenish_cycle_days__gt=0),
                name="product_consumable_has_cycle",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("图片"), upload_to="products/")
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("商品图片")
        verbose_name_plural = _("商品图片")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.product_id}#{self.sort_order}"


class Sku(models.Model):
    """One sellable variant. ``price`` is integer fen; ``stock`` never goes below zero."""

    product = models.ForeignKey(Product, verbose_name=_("商品"), on_delete=models.CASCADE, related_name="skus")
    code = IdentifierField(_("SKU 编码"), max_length=64, unique=True)
    specs = models.JSONField(_("规格值"), default=dict, blank=True, help_text=_('如 {"颜色": "红", "尺码": "M"}'))
    price = models.PositiveIntegerField(_("售价(分)"))
    # What one unit costs the shop (F38 margin); unknown stays empty and counts as no cost data.
    cost_price = models.PositiveIntegerField(_("成本价(分)"), null=True, blank=True)
    stock = models.IntegerField(_("库存"), default=0)
    sales_count = models.PositiveIntegerField(_("销量"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKU")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(stock__gte=0), name="sku_stock_not_negative")]

    def __str__(self) -> str:
        return self.code
