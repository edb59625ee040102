"""The page editor in the console (F26): build a campaign page from blocks, preview, publish.

* ``/console/marketing/pages/new/`` — title, address, whether it is the shop's home page.
* ``/console/marketing/pages/<id>/`` — the editor: a palette of block types (drag one onto the
  page, or click it), the page's blocks (drag to reorder, ↑ ↓, remove), each block's settings
  form built from its declared schema, and a live preview that renders the SAME resolved JSON
  the mini-program gets (``preview/``). Saving makes a new version (validated by the services,
  errors per block and field in Chinese); publish, schedule publish / unpublish, unpublish and
  roll back to any version are on the same page. A flash-sale block can create its slot inline
  (``flash/``) through the flash services, with the flash page's own validation; the 拼团 and
  砍价 blocks create theirs with their own console forms (``tools/<kind>/``, page_tools.py).

Viewing needs ``view_campaignpage``; saving ``change_campaignpage``; publishing, scheduling and
rollback ``publish_campaignpage``; the inline flash slot ``add_flashslot`` (operators have all).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from unfold.widgets import UnfoldAdminSplitDateTimeWidget, UnfoldAdminTextInputWidget, UnfoldBooleanSwitchWidget

from mall.errors import ApplicationError
from mall.money import MoneyFormatError, parse_yuan
from marketing.console.page_tools import TOOLS
from marketing.errors import FlashInvalid, PageInvalid
from marketing.models import CampaignPageVersion, TopicPage
from marketing.pages.blocks import block_catalogue
from marketing.selectors.pages import page_get, page_preview_data, page_versions
from marketing.services.flash_sales import FlashItemData, FlashSlotData
from marketing.services.pages import (
    PageData,
    blocks_clean,
    page_create,
    page_flash_create,
    page_publish,
    page_rollback,
    page_save,
    page_schedule,
    page_unpublish,
    page_update,
)

VIEW = "marketing.view_campaignpage"
ADD = "marketing.add_campaignpage"
CHANGE = "marketing.change_campaignpage"
PUBLISH = "marketing.publish_campaignpage"
FLASH_ADD = "marketing.add_flashslot"


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


class PageForm(forms.Form):
    title = forms.CharField(label=_("页面标题"), max_length=60, widget=UnfoldAdminTextInputWidget)
    slug = forms.CharField(
        label=_("页面地址"),
        max_length=40,
        help_text=_("小写字母、数字和连字符，如 618；分享链接里会用到"),
        widget=UnfoldAdminTextInputWidget,
    )
    share_title = forms.CharField(label=_("分享标题"), max_length=60, required=False, widget=UnfoldAdminTextInputWidget)
    is_home = forms.BooleanField(
        label=_("设为店铺首页"),
        required=False,
        help_text=_("发布后小程序首页显示这个页面"),
        widget=UnfoldBooleanSwitchWidget,
    )

    def page_data(self) -> PageData:
        d = self.cleaned_data
        return PageData(title=d["title"], slug=d["slug"].strip(), share_title=d["share_title"], is_home=d["is_home"])


class ScheduleForm(forms.Form):
    publish_at = forms.SplitDateTimeField(label=_("定时发布"), required=False, widget=UnfoldAdminSplitDateTimeWidget)
    unpublish_at = forms.SplitDateTimeField(label=_("定时下线"), required=False, widget=UnfoldAdminSplitDateTimeWidget)


class FlashInlineForm(forms.Form):
    """The flash block's inline slot: one item; the services validate it as the flash page does."""

    title = forms.CharField(max_length=60, required=False)
    starts_at = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M"])
    sku_id = forms.IntegerField(min_value=1)
    flash_price = forms.CharField()
    quota = forms.IntegerField()
    per_shopper_limit = forms.IntegerField(initial=1)

    def clean_flash_price(self) -> int:
        try:
            return parse_yuan((self.cleaned_data.get("flash_price") or "").strip())
        except MoneyFormatError as exc:
            raise forms.ValidationError(_("金额应写成元，最多两位小数，如 9.90。")) from exc


def _add_errors(form: forms.BaseForm, exc: ApplicationError) -> None:
    errors = exc.details.get("errors") or {"": str(exc.message)}
    for key, message in errors.items():
        form.add_error(key if key in form.fields else None, message)


