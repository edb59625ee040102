"""Campaign pages (F26), merchant side: save versions, publish, schedule, roll back.

Every save of the editor is a new numbered :class:`CampaignPageVersion` whose blocks passed
their type's schema and reference check (``marketing.pages.blocks``); nothing edits a version
in place. Publishing points the page at a version; a rollback saves a copy of an older version
as the newest and, when the page is live, publishes it (so history only grows and the live
page is always the newest published save). The schedule is carried out by
:func:`pages_schedule_run` (beat, every minute) under the page's row lock, clearing what it
did, so a job that fires twice publishes once. A change reaches shoppers on the next request:
the served pages are cached under the catalogue version, bumped after commit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.selectors.catalogue import catalogue_cache_bump
from mall.services.audit import audit_record
from marketing.errors import PageInvalid, PageNotFound, PageStateInvalid
from marketing.models import CampaignPage, CampaignPageVersion, FlashSlot
from marketing.pages.blocks import BLOCKS, MAX_BLOCKS
from marketing.pages.schema import settings_clean
from marketing.services.coupons import Actor, require_staff
from marketing.services.flash_sales import FlashItemData, FlashSlotData, flash_item_add, flash_slot_create

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
RESERVED_SLUGS = frozenset({"home", "id"})
KEY_PATTERN = re.compile(r"^[a-z0-9]{4,16}$")


def _invalid(errors: Mapping[str, str]) -> None:
    if errors:
        first = next(iter(errors.values()))
        raise PageInvalid(first, details={"errors": dict(errors)})


def _after_commit_bump() -> None:
    """Stale the served pages now and again after commit (a request rebuilding in between would
    otherwise keep the old page under the new version until the entry's time is up)."""
    catalogue_cache_bump()
    transaction.on_commit(catalogue_cache_bump, robust=True)


def _lock(page_id: int) -> CampaignPage:
    page = CampaignPage.objects.select_for_update().filter(pk=page_id).first()
    if page is None:
        raise PageNotFound(details={"page_id": page_id})
    return page


def _version_of(page: CampaignPage, version_id: int | None) -> CampaignPageVersion:
    versions = CampaignPageVersion.objects.filter(page=page)
    version = versions.filter(pk=version_id).first() if version_id else versions.order_by("-number").first()
    if version is None:
        raise PageStateInvalid(_("页面还没有保存过内容。"), details={"page_id": page.pk, "version_id": version_id})
    return version


# --- blocks ---------------------------------------------------------------------------------


def blocks_clean(blocks: Any) -> list[dict[str, Any]]:
    """The blocks as stored: ``[{"key", "type", "settings"}]``, each valid for its type.

    Errors name the block by position and field (``"2.slot_id"``), in Chinese, all at once.
    """
    if not isinstance(blocks, list):
        _invalid({"blocks": _("区块须为列表。")})
    if len(blocks) > MAX_BLOCKS:
        _invalid({"blocks": _("一个页面最多 %(n)d 个区块。") % {"n": MAX_BLOCKS}})
    errors: dict[str, str] = {}
    clean: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, raw in enumerate(blocks):
        spec = BLOCKS.get(raw.get("type", "")) if isinstance(raw, dict) else None
        if spec is None:
            errors[f"{index}.type"] = _("第 %(n)d 个区块的类型未知。") % {"n": index + 1}
            continue
        key = str(raw.get("key") or "")
        if not KEY_PATTERN.match(key) or key in seen:
            key = uuid.uuid4().hex[:8]
        seen.add(key)
        settings = raw.get("settings") if isinstance(raw.get("settings"), dict) else {}
        cleaned = settings_clean(spec.fields, settings)
        if not cleaned.errors and spec.check is not None:
            cleaned.errors.update(spec.check(cleaned.settings))
        for name, message in cleaned.errors.items():
            errors[f"{index}.{name}"] = _("%(block)s（第 %(n)d 个）%(field)s：%(message)s") % {
                "block": spec.label,
                "n": index + 1,
                "field": _field_label(spec.type, name),
                "message": message,
            }
        clean.append({"key": key, "type": spec.type, "settings": cleaned.settings})
    _invalid(errors)
    return clean


def _field_label(block_type: str, name: str) -> str:
    return next((str(f.label) for f in BLOCKS[block_type].fields if f.name == name), name)


# --- pages ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PageData:
    title: str
    slug: str
    is_home: bool = False
    share_title: str = ""


def _page_validate(data: PageData, page_id: int | None) -> None:
    errors: dict[str, str] = {}
    if not data.title.strip() or len(data.title.strip()) > 60:
        errors["title"] = _("标题须为 1–60 个字。")
    if not SLUG_PATTERN.match(data.slug) or data.slug in RESERVED_SLUGS:
        errors["slug"] = _("页面地址须为小写字母、数字和连字符（不能是 home）。")
    elif CampaignPage.objects.filter(slug=data.slug).exclude(pk=page_id or 0).exists():
        errors["slug"] = _("页面地址已被使用。")
    if len(data.share_title) > 60:
        errors["share_title"] = _("分享标题最多 60 个字。")
    _invalid(errors)


def _take_home(page: CampaignPage) -> None:
    """The shop has one home page: making this one the home page unmarks the other."""
    CampaignPage.objects.filter(is_home=True).exclude(pk=page.pk).update(is_home=None)


def _audit(page: CampaignPage) -> dict[str, Any]:
    return {"title": page.title, "slug": page.slug, "is_home": bool(page.is_home), "share_title": page.share_title}


@transaction.atomic
def page_create(*, actor: Actor, data: PageData) -> CampaignPage:
    """A new page with an empty first version (a draft until published)."""
    require_staff(actor)
    _page_validate(data, None)
    page = CampaignPage(title=data.title.strip(), slug=data.slug, share_title=data.share_title.strip())
    page.save()
    if data.is_home:
        _take_home(page)
        page.is_home = True
        page.save(update_fields=["is_home"])  # after the other page gave it up (unique column)
    CampaignPageVersion.objects.create(page=page, number=1, blocks=[], created_by=_user(actor))
    CampaignPage.objects.filter(pk=page.pk).update(latest_number=1)
    page.latest_number = 1
    audit_record(actor=actor, action="page.create", target=page, data=_audit(page))
    return page


@transaction.atomic
def page_update(*, actor: Actor, page_id: int, data: PageData) -> CampaignPage:
    require_staff(actor)
    page = _lock(page_id)
    _page_validate(data, page.pk)
    before = _audit(page)
    if data.is_home and not page.is_home:
        _take_home(page)
    page.title, page.slug = data.title.strip(), data.slug
    page.is_home, page.share_title = (True if data.is_home else None), data.share_title.strip()
    page.save()
    audit_record(actor=actor, action="page.update", target=page, data={"before": before, "after": _audit(page)})
    if page.published_version_id:
        _after_commit_bump()
    return page


def _user(actor: Actor) -> Any:
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def page_save(*, actor: Actor, page_id: int, blocks: Any, note: str = "") -> CampaignPageVersion:
    """The editor's save: a new version with the validated blocks (the live page is untouched
    until it is published)."""
    require_staff(actor)
    clean = blocks_clean(blocks)
    page = _lock(page_id)
    return _new_version(actor=actor, page=page, blocks=clean, note=note)


def _new_version(*, actor: Actor, page: CampaignPage, blocks: list[dict[str, Any]], note: str) -> CampaignPageVersion:
    number = page.latest_number + 1
    version = CampaignPageVersion.objects.create(
        page=page, number=number, blocks=blocks, note=note[:120], created_by=_user(actor)
    )
    CampaignPage.objects.filter(pk=page.pk).update(latest_number=F("latest_number") + 1)
    page.latest_number = number
    audit_record(
        actor=actor,
        action="page.save",
        target=page,
        data={"version": number, "blocks": [b["type"] for b in blocks], "note": note[:120]},
    )
    return version


def _publish(page: CampaignPage, version: CampaignPageVersion, now: datetime) -> None:
    page.published_version = version
    page.published_at = now
    page.publish_at = None
    page.scheduled_version = None
    page.save(update_fields=["published_version", "published_at", "publish_at", "scheduled_version", "updated_at"])
    _after_commit_bump()


@transaction.atomic
def page_publish(
    *, actor: Actor, page_id: int, version_id: int | None = None, now: datetime | None = None
) -> CampaignPage:
    """Put a version (the newest by default) live now; a pending scheduled publish is dropped."""
    require_staff(actor)
    page = _lock(page_id)
    version = _version_of(page, version_id)
    _publish(page, version, now or timezone.now())
    audit_record(actor=actor, action="page.publish", target=page, data={"version": version.number})
    return page


@transaction.atomic
def page_unpublish(*, actor: Actor, page_id: int) -> CampaignPage:
    require_staff(actor)
    page = _lock(page_id)
    if page.published_version_id is None:
        raise PageStateInvalid(_("页面未发布。"), details={"page_id": page.pk})
    number = page.published_version.number if page.published_version else None
    page.published_version = None
    page.unpublish_at = None
    page.save(update_fields=["published_version", "unpublish_at", "updated_at"])
    _after_commit_bump()
    audit_record(actor=actor, action="page.unpublish", target=page, data={"version": number})
    return page


@transaction.atomic
def page_schedule(
    *,
    actor: Actor,
    page_id: int,
    publish_at: datetime | None,
    unpublish_at: datetime | None,
    version_id: int | None = None,
    now: datetime | None = None,
) -> CampaignPage:
    """Set (or clear, with None) when the page goes live with a version and when it comes down."""
    require_staff(actor)
    now = now or timezone.now()
    page = _lock(page_id)
    errors: dict[str, str] = {}
    for name, moment in (("publish_at", publish_at), ("unpublish_at", unpublish_at)):
        if moment is not None and (timezone.is_naive(moment) or moment <= now):
            errors[name] = _("时间须晚于现在。")
    if publish_at and unpublish_at and unpublish_at <= publish_at:
        errors["unpublish_at"] = _("下线时间须晚于发布时间。")
    _invalid(errors)
    version = _version_of(page, version_id) if publish_at is not None else None
    page.publish_at, page.scheduled_version, page.unpublish_at = publish_at, version, unpublish_at
    page.save(update_fields=["publish_at", "scheduled_version", "unpublish_at", "updated_at"])
    audit_record(
        actor=actor,
        action="page.schedule",
        target=page,
        data={
            "publish_at": publish_at.isoformat() if publish_at else None,
            "version": version.number if version else None,
            "unpublish_at": unpublish_at.isoformat() if unpublish_at else None,
        },
    )
    return page


@transaction.atomic
def page_rollback(*, actor: Actor, page_id: int, version_id: int, now: datetime | None = None) -> CampaignPageVersion:
    """Save a copy of an older version as the newest; a live page goes live with it at once."""
    require_staff(actor)
    page = _lock(page_id)
    old = CampaignPageVersion.objects.filter(page=page, pk=version_id).first()
    if old is None:
        raise PageNotFound(_("页面版本不存在。"), details={"version_id": version_id})
    version = _new_version(actor=actor, page=page, blocks=list(old.blocks), note=_("回滚到 v%(n)d") % {"n": old.number})
    if page.published_version_id is not None:
        _publish(page, version, now or timezone.now())
    audit_record(
        actor=actor,
        action="page.rollback",
        target=page,
        data={"from": old.number, "version": version.number, "published": page.published_version_id == version.pk},
    )
    return version


def pages_schedule_run(*, now: datetime | None = None) -> int:
    """Carry out due scheduled publishes and unpublishes (beat, every minute): each under the
    page's lock, re-checked there and cleared as it is done, so running twice acts once."""
    now = now or timezone.now()
    due = CampaignPage.objects.filter(Q(publish_at__lte=now) | Q(unpublish_at__lte=now)).values_list("pk", flat=True)
    return sum(_page_schedule_due(page_id=page_id, now=now) for page_id in list(due))


@transaction.atomic
def _page_schedule_due(*, page_id: int, now: datetime) -> int:
    page = CampaignPage.objects.select_for_update().filter(pk=page_id).first()
    if page is None:
        return 0
    done = 0
    if page.publish_at is not None and page.publish_at <= now and page.scheduled_version is not None:
        version = page.scheduled_version
        _publish(page, version, now)
        audit_record(
            actor=None, action="page.publish", target=page, data={"version": version.number, "scheduled": True}
        )
        done += 1
    if page.unpublish_at is not None and page.unpublish_at <= now:
        number = page.published_version.number if page.published_version else None
        page.published_version, page.unpublish_at = None, None
        page.save(update_fields=["published_version", "unpublish_at", "updated_at"])
        _after_commit_bump()
        audit_record(actor=None, action="page.unpublish", target=page, data={"version": number, "scheduled": True})
        done += 1
    return done


# --- tools created from the editor ---------------------------------------------------------


@transaction.atomic
def page_flash_create(*, actor: Actor, slot: FlashSlotData, item: FlashItemData) -> FlashSlot:
    """A flash slot with its first item, made from the page editor through the flash services
    (the same validation and audit as the flash page; it stays a draft to publish there)."""
    created = flash_slot_create(actor=actor, data=slot)
    flash_item_add(actor=actor, slot_id=created.pk, data=item)
    return created
