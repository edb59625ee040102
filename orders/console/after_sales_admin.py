"""The console's after-sales queue (P04): tabs by state, the shopper's photos and story, and the
merchant's steps (同意 / 拒绝 / 确认收货 / 重新退款) as detail actions calling the services.

Imported by ``orders.admin`` so the registration happens at admin autodiscovery. Nothing on a
request is edited in a form; each step is audited by its service and messaged to the shopper.
Buttons show only when the request is in a state the step accepts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.forms import BaseDialogForm

from mall.console.display import flag_if
from mall.errors import ApplicationError
from mall.money import format_yuan
from members.services.tiers import green_channel_tiers
from orders.models import AfterSale, AfterSaleKind, AfterSaleStatus
from orders.selectors.after_sales import after_sale_status_counts
from orders.services.after_sales import (
    HANDLE_PERMISSION,
    after_sale_approve,
    after_sale_confirm_receipt,
    after_sale_refund_retry,
    after_sale_reject,
)

S = AfterSaleStatus

# The queue's tabs: (key, title, statuses). "全部" has no filter.
TABS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("pending", _("待审核"), (S.PENDING,)),
    ("awaiting_return", _("待退货"), (S.AWAITING_RETURN,)),
    ("returned", _("待收货"), (S.RETURNED,)),
    ("to_refund", _("待退款"), (S.APPROVED, S.RECEIVED, S.REFUNDING)),
    ("refunded", _("已退款"), (S.REFUNDED,)),
    ("closed", _("已拒绝 / 撤销 / 关闭"), (S.REJECTED, S.CANCELLED, S.CLOSED)),
)

STATUS_COLOURS = {
    S.PENDING: "warning",
    S.AWAITING_RETURN: "info",
    S.RETURNED: "warning",
    S.APPROVED: "info",
    S.RECEIVED: "info",
    S.REFUNDING: "info",
    S.REFUNDED: "success",
    S.REJECTED: "danger",
    S.CANCELLED: "",
    S.CLOSED: "",
}


def _tab_query(statuses: tuple[str, ...]) -> str:
    return "?status__in=" + ",".join(statuses)


def after_sale_tabs(request: HttpRequest) -> list[dict[str, Any]]:
    """The tabs above the list with their counts; the one matching the current filter is active."""
    counts = after_sale_status_counts()
    current = request.GET.get("status__in") or request.GET.get("status__exact") or ""
    tabs = [{"title": _("全部"), "href": "?", "count": sum(counts.values()), "active": not current}]
    for _key, title, statuses in TABS:
        tabs.append(
            {
                "title": title,
                "href": _tab_query(statuses),
                "count": sum(counts[status] for status in statuses),
                "active": current == ",".join(statuses),
            }
        )
    return tabs


def deadline_of(after_sale: AfterSale) -> datetime | None:
    """When the current step times out (merchant review or shopper's return), if it does."""
    if after_sale.status == S.PENDING:
        return after_sale.status_changed_at + timedelta(hours=settings.AFTER_SALES_REVIEW_HOURS)
    if after_sale.status == S.AWAITING_RETURN:
        return after_sale.status_changed_at + timedelta(days=settings.AFTER_SALES_RETURN_DAYS)
    return None


class AfterSaleRejectForm(BaseDialogForm):
    reason = forms.CharField(label=_("拒绝原因"), max_length=200, help_text=_("顾客会在消息和售后详情中看到。"))


@admin.register(AfterSale)
class AfterSaleAdmin(ModelAdmin):
    list_display = (
        "no",
        "order_link",
        "member",
        "kind",
        "status_badge",
        "green_display",
        "line_display",
        "qty",
        "amount_display",
        "created_at",
        "deadline_display",
    )
    list_filter = ("status", "kind", "reason", "created_at")
    search_fields = ("no", "order__no", "member__nickname", "member__phone", "return_tracking_no")
    list_select_related = ("order", "member", "line")
    list_per_page = 50
    list_before_template = "orders/after_sales_tabs.html"
    fields = (
        "no",
        "order_link",
        "member",
        "kind",
        "status_badge",
        "line_display",
        "qty",
        "amount_display",
        "reason",
        "description",
        "photos_display",
        "reject_reason",
        "return_carrier",
        "return_tracking_no",
        "refund_display",
        "history_display",
        "created_at",
        "deadline_display",
        "closed_at",
    )
    readonly_fields = fields
    actions_detail = ["approve", "reject", "confirm_receipt", "refund_retry"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AfterSale]:
        # F16 售后绿色通道: requests of those tiers go first in line (then newest first).
        green = Case(
            When(member__tier__in=green_channel_tiers(), then=Value(1)), default=Value(0), output_field=IntegerField()
        )
        # Annotated before ordering (ModelAdmin.get_queryset orders by get_ordering, which names it).
        queryset = AfterSale.objects.select_related("refund").prefetch_related("photos").annotate(green_rank=green)
        return queryset.order_by(*self.get_ordering(request))

    def get_ordering(self, request: HttpRequest) -> Any:
        return ("-green_rank", "-id")

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        extra_context = {**(extra_context or {}), "after_sale_tabs": after_sale_tabs(request)}
        return super().changelist_view(request, extra_context)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # The tabs filter several states at once; the order desk links with its order.
        if lookup in ("status__in", "order__id__exact"):
            return True
        return super().lookup_allowed(lookup, value, request)  # type: ignore[call-arg]

    # --- columns -------------------------------------------------------------------------

    @display(description=_("订单"), ordering="order__no")
    def order_link(self, obj: AfterSale) -> SafeString:
        return format_html(
            '<a class="text-primary-600" href="{}">{}</a>',
            reverse("admin:orders_order_change", args=[obj.order_id]),
            obj.order.no,
        )

    @display(
        description=_("状态"),
        ordering="status",
        label={str(status.label): colour for status, colour in STATUS_COLOURS.items() if colour},
    )
    def status_badge(self, obj: AfterSale) -> str:
        return str(obj.get_status_display())

    @display(description=_("通道"))
    def green_display(self, obj: AfterSale) -> SafeString | str:
        return flag_if(bool(getattr(obj, "green_rank", 0)), _("绿色通道"), "success")

    @display(description=_("商品"))
    def line_display(self, obj: AfterSale) -> str:
        specs = " ".join(str(value) for value in (obj.line.specs or {}).values())
        return f"{obj.line.title} {specs}".strip()

    @display(description=_("申请金额（元）"), ordering="amount")
    def amount_display(self, obj: AfterSale) -> str:
        return format_yuan(obj.amount)

    @display(description=_("处理时限"))
    def deadline_display(self, obj: AfterSale) -> str:
        due = deadline_of(obj)
        if due is None:
            return "-"
        return timezone.localtime(due).strftime("%Y-%m-%d %H:%M")

    @display(description=_("图片"))
    def photos_display(self, obj: AfterSale) -> SafeString | str:
        photos = list(obj.photos.all())
        if not photos:
            return str(_("顾客未上传图片"))
        return format_html(
            '<div class="flex flex-wrap gap-2">{}</div>',
            format_html_join(
                "",
                '<a href="{0}" target="_blank" rel="noopener" data-testid="after-sale-photo">'
                '<img src="{0}" alt="" class="h-24 w-24 rounded object-cover border border-base-200"></a>',
                ((photo.image.url,) for photo in photos),
            ),
        )

    @display(description=_("退款"))
    def refund_display(self, obj: AfterSale) -> SafeString | str:
        if obj.refund is None:
            return "-"
        return format_html(
            '<a class="text-primary-600" href="{}">{} · {} 元 · {}</a>',
            reverse("admin:orders_refund_change", args=[obj.refund_id]),
            obj.refund.out_refund_no,
            format_yuan(obj.refund.amount),
            obj.refund.get_status_display(),
        )

    @display(description=_("进度"))
    def history_display(self, obj: AfterSale) -> SafeString:
        rows = []
        for step in obj.history:
            at = datetime.fromisoformat(step["at"])
            rows.append(
                (
                    timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
                    AfterSaleStatus(step["status"]).label,
                    step.get("note") or "",
                )
            )
        return format_html(
            '<ol class="flex flex-col gap-1">{}</ol>',
            format_html_join("", '<li><span class="text-font-subtle-light">{}</span> {} <span>{}</span></li>', rows),
        )

    # --- permissions ---------------------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # shoppers ask in the mini-program

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # every step is an action calling a service

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _can(self, request: HttpRequest, object_id: Any, ready: Q) -> bool:
        # Methods, not dotted permissions: unfold checks those against the database at
        # system-check time, which fails before the first migrate.
        if not request.user.has_perm(HANDLE_PERMISSION):
            return False
        return object_id is None or AfterSale.objects.filter(ready, pk=object_id).exists()

    def has_approve_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return self._can(request, object_id, Q(status=S.PENDING))

    def has_reject_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return self._can(request, object_id, Q(status__in=(S.PENDING, S.RETURNED)))

    def has_confirm_receipt_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return self._can(request, object_id, Q(status=S.RETURNED))

    def has_refund_retry_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        # Waiting after a refused refund: 仅退款 in 已同意, 退货退款 in 已收货.
        ready = Q(kind=AfterSaleKind.REFUND_ONLY, status=S.APPROVED) | Q(
            kind=AfterSaleKind.RETURN_REFUND, status=S.RECEIVED
        )
        return self._can(request, object_id, ready)

    # --- steps ---------------------------------------------------------------------------

    def _run(self, request: HttpRequest, object_id: str, call: Any, done: Any) -> HttpResponse:
        try:
            after_sale = call()
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, done % {"no": after_sale.no, "status": after_sale.get_status_display()})
        return HttpResponse(headers={"HX-Redirect": reverse("admin:orders_aftersale_change", args=[object_id])})

    @action(
        description=_("同意"),
        permissions=["approve"],
        icon="check_circle",
        dialog={
            "title": _("同意售后申请"),
            "description": _(
                "仅退款：同意后立即按实付原路退款。退货退款：同意后等待顾客寄回。操作会写入操作日志并通知顾客。"
            ),
            "form_submit_text": _("确认同意"),
        },
    )
    def approve(self, request: HttpRequest, form: BaseDialogForm, object_id: str) -> HttpResponse:
        return self._run(
            request,
            object_id,
            lambda: after_sale_approve(after_sale_id=int(object_id), actor=request.user),
            _("售后单 %(no)s 已同意，当前状态：%(status)s"),
        )

    @action(
        description=_("拒绝"),
        permissions=["reject"],
        icon="cancel",
        dialog={
            "title": _("拒绝售后申请"),
            "description": _("请填写原因；操作会写入操作日志并通知顾客。"),
            "form_class": AfterSaleRejectForm,
            "form_submit_text": _("确认拒绝"),
        },
    )
    def reject(self, request: HttpRequest, form: AfterSaleRejectForm, object_id: str) -> HttpResponse:
        return self._run(
            request,
            object_id,
            lambda: after_sale_reject(
                after_sale_id=int(object_id), actor=request.user, reason=form.cleaned_data["reason"]
            ),
            _("售后单 %(no)s 已拒绝"),
        )

    @action(
        description=_("确认收货并退款"),
        permissions=["confirm_receipt"],
        icon="inventory",
        dialog={
            "title": _("确认收到退货"),
            "description": _("确认后立即按实付原路退款；操作会写入操作日志并通知顾客。"),
            "form_submit_text": _("确认收货"),
        },
    )
    def confirm_receipt(self, request: HttpRequest, form: BaseDialogForm, object_id: str) -> HttpResponse:
        return self._run(
            request,
            object_id,
            lambda: after_sale_confirm_receipt(after_sale_id=int(object_id), actor=request.user),
            _("售后单 %(no)s 已确认收货，当前状态：%(status)s"),
        )

    @action(
        description=_("重新退款"),
        permissions=["refund_retry"],
        icon="currency_yuan",
        dialog={
            "title": _("重新退款"),
            "description": _("上次退款被支付渠道拒绝，再次按实付原路退款。"),
            "form_submit_text": _("确认退款"),
        },
    )
    def refund_retry(self, request: HttpRequest, form: BaseDialogForm, object_id: str) -> HttpResponse:
        return self._run(
            request,
            object_id,
            lambda: after_sale_refund_retry(after_sale_id=int(object_id), actor=request.user),
            _("售后单 %(no)s 已重新提交退款，当前状态：%(status)s"),
        )
