"""Choosing SKUs and products in the console: by name, spec and price, with type-to-search.

Every console form that picks a SKU uses these fields, so a SKU always reads
``玻尿酸精华 30ml · ¥129.00 · DY001-01`` (never a bare ``DY001-01`` among 158 others), and the
select is a Select2 box the merchant can type into, in the console's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import SELECT2_TRANSLATIONS
from django.db.models import QuerySet
from django.utils.translation import get_language, gettext
from unfold.widgets import UnfoldAdminSelect2MultipleWidget, UnfoldAdminSelect2Widget

from mall.console.display import yuan
from mall.models import Product, Sku


def sku_label(sku: Sku, *, stock: bool = False) -> str:
    """``玻尿酸精华 30ml · ¥129.00 · DY001-01`` (+ ``· 库存 520``); needs ``product`` loaded."""
    specs = " ".join(str(v) for v in (sku.specs or {}).values())
    name = f"{sku.product.title} {specs}".strip()
    label = f"{name} · {yuan(sku.price)} · {sku.code}"
    if stock:
        label += f" · {gettext('库存')} {sku.stock}"
    return label


def sku_choices_queryset(*, on_shelf_only: bool = False) -> QuerySet[Sku]:
    qs = Sku.objects.filter(is_active=True).select_related("product").order_by("product_id", "pk")
    return qs.filter(product__is_on_shelf=True) if on_shelf_only else qs


class _Select2Language:
    """Loads Select2's messages ("未找到结果") for the active language, like Django's autocomplete."""

    def _language_media(self) -> forms.Media:
        extra = "" if settings.DEBUG else ".min"
        i18n = SELECT2_TRANSLATIONS.get(get_language() or "")
        js = [
            f"admin/js/vendor/jquery/jquery{extra}.js",
            "admin/js/vendor/select2/select2.full.js",
            *([f"admin/js/vendor/select2/i18n/{i18n}.js"] if i18n else []),
            "admin/js/jquery.init.js",
            "unfold/js/select2.init.js",
        ]
        css: dict[str, Sequence[str]] = {
            "screen": ("admin/css/vendor/select2/select2.css", "admin/css/autocomplete.css")
        }
        return forms.Media(js=js, css=css)

    def _language_attrs(self, attrs: dict[str, Any]) -> dict[str, Any]:
        i18n = SELECT2_TRANSLATIONS.get(get_language() or "")
        if i18n:
            attrs["lang"] = i18n  # Select2 reads its language from the element's lang
        attrs.setdefault("style", "width: 100%")
        return attrs


class SearchableSelect(_Select2Language, UnfoldAdminSelect2Widget):
    @property
    def media(self) -> forms.Media:
        return self._language_media()

    def build_attrs(self, base_attrs: dict[str, Any], extra_attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._language_attrs(super().build_attrs(base_attrs, extra_attrs))


class SearchableSelectMultiple(_Select2Language, UnfoldAdminSelect2MultipleWidget):
    @property
    def media(self) -> forms.Media:
        return self._language_media()

    def build_attrs(self, base_attrs: dict[str, Any], extra_attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._language_attrs(super().build_attrs(base_attrs, extra_attrs))


class SkuChoiceField(forms.ModelChoiceField):
    """One SKU by name, spec and price (``show_stock`` adds the shelf stock)."""

    widget = SearchableSelect

    def __init__(self, *args: Any, show_stock: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", sku_choices_queryset())
        kwargs.setdefault("widget", SearchableSelect)
        super().__init__(*args, **kwargs)
        self.show_stock = show_stock

    def label_from_instance(self, obj: Sku) -> str:
        return sku_label(obj, stock=self.show_stock)


class SkuMultipleChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", sku_choices_queryset())
        kwargs.setdefault("widget", SearchableSelectMultiple)
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Sku) -> str:
        return sku_label(obj)


class ProductChoiceField(forms.ModelChoiceField):
    """One product by title and lowest price."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Product.objects.order_by("-pk"))
        kwargs.setdefault("widget", SearchableSelect)
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Product) -> str:
        return f"{obj.title} · {yuan(obj.min_price)}"
