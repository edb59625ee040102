"""The console's 内容 › 种草社区 (F23): the review queue of posts and comments with their pictures
and WeChat's verdicts, approve / reject with a reason (one by one, or in bulk with a stock
reason), 精选, removal (reversing the 优质内容 award), shoppers' reports, topics and the rules.

Every step calls a service, which writes the audit row; nothing is edited in a raw form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.forms import BaseDialogForm
from unfold.widgets import UnfoldAdminIntegerFieldWidget, UnfoldBooleanSwitchWidget

from mall.console.display import flag_if
from mall.console.service_admin import ServiceRefusalMixin
from mall.errors import ApplicationError
from marketing.models import (
    CheckResult,
    CommunityAward,
    CommunityComment,
    CommunityPost,
    CommunityReport,
    CommunitySettings,
    CommunityTopic,
    MediaKind,
    PostStatus,
    ReportStatus,
)
from marketing.services.community_moderation import (
    community_comment_approve,
    community_comment_reject,
    community_post_approve,
    community_post_feature,
    community_post_reject,
    community_post_remove,
    community_report_resolve,
    community_settings_save,
)
from marketing.services.community_topics import community_topic_delete, community_topic_save

STATUS_COLOURS = {
    PostStatus.PENDING: "warning",
    PostStatus.PUBLISHED: "success",
    PostStatus.REJECTED: "danger",
    PostStatus.DELETED: "",
}
CHECK_COLOURS = {
    CheckResult.WAITING: "info",
    CheckResult.PASS: "success",
    CheckResult.REVIEW: "warning",
    CheckResult.RISKY: "danger",
}
# Stock reasons for bulk rejection (one by one, the merchant writes their own).
BULK_REASONS = {
    "unrelated": _("内容与商品无关"),
    "advert": _("含广告或联系方式"),
    "quality": _("图片模糊或内容过短"),
}


def _status_label() -> dict[str, str]:
    return {str(status.label): colour for status, colour in STATUS_COLOURS.items() if colour}


class ReasonForm(BaseDialogForm):
    reason = forms.CharField(label=_("原因"), max_length=200, help_text=_("作者会在「我的种草」中看到。"))


class ResolveForm(BaseDialogForm):
    resolution = forms.CharField(label=_("处理结果"), max_length=200, required=False, help_text=_("留空记为「已处理」"))


def _run(request: HttpRequest, call: Any, done: Any, back: str) -> HttpResponse:
    """A step from a detail page: the service's refusal becomes a message, never a 500."""
    try:
        call()
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return HttpResponse(headers={"HX-Redirect": back})


def _bulk(request: HttpRequest, queryset: QuerySet[Any], call: Any, done: Any) -> None:
    """A step over selected rows: each row through its service; refusals are counted, not fatal."""
    ok, refused = 0, 0
    for pk in queryset.values_list("pk", flat=True):
        try:
            call(pk)
        except ApplicationError:
            refused += 1
        else:
            ok += 1
    messages.success(request, done % {"ok": ok})
    if refused:
        messages.warning(request, gettext("%(count)s 条状态不符，已跳过") % {"count": refused})


def _pictures(post: CommunityPost) -> SafeString | str:
    media = list(post.media.all())
    if not media:
        return gettext("无图片")
    pictures = format_html_join(
        "",
        '<a href="{0}" target="_blank" rel="noopener" title="{1}" data-testid="community-media">'
        '<img src="{0}" alt="" class="h-24 w-24 rounded object-cover border border-base-200"></a>',
        ((m.file.url, m.get_check_result_display()) for m in media if m.kind == MediaKind.IMAGE),
    )
    videos = format_html_join(
        "",
        '<video src="{0}" controls preload="metadata" class="h-40 rounded border border-base-200"></video>',
        ((m.file.url,) for m in media if m.kind == MediaKind.VIDEO),
    )
    return format_html('<div class="flex flex-wrap gap-2">{}{}</div>', pictures, videos)


