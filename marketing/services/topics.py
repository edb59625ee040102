"""Topic pages (F25), merchant side: mark a studio page as a topic and set its list card.

A topic is a campaign page plus a :class:`~marketing.models.TopicPage` row (cover, subtitle,
sort order, list window). Its blocks, publishing and schedule stay the page editor's
(``marketing.services.pages``); these services only decide whether and how the page appears
in the mini-program's topic list. Every change is audited and stales the served list after
commit, as page edits do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.selectors.catalogue import catalogue_cache_bump
from mall.services.audit import audit_record
from marketing.errors import PageInvalid, PageNotFound
from marketing.models import CampaignPage, TopicPage
from marketing.pages.schema import MEDIA_PATTERN
from marketing.services.coupons import Actor, require_staff

MAX_SORT = 9999


@dataclass(frozen=True, kw_only=True)
class TopicData:
    cover: str = ""
    subtitle: str = ""
    sort_order: int = 0
    listed_from: datetime | None = None
    listed_until: datetime | None = None


def _validate(data: TopicData) -> None:
    errors: dict[str, str] = {}
    if data.cover and not MEDIA_PATTERN.match(data.cover.strip()):
        errors["cover"] = _("封面须为 https:// 开头或本站 / 开头的图片地址。")
    if len(data.subtitle.strip()) > 60:
        errors["subtitle"] = _("副标题最多 60 个字。")
    if not -MAX_SORT <= data.sort_order <= MAX_SORT:
        errors["sort_order"] = _("排序须在 -9999 到 9999 之间。")
    for name in ("listed_from", "listed_until"):
        moment = getattr(data, name)
        if moment is not None and timezone.is_naive(moment):
            errors[name] = _("时间须带时区。")
    if data.listed_from and data.listed_until and data.listed_until <= data.listed_from:
        errors["listed_until"] = _("下架列表时间须晚于上架列表时间。")
    if errors:
        raise PageInvalid(next(iter(errors.values())), details={"errors": errors})


def _audit(topic: TopicPage) -> dict[str, Any]:
    return {
        "cover": topic.cover,
        "subtitle": topic.subtitle,
        "sort_order": topic.sort_order,
        "listed_from": topic.listed_from.isoformat() if topic.listed_from else None,
        "listed_until": topic.listed_until.isoformat() if topic.listed_until else None,
    }


def _bump() -> None:
    catalogue_cache_bump()
    transaction.on_commit(catalogue_cache_bump, robust=True)


@transaction.atomic
def topic_set(*, actor: Actor, page_id: int, data: TopicData) -> TopicPage:
    """Make the page a topic, or change its card (the page's row lock orders concurrent saves)."""
    require_staff(actor)
    _validate(data)
    page = CampaignPage.objects.select_for_update().filter(pk=page_id).first()
    if page is None:
        raise PageNotFound(details={"page_id": page_id})
    if page.is_home:
        message = _("店铺首页不能同时作为专题页。")
        raise PageInvalid(message, details={"errors": {"page": message}})
    topic = TopicPage.objects.filter(page=page).first()
    before = _audit(topic) if topic is not None else None
    topic = topic or TopicPage(page=page)
    topic.cover = data.cover.strip()
    topic.subtitle = data.subtitle.strip()
    topic.sort_order = data.sort_order
    topic.listed_from, topic.listed_until = data.listed_from, data.listed_until
    topic.save()
    action = "topic.create" if before is None else "topic.update"
    audit_record(actor=actor, action=action, target=page, data={"before": before, "after": _audit(topic)})
    _bump()
    return topic


@transaction.atomic
def topic_remove(*, actor: Actor, page_id: int) -> bool:
    """The page stops being a topic (it stays a page, published or not); False if it was not one."""
    require_staff(actor)
    page = CampaignPage.objects.select_for_update().filter(pk=page_id).first()
    if page is None:
        raise PageNotFound(details={"page_id": page_id})
    topic = TopicPage.objects.filter(page=page).first()
    if topic is None:
        return False
    before = _audit(topic)
    topic.delete()
    audit_record(actor=actor, action="topic.remove", target=page, data={"before": before})
    _bump()
    return True
