"""The merchant console's catalogue pages (django-unfold), with product import/export (P06).

Admin classes hold no business rules: every save, delete and action calls a catalogue
service with the signed-in staff user as the actor, so the console, imports and any future
API write through the same rules and the same audit log. Forms only translate what the
merchant types (prices in yuan, specs as "颜色=红; 尺码=M") into service inputs.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet, Sum
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ExportForm, ImportForm
from unfold.widgets import UnfoldAdminIntegerFieldWidget, UnfoldAdminTextInputWidget

from mall.console.display import exceptional_column, yuan
from mall.errors import ApplicationError, ValidationFailed
from mall.models import AuditLog, Category, Product, ProductImage, ProductTag, ShopSettings, Sku
from mall.money import MoneyFormatError, format_yuan, parse_yuan
from mall.resources import ProductResource
from mall.selectors.audit import AuditView, audit_describe, audit_target_kind
from mall.services.catalogue import (
    ImageInput,
    SkuInput,
    category_create,
    category_delete,
    category_move,
    category_update,
    names_from_text,
    product_create,
    product_shelf_off,
    product_shelf_on,
    product_tag_create,
    product_tag_delete,
    product_tag_rename,
    product_update,
    product_validate,
    specs_from_text,
    specs_to_text,
)
from mall.services.shop import shop_settings_update


class ServiceErrorsMixin:
    """A refusal from a service while saving or deleting shows as a message, not a server error."""

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)  # type: ignore[misc]
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return HttpResponseRedirect(request.get_full_path())


def _report(request: HttpRequest, done: int, failed: list[str]) -> None:
    if done:
        messages.success(request, _("已处理 %(n)d 个。") % {"n": done})
    for line in failed:
        messages.error(request, line)


# --- categories -----------------------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(ServiceErrorsMixin, ModelAdmin):
    list_display = ("name", "parent", "sort_order", "inactive_flag")
    list_filter = ("is_active", "parent")
    inactive_flag = exceptional_column("is_active", _("已停用"), when=False, variant="warning", description=_("状态"))
    list_editable = ()
    search_fields = ("name",)
    ordering = ("parent_id", "sort_order", "id")
    fields = ("name", "parent", "sort_order", "icon", "is_active")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).select_related("parent")

    def save_model(self, request: HttpRequest, obj: Category, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        parent_id = data["parent"].pk if data.get("parent") else None
        if not change:
            created = category_create(
                actor=request.user,
                name=data["name"],
                parent_id=parent_id,
                sort_order=data.get("sort_order") or 0,
                icon=data.get("icon") or None,
                is_active=data.get("is_active", True),
            )
            obj.pk = created.pk
            return
        if "parent" in form.changed_data:
            category_move(actor=request.user, category_id=obj.pk, parent_id=parent_id)
        category_update(
            actor=request.user,
            category_id=obj.pk,
            name=data["name"],
            sort_order=data.get("sort_order") or 0,
            is_active=data.get("is_active", True),
            icon=(data.get("icon") or "") if "icon" in form.changed_data else None,
        )

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        category_delete(actor=request.user, category_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Category]) -> None:
        done, failed = 0, []
        for category in queryset:
            try:
                category_delete(actor=request.user, category_id=category.pk)
                done += 1
            except ApplicationError as exc:
                failed.append(f"{category.name}: {exc.message}")
        for line in failed:
            messages.error(request, line)


# --- tags -----------------------------------------------------------------------------


@admin.register(ProductTag)
class ProductTagAdmin(ServiceErrorsMixin, ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)
    fields = ("name",)

    def save_model(self, request: HttpRequest, obj: ProductTag, form: forms.ModelForm, change: bool) -> None:
        if change:
            product_tag_rename(actor=request.user, tag_id=obj.pk, name=form.cleaned_data["name"])
        else:
            obj.pk = product_tag_create(actor=request.user, name=form.cleaned_data["name"]).pk

    def delete_model(self, request: HttpRequest, obj: ProductTag) -> None:
        product_tag_delete(actor=request.user, tag_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProductTag]) -> None:
        for tag in queryset:
            product_tag_delete(actor=request.user, tag_id=tag.pk)


# --- products -------------------------------------------------------------------------


def _service_error_to_form(exc: ApplicationError) -> forms.ValidationError:
    return forms.ValidationError(str(exc.message), code=exc.code)


class ProductAdminForm(forms.ModelForm):
    spec_names = forms.CharField(
        label=_("规格名"),
        required=False,
        help_text=_("多个用逗号分隔，如：颜色, 尺码。没有规格时留空。"),
        widget=UnfoldAdminTextInputWidget,
    )

    class Meta:
        model = Product
        fields = (
            "category",
            "title",
            "subtitle",
            "description",
            "main_image",
            "spec_names",
            "tags",
            "is_on_shelf",
            "is_consumable",
            "replenish_cycle_days",
            "free_shipping",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["spec_names"] = ", ".join(str(n) for n in (self.instance.spec_names or []))

    def clean_spec_names(self) -> list[str]:
        return names_from_text(self.cleaned_data.get("spec_names") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:  # the product's own rules; the SKU rules run in the SKU inline's clean
            product_validate(
                title=data.get("title") or "-",
                spec_names=data.get("spec_names") or [],
                skus=[],
                is_on_shelf=False,
                is_consumable=bool(data.get("is_consumable")),
                replenish_cycle_days=data.get("replenish_cycle_days"),
            )
        except ValidationFailed as exc:
            field = exc.details.get("field")
            self.add_error(field if field in self.fields else None, _service_error_to_form(exc))
        return data


class SkuInlineForm(forms.ModelForm):
    specs = forms.CharField(
        label=_("规格"), required=False, help_text=_("如：颜色=红; 尺码=M"), widget=UnfoldAdminTextInputWidget
    )
    price = forms.CharField(label=_("售价(元)"), widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal"}))
    # Checked here, next to the field: the database's CheckConstraint would otherwise surface
    # as a banner naming the constraint ("约束 sku_stock_not_negative 是无效的").
    stock = forms.IntegerField(
        label=_("库存"),
        min_value=0,
        initial=0,
        error_messages={"min_value": _("库存不能小于 0。"), "invalid": _("库存应为整数。")},
        widget=UnfoldAdminIntegerFieldWidget,
    )
    cost_price = forms.CharField(
        label=_("成本价(元)"),
        required=False,
        help_text=_("用于计算毛利，可留空"),
        widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal"}),
    )
    # The stock the merchant saw when the page was drawn: an edit moves stock by the difference,
    # so units sold while the page was open are not written back.
    stock_seen = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Sku
        fields = ("code", "specs", "price", "cost_price", "stock", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["specs"] = specs_to_text(self.instance.specs or {})
            self.initial["price"] = format_yuan(self.instance.price)
            self.initial["stock_seen"] = self.instance.stock
            cost = self.instance.cost_price
            self.initial["cost_price"] = "" if cost is None else format_yuan(cost)

    def clean_specs(self) -> dict[str, str]:
        try:
            return specs_from_text(self.cleaned_data.get("specs") or "")
        except ValidationFailed as exc:
            raise _service_error_to_form(exc) from exc

    def clean_price(self) -> int:
        try:
            return parse_yuan(self.cleaned_data.get("price") or "")
        except MoneyFormatError as exc:
            raise forms.ValidationError(_("价格应写成元，最多两位小数，如 59.90。")) from exc

    def clean_cost_price(self) -> int | None:
        text = (self.cleaned_data.get("cost_price") or "").strip()
        if not text:
            return None
        try:
            return parse_yuan(text)
        except MoneyFormatError as exc:
            raise forms.ValidationError(_("成本价应写成元，最多两位小数，如 23.50。")) from exc

    def sku_input(self) -> SkuInput:
        data = self.cleaned_data
        stock = int(data.get("stock") or 0)
        cost_price = data.get("cost_price")
        if self.instance.pk is None:
            return SkuInput(
                code=data["code"],
                specs=data["specs"],
                price=data["price"],
                stock=stock,
                cost_price=cost_price,
                keep_cost_price=False,
            )
        seen = data.get("stock_seen")
        seen = self.instance.stock if seen is None else seen
        return SkuInput(
            id=self.instance.pk,
            code=data["code"],
            specs=data["specs"],
            price=data["price"],
            stock_delta=stock - seen,
            is_active=bool(data.get("is_active")),
            cost_price=cost_price,
            keep_cost_price=False,
        )


class SkuInlineFormSet(BaseInlineFormSet):
    def sku_inputs(self) -> list[SkuInput]:
        return [
            form.sku_input()
            for form in self.forms
            if isinstance(form, SkuInlineForm)
            and getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
        ]

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        product = self.instance
        try:
            product_validate(
                title=product.title or "-",
                spec_names=list(product.spec_names or []),
                skus=self.sku_inputs(),
                is_on_shelf=bool(product.is_on_shelf),
                is_consumable=False,
                replenish_cycle_days=None,
            )
        except ValidationFailed as exc:
            raise _service_error_to_form(exc) from exc


class SkuInline(TabularInline):
    model = Sku
    form = SkuInlineForm
    formset = SkuInlineFormSet
    fields = ("code", "specs", "price", "cost_price", "stock", "stock_seen", "is_active", "sales_count")
    readonly_fields = ("sales_count",)
    extra = 1
    can_delete = False  # SKUs that orders point at are disabled (is_active), never deleted


class ProductImageInline(TabularInline):
    model = ProductImage
    fields = ("image", "sort_order")
    extra = 1


@admin.register(Product)
class ProductAdmin(ServiceErrorsMixin, ModelAdmin, ImportExportModelAdmin):
    form = ProductAdminForm
    inlines = (SkuInline, ProductImageInline)
    list_display = (
        "title",
        "category",
        "price_yuan",
        "total_stock",
        "sales_count",
        "shelf_flag",
        "shipping_flag",
        "updated_at",
    )
    shelf_flag = exceptional_column("is_on_shelf", _("已下架"), when=False, variant="warning", description=_("上架"))
    shipping_flag = exceptional_column("free_shipping", _("包邮"), variant="success", description=_("包邮"))
    list_filter = ("is_on_shelf", "free_shipping", "is_consumable", "category", "tags")
    search_fields = ("title", "subtitle", "skus__code")
    list_select_related = ("category",)
    # Money on screen is yuan: the stored fen ``min_price`` is shown through ``price_yuan``.
    readonly_fields = ("price_yuan", "sales_count", "created_at", "updated_at")
    filter_horizontal = ("tags",)
    actions = ("shelf_on", "shelf_off")
    resource_classes = (ProductResource,)
    import_form_class = ImportForm
    export_form_class = ExportForm
    import_formats = [base_formats.XLSX, base_formats.CSV]
    export_formats = [base_formats.XLSX, base_formats.CSV]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return super().get_queryset(request).annotate(total_stock=Sum("skus__stock", filter=Q(skus__is_active=True)))

    @admin.display(description=_("最低价"), ordering="min_price")
    def price_yuan(self, obj: Product) -> str:
        return yuan(obj.min_price)

    @admin.display(description=_("总库存"), ordering="total_stock")
    def total_stock(self, obj: Product) -> int:
        return getattr(obj, "total_stock", None) or 0

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # products stay for the orders that point at them; take them off the shelf instead

    def has_import_permission(self, request: HttpRequest) -> bool:
        """An import creates and changes products and SKUs, so it needs both rights."""
        user = request.user
        return user.has_perm("mall.add_product") and user.has_perm("mall.change_product")

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("mall.view_product")

    def save_model(self, request: HttpRequest, obj: Product, form: forms.ModelForm, change: bool) -> None:
        """Saving happens in ``save_related``, once the SKU and image rows are known."""

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        data = form.cleaned_data
        fields: dict[str, Any] = {
            "category_id": data["category"].pk,
            "title": data["title"],
            "subtitle": data.get("subtitle") or "",
            "description": data.get("description") or "",
            "spec_names": data.get("spec_names") or [],
            "is_on_shelf": bool(data.get("is_on_shelf")),
            "is_consumable": bool(data.get("is_consumable")),
            "replenish_cycle_days": data.get("replenish_cycle_days"),
            "free_shipping": bool(data.get("free_shipping")),
        }
        if "main_image" in form.changed_data:
            fields["main_image"] = data.get("main_image") or ""
        tag_ids = [tag.pk for tag in data.get("tags") or []]
        skus: list[SkuInput] | None = None
        images: list[ImageInput] = []
        for formset in formsets:
            if formset.model is Sku:
                skus = formset.sku_inputs()
            elif formset.model is ProductImage:
                images = self._image_inputs(formset)
            # The admin's change message reads these; the service did the saving.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if change:
            product_update(
                actor=request.user,
                product_id=form.instance.pk,
                fields=fields,
                tag_ids=tag_ids,
                skus=skus,
                images=images,
            )
        else:
            main_image = fields.pop("main_image", None)
            product = product_create(
                actor=request.user, skus=skus or [], tag_ids=tag_ids, images=images, main_image=main_image, **fields
            )
            form.instance.pk = product.pk

    @staticmethod
    def _image_inputs(formset: Any) -> list[ImageInput]:
        inputs = []
        for image_form in formset.forms:
            data = getattr(image_form, "cleaned_data", None)
            if not data:
                continue
            pk = image_form.instance.pk
            if data.get("DELETE"):
                if pk:
                    inputs.append(ImageInput(id=pk, delete=True))
            elif pk is None:
                if data.get("image"):
                    inputs.append(ImageInput(image=data["image"], sort_order=data.get("sort_order") or 0))
            elif image_form.has_changed():
                new_file = data["image"] if "image" in image_form.changed_data else None
                inputs.append(ImageInput(id=pk, image=new_file, sort_order=data.get("sort_order") or 0))
        return inputs

    @admin.action(description=_("上架所选商品"))
    def shelf_on(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        done, failed = 0, []
        for pk, title in queryset.values_list("pk", "title"):
            try:
                product_shelf_on(product_id=pk, actor=request.user)
                done += 1
            except ApplicationError as exc:
                failed.append(f"{title}: {exc.message}")
        _report(request, done, failed)

    @admin.action(description=_("下架所选商品"))
    def shelf_off(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        done = 0
        for pk in queryset.values_list("pk", flat=True):
            product_shelf_off(product_id=pk, actor=request.user)
            done += 1
        _report(request, done, [])


# --- shop settings and the audit log ----------------------------------------------------


class ShopSettingsForm(forms.ModelForm):
    """The shop's money settings typed in yuan (stored as fen)."""

    shipping_flat_fee = forms.CharField(
        label=_("运费(元)"), widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal"})
    )
    free_shipping_threshold = forms.CharField(
        label=_("包邮门槛(元)"), widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal"})
    )
    global_holdout_percent = forms.IntegerField(
        label=_("全局对照组比例（%）"),
        min_value=1,
        max_value=10,
        required=False,
        help_text=_("1% 到 10%，建议 5%。"),
        widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "numeric"}),
    )
    margin_floor_percent = forms.IntegerField(
        label=_("最低毛利率（%）"),
        min_value=0,
        max_value=90,
        required=False,
        help_text=_("活动叠加后样例购物车的毛利率低于此值时，发布前提醒并需确认；0 表示不检查。"),
        widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = ShopSettings
        fields = (
            "name",
            "shipping_flat_fee",
            "free_shipping_threshold",
            "auto_complete_days",
            "global_holdout_enabled",
            "global_holdout_percent",
            "margin_floor_percent",
        )
        help_texts = {
            "global_holdout_enabled": _(
                "开启后，按会员编号稳定抽出一小部分会员不接收任何营销推送（旅程、人群活动、提醒），"
                "订单与售后通知照常，可在“对照组效果”查看整体营销效果。"
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("shipping_flat_fee", "free_shipping_threshold"):
            self.initial[name] = format_yuan(getattr(self.instance, name) or 0)

    def _clean_yuan(self, name: str) -> int:
        try:
            fen = parse_yuan(self.cleaned_data.get(name) or "")
        except MoneyFormatError as exc:
            raise forms.ValidationError(_("金额应写成元，最多两位小数，如 8.00。")) from exc
        if fen < 0:
            raise forms.ValidationError(_("金额不能为负数。"))
        return fen

    def clean_shipping_flat_fee(self) -> int:
        return self._clean_yuan("shipping_flat_fee")

    def clean_free_shipping_threshold(self) -> int:
        return self._clean_yuan("free_shipping_threshold")


@admin.register(ShopSettings)
class ShopSettingsAdmin(ServiceErrorsMixin, ModelAdmin):
    form = ShopSettingsForm
    list_display = ("name", "shipping_fee_yuan", "free_shipping_yuan", "auto_complete_days", "global_holdout_text")
    fields = (
        "name",
        "shipping_flat_fee",
        "free_shipping_threshold",
        "auto_complete_days",
        "global_holdout_enabled",
        "global_holdout_percent",
        "global_holdout_since_text",
        "margin_floor_percent",
    )
    readonly_fields = ("global_holdout_since_text",)

    @admin.display(description=_("全局对照组"))
    def global_holdout_text(self, obj: ShopSettings) -> str:
        if not obj.global_holdout_enabled:
            return str(_("未开启"))
        return str(_("已开启 %(percent)s%%") % {"percent": obj.global_holdout_percent})

    @admin.display(description=_("全局对照组开启时间"))
    def global_holdout_since_text(self, obj: ShopSettings) -> str:
        if obj.global_holdout_since is None:
            return "—"
        return timezone.localtime(obj.global_holdout_since).strftime("%Y-%m-%d %H:%M")

    @admin.display(description=_("运费"))
    def shipping_fee_yuan(self, obj: ShopSettings) -> str:
        return yuan(obj.shipping_flat_fee)

    @admin.display(description=_("包邮门槛"))
    def free_shipping_yuan(self, obj: ShopSettings) -> str:
        return yuan(obj.free_shipping_threshold)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ShopSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ShopSettings, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        saved = shop_settings_update(
            actor=request.user,
            name=data.get("name"),
            shipping_flat_fee=data.get("shipping_flat_fee"),
            free_shipping_threshold=data.get("free_shipping_threshold"),
            auto_complete_days=data.get("auto_complete_days"),
            global_holdout_enabled=data.get("global_holdout_enabled"),
            global_holdout_percent=data.get("global_holdout_percent"),
            margin_floor_percent=data.get("margin_floor_percent"),
        )
        obj.pk = saved.pk


class AuditTargetFilter(admin.SimpleListFilter):
    """The kinds of object in the log, by their names (not ``marketing.promoter``)."""

    title = _("对象类型")
    parameter_name = "target"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        types = AuditLog.objects.order_by().values_list("target_type", flat=True).distinct()
        return sorted(((t, audit_target_kind(t)) for t in types if t), key=lambda pair: str(pair[1]))

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
        return queryset.filter(target_type=self.value()) if self.value() else queryset


@admin.register(AuditLog)
class AuditLogAdmin(ModelAdmin):
    """Actions and objects by name, changes as labelled fields (``mall.selectors.audit``)."""

    list_display = ("created_at", "actor", "action_label", "target_label", "changes_text")
    list_filter = (AuditTargetFilter, "created_at")
    search_fields = ("action", "target_id", "actor__username")
    list_select_related = ("actor",)
    readonly_fields = ("created_at", "actor", "action_label", "target_label", "changes_table")
    fields = readonly_fields

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> Any:
        """Describes the page's rows together, so names cost a few queries per page, not per row."""
        base = super().get_changelist(request, **kwargs)

        class AuditChangeList(base):  # type: ignore[misc, valid-type]
            def get_results(self, request: HttpRequest) -> None:
                super().get_results(request)
                for view in audit_describe(self.result_list):
                    view.entry.view = view  # type: ignore[attr-defined]

        return AuditChangeList

    @staticmethod
    def _view(obj: AuditLog) -> AuditView:
        view = getattr(obj, "view", None)
        if view is None:
            view = audit_describe([obj])[0]
            obj.view = view  # type: ignore[attr-defined]
        return view

    @admin.display(description=_("操作"), ordering="action")
    def action_label(self, obj: AuditLog) -> str:
        return self._view(obj).action_label

    @admin.display(description=_("对象"))
    def target_label(self, obj: AuditLog) -> str:
        return self._view(obj).target_label

    @admin.display(description=_("变更内容"))
    def changes_text(self, obj: AuditLog) -> str:
        text = self._view(obj).changes_text
        return text if len(text) <= 120 else text[:119] + "…"

    @admin.display(description=_("变更内容"))
    def changes_table(self, obj: AuditLog) -> SafeString:
        rows = self._view(obj).changes
        if not rows:
            return format_html("{}", "—")
        body = format_html_join(
            "", '<tr><th style="text-align:left;padding:2px 12px 2px 0">{}</th><td>{}</td></tr>', rows
        )
        return format_html('<table data-testid="audit-changes">{}</table>', body)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