@staff_member_required
def page_new_view(request: HttpRequest) -> HttpResponse:
    _require(request, ADD)
    form = PageForm()
    if request.method == "POST":
        form = PageForm(request.POST)
        if form.is_valid():
            try:
                page = page_create(actor=request.user, data=form.page_data())
            except PageInvalid as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("页面已创建，拖入区块开始编辑。"))
                return redirect(reverse("console:marketing_page_editor", args=[page.pk]))
    context = {**admin.site.each_context(request), "title": _("新建活动页面"), "form": form}
    return render(request, "marketing/page_new.html", context)


def _version_for(page_id: int, raw: str | None) -> CampaignPageVersion | None:
    versions = CampaignPageVersion.objects.filter(page_id=page_id)
    if raw and raw.isdigit():
        return versions.filter(pk=int(raw)).first()
    return versions.order_by("-number").first()


def _post(request: HttpRequest, page_id: int) -> HttpResponse | None:
    """The editor's buttons; None when the page should be shown again (with messages)."""
    op = request.POST.get("op", "")
    user = request.user
    if op == "save":
        _require(request, CHANGE)
        try:
            blocks = json.loads(request.POST.get("blocks") or "[]")
        except ValueError:
            blocks = None
        version = page_save(actor=user, page_id=page_id, blocks=blocks, note=request.POST.get("note", ""))
        messages.success(request, _("已保存为 v%(n)d。") % {"n": version.number})
        if request.POST.get("and_publish"):
            _require(request, PUBLISH)
            page_publish(actor=user, page_id=page_id, version_id=version.pk)
            messages.success(request, _("v%(n)d 已发布。") % {"n": version.number})
    elif op == "meta":
        _require(request, CHANGE)
        form = PageForm(request.POST)
        if not form.is_valid():
            raise PageInvalid(str(next(iter(form.errors.values()))[0]))
        page_update(actor=user, page_id=page_id, data=form.page_data())
        messages.success(request, _("页面信息已更新。"))
    elif op == "publish":
        _require(request, PUBLISH)
        chosen = _version_for(page_id, request.POST.get("version"))
        page_publish(actor=user, page_id=page_id, version_id=chosen.pk if chosen else None)
        messages.success(request, _("已发布。"))
    elif op == "unpublish":
        _require(request, PUBLISH)
        page_unpublish(actor=user, page_id=page_id)
        messages.success(request, _("已下线。"))
    elif op == "rollback":
        _require(request, PUBLISH)
        version = page_rollback(actor=user, page_id=page_id, version_id=int(request.POST.get("version") or 0))
        messages.success(request, _("已回滚，生成 v%(n)d。") % {"n": version.number})
    elif op == "schedule":
        _require(request, PUBLISH)
        schedule = ScheduleForm(request.POST)
        if not schedule.is_valid():
            raise PageInvalid(_("时间格式有误。"))
        page_schedule(
            actor=user,
            page_id=page_id,
            publish_at=schedule.cleaned_data["publish_at"],
            unpublish_at=schedule.cleaned_data["unpublish_at"],
        )
        messages.success(request, _("定时设置已保存。"))
    else:
        return None
    return redirect(reverse("console:marketing_page_editor", args=[page_id]))