def _checks(post: CommunityPost) -> str:
    """文本 通过 · 图片 2 通过 / 1 检测中: WeChat's verdicts in words."""
    parts = [gettext("文本 %(result)s") % {"result": post.get_text_check_display()}]
    counts: dict[str, int] = {}
    for media in post.media.all():
        label = str(media.get_check_result_display())
        counts[label] = counts.get(label, 0) + 1
    if counts:
        parts.append(gettext("图片 %(summary)s") % {"summary": " / ".join(f"{n} {k}" for k, n in counts.items())})
    if post.check_error:
        parts.append(gettext("检测失败，已转人工"))
    return " · ".join(parts)


# --- posts --------------------------------------------------------------------------------


class CommunityPostAdmin(ModelAdmin):
    list_display = (
        "thumb",
        "excerpt",
        "author",
        "status_badge",
        "featured_flag",
        "checks_display",
        "engagement_display",
        "open_reports",
        "created_at",
    )
    list_filter = ("status", "is_featured", "text_check", "topics", "created_at")
    search_fields = ("text", "author__nickname", "author__phone")
    list_select_related = ("author",)
    list_per_page = 30
    ordering = ("-id",)
    fields = (
        "author",
        "status_badge",
        "reject_reason",
        "text",
        "pictures",
        "products_display",
        "topics_display",
        "checks_display",
        "engagement_display",
        "featured_flag",
        "award_display",
        "reports_display",
        "reviewed_by",
        "reviewed_at",
        "published_at",
        "created_at",
    )
    readonly_fields = fields
    actions = ["approve_selected", "reject_unrelated", "reject_advert", "reject_quality", "feature_selected"]
    actions_detail = ["approve", "reject", "feature", "unfeature", "remove"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CommunityPost]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related("media", "products", "topics")
            .annotate(open_report_count=Count("reports", filter=Q(reports__status=ReportStatus.OPEN)))
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        # The queue opens on what waits for the merchant.
        if not request.GET and not request.POST:
            return redirect(f"{request.path}?status__exact={PostStatus.PENDING}")
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # 删除 is the audited 下架 step, which also reverses the award

    def has_review_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return bool(request.user.has_perm("marketing.change_communitypost"))

    def _can(self, request: HttpRequest, object_id: Any, ready: Q) -> bool:
        """A detail step shows only when the post is in a state the step accepts."""
        if not self.has_review_permission(request):
            return False
        return object_id is None or CommunityPost.objects.filter(ready, pk=object_id).exists()

    def has_approve_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return self._can(request, object_id, Q(status__in=(PostStatus.PENDING, PostStatus.REJECTED)))

    def has_reject_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return self._can(request, object_id, Q(status__in=(PostStatus.PENDING, PostStatus.PUBLISHED)))

    def has_feature_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return self._can(request, object_id, Q(status=PostStatus.PUBLISHED, is_featured=False))

    def has_unfeature_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return self._can(request, object_id, Q(status=PostStatus.PUBLISHED, is_featured=True))

    def has_remove_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return self._can(request, object_id, ~Q(status=PostStatus.DELETED))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Nothing is edited in a form here: every change is a step button above.
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, extra_context)

    # --- columns -------------------------------------------------------------------------

    @display(description=_("图片"))
    def thumb(self, obj: CommunityPost) -> SafeString | str:
        first = next((m for m in obj.media.all() if m.kind == MediaKind.IMAGE), None)
        if first is None:
            return gettext("视频") if obj.media.all() else ""
        return format_html('<img src="{}" alt="" class="h-12 w-12 rounded object-cover">', first.file.url)

    @display(description=_("正文"))
    def excerpt(self, obj: CommunityPost) -> str:
        return obj.text[:40] + ("…" if len(obj.text) > 40 else "")

    @display(description=_("状态"), ordering="status", label=_status_label())
    def status_badge(self, obj: CommunityPost) -> str:
        return str(obj.get_status_display())

    @display(description=_("精选"))
    def featured_flag(self, obj: CommunityPost) -> SafeString | str:
        return flag_if(obj.is_featured, _("精选"), "success")

    @display(description=_("内容安全检测"))
    def checks_display(self, obj: CommunityPost) -> str:
        return _checks(obj)

    @display(description=_("赞 / 评 / 藏"))
    def engagement_display(self, obj: CommunityPost) -> str:
        return f"{obj.like_count} / {obj.comment_count} / {obj.favourite_count}"

    @display(description=_("待处理举报"))
    def open_reports(self, obj: CommunityPost) -> SafeString | str:
        count = getattr(obj, "open_report_count", 0)
        return flag_if(bool(count), gettext("%(count)s 条") % {"count": count})

    @display(description=_("图片 / 视频"))
    def pictures(self, obj: CommunityPost) -> SafeString | str:
        return _pictures(obj)

    @display(description=_("关联商品"))
    def products_display(self, obj: CommunityPost) -> str:
        return "、".join(p.title for p in obj.products.all()) or "—"

    @display(description=_("话题"))
    def topics_display(self, obj: CommunityPost) -> str:
        return "、".join(t.name for t in obj.topics.all()) or "—"

    @display(description=_("优质内容奖励"))
    def award_display(self, obj: CommunityPost) -> str:
        award = CommunityAward.objects.filter(post=obj).first()
        if award is None:
            return gettext("未获奖")
        text = gettext("%(points)s 积分（%(reason)s）") % {"points": award.points, "reason": award.get_reason_display()}
        if award.reversed_at:
            text += gettext("，已于 %(at)s 撤回") % {
                "at": timezone.localtime(award.reversed_at).strftime("%Y-%m-%d %H:%M")
            }
        return text

    @display(description=_("举报"))
    def reports_display(self, obj: CommunityPost) -> str:
        reports = list(obj.reports.all())
        return "；".join(f"{r.get_reason_display()} · {r.get_status_display()}" for r in reports) or "—"

    # --- detail steps --------------------------------------------------------------------

    def _back(self, object_id: str) -> str:
        return reverse("admin:marketing_communitypost_change", args=[object_id])

    @action(
        description=_("通过"),
        permissions=["approve"],
        icon="check_circle",
        dialog={
            "title": _("通过并发布"),
            "description": _("发布后帖子出现在社区；操作会写入操作日志。"),
            "form_submit_text": _("确认通过"),
        },
    )
    def approve(self, request: HttpRequest, form: BaseDialogForm, object_id: str) -> HttpResponse:
        return _run(
            request,
            lambda: community_post_approve(post_id=int(object_id), actor=request.user),
            gettext("帖子已发布"),
            self._back(object_id),
        )

    @action(
        description=_("驳回"),
        permissions=["reject"],
        icon="cancel",
        dialog={
            "title": _("驳回帖子"),
            "description": _("已发布的帖子会被撤下，已发的优质内容积分会扣回。"),
            "form_class": ReasonForm,
            "form_submit_text": _("确认驳回"),
        },
    )
    def reject(self, request: HttpRequest, form: ReasonForm, object_id: str) -> HttpResponse:
        return _run(
            request,
            lambda: community_post_reject(
                post_id=int(object_id), actor=request.user, reason=form.cleaned_data["reason"]
            ),
            gettext("帖子已驳回"),
            self._back(object_id),
        )

    @action(
        description=_("设为精选"),
        permissions=["feature"],
        icon="star",
        dialog={
            "title": _("设为精选"),
            "description": _("精选帖子排在推荐前列，作者获得一次优质内容积分（受每日上限约束）。"),
            "form_submit_text": _("确认精选"),
        },
    )
    def feature(self, request: HttpRequest, form: BaseDialogForm, object_id: str) -> HttpResponse:
        return _run(
            request,
            lambda: community_post_feature(post_id=int(object_id), actor=request.user, featured=True),
            gettext("已设为精选"),
            self._back(object_id),
        )

    @action(
        description=_("取消精选"),
        permissions=["unfeature"],
        icon="star_border",
        dialog={
            "title": _("取消精选"),
            "description": _("已发的优质内容积分不会扣回。"),
            "form_submit_text": _("确认取消"),
        },
    )
    def unfeature(self, request: HttpRequest, form: BaseDialogForm, object_id: str) -> HttpResponse:
        return _run(
            request,
            lambda: community_post_feature(post_id=int(object_id), actor=request.user, featured=False),
            gettext("已取消精选"),
            self._back(object_id),
        )

    @action(
        description=_("下架删除"),
        permissions=["remove"],
        icon="delete",
        dialog={
            "title": _("下架并删除帖子"),
            "description": _("帖子从社区和作者的列表中消失，已发的优质内容积分会扣回。"),
            "form_class": ReasonForm,
            "form_submit_text": _("确认删除"),
        },
    )
    def remove(self, request: HttpRequest, form: ReasonForm, object_id: str) -> HttpResponse:
        return _run(
            request,
            lambda: community_post_remove(
                post_id=int(object_id), actor=request.user, reason=form.cleaned_data["reason"]
            ),
            gettext("帖子已删除"),
            self._back(object_id),
        )

    # --- bulk steps ----------------------------------------------------------------------

    @action(description=_("批量通过"), permissions=["review"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[CommunityPost]) -> None:
        _bulk(
            request,
            queryset,
            lambda pk: community_post_approve(post_id=pk, actor=request.user),
            gettext("已通过 %(ok)s 篇帖子"),
        )

    def _reject_bulk(self, request: HttpRequest, queryset: QuerySet[CommunityPost], key: str) -> None:
        reason = str(BULK_REASONS[key])
        _bulk(
            request,
            queryset,
            lambda pk: community_post_reject(post_id=pk, actor=request.user, reason=reason),
            gettext("已驳回 %(ok)s 篇帖子"),
        )

    @action(description=_("批量驳回：内容与商品无关"), permissions=["review"])
    def reject_unrelated(self, request: HttpRequest, queryset: QuerySet[CommunityPost]) -> None:
        self._reject_bulk(request, queryset, "unrelated")

    @action(description=_("批量驳回：含广告或联系方式"), permissions=["review"])
    def reject_advert(self, request: HttpRequest, queryset: QuerySet[CommunityPost]) -> None:
        self._reject_bulk(request, queryset, "advert")

    @action(description=_("批量驳回：图片模糊或内容过短"), permissions=["review"])
    def reject_quality(self, request: HttpRequest, queryset: QuerySet[CommunityPost]) -> None:
        self._reject_bulk(request, queryset, "quality")

    @action(description=_("批量设为精选"), permissions=["review"])
    def feature_selected(self, request: HttpRequest, queryset: QuerySet[CommunityPost]) -> None:
        _bulk(
            request,
            queryset,
            lambda pk: community_post_feature(post_id=pk, actor=request.user, featured=True),
            gettext("已精选 %(ok)s 篇帖子"),
        )


# --- comments -----------------------------------------------------------------------------


class CommunityCommentAdmin(ModelAdmin):
    list_display = ("text", "post_link", "author", "status_badge", "text_check", "created_at")
    list_filter = ("status", "text_check", "created_at")
    search_fields = ("text", "author__nickname")
    list_select_related = ("post", "author")
    list_per_page = 50
    fields = ("post_link", "author", "text", "status_badge", "text_check", "reject_reason", "reviewed_by", "created_at")
    readonly_fields = fields
    actions = ["approve_selected", "reject_selected"]
    actions_detail = ["approve", "reject"]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        if not request.GET and not request.POST:
            return redirect(f"{request.path}?status__exact={PostStatus.PENDING}")
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_review_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return bool(request.user.has_perm("marketing.change_communitycomment"))

    def _can(self, request: HttpRequest, object_id: Any, statuses: tuple[str, ...]) -> bool:
        """A detail step shows only when the comment is in a state the step accepts (as for posts)."""
        if not self.has_review_permission(request):
            return False
        return object_id is None or CommunityComment.objects.filter(pk=object_id, status__in=statuses).exists()

    def has_approve_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return self._can(request, object_id, (PostStatus.PENDING,))

    def has_reject_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return self._can(request, object_id, (PostStatus.PENDING, PostStatus.PUBLISHED))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, extra_context)

    @display(description=_("帖子"))
    def post_link(self, obj: CommunityComment) -> SafeString:
        url = reverse("admin:marketing_communitypost_change", args=[obj.post_id])
        return format_html('<a href="{}">{}</a>', url, obj.post.text[:20])

    @display(description=_("状态"), ordering="status", label=_status_label())
    def status_badge(self, obj: CommunityComment) -> str:
        return str(obj.get_status_display())

    def _back(self, object_id: str) -> str:
        return reverse("admin:marketing_communitycomment_change", args=[object_id])

    @action(
        description=_("通过"),
        permissions=["approve"],
        icon="check_circle",
        dialog={
            "title": _("通过评论"),
            "description": _("通过后评论对所有人可见。"),
            "form_submit_text": _("确认通过"),
        },
    )
    def approve(self, request: HttpRequest, form: BaseDialogForm, object_id: str) -> HttpResponse:
        return _run(
            request,
            lambda: community_comment_approve(comment_id=int(object_id), actor=request.user),
            gettext("评论已通过"),
            self._back(object_id),
        )

    @action(
        description=_("驳回"),
        permissions=["reject"],
        icon="cancel",
        dialog={
            "title": _("驳回评论"),
            "description": _("已发布的评论会被撤下。"),
            "form_class": ReasonForm,
            "form_submit_text": _("确认驳回"),
        },
    )
    def reject(self, request: HttpRequest, form: ReasonForm, object_id: str) -> HttpResponse:
        return _run(
            request,
            lambda: community_comment_reject(
                comment_id=int(object_id), actor=request.user, reason=form.cleaned_data["reason"]
            ),
            gettext("评论已驳回"),
            self._back(object_id),
        )

    @action(description=_("批量通过"), permissions=["review"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[CommunityComment]) -> None:
        _bulk(
            request,
            queryset,
            lambda pk: community_comment_approve(comment_id=pk, actor=request.user),
            gettext("已通过 %(ok)s 条评论"),
        )

    @action(description=_("批量驳回：含广告或联系方式"), permissions=["review"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[CommunityComment]) -> None:
        reason = str(BULK_REASONS["advert"])
        _bulk(
            request,
            queryset,
            lambda pk: community_comment_reject(comment_id=pk, actor=request.user, reason=reason),
            gettext("已驳回 %(ok)s 条评论"),
        )


# --- reports ------------------------------------------------------------------------------


class CommunityReportAdmin(ModelAdmin):
    list_display = ("post_link", "reason", "text", "reporter", "status_badge", "created_at", "resolved_by")
    list_filter = ("status", "reason", "created_at")
    list_select_related = ("post", "reporter", "resolved_by")
    list_per_page = 50
    fields = (
        "post_link",
        "reason",
        "text",
        "reporter",
        "status_badge",
        "resolution",
        "resolved_by",
        "resolved_at",
        "created_at",
    )
    readonly_fields = fields
    actions_detail = ["resolve", "resolve_and_remove"]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        if not request.GET and not request.POST:
            return redirect(f"{request.path}?status__exact={ReportStatus.OPEN}")
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_resolve_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        if not request.user.has_perm("marketing.change_communityreport"):
            return False
        return object_id is None or CommunityReport.objects.filter(pk=object_id, status=ReportStatus.OPEN).exists()

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, extra_context)

    @display(description=_("帖子"))
    def post_link(self, obj: CommunityReport) -> SafeString:
        url = reverse("admin:marketing_communitypost_change", args=[obj.post_id])
        return format_html('<a href="{}">{}</a>', url, obj.post.text[:20])

    @display(
        description=_("处理状态"),
        ordering="status",
        label={str(ReportStatus.OPEN.label): "warning", str(ReportStatus.RESOLVED.label): "success"},
    )
    def status_badge(self, obj: CommunityReport) -> str:
        return str(obj.get_status_display())

    def _back(self, object_id: str) -> str:
        return reverse("admin:marketing_communityreport_change", args=[object_id])

    @action(
        description=_("标记已处理"),
        permissions=["resolve"],
        icon="task_alt",
        dialog={
            "title": _("处理举报"),
            "description": _("帖子保留，举报关闭。"),
            "form_class": ResolveForm,
            "form_submit_text": _("确认"),
        },
    )
    def resolve(self, request: HttpRequest, form: ResolveForm, object_id: str) -> HttpResponse:
        return _run(
            request,
            lambda: community_report_resolve(
                report_id=int(object_id), actor=request.user, resolution=form.cleaned_data["resolution"]
            ),
            gettext("举报已处理"),
            self._back(object_id),
        )

    @action(
        description=_("删除帖子并关闭"),
        permissions=["resolve"],
        icon="delete",
        dialog={
            "title": _("删除被举报的帖子"),
            "description": _("帖子下架删除，已发的优质内容积分会扣回，举报关闭。"),
            "form_class": ResolveForm,
            "form_submit_text": _("确认删除"),
        },
    )
    def resolve_and_remove(self, request: HttpRequest, form: ResolveForm, object_id: str) -> HttpResponse:
        return _run(
            request,
            lambda: community_report_resolve(
                report_id=int(object_id),
                actor=request.user,
                resolution=form.cleaned_data["resolution"],
                remove_post=True,
            ),
            gettext("帖子已删除，举报已处理"),
            self._back(object_id),
        )


# --- topics, rules, awards ----------------------------------------------------------------


class CommunityTopicAdmin(ServiceRefusalMixin, ModelAdmin):
    list_display = ("name", "slug", "sort_order", "is_active", "post_count")
    list_editable = ()
    search_fields = ("name", "slug")
    fields = ("name", "slug", "sort_order", "is_active")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CommunityTopic]:
        return super().get_queryset(request).annotate(post_total=Count("posts"))

    @display(description=_("帖子数"))
    def post_count(self, obj: CommunityTopic) -> int:
        return int(getattr(obj, "post_total", 0))

    def save_model(self, request: HttpRequest, obj: CommunityTopic, form: Any, change: bool) -> None:
        community_topic_save(actor=request.user, topic=obj)

    def delete_model(self, request: HttpRequest, obj: CommunityTopic) -> None:
        if not community_topic_delete(actor=request.user, topic_id=obj.pk):
            messages.warning(request, gettext("话题下已有帖子，已改为停用"))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CommunityTopic]) -> None:
        for pk in list(queryset.values_list("pk", flat=True)):
            community_topic_delete(actor=request.user, topic_id=pk)


