"""Topic pages (F25), read side: the mini-program's topic list and the console's topic report.

The list holds published topic pages (never the shop's home page, which the home tab shows)
whose list window (if any) contains now, highest
``sort_order`` first, then the most recently published. It is one query, cached like the
served pages (``cached_with_offers``: under the catalogue version that publishing, scheduling
and topic edits bump) until the next moment a topic enters or leaves its window.

The report reads only rollups, never raw events or orders: views and visitors from the
behaviour funnel rows of tool ``topic`` (the topic page sends its page views with
``tool=topic, campaign_id=<page id>``, and so do the cart adds and checkout starts that follow
it while the topic is the remembered source), orders and GMV from the attribution rows of
``Tool.TOPIC`` (orders whose ``src`` was ``topic:<page id>``). Visitors are summed per day
(a shopper who came on two days counts twice), as every daily rollup in the console does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from analytics.models import FunnelDay, Tool, ToolDailyFigure
from mall.selectors.catalogue import LIST_TTL_SECONDS, cached_with_offers
from marketing.models import TopicPage

TOPIC_TOOL = "topic"  # the funnel's tool name (analytics.catalogue.TOOLS) and Tool.TOPIC


def _card(topic: TopicPage) -> dict[str, Any]:
    page = topic.page
    return {
        "id": page.pk,
        "slug": page.slug,
        "title": page.title,
        "subtitle": topic.subtitle,
        "cover": topic.cover,
        "share_title": page.share_title or page.title,
        "published_at": timezone.localtime(page.published_at).isoformat() if page.published_at else None,
    }


def topic_list_data(*, now: datetime | None = None) -> list[dict[str, Any]]:
    """The listed topics' cards, in list order (at most one cache round trip, else one query)."""

    def build(built_at: datetime) -> tuple[list[dict[str, Any]], datetime | None]:
        rows = list(
            TopicPage.objects.filter(page__published_version__isnull=False, page__is_home__isnull=True)
            .select_related("page")
            .order_by("-sort_order", "-page__published_at", "-id")
        )
        listed = [t for t in rows if _in_window(t, built_at)]
        moments = [m for t in rows for m in (t.listed_from, t.listed_until) if m is not None and m > built_at]
        return [_card(t) for t in listed], min(moments, default=None)

    return cached_with_offers("topics:list", LIST_TTL_SECONDS, build)  # type: ignore[no-any-return]


def _in_window(topic: TopicPage, now: datetime) -> bool:
    if topic.listed_from is not None and now < topic.listed_from:
        return False
    return topic.listed_until is None or now < topic.listed_until


@dataclass(frozen=True)
class TopicFigures:
    topic: TopicPage
    views: int
    visitors: int
    orders: int
    gmv: int  # fen
    carters: int = 0  # shoppers who added to cart after the topic (add_to_cart with tool=topic)
    checkouts: int = 0  # shoppers who started a checkout after the topic

    @property
    def conversion(self) -> float | None:
        """Orders per visitor (None without visitors)."""
        return self.orders / self.visitors if self.visitors else None


def topic_report(*, start: date, end: date) -> list[TopicFigures]:
    """Every topic (listed or not) with its figures of the days start…end: three queries."""
    topics = list(TopicPage.objects.select_related("page", "page__published_version").order_by("-sort_order", "-id"))
    ids = [t.page_id for t in topics]
    funnel: dict[int, tuple[int, int, int, int]] = {
        row["campaign_id"]: (
            int(row["views_sum"] or 0),
            int(row["viewers_sum"] or 0),
            int(row["carters_sum"] or 0),
            int(row["checkouts_sum"] or 0),
        )
        for row in FunnelDay.objects.filter(day__gte=start, day__lte=end, tool=TOPIC_TOOL, campaign_id__in=ids)
        .values("campaign_id")
        .annotate(
            views_sum=Sum("views"),
            viewers_sum=Sum("viewers"),
            carters_sum=Sum("carters"),
            checkouts_sum=Sum("checkouts"),
        )
    }
    sales: dict[int, tuple[int, int]] = {
        row["object_id"]: (int(row["orders_sum"] or 0), int(row["gmv_sum"] or 0))
        for row in ToolDailyFigure.objects.filter(day__gte=start, day__lte=end, tool=Tool.TOPIC, object_id__in=ids)
        .values("object_id")
        .annotate(orders_sum=Sum("orders"), gmv_sum=Sum("gmv"))
    }
    out = []
    for topic in topics:
        views, visitors, carters, checkouts = funnel.get(topic.page_id, (0, 0, 0, 0))
        orders, gmv = sales.get(topic.page_id, (0, 0))
        out.append(
            TopicFigures(
                topic=topic,
                views=views,
                visitors=visitors,
                orders=orders,
                gmv=gmv,
                carters=carters,
                checkouts=checkouts,
            )
        )
    return out