def _when(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


@staff_member_required
def page_editor_view(request: HttpRequest, page_id: int) -> HttpResponse:
    _require(request, VIEW)
    page = page_get(page_id=page_id)
    draft_blocks: Any = None  # what the merchant was editing when a save was refused
    if request.method == "POST":
        try:
            done = _post(request, page.pk)
            if done is not None:
                return done
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            for message in (exc.details.get("errors") or {}).values():
                messages.error(request, message)
            try:
                draft_blocks = json.loads(request.POST.get("blocks") or "null")
            except ValueError:
                draft_blocks = None
    versions = page_versions(page=page)
    latest = versions[0] if versions else None
    context = {
        **admin.site.each_context(request),
        "title": page.title,
        "page": page,
        "versions": versions,
        "latest": latest,
        "initial_blocks": draft_blocks if isinstance(draft_blocks, list) else (latest.blocks if latest else []),
        "editor_config": {
            "preview": reverse("console:marketing_page_preview", args=[page.pk]),
            "flash": reverse("console:marketing_page_flash", args=[page.pk]),
            "canFlash": request.user.has_perm(FLASH_ADD),
            # 拼团 / 砍价 blocks create their tool with the tool's own console form (page_tools)
            "tools": {
                kind: reverse("console:marketing_page_tool", args=[page.pk, kind])
                for kind, tool in TOOLS.items()
                if request.user.has_perm(tool.permission)
            },
            "canChange": request.user.has_perm(CHANGE),
        },
        "catalogue": block_catalogue(),
        "meta_form": PageForm(
            initial={"title": page.title, "slug": page.slug, "share_title": page.share_title, "is_home": page.is_home}
        ),
        "schedule_form": ScheduleForm(
            initial={
                "publish_at": timezone.localtime(page.publish_at) if page.publish_at else None,
                "unpublish_at": timezone.localtime(page.unpublish_at) if page.unpublish_at else None,
            }
        ),
        "publish_at": _when(page.publish_at),
        "unpublish_at": _when(page.unpublish_at),
        "published_at": _when(page.published_at),
        "can_change": request.user.has_perm(CHANGE),
        "can_publish": request.user.has_perm(PUBLISH),
        "can_add_flash": request.user.has_perm(FLASH_ADD),
        # F25: the editor leads to the page's topic settings (设为专题, or 专题设置 once it is one)
        "topic_url": reverse("console:marketing_topic_edit", args=[page.pk]),
        "is_topic": TopicPage.objects.filter(page=page).exists(),
    }
    return render(request, "marketing/page_editor.html", context)


@staff_member_required
def page_preview_view(request: HttpRequest, page_id: int) -> HttpResponse:
    """The preview pane: POSTed (unsaved) blocks or a saved ``?version=``, resolved by the same
    selector as the API and drawn block by block; refused blocks say why instead."""
    _require(request, VIEW)
    page = page_get(page_id=page_id)
    if request.method == "POST":
        try:
            blocks = blocks_clean(json.loads(request.body or b"[]"))
        except ValueError:
            blocks = None
        except PageInvalid as exc:
            errors = list((exc.details.get("errors") or {"": str(exc.message)}).values())
            html = render_to_string("marketing/page_preview_errors.html", {"errors": errors}, request=request)
            return HttpResponse(html, status=400)
        if blocks is None:
            return HttpResponse(status=400)
        version = CampaignPageVersion(page=page, number=0, blocks=blocks)
    else:
        found = _version_for(page.pk, request.GET.get("version"))
        version = found or CampaignPageVersion(page=page, number=0, blocks=[])
    data = page_preview_data(page=page, version=version)
    html = render_to_string("marketing/page_blocks.html", {"page": data, "blocks": data["blocks"]}, request=request)
    return HttpResponse(html)


@staff_member_required
@require_POST
def page_flash_view(request: HttpRequest, page_id: int) -> JsonResponse:
    """Create a draft flash slot with one item for a flash block; ``{"slot_id"}`` or ``{"errors"}``."""
    _require(request, FLASH_ADD)
    page_get(page_id=page_id)
    form = FlashInlineForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": {k: [str(m) for m in v] for k, v in form.errors.items()}}, status=400)
    d = form.cleaned_data
    zone = timezone.get_current_timezone()
    starts_at, ends_at = (timezone.make_aware(d[k].replace(tzinfo=None), zone) for k in ("starts_at", "ends_at"))
    try:
        slot = page_flash_create(
            actor=request.user,
            slot=FlashSlotData(starts_at=starts_at, ends_at=ends_at, title=d["title"]),
            item=FlashItemData(
                sku_id=d["sku_id"],
                flash_price=d["flash_price"],
                quota=d["quota"],
                per_shopper_limit=d["per_shopper_limit"] or 1,
            ),
        )
    except FlashInvalid as exc:
        errors = exc.details.get("errors") or {exc.details.get("field", ""): str(exc.message)}
        return JsonResponse({"errors": {k: [str(v)] for k, v in errors.items()}}, status=400)
    return JsonResponse(
        {"slot_id": slot.pk, "url": reverse("console:marketing_flash_slot", args=[slot.pk]), "title": str(slot)}
    )
