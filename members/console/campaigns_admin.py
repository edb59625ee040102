"""Console pages for campaigns aimed at a segment: create (segment → coupon and/or message and
points → holdout share), start (the snapshot is frozen then), the treated-vs-holdout report and
the 专属客服回访 follow-up list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from analytics.console.uplift import uplift_summary
from analytics.selectors.uplift import segment_campaign_uplifts
from mall.console.display import mask_phone, yuan
from mall.console.service_admin import ServiceRefusalMixin
from mall.errors import ApplicationError
from members.models import CampaignMember, EarlyAccess, Message, SegmentCampaign
from members.services.campaigns import (
    CampaignData,
    campaign_follow_up_done,
    segment_campaign_create,
    segment_campaign_report,
    segment_campaign_start,
)

SKIP_LABELS = dict(CampaignMember.Skip.choices) | {
    f"push_{value}": label for value, label in Message.SkipReason.choices
}


class SegmentCampaignForm(forms.ModelForm):
    class Meta:
        model = SegmentCampaign
        fields = (
            "name",
            "segment",
            "coupon_template",
            "message_title",
            "message_body",
            "points",
            "holdout_percent",
            "window_days",
            "follow_up",
        )

    def _post_clean(self) -> None:
        # The service checks the rules (in Chinese); the model's CHECK would only repeat them.
        return None


@admin.register(SegmentCampaign)
class SegmentCampaignAdmin(ServiceRefusalMixin, ModelAdmin):
    form = SegmentCampaignForm
    list_display = ("name", "segment", "status", "holdout_percent", "started_at", "uplift_display")
    list_filter = ("status",)
    list_select_related = ("segment",)
    actions_detail = ["start_campaign"]
    report_fields = ("report_display",)

    def get_readonly_fields(self, request: HttpRequest, obj: SegmentCampaign | None = None) -> Any:
        if obj is None:
            return ()
        return (*SegmentCampaignForm.Meta.fields, "status", "started_at", "report_display")

    def get_fields(self, request: HttpRequest, obj: SegmentCampaign | None = None) -> Any:
        if obj is None:
            return SegmentCampaignForm.Meta.fields
        return ("report_display", *SegmentCampaignForm.Meta.fields, "status", "started_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        """Work out the page's uplift figures at once (a fixed number of queries for the page)."""
        changelist = super().get_changelist_instance(request)
        rows = list(changelist.result_list)
        with_holdout = [row.pk for row in rows if row.holdout_percent and row.started_at]
        reports = segment_campaign_uplifts(campaign_ids=with_holdout) if with_holdout else {}
        for row in rows:
            row.uplift_report = reports.get(row.pk)
        return changelist

    @display(description=gettext_lazy("对照组效果"))
    def uplift_display(self, obj: SegmentCampaign) -> SafeString | str:
        if not obj.holdout_percent:
            return _("未设对照组")
        report = getattr(obj, "uplift_report", None)
        if obj.started_at is None or report is None:
            return _("尚未开始")
        link = reverse("console:analytics_uplift_campaign", args=[obj.pk])
        return format_html('<a class="text-primary-600" href="{}">{}</a>', link, uplift_summary(report))

    def save_model(self, request: HttpRequest, obj: SegmentCampaign, form: forms.ModelForm, change: bool) -> None:
        d = form.cleaned_data
        created = segment_campaign_create(
            actor=request.user,
            data=CampaignData(
                name=d["name"],
                segment_id=d["segment"].pk,
                coupon_template_id=d["coupon_template"].pk if d.get("coupon_template") else None,
                message_title=d.get("message_title") or "",
                message_body=d.get("message_body") or "",
                holdout_percent=d.get("holdout_percent") or 0,
                window_days=d.get("window_days") or 14,
                follow_up=bool(d.get("follow_up")),
                points=d.get("points") or 0,
            ),
        )
        obj.pk = created.pk

    @action(description=gettext_lazy("开始发放"), icon="send", permissions=["change"])
    def start_campaign(self, request: HttpRequest, object_id: int) -> HttpResponse:
        try:
            campaign = segment_campaign_start(actor=request.user, campaign_id=int(object_id))
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request, _("已开始：%(n)d 位会员已固定在活动名单中，正在发放。") % {"n": campaign.members.count()}
            )
        return HttpResponseRedirect(reverse("admin:members_segmentcampaign_change", args=[object_id]))

    @display(description=gettext_lazy("效果（实验组 / 对照组）"))
    def report_display(self, obj: SegmentCampaign) -> SafeString | str:
        if obj.started_at is None:
            return _("尚未开始")
        report = segment_campaign_report(campaign_id=obj.pk)
        t, h = report.treated, report.holdout
        rows = [
            (_("人数"), t.members, h.members),
            (_("触达"), t.reached, h.reached),
            (_("发券"), t.coupons_issued, h.coupons_issued),
            (_("用券"), t.coupons_used, h.coupons_used),
            (_("下单人数"), t.buyers, h.buyers),
            (_("订单数"), t.orders, h.orders),
            (_("成交金额"), yuan(t.gmv), yuan(h.gmv)),
            (_("转化率"), f"{t.conversion:.1%}", f"{h.conversion:.1%}"),
        ]
        table = format_html(
            '<table data-testid="campaign-report"><thead><tr><th></th><th>{}</th><th>{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            _("实验组"),
            _("对照组"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )
        skipped = format_html_join(
            "", "<li>{}：{}</li>", ((SKIP_LABELS.get(k, k), n) for k, n in sorted(report.skipped.items()))
        )
        uplift = ""
        if obj.holdout_percent:
            uplift = format_html(
                '<p><a class="text-primary-600" data-testid="campaign-uplift-link" href="{}">{}</a></p>',
                reverse("console:analytics_uplift_campaign", args=[obj.pk]),
                _("查看对照组效果（置信区间、增量成交额与 ROI）"),
            )
        return format_html(
            '{}{}<p>{}</p><ul data-testid="campaign-skipped">{}</ul>', table, uplift, _("未送达及原因"), skipped
        )


@admin.register(CampaignMember)
class FollowUpAdmin(ModelAdmin):
    """专属客服回访: the treated shoppers of campaigns with a follow-up list."""

    list_display = ("member", "phone_display", "campaign", "coupon", "followed_up_at", "follow_up_note")
    list_filter = ("campaign", ("followed_up_at", admin.EmptyFieldListFilter))
    search_fields = ("member__nickname", "member__phone")
    actions = ("mark_followed_up",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CampaignMember]:
        return (
            super()
            .get_queryset(request)
            .filter(campaign__follow_up=True, is_holdout=False)
            .select_related("member", "campaign", "coupon")
        )

    @display(description=gettext_lazy("手机号"))
    def phone_display(self, obj: CampaignMember) -> str:
        return mask_phone(obj.member.phone)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("标记为已回访"), permissions=["view"])
    def mark_followed_up(self, request: HttpRequest, queryset: QuerySet[CampaignMember]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        for row_id in ids:
            campaign_follow_up_done(actor=request.user, row_id=row_id, note=_("已回访"))
        messages.success(request, _("已标记 %(n)d 位会员为已回访。") % {"n": len(ids)})


@admin.register(EarlyAccess)
class EarlyAccessAdmin(ModelAdmin):
    """新品优先购 windows (opened by launching the 高价值 playbook): read here, set in the playbook."""

    list_display = ("product", "segment", "starts_at", "launch_at")
    list_filter = ("segment",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