class CommunitySettingsForm(forms.ModelForm):
    class Meta:
        model = CommunitySettings
        fields = ("auto_publish_on_pass", "engagement_threshold", "award_points", "daily_award_cap")
        widgets = {
            "auto_publish_on_pass": UnfoldBooleanSwitchWidget,
            "engagement_threshold": UnfoldAdminIntegerFieldWidget,
            "award_points": UnfoldAdminIntegerFieldWidget,
            "daily_award_cap": UnfoldAdminIntegerFieldWidget,
        }


class CommunitySettingsAdmin(ServiceRefusalMixin, ModelAdmin):
    form = CommunitySettingsForm
    fields = ("auto_publish_on_pass", "engagement_threshold", "award_points", "daily_award_cap")

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One row: the list goes straight to it."""
        return redirect(reverse("admin:marketing_communitysettings_change", args=[CommunitySettings.load().pk]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: CommunitySettings, form: Any, change: bool) -> None:
        data = form.cleaned_data
        community_settings_save(
            actor=request.user,
            auto_publish_on_pass=bool(data["auto_publish_on_pass"]),
            engagement_threshold=int(data["engagement_threshold"]),
            award_points=int(data["award_points"]),
            daily_award_cap=int(data["daily_award_cap"]),
        )


class CommunityAwardAdmin(ModelAdmin):
    list_display = ("post", "member", "reason", "points", "day", "created_at", "reversed_flag")
    list_filter = ("reason", "day", ("reversed_at", admin.EmptyFieldListFilter))
    list_select_related = ("post", "member")
    search_fields = ("member__nickname",)

    @display(description=_("撤回"))
    def reversed_flag(self, obj: CommunityAward) -> SafeString | str:
        return flag_if(obj.reversed_at is not None, _("已撤回"), "warning")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def register(site: Any) -> None:
    site.register(CommunityPost, CommunityPostAdmin)
    site.register(CommunityComment, CommunityCommentAdmin)
    site.register(CommunityReport, CommunityReportAdmin)
    site.register(CommunityTopic, CommunityTopicAdmin)
    site.register(CommunitySettings, CommunitySettingsAdmin)
    site.register(CommunityAward, CommunityAwardAdmin)
