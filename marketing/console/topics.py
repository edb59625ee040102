"""Topic pages in the console (F25, 营销 › 专题页): which studio pages are topics, their list
cards, and how each did.

* ``/console/marketing/topics/`` — every topic with its state, list window and figures of the
  chosen period (views, visitors, orders, GMV in yuan, conversion = orders ÷ visitors), read from
  the rollups (``marketing.selectors.topics.topic_report``); a picker turns another page into a
  topic.
* ``/console/marketing/topics/<page id>/`` — the topic's card (cover, subtitle, sort order, list
  window) saved through ``marketing.services.topics``, or taken off the topics. The page's blocks
  are edited in the page editor, linked from both.

Viewing needs ``view_campaignpage``; changing ``change_campaignpage``.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.widgets import (
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSplitDateTimeWidget,
    UnfoldAdminTextInputWidget,
)

from mall.console.display import yuan
from marketing.errors import PageInvalid, PageNotFound
from marketing.models import CampaignPage, TopicPage
from marketing.selectors.pages import page_get
from marketing.selectors.topics import topic_report
from marketing.services.topics import TopicData, topic_remove, topic_set

VIEW = "marketing.view_campaignpage"
CHANGE = "marketing.change_campaignpage"
PERIODS = (7, 30, 90)


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


class TopicForm(forms.Form):
    cover = forms.CharField(
        label=gettext_lazy("封面图地址"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("专题列表卡片的图片，https:// 或 /media/ 开头；建议 750×360"),
        widget=UnfoldAdminTextInputWidget,
    )
    subtitle = forms.CharField(
        label=gettext_lazy("副标题"), max_length=60, required=False, widget=UnfoldAdminTextInputWidget
    )
    sort_order = forms.IntegerField(
        label=gettext_lazy("排序"),
        initial=0,
        help_text=gettext_lazy("数字大的排在前面"),
        widget=UnfoldAdminIntegerFieldWidget,
    )
    listed_from = forms.SplitDateTimeField(
        label=gettext_lazy("上架列表时间"),
        required=False,
        help_text=gettext_lazy("留空：发布即出现在专题列表"),
        widget=UnfoldAdminSplitDateTimeWidget,
    )
    listed_until = forms.SplitDateTimeField(
        label=gettext_lazy("下架列表时间"),
        required=False,
        help_text=gettext_lazy("到时从列表移除；已分享的链接在页面下线前仍可打开"),
        widget=UnfoldAdminSplitDateTimeWidget,
    )

    def topic_data(self) -> TopicData:
        d = self.cleaned_data
        return TopicData(
            cover=d["cover"] or "",
            subtitle=d["subtitle"] or "",
            sort_order=d["sort_order"] or 0,
            listed_from=d["listed_from"],
            listed_until=d["listed_until"],
        )


class TopicPickForm(forms.Form):
    # pages that are neither a topic nor the home page (re-read per form: Django copies the queryset)
    page = forms.ModelChoiceField(
        label=gettext_lazy("把页面设为专题"),
        queryset=CampaignPage.objects.filter(topic__isnull=True, is_home__isnull=True).order_by("-id"),
        empty_label=gettext_lazy("选择活动页面…"),
        widget=UnfoldAdminSelectWidget,
    )


def _when(moment: object) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""  # type: ignore[arg-type]


def _window(topic: TopicPage) -> str:
    if not topic.listed_from and not topic.listed_until:
        return _("发布期间一直显示")
    return f"{_when(topic.listed_from) or _('发布起')} — {_when(topic.listed_until) or _('不限')}"


def _list_state(topic: TopicPage, now: object) -> tuple[str, str]:
    """(label, colour) of where the topic stands in the mini-program's list."""
    if topic.page.published_version_id is None:
        if topic.page.publish_at is not None:
            return _("%(t)s 定时发布") % {"t": _when(topic.page.publish_at)}, "warning"
        return _("未发布"), "info"
    if topic.listed_from and topic.listed_from > now:  # type: ignore[operator]
        return _("待上架"), "warning"
    if topic.listed_until and topic.listed_until <= now:  # type: ignore[operator]
        return _("已下架"), "danger"
    return _("列表中"), "success"


@staff_member_required
def topic_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, VIEW)
    if request.method == "POST":
        _require(request, CHANGE)
        pick = TopicPickForm(request.POST)
        if pick.is_valid():
            return redirect(reverse("console:marketing_topic_edit", args=[pick.cleaned_data["page"].pk]))
        messages.error(request, _("请选择一个活动页面。"))
    raw = request.GET.get("days", "")
    days = int(raw) if raw.isdigit() and int(raw) in PERIODS else 30
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    now = timezone.now()
    rows = []
    for figures in topic_report(start=start, end=today):
        topic = figures.topic
        label, colour = _list_state(topic, now)
        rows.append(
            {
                "topic": topic,
                "page": topic.page,
                "state": label,
                "colour": colour,
                "window": _window(topic),
                "views": figures.views,
                "visitors": figures.visitors,
                "carters": figures.carters,
                "checkouts": figures.checkouts,
                "orders": figures.orders,
                "gmv": yuan(figures.gmv),
                "conversion": f"{figures.conversion * 100:.1f}%" if figures.conversion is not None else "—",
                "edit": reverse("console:marketing_topic_edit", args=[topic.page_id]),
                "editor": reverse("console:marketing_page_editor", args=[topic.page_id]),
            }
        )
    context = {
        **admin.site.each_context(request),
        "title": _("专题页"),
        "rows": rows,
        "days": days,
        "periods": PERIODS,
        "start": start,
        "end": today,
        "pick": TopicPickForm() if request.user.has_perm(CHANGE) else None,
        "new_page": reverse("console:marketing_page_new"),
    }
    return render(request, "marketing/topic_list.html", context)


@staff_member_required
def topic_edit_view(request: HttpRequest, page_id: int) -> HttpResponse:
    _require(request, VIEW)
    try:
        page = page_get(page_id=page_id)
    except PageNotFound as exc:
        raise Http404(str(exc.message)) from exc
    topic = TopicPage.objects.filter(page=page).first()
    initial = {}
    if topic is not None:
        initial = {
            "cover": topic.cover,
            "subtitle": topic.subtitle,
            "sort_order": topic.sort_order,
            "listed_from": timezone.localtime(topic.listed_from) if topic.listed_from else None,
            "listed_until": timezone.localtime(topic.listed_until) if topic.listed_until else None,
        }
    form = TopicForm(initial=initial)
    if request.method == "POST":
        _require(request, CHANGE)
        if request.POST.get("op") == "remove":
            topic_remove(actor=request.user, page_id=page.pk)
            messages.success(request, _("“%(title)s”已不再是专题。") % {"title": page.title})
            return redirect(reverse("console:marketing_topics"))
        form = TopicForm(request.POST)
        if form.is_valid():
            try:
                topic_set(actor=request.user, page_id=page.pk, data=form.topic_data())
            except PageInvalid as exc:
                for key, message in (exc.details.get("errors") or {"": str(exc.message)}).items():
                    form.add_error(key if key in form.fields else None, message)
            else:
                messages.success(request, _("专题设置已保存。"))
                return redirect(reverse("console:marketing_topics"))
    context = {
        **admin.site.each_context(request),
        "title": _("专题设置：%(title)s") % {"title": page.title},
        "page": page,
        "topic": topic,
        "form": form,
        "can_change": request.user.has_perm(CHANGE),
        "editor": reverse("console:marketing_page_editor", args=[page.pk]),
        "topics": reverse("console:marketing_topics"),
    }
    return render(request, "marketing/topic_edit.html", context)
