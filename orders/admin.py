"""Console pages for orders: find, read, ship. Orders change only through the order services.

Nothing on an order is edited in a form: shipping goes through ``order_ship`` (state check,
audit row) — one at a time in a dialog or many from a sheet (``order_ship_bulk``) — refunds
through ``refund_create``. Stored values are shown as staff read them (``mall.console.display``):
money in yuan, addresses and specs as text, the price breakdown as a table, phones masked
unless the staff member may reveal them (each reveal audited).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import SimpleListFilter
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action, display
from unfold.forms import BaseDialogForm
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from mall.console.display import address_text, flag_if, mask_phone, specs_text, yuan
from mall.console.exports import can_export, export_csv_response
from mall.errors import ApplicationError
from marketing.selectors.quotes import rule_label
from members.selectors.tiers import priority_ship_hours
from orders.carriers import OTHER, carrier_by_code, carrier_choices, tracking_no_error
from orders.console import (
    after_sales_admin,  # noqa: F401 - registers AfterSale (the after-sales queue)
    payments_admin,  # noqa: F401 - registers Payment, PaymentNotice, Refund
)
from orders.console.bulk_ship import BulkShipForm, read_ship_sheet
from orders.console.finance_export import finance_export_view
from orders.console.refunds import OrderRefundForm
from orders.models import Order, OrderLine, OrderStatus
from orders.selectors.desk import order_desk_tabs, order_tab_counts, order_tab_get
from orders.selectors.exports import order_export_rows
from orders.services.finance_export import finance_export_allowed
from orders.services.orders import order_ship
from orders.services.privacy import order_phone_reveal, phone_reveal_allowed
from orders.services.refunds import refund_create
from orders.services.shipping import order_ship_bulk

DEAL_KIND_LABELS = {"flash": _("秒杀"), "group": _("拼团"), "bargain": _("砍价"), "points_mall": _("积分兑换")}
SHIP_HOLD_LABELS = {"group_forming": _("等待成团")}


def _breakdown_row(applied: dict[str, Any]) -> tuple[str, str, str]:
    """(rule name, kind of rule, amount) of one applied rule in ``Order.pricing``."""
    rule_type = str(applied.get("rule_type") or "")
    kind = rule_label(rule_type) if rule_type else ""
    name = str(applied.get("name") or applied.get("rule") or kind or _("优惠"))
    return name, kind if kind != name else "", "-" + yuan(int(applied.get("amount") or 0))


class OrderLineInline(TabularInline):
    """The lines as snapshotted at placement (title, specs, prices), read-only, money in yuan."""

    model = OrderLine
    fields = (
        "title",
        "specs_display",
        "unit_price_display",
        "qty",
        "item_amount_display",
        "discount_display",
        "paid_display",
        "gift_display",
        "refunded_display",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @display(description=_("规格"))
    def specs_display(self, obj: OrderLine) -> str:
        return specs_text(obj.specs)

    @display(description=_("单价"))
    def unit_price_display(self, obj: OrderLine) -> str:
        return yuan(obj.unit_price)

    @display(description=_("商品金额"))
    def item_amount_display(self, obj: OrderLine) -> str:
        return yuan(obj.item_amount)

    @display(description=_("分摊优惠"))
    def discount_display(self, obj: OrderLine) -> str:
        return yuan(obj.discount_amount)

    @display(description=_("实付"))
    def paid_display(self, obj: OrderLine) -> str:
        return yuan(obj.paid_amount)

    @display(description=_("赠品"))
    def gift_display(self, obj: OrderLine) -> SafeString | str:
        # Only the exceptional state is shown: an ordinary line has nothing here.
        return flag_if(obj.is_gift, _("赠品"), "info")

    @display(description=_("已退"))
    def refunded_display(self, obj: OrderLine) -> str:
        if not obj.refunded_qty and not obj.refunded_amount:
            return ""
        return _("%(qty)d 件，%(amount)s") % {"qty": obj.refunded_qty, "amount": yuan(obj.refunded_amount)}


class OrderShipForm(BaseDialogForm):
    """Carrier from the list (其他 + a name for the rest), tracking number checked against it."""

    carrier = forms.ChoiceField(label=_("快递公司"), choices=carrier_choices, widget=UnfoldAdminSelectWidget)
    carrier_other = forms.CharField(
        label=_("其他快递公司名称"),
        max_length=30,
        required=False,
        help_text=_("快递公司选择「其他」时填写"),
        widget=UnfoldAdminTextInputWidget,
    )
    tracking_no = forms.CharField(label=_("运单号"), max_length=64, widget=UnfoldAdminTextInputWidget)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        code = cleaned.get("carrier")
        carrier = carrier_by_code(code) if code else None
        if code == OTHER:
            name = (cleaned.get("carrier_other") or "").strip()
            if not name:
                self.add_error("carrier_other", _("请填写快递公司名称。"))
            cleaned["carrier_name"] = name
        elif carrier is not None:
            cleaned["carrier_name"] = carrier.name
        number = (cleaned.get("tracking_no") or "").strip().upper()
        if "tracking_no" in cleaned:
            problem = tracking_no_error(carrier, number)
            if problem:
                self.add_error("tracking_no", problem)
            cleaned["tracking_no"] = number
        return cleaned


class OrderTabFilter(SimpleListFilter):
    """The status tabs above the list, as a filter (so ``?tab=`` is a valid changelist parameter)."""

    title = _("订单状态")
    parameter_name = "tab"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(tab.key, tab.label) for tab in order_desk_tabs()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        tab = order_tab_get(self.value())
        return queryset.filter(tab.condition) if tab else queryset


class DealKindFilter(SimpleListFilter):
    """Orders by marketing tool, named (not ``flash`` / ``group`` / ``bargain``)."""

    title = _("活动")
    parameter_name = "deal"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(DEAL_KIND_LABELS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        return queryset.filter(deal_kind=self.value()) if self.value() in DEAL_KIND_LABELS else queryset


@admin.register(Order)
class OrderAdmin(ModelAdmin):
    list_display = (
        "no",
        "receiver_display",
        "member",
        "status_display",
        "payable_display",
        "deal_display",
        "flags_display",
        "created_at",
        "paid_at",
    )
    # No date_hierarchy: it needs MySQL's time zone tables (CONVERT_TZ), often absent.
    list_filter = (OrderTabFilter, DealKindFilter, "needs_attention", "created_at")
    search_fields = ("=no", "address__phone", "member__phone", "address__receiver", "member__nickname", "=tracking_no")
    search_help_text = _("按订单号、手机号、收货人、昵称或运单号搜索")
    list_select_related = ("member",)
    list_per_page = 50
    list_before_template = "orders/order_tabs.html"
    change_form_after_template = "orders/order_detail_assets.html"
    actions = ["print_packing_slips", "export_orders_csv"]
    actions_list = ["bulk_ship", "finance_export"]
    # Detail-page actions: ship, refund, print the packing slip, the order's after-sales requests.
    actions_detail = ["ship", "refund", "packing_slip", "after_sales"]
    inlines = [OrderLineInline]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        phone = "receiver_phone_revealable" if phone_reveal_allowed(actor=request.user) else "receiver_phone_masked"
        return (
            (None, {"fields": ("no", "member", "status_display", "deal_display", "flags_display", "remark")}),
            (
                _("金额"),
                {
                    "fields": (
                        "goods_amount_display",
                        "discount_amount_display",
                        "points_display",
                        "shipping_fee_display",
                        "payable_amount_display",
                        "refunded_amount_display",
                    )
                },
            ),
            (_("价格明细"), {"fields": ("pricing_display",)}),
            (_("收货信息"), {"fields": ("receiver_name", phone, "address_display")}),
            (
                _("物流与时间"),
                {
                    "fields": (
                        "carrier",
                        "tracking_no",
                        "created_at",
                        "expires_at",
                        "paid_at",
                        "shipped_at",
                        "completed_at",
                        "cancelled_at",
                        "cancel_reason",
                    )
                },
            ),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field for _name, options in self.get_fieldsets(request, obj) for field in options["fields"]]

    # F16 优先发货: in 待发货, orders of tiers with priority shipping come first (oldest paid first).
    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        self._priority_hours = priority_ship_hours()
        tiers = list(self._priority_hours)
        rank = Case(When(member__tier__in=tiers, then=Value(1)), default=Value(0), output_field=IntegerField())
        # Annotated before ordering (ModelAdmin.get_queryset orders by get_ordering, which names it).
        queryset = self.model._default_manager.get_queryset().annotate(priority_rank=rank)
        return queryset.order_by(*self.get_ordering(request))

    def get_ordering(self, request: HttpRequest) -> Any:
        if request.GET.get("tab") == "to_ship":
            return ("-priority_rank", "paid_at", "pk")
        return super().get_ordering(request)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        active = request.GET.get("tab") or ""
        counts = order_tab_counts()
        tabs = [{"key": "", "label": _("全部"), "count": counts["all"], "active": not active}]
        tabs += [
            {"key": t.key, "label": t.label, "count": counts[t.key], "active": t.key == active}
            for t in order_desk_tabs()
        ]
        return super().changelist_view(request, {**(extra_context or {}), "order_tabs": tabs})

    # --- list columns and detail fields -------------------------------------------------

    @display(description=_("收货人"))
    def receiver_display(self, obj: Order) -> SafeString:
        address = obj.address or {}
        return format_html(
            '{}<div class="dy-sub">{}</div>', address.get("receiver") or "-", mask_phone(address.get("phone"))
        )

    @display(
        description=_("状态"),
        ordering="status",
        label={
            str(OrderStatus.PENDING_PAYMENT.label): "warning",
            str(OrderStatus.PAID.label): "info",
            str(OrderStatus.SHIPPED.label): "primary",
            str(OrderStatus.DELIVERED.label): "primary",
            str(OrderStatus.COMPLETED.label): "success",
            str(OrderStatus.REFUNDING.label): "danger",
            str(OrderStatus.REFUNDED.label): "danger",
        },
    )
    def status_display(self, obj: Order) -> str:
        return str(obj.get_status_display())

    @display(description=_("应付"), ordering="payable_amount")
    def payable_display(self, obj: Order) -> str:
        return yuan(obj.payable_amount)

    @display(description=_("活动"))
    def deal_display(self, obj: Order) -> str:
        return str(DEAL_KIND_LABELS.get(obj.deal_kind, obj.deal_kind)) if obj.deal_kind else ""

    @display(description=_("提醒"))
    def flags_display(self, obj: Order) -> SafeString:
        """Only what needs a look: attention, a shipping hold. An ordinary order shows nothing."""
        flags = [
            flag_if(obj.needs_attention, obj.attention_note or _("需人工处理"), "danger"),
            flag_if(bool(obj.ship_hold), SHIP_HOLD_LABELS.get(obj.ship_hold, _("暂缓发货")), "warning"),
            self._priority_flag(obj),
        ]
        return format_html_join(" ", "{}", ((f,) for f in flags if f))

    def _priority_flag(self, obj: Order) -> SafeString | str:
        """优先发货 with the tier's shipping-time target, red once it has passed (paid, not shipped)."""
        hours = getattr(self, "_priority_hours", {}).get(obj.member.tier) if obj.member_id else None
        if hours is None or obj.status != OrderStatus.PAID or obj.paid_at is None:
            return ""
        due = obj.paid_at + timedelta(hours=hours)
        late = due < timezone.now()
        text = (_("优先发货 · 已超时（应于 %(due)s 前）") if late else _("优先发货 · %(due)s 前")) % {
            "due": timezone.localtime(due).strftime("%m-%d %H:%M")
        }
        return flag_if(True, text, "danger" if late else "info")

    @display(description=_("商品原价合计"))
    def goods_amount_display(self, obj: Order) -> str:
        return yuan(obj.goods_amount)

    @display(description=_("优惠合计"))
    def discount_amount_display(self, obj: Order) -> str:
        return yuan(obj.discount_amount)

    @display(description=_("积分抵扣"))
    def points_display(self, obj: Order) -> str:
        if not obj.points_used:
            return yuan(0)
        return _("%(amount)s（使用 %(points)d 积分）") % {
            "amount": yuan(obj.points_discount),
            "points": obj.points_used,
        }

    @display(description=_("运费"))
    def shipping_fee_display(self, obj: Order) -> str:
        return yuan(obj.shipping_fee)

    @display(description=_("应付金额"))
    def payable_amount_display(self, obj: Order) -> str:
        return yuan(obj.payable_amount)

    @display(description=_("已退金额"))
    def refunded_amount_display(self, obj: Order) -> str:
        return yuan(obj.refunded_amount)

    @display(description=_("价格明细"))
    def pricing_display(self, obj: Order) -> SafeString:
        """Every rule that gave something, by name, with its amount; then points and shipping."""
        pricing = obj.pricing or {}
        rows = [_breakdown_row(a) for a in pricing.get("applied") or []]
        if obj.points_discount:
            rows.append(
                (
                    str(_("积分抵扣")),
                    _("%(points)d 积分") % {"points": obj.points_used},
                    "-" + yuan(obj.points_discount),
                )
            )
        rows.append((str(_("运费")), "", yuan(obj.shipping_fee)))
        body = format_html_join("", '<tr><td>{}</td><td>{}</td><td class="dy-num">{}</td></tr>', rows)
        return format_html(
            '<table class="dy-breakdown" data-testid="price-breakdown"><thead><tr><th>{}</th><th>{}</th>'
            '<th class="dy-num">{}</th></tr></thead><tbody>'
            '<tr><td>{}</td><td></td><td class="dy-num">{}</td></tr>{}'
            '<tr class="dy-total"><td>{}</td><td></td><td class="dy-num">{}</td></tr></tbody></table>',
            _("项目"),
            _("类型"),
            _("金额"),
            _("商品原价合计"),
            yuan(obj.goods_amount),
            body,
            _("应付金额"),
            yuan(obj.payable_amount),
        )

    @display(description=_("收货人"))
    def receiver_name(self, obj: Order) -> str:
        return str((obj.address or {}).get("receiver") or "-")

    @display(description=_("手机号"))
    def receiver_phone_masked(self, obj: Order) -> str:
        return mask_phone((obj.address or {}).get("phone"))

    @display(description=_("手机号"))
    def receiver_phone_revealable(self, obj: Order) -> SafeString:
        # The button swaps itself and the masked number for the full one (and an audit row).
        return format_html(
            '<span class="dy-phone"><span data-testid="receiver-phone">{}</span> <button type="button" '
            'class="dy-reveal" data-testid="reveal-phone" hx-post="{}" hx-target="closest .dy-phone" '
            'hx-swap="outerHTML">{}</button></span>',
            mask_phone((obj.address or {}).get("phone")),
            reverse("admin:orders_order_reveal_phone", args=[obj.pk]),
            _("查看完整号码"),
        )

    @display(description=_("收货地址"))
    def address_display(self, obj: Order) -> str:
        return address_text(obj.address)

    # --- permissions -----------------------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Read-only page: every change is an action calling a service.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_ship_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        # A method, not "orders.ship_order": unfold checks dotted permissions against the
        # database at system-check time, which fails before the first migrate.
        return request.user.has_perm("orders.ship_order")

    def has_refund_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return request.user.has_perm("orders.add_refund")

    # --- extra pages: phone reveal, bulk ship, packing slips ---------------------------------

    def get_urls(self) -> list[URLPattern]:
        urls: list[URLPattern] = [
            path(
                "<int:object_id>/reveal-phone/",
                self.admin_site.admin_view(require_POST(self.reveal_phone_view)),
                name="orders_order_reveal_phone",
            ),
            path(
                "ship-sheet/",
                self.admin_site.admin_view(self.bulk_ship_view),
                name="orders_order_ship_sheet",
            ),
            path(
                "finance-export/",
                self.admin_site.admin_view(self.finance_export_page),
                name="orders_order_finance_sheet",
            ),
            path(
                "packing-slips/",
                self.admin_site.admin_view(self.packing_slips_view),
                name="orders_order_packing_slips",
            ),
        ]
        return urls + super().get_urls()

    def reveal_phone_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        try:
            phone = order_phone_reveal(order_id=object_id, actor=request.user)
        except ApplicationError as exc:
            return HttpResponse(format_html('<span class="dy-error">{}</span>', exc.message), status=exc.status)
        return HttpResponse(format_html('<span data-testid="receiver-phone">{}</span>', phone or "-"))

    def bulk_ship_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_ship_permission(request):
            raise PermissionDenied
        form = BulkShipForm(request.POST or None, request.FILES or None)
        row_errors: list[dict[str, Any]] = []
        if request.method == "POST" and form.is_valid():
            try:
                rows = read_ship_sheet(form.cleaned_data["sheet"])
                shipped = order_ship_bulk(rows=rows, actor=request.user)
            except ApplicationError as exc:
                messages.error(request, str(exc.message))
                row_errors = list(exc.details.get("rows") or [])
            else:
                messages.success(request, _("已发货 %(n)d 个订单。") % {"n": len(shipped)})
                return HttpResponseRedirect(reverse("admin:orders_order_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("批量发货"),
            "form": form,
            "row_errors": row_errors,
            "carriers": carrier_choices()[:-1],
        }
        return TemplateResponse(request, "orders/order_bulk_ship.html", context)

    def finance_export_page(self, request: HttpRequest) -> HttpResponseBase:
        context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        return finance_export_view(request, admin_context=context)

    def packing_slips_view(self, request: HttpRequest) -> HttpResponse:
        """Printable packing slips for ``?ids=1,2,3`` (no prices: the slip goes in the box)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.strip().isdigit()][:200]
        orders = list(self.get_queryset(request).filter(pk__in=ids).prefetch_related("lines").order_by("pk"))
        slips = [
            {
                "order": order,
                "receiver": (order.address or {}).get("receiver") or "-",
                "phone": mask_phone((order.address or {}).get("phone")),
                "address": address_text(order.address),
                "lines": [{"line": line, "specs": specs_text(line.specs)} for line in order.lines.all()],
            }
            for order in orders
        ]
        return render(request, "orders/packing_slips.html", {"slips": slips, "title": _("装箱单")})

    # --- actions ---------------------------------------------------------------------------

    @admin.action(description=_("打印装箱单"))
    def print_packing_slips(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse:
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True)[:200])
        return HttpResponseRedirect(f"{reverse('admin:orders_order_packing_slips')}?ids={ids}")

    @action(description=_("批量发货"), icon="upload_file", permissions=["ship"])
    def bulk_ship(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:orders_order_ship_sheet"))

    def has_finance_export_permission(self, request: HttpRequest) -> bool:
        return finance_export_allowed(actor=request.user)

    @action(description=_("财务导出"), icon="request_quote", permissions=["finance_export"])
    def finance_export(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:orders_order_finance_sheet"))

    @action(description=_("装箱单"), icon="print", attrs={"target": "_blank"})
    def packing_slip(self, request: HttpRequest, object_id: str) -> HttpResponse:
        url = f"{reverse('admin:orders_order_packing_slips')}?ids={int(object_id)}"
        return HttpResponseRedirect(url)

    def has_export_orders_permission(self, request: HttpRequest) -> bool:
        return can_export(request, "orders")

    @action(description=_("导出所选订单（CSV，含收货地址）"), permissions=["export_orders"])
    def export_orders_csv(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse:
        """Personal data: its own permission, recorded and audited with the row count."""
        return export_csv_response(request, dataset="orders", queryset=queryset, rows_of=order_export_rows)

    @action(
        description=_("发货"),
        permissions=["ship"],
        icon="local_shipping",
        dialog={
            "title": _("发货"),
            "description": _("选择快递公司并填写运单号；发货会写入操作日志。"),
            "form_class": OrderShipForm,
            "form_submit_text": _("确认发货"),
        },
    )
    def ship(self, request: HttpRequest, form: OrderShipForm, object_id: str) -> HttpResponse:
        try:
            order = order_ship(
                order_id=int(object_id),
                carrier=form.cleaned_data["carrier_name"],
                tracking_no=form.cleaned_data["tracking_no"],
                actor=request.user,
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("订单 %(no)s 已发货") % {"no": order.no})
        return HttpResponse(headers={"HX-Redirect": reverse("admin:orders_order_change", args=[object_id])})

    @action(
        description=_("退款"),
        permissions=["refund"],
        icon="currency_yuan",
        dialog={
            "title": _("退款"),
            "description": _("金额按各商品实付自动计算，不会超过实付；退款会写入操作日志。"),
            "form_class": OrderRefundForm,
            "form_submit_text": _("确认退款"),
        },
    )
    def refund(self, request: HttpRequest, form: OrderRefundForm, object_id: str) -> HttpResponse:
        try:
            refund = refund_create(
                order_id=int(object_id),
                lines=form.refund_lines(),
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("已提交退款 %(no)s，金额 %(amount)s") % {"no": refund.out_refund_no, "amount": yuan(refund.amount)},
            )
        return HttpResponse(headers={"HX-Redirect": reverse("admin:orders_order_change", args=[object_id])})

    # --- after-sales (P04): the order's requests in the after-sales queue ---

    def has_after_sales_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return request.user.has_perm("orders.view_aftersale")

    @action(description=_("售后记录"), permissions=["after_sales"], icon="assignment_return")
    def after_sales(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return redirect(f"{reverse('admin:orders_aftersale_changelist')}?order__id__exact={int(object_id)}")
