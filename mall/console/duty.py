"""系统 › 值班: the duty roster and what the staff on duty were told.

``/console/system/duty/`` lists the shifts (who, which weekdays, which hours in shop time,
where to reach them, whether they are on duty right now), adds a shift, switches one on or off
or removes it (all through ``mall.services.duty``, audited), and shows the latest alert
deliveries with their outcome (送达 / 失败 with 企业微信's errmsg / 结果未知). Viewing needs
``mall.view_dutyshift``; changing ``mall.change_dutyshift`` (the owner has both).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminEmailInputWidget, UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from mall.errors import DutyShiftInvalid, DutyShiftNotFound
from mall.models import DutyShift, StaffAlertDelivery
from mall.models.duty import WEEKDAY_CHOICES
from mall.services.duty import DutyShiftData, duty_shift_create, duty_shift_delete, duty_shift_update, shift_covers
from mall.wecom import webhook_masked

VIEW = "mall.view_dutyshift"
CHANGE = "mall.change_dutyshift"
DELIVERIES_SHOWN = 30
WEEKDAY_NAMES = dict(WEEKDAY_CHOICES)
KIND_LABELS = {"campaign_anomaly": _("营销活动异常")}


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() if isinstance(obj, User) else ""
        return f"{name}（{obj.get_username()}）" if name else obj.get_username()


class DutyShiftForm(forms.Form):
    user = StaffChoiceField(
        label=_("值班员工"),
        queryset=User.objects.filter(is_staff=True, is_active=True).order_by("username"),
        widget=UnfoldAdminSelectWidget,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("值班日"), choices=WEEKDAY_CHOICES, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    starts_at = forms.TimeField(
        label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time", "class": "dy-duty-time"}, format="%H:%M")
    )
    ends_at = forms.TimeField(
        label=_("结束时间"),
        help_text=_("早于开始时间表示跨夜，如 22:00–08:00"),
        widget=forms.TimeInput(attrs={"type": "time", "class": "dy-duty-time"}, format="%H:%M"),
    )
    email = forms.EmailField(label=_("通知邮箱"), required=False, widget=UnfoldAdminEmailInputWidget)
    wecom_webhook = forms.CharField(
        label=_("企业微信群机器人地址"),
        required=False,
        max_length=300,
        help_text=_("群设置 › 群机器人 › 复制 Webhook 地址"),
        widget=UnfoldAdminTextInputWidget,
    )

    def shift_data(self, *, is_active: bool = True) -> DutyShiftData:
        d = self.cleaned_data
        return DutyShiftData(
            user_id=d["user"].pk,
            weekdays=tuple(d["weekdays"]),
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            email=d["email"],
            wecom_webhook=d["wecom_webhook"],
            is_active=is_active,
        )


def _data_of(shift: DutyShift, *, is_active: bool) -> DutyShiftData:
    return DutyShiftData(
        user_id=shift.user_id,
        weekdays=tuple(shift.weekdays),
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        email=shift.email,
        wecom_webhook=shift.wecom_webhook,
        is_active=is_active,
    )


def _shift_row(shift: DutyShift, now: Any) -> dict[str, Any]:
    overnight = shift.ends_at <= shift.starts_at
    ends = f"{shift.ends_at:%H:%M}"
    return {
        "shift": shift,
        "weekdays": "、".join(str(WEEKDAY_NAMES[day]) for day in shift.weekdays),
        "hours": f"{shift.starts_at:%H:%M} – " + (str(_("次日 %(t)s")) % {"t": ends} if overnight else ends),
        "webhook": webhook_masked(shift.wecom_webhook) if shift.wecom_webhook else "",
        "on_duty": shift.is_active and shift_covers(shift, now),
    }


def _delivery_row(delivery: StaffAlertDelivery) -> dict[str, Any]:
    target = webhook_masked(delivery.target) if delivery.channel == "wecom" else delivery.target
    return {
        "delivery": delivery,
        "kind": KIND_LABELS.get(delivery.kind, delivery.kind),
        "target": target,
        "link": reverse("console:marketing_campaign_anomalies") if delivery.kind == "campaign_anomaly" else "",
    }


def _post(request: HttpRequest) -> DutyShiftForm | None:
    """Carry out one change; returns the add form when it was refused (to show it again)."""
    op = request.POST.get("op")
    if op == "add":
        form = DutyShiftForm(request.POST)
        if not form.is_valid():
            return form
        try:
            duty_shift_create(actor=request.user, data=form.shift_data())
        except DutyShiftInvalid as exc:
            for field, message in (exc.details.get("errors") or {}).items():
                form.add_error(field if field in form.fields else None, message)
            return form
        messages.success(request, _("值班安排已添加。"))
        return None
    shift_id = int(request.POST.get("shift_id") or 0)
    try:
        if op == "delete":
            duty_shift_delete(actor=request.user, shift_id=shift_id)
            messages.success(request, _("值班安排已删除。"))
        elif op == "toggle":
            shift = DutyShift.objects.filter(pk=shift_id).first()
            if shift is None:
                raise DutyShiftNotFound()
            duty_shift_update(
                actor=request.user, shift_id=shift_id, data=_data_of(shift, is_active=not shift.is_active)
            )
            messages.success(request, _("已启用。") if not shift.is_active else _("已停用。"))
    except (DutyShiftInvalid, DutyShiftNotFound) as exc:
        messages.error(request, str(exc.message))
    return None


@staff_member_required
def duty_roster_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    form = DutyShiftForm(initial={"weekdays": [0, 1, 2, 3, 4], "starts_at": "09:00", "ends_at": "18:00"})
    if request.method == "POST":
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        refused = _post(request)
        if refused is None:
            return HttpResponseRedirect(reverse("console:duty_roster"))
        form = refused
    now = timezone.now()
    shifts = DutyShift.objects.select_related("user").order_by("starts_at", "pk")
    deliveries = StaffAlertDelivery.objects.select_related("user")[:DELIVERIES_SHOWN]
    context = {
        **admin.site.each_context(request),
        "title": _("值班"),
        "form": form,
        "rows": [_shift_row(shift, now) for shift in shifts],
        "deliveries": [_delivery_row(delivery) for delivery in deliveries],
        "can_change": request.user.has_perm(CHANGE),
    }
    return TemplateResponse(request, "admin/console/duty.html", context)
