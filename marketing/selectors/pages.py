"""Campaign pages as the mini-program and the console preview get them (F26).

:func:`page_blocks_resolve` fills every block's live data with one resolver call per block
type present (a fixed number of queries whatever the number of blocks or products). The
published page is cached like the home screen (``mall.selectors.catalogue.cached_with_offers``):
under the catalogue version (bumped by publishing, unpublishing and editing a live page) and
the pricing-rules version, until the next moment something on it starts or ends. The server
time is added per request, never cached.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.utils import timezone

from mall.selectors.catalogue import LIST_TTL_SECONDS, cached_with_offers, server_time_data
from marketing.errors import PageNotFound
from marketing.models import CampaignPage, CampaignPageVersion
from marketing.pages.blocks import BLOCKS


def page_blocks_resolve(blocks: list[dict[str, Any]], *, now: datetime) -> tuple[list[dict[str, Any]], datetime | None]:
    """``[{"key", "type", "settings", "data"}]`` and when the data next changes by the clock."""
    by_type: dict[str, list[int]] = defaultdict(list)
    for index, block in enumerate(blocks):
        if block.get("type") in BLOCKS:
            by_type[block["type"]].append(index)
    data: dict[int, dict[str, Any]] = {}
    next_change: datetime | None = None
    for block_type, indexes in by_type.items():
        resolved = BLOCKS[block_type].resolve([blocks[i]["settings"] for i in indexes], now)
        data.update(zip(indexes, resolved.data, strict=True))
        if resolved.next_change is not None and (next_change is None or resolved.next_change < next_change):
            next_change = resolved.next_change
    out = [
        {"key": block["key"], "type": block["type"], "settings": block["settings"], "data": data[index]}
        for index, block in enumerate(blocks)
        if index in data
    ]
    return out, next_change


def _page_payload(
    page: CampaignPage, version: CampaignPageVersion, now: datetime
) -> tuple[dict[str, Any], datetime | None]:
    blocks, next_change = page_blocks_resolve(list(version.blocks), now=now)
    return {
        "id": page.pk,
        "slug": page.slug,
        "title": page.title,
        "share_title": page.share_title or page.title,
        "is_home": bool(page.is_home),
        "version": version.number,
        "blocks": blocks,
    }, next_change


def home_page_build(built_at: datetime) -> tuple[dict[str, Any] | None, datetime | None]:
    """The published home page's payload (no server time) and when its data next changes, or
    ``(None, None)``: built into the home screen's own cache entry so the first screen stays one
    request and one cache round trip whether or not the merchant designed a home page."""
    page = _published("home")
    if page is None or page.published_version is None:
        return None, None
    return _page_payload(page, page.published_version, built_at)


def _published(key: str) -> CampaignPage | None:
    """A slug wins over an id (a page may be called "618"); "home" is the home page."""
    pages = CampaignPage.objects.filter(published_version__isnull=False).select_related("published_version")
    if key == "home":
        return pages.filter(is_home=True).first()
    page = pages.filter(slug=key).first()
    if page is None and key.isdigit():
        page = pages.filter(pk=int(key)).first()
    return page


def page_published_data(*, key: str, now: datetime | None = None) -> dict[str, Any]:
    """The published page by slug (or id; ``home`` = the shop's home page) with every block's
    live data, in at most one cache round trip; PageNotFound when there is none."""

    def build(built_at: datetime) -> tuple[dict[str, Any] | None, datetime | None]:
        page = _published(key)
        if page is None or page.published_version is None:
            return None, None
        return _page_payload(page, page.published_version, built_at)

    data = cached_with_offers(f"pages:published:{key[:40]}", LIST_TTL_SECONDS, build)
    if data is None:
        raise PageNotFound(details={"page": key})
    return {**data, "server_time": server_time_data(now=now)}


def page_preview_data(
    *, page: CampaignPage, version: CampaignPageVersion, now: datetime | None = None
) -> dict[str, Any]:
    """Any version (a draft too) exactly as the mini-program would get it once published."""
    now = now or timezone.now()
    data, _next_change = _page_payload(page, version, now)
    return {**data, "server_time": server_time_data(now=now)}


def page_versions(*, page: CampaignPage) -> list[CampaignPageVersion]:
    return list(CampaignPageVersion.objects.filter(page=page).select_related("created_by").order_by("-number"))


def page_get(*, page_id: int) -> CampaignPage:
    page = CampaignPage.objects.select_related("published_version", "scheduled_version").filter(pk=page_id).first()
    if page is None:
        raise PageNotFound(details={"page_id": page_id})
    return page
