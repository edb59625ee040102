"""The 会员分层 page (F35): each layer's size, who moved between layers this month, its playbook
in words, editing the playbook and launching it in one step."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mall.console.display import yuan
from mall.errors import ApplicationError
from mall.models import Product
from members.models import Segment
from members.services.layers import layer_launch, layer_overview, layer_playbook_update

VIEW_PERMISSION = "members.view_segment"
LAUNCH_PERMISSION = "members.add_segmentcampaign"


def coupon_text(coupon: dict[str, Any]) -> str:
    if coupon.get("kind") == "rate_off":
        rate = Decimal(str(coupon.get("rate") or "1")) * 10
        return _("%(name)s（%(rate)s 折，%(days)d 天有效）") % {
            "name": coupon.get("name", ""),
            "rate": f"{rate.normalize():f}",
            "days": int(coupon.get("valid_days") or 0),
        }
    return _("%(name)s（满 %(threshold)s 减 %(off)s，%(days)d 天有效）") % {
        "name": coupon.get("name", ""),
        "threshold": yuan(int(coupon.get("threshold") or 0)),
        "off": yuan(int(coupon.get("off") or 0)),
        "days": int(coupon.get("valid_days") or 0),
    }


def playbook_lines(playbook: dict[str, Any]) -> list[str]:
    lines = [coupon_text(c) for c in playbook.get("coupons") or []]
    if playbook.get("points"):
        lines.append(_("赠送 %(n)d 积分") % {"n": int(playbook["points"])})
    if playbook.get("message_title"):
        lines.append(_("消息：%(title)s") % {"title": playbook["message_title"]})
    if playbook.get("early_access_days"):
        count = len(playbook.get("early_access_products") or [])
        lines.append(
            _("新品优先购：提前 %(days)d 天，%(n)d 个商品") % {"days": playbook["early_access_days"], "n": count}
        )
    if playbook.get("follow_up"):
        lines.append(_("专属客服回访名单"))
    lines.append(_("对照组 %(p)d%%") % {"p": int(playbook.get("holdout_percent") or 0)})
    return lines


@staff_member_required
def layers_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    if request.method == "POST":
        if not request.user.has_perm(LAUNCH_PERMISSION):
            raise PermissionDenied
        segment = get_object_or_404(Segment.objects.exclude(layer=""), pk=request.POST.get("segment"))
        try:
            result = layer_launch(actor=request.user, segment_id=segment.pk)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("「%(name)s」策略已启动：%(n)d 个活动，%(members)d 位会员。")
                % {
                    "name": segment.name,
                    "n": len(result.campaigns),
                    "members": sum(c.members.count() for c in result.campaigns[:1]),
                },
            )
        return HttpResponseRedirect(reverse("console:members_layers"))
    rows, moved = layer_overview()
    context = {
        **admin.site.each_context(request),
        "title": _("会员分层"),
        "rows": [
            {
                "segment": row.segment,
                "size": row.size,
                "came_in": row.came_in,
                "went_out": row.went_out,
                "playbook": playbook_lines(row.segment.playbook or {}),
            }
            for row in rows
        ],
        "moved": moved,
        "chart_max": max([row.size for row in rows] + [1]),
        "can_launch": request.user.has_perm(LAUNCH_PERMISSION),
    }
    return render(request, "members/layers.html", context)


class PlaybookForm(forms.Form):
    coupon1_name = forms.CharField(label=gettext_lazy("优惠券一：名称"), max_length=60, required=False)
    coupon1_kind = forms.ChoiceField(
        label=gettext_lazy("优惠券一：类型"),
        choices=[("amount_off", gettext_lazy("满减券")), ("rate_off", gettext_lazy("折扣券"))],
    )
    coupon1_threshold = forms.DecimalField(label=gettext_lazy("优惠券一：门槛（元）"), min_value=0, decimal_places=2)
    coupon1_off = forms.DecimalField(label=gettext_lazy("优惠券一：减（元）"), min_value=0, decimal_places=2)
    coupon1_rate = forms.DecimalField(
        label=gettext_lazy("优惠券一：折扣（如 0.9）"), min_value=0, max_value=1, required=False
    )
    coupon1_days = forms.IntegerField(label=gettext_lazy("优惠券一：有效天数"), min_value=1, max_value=365)
    coupon2_name = forms.CharField(label=gettext_lazy("优惠券二：名称（留空不发）"), max_length=60, required=False)
    coupon2_threshold = forms.DecimalField(label=gettext_lazy("优惠券二：门槛（元）"), min_value=0, required=False)
    coupon2_off = forms.DecimalField(label=gettext_lazy("优惠券二：减（元）"), min_value=0, required=False)
    coupon2_days = forms.IntegerField(
        label=gettext_lazy("优惠券二：有效天数"), min_value=1, max_value=365, required=False
    )
    points = forms.IntegerField(label=gettext_lazy("赠送积分"), min_value=0, max_value=100_000)
    message_title = forms.CharField(label=gettext_lazy("消息标题"), max_length=60, required=False)
    message_body = forms.CharField(
        label=gettext_lazy("消息内容"), max_length=300, required=False, widget=forms.Textarea
    )
    holdout_percent = forms.IntegerField(label=gettext_lazy("对照组比例（%）"), min_value=0, max_value=50)
    follow_up = forms.BooleanField(label=gettext_lazy("生成专属客服回访名单"), required=False)
    early_access_days = forms.IntegerField(label=gettext_lazy("新品优先购提前天数"), min_value=0, max_value=30)
    early_access_products = forms.ModelMultipleChoiceField(
        label=gettext_lazy("新品优先购商品"), queryset=Product.objects.order_by("-pk"), required=False
    )

    @classmethod
    def initial_from(cls, playbook: dict[str, Any]) -> dict[str, Any]:
        coupons: list[dict[str, Any]] = list(playbook.get("coupons") or [])
        first: dict[str, Any] = coupons[0] if coupons else {"kind": "amount_off", "valid_days": 7}
        second: dict[str, Any] = coupons[1] if len(coupons) > 1 else {}
        return {
            "coupon1_name": first.get("name", ""),
            "coupon1_kind": first.get("kind", "amount_off"),
            "coupon1_threshold": Decimal(int(first.get("threshold") or 0)) / 100,
            "coupon1_off": Decimal(int(first.get("off") or 0)) / 100,
            "coupon1_rate": first.get("rate"),
            "coupon1_days": first.get("valid_days", 7),
            "coupon2_name": second.get("name", ""),
            "coupon2_threshold": Decimal(int(second.get("threshold") or 0)) / 100 if second else None,
            "coupon2_off": Decimal(int(second.get("off") or 0)) / 100 if second else None,
            "coupon2_days": second.get("valid_days"),
            "points": int(playbook.get("points") or 0),
            "message_title": playbook.get("message_title", ""),
            "message_body": playbook.get("message_body", ""),
            "holdout_percent": int(playbook.get("holdout_percent") or 0),
            "follow_up": bool(playbook.get("follow_up")),
            "early_access_days": int(playbook.get("early_access_days") or 0),
            "early_access_products": list(playbook.get("early_access_products") or []),
        }

    def playbook(self) -> dict[str, Any]:
        d = self.cleaned_data
        coupons: list[dict[str, Any]] = []
        if d["coupon1_name"]:
            first: dict[str, Any] = {
                "name": d["coupon1_name"],
                "kind": d["coupon1_kind"],
                "threshold": int(d["coupon1_threshold"] * 100),
                "valid_days": d["coupon1_days"],
            }
            if d["coupon1_kind"] == "rate_off":
                first["rate"] = str(d["coupon1_rate"] or "")
            else:
                first["off"] = int(d["coupon1_off"] * 100)
            coupons.append(first)
        if d.get("coupon2_name"):
            coupons.append(
                {
                    "name": d["coupon2_name"],
                    "kind": "amount_off",
                    "threshold": int((d.get("coupon2_threshold") or 0) * 100),
                    "off": int((d.get("coupon2_off") or 0) * 100),
                    "valid_days": d.get("coupon2_days") or 7,
                }
            )
        return {
            "coupons": coupons,
            "points": d["points"],
            "message_title": d["message_title"],
            "message_body": d["message_body"],
            "holdout_percent": d["holdout_percent"],
            "follow_up": d["follow_up"],
            "early_access_days": d["early_access_days"],
            "early_access_products": [p.pk for p in d["early_access_products"]],
        }


@staff_member_required
def layer_playbook_view(request: HttpRequest, segment_id: int) -> HttpResponse:
    if not request.user.has_perm("members.change_segment"):
        raise PermissionDenied
    segment = get_object_or_404(Segment.objects.exclude(layer=""), pk=segment_id)
    form = PlaybookForm(request.POST or None, initial=PlaybookForm.initial_from(segment.playbook or {}))
    if request.method == "POST" and form.is_valid():
        try:
            layer_playbook_update(actor=request.user, segment_id=segment.pk, playbook=form.playbook())
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("策略已保存。"))
            return HttpResponseRedirect(reverse("console:members_layers"))
    return render(
        request,
        "members/layer_playbook.html",
        {**admin.site.each_context(request), "title": _("编辑分层策略"), "segment": segment, "form": form},
    )
