"""内容 › 社区数据 (F23): the community's figures for the merchant — cards, a daily chart of new
posts and likes, the review decisions, the top authors and the posts per topic, over 7/30/90 days."""

from __future__ import annotations

import json

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext

from mall.console.dashboard import chart_options
from marketing.models import PostStatus
from marketing.selectors.community_stats import PERIODS, community_figures

STATS_PERMISSION = "marketing.view_communitypost"


@staff_member_required
def community_stats_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(STATS_PERMISSION):
        raise PermissionDenied
    raw = request.GET.get("days", "")
    days = int(raw) if raw.isdigit() and int(raw) in PERIODS else 30
    figures = community_figures(days=days)
    status = figures.by_status
    chart = {
        "labels": [date_format(day, "m-d") for day, _posts, _likes in figures.daily],
        "datasets": [
            {
                "label": gettext("新帖"),
                "data": [posts for _day, posts, _likes in figures.daily],
                "backgroundColor": "var(--color-primary-600)",
                "displayYAxis": True,
                "maxTicksXLimit": 10,
            },
            {
                "label": gettext("点赞"),
                "data": [likes for _day, _posts, likes in figures.daily],
                "backgroundColor": "var(--color-primary-300)",
            },
        ],
    }
    cards = [
        (
            "posts",
            gettext("新帖"),
            figures.posts,
            gettext("已发布 %(published)d · 待审核 %(pending)d · 已驳回 %(rejected)d · 已删除 %(deleted)d")
            % {
                "published": status.get(PostStatus.PUBLISHED, 0),
                "pending": status.get(PostStatus.PENDING, 0),
                "rejected": status.get(PostStatus.REJECTED, 0),
                "deleted": status.get(PostStatus.DELETED, 0),
            },
        ),
        (
            "reviews",
            gettext("人工审核"),
            f"{figures.approvals} / {figures.rejections}",
            gettext("通过 / 驳回；另下架 %(n)d 篇") % {"n": figures.removals},
        ),
        ("likes", gettext("点赞"), figures.likes, gettext("期间新增的点赞")),
        (
            "comments",
            gettext("评论"),
            figures.comments,
            gettext("其中已发布 %(n)d 条") % {"n": figures.comments_published},
        ),
        ("favourites", gettext("收藏"), figures.favourites, gettext("期间新增的收藏")),
        (
            "awards",
            gettext("优质内容奖励"),
            gettext("%(n)d 积分") % {"n": figures.award_points},
            gettext("%(awards)d 篇获奖，%(reversed)d 篇已撤回")
            % {"awards": figures.awards, "reversed": figures.awards_reversed},
        ),
    ]
    context = {
        **admin.site.each_context(request),
        "title": gettext("社区数据"),
        "figures": figures,
        "cards": [{"key": k, "title": t, "value": v, "hint": h} for k, t, v, h in cards],
        "chart": json.dumps(chart, ensure_ascii=False),
        "options": chart_options("bar"),
        "days": days,
        "periods": PERIODS,
        "posts_url": reverse("admin:marketing_communitypost_changelist"),
        "topic_max": max((n for _name, n in figures.per_topic), default=0) or 1,
    }
    return render(request, "marketing/community_stats.html", context)
