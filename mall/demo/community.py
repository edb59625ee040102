"""The demo shop's 种草社区 (F23): topics and eight published posts so the feed and 买家秀 open full.

Each post is written by a demo shopper who really bought the product it is about (so the 已购
badge shows), with one to three pictures drawn like the product pictures. The posts skip
WeChat's checks — demo rows, not shopper submissions — and are marked as passed, then approved,
liked and one featured through the services, so audit rows, counters, feed scores and the
优质内容 award are the real ones. A second run finds the topics and changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from mall.demo.images import render_card
from mall.demo.shop import SHOPPER_OPENID_PREFIX
from mall.models import Product
from marketing.models import CheckResult, CommunityMedia, CommunityPost, CommunityTopic, MediaKind
from marketing.selectors.community import BOUGHT_STATUSES
from marketing.services.community import community_post_like, community_post_rescore
from marketing.services.community_moderation import community_post_approve, community_post_feature
from marketing.services.community_topics import community_topic_save
from members.models import Member
from orders.models import OrderLine

TOPICS = (
    ("unboxing", "好物开箱", 40),
    ("beauty", "美妆心得", 30),
    ("home", "居家好物", 20),
    ("digital", "数码测评", 10),
)
COLOURS = ((233, 120, 96), (96, 160, 212), (122, 186, 120), (196, 140, 210), (240, 180, 80))


@dataclass(frozen=True)
class DemoPost:
    product: str  # the start of a demo product's title
    topic: str
    text: str
    pictures: tuple[str, ...]
    likes: int


POSTS = (
    DemoPost(
        "护眼智能台灯", "home", "给孩子书桌换了这盏台灯，光线很柔和，写作业一晚上眼睛也不累。", ("台灯", "书桌"), 14
    ),
    DemoPost(
        "智能手环", "digital", "戴了两周，睡眠和心率记录都挺准，续航一周多，跑步党推荐。", ("手环", "跑步", "睡眠"), 11
    ),
    DemoPost("美白防蛀牙膏", "beauty", "清新薄荷味，用了一支下来牙齿确实亮了一点，家里人都在用。", ("牙膏",), 6),
    DemoPost("睡眠免洗面膜", "beauty", "出差必带，睡前抹一层，第二天脸不干，小样也很好带。", ("面膜", "出差"), 9),
    DemoPost("20W PD 快充充电器", "digital", "小小一个，半小时充到一半多，高铁上救急很管用。", ("快充",), 5),
    DemoPost(
        "便携蓝牙音箱", "unboxing", "开箱！巴掌大小，音质比想象的好，挂在背包上去露营。", ("音箱", "露营", "开箱"), 12
    ),
    DemoPost(
        "低糖即食燕麦片", "unboxing", "早上来不及做饭就泡一碗，加点水果，口感不糊，孩子也爱吃。", ("燕麦", "早餐"), 7
    ),
    DemoPost("原味开心果", "home", "追剧零食，颗粒大开口好剥，一袋很快就吃完了，已经回购。", ("坚果",), 4),
)
FEATURED = "便携蓝牙音箱"


def _owner() -> User | None:
    return User.objects.filter(is_superuser=True).order_by("pk").first()


def _buyer(product: Product) -> Member | None:
    """The first demo shopper with a paid or completed order of the product (the 已购 badge)."""
    line = (
        OrderLine.objects.filter(
            product=product,
            order__status__in=BOUGHT_STATUSES,
            order__member__openid__startswith=SHOPPER_OPENID_PREFIX,
        )
        .order_by("order__paid_at", "pk")
        .select_related("order__member")
        .first()
    )
    return line.order.member if line else None


def _pictures(post: CommunityPost, demo: DemoPost, index: int) -> None:
    now = timezone.now()
    for position, word in enumerate(demo.pictures):
        colour = COLOURS[(index + position) % len(COLOURS)]
        png = render_card(title=word, latin=f"post {index + 1}", colour=colour, caption="买家秀")
        CommunityMedia.objects.create(
            owner=post.author,
            post=post,
            kind=MediaKind.IMAGE,
            file=ContentFile(png, name=f"demo-post-{index + 1}-{position + 1}.png"),
            position=position,
            check_result=CheckResult.PASS,
            checked_at=now,
        )


@transaction.atomic
def build_community(*, seed: int) -> dict[str, int]:
    owner = _owner()
    if owner is None or CommunityTopic.objects.filter(slug__in=[slug for slug, _n, _o in TOPICS]).exists():
        return {"community posts": 0}
    topics = {
        slug: community_topic_save(actor=owner, topic=CommunityTopic(slug=slug, name=name, sort_order=order))
        for slug, name, order in TOPICS
    }
    rng = random.Random(seed + 23)  # noqa: S311 - demo data must be reproducible, not secret
    fans = list(Member.objects.filter(openid__startswith=SHOPPER_OPENID_PREFIX).order_by("pk")[:40])
    now = timezone.now()
    made = 0
    for index, demo in enumerate(POSTS):
        product = Product.objects.filter(title__startswith=demo.product).order_by("pk").first()
        author = _buyer(product) if product else None
        if product is None or author is None:
            continue
        post = CommunityPost.objects.create(author=author, text=demo.text, text_check=CheckResult.PASS)
        post.products.set([product])
        post.topics.set([topics[demo.topic]])
        _pictures(post, demo, index)
        community_post_approve(post_id=post.pk, actor=owner)
        # Spread over the last few days so "最新" and "推荐" differ.
        at = now - timedelta(hours=5 + index * 9 + rng.randrange(0, 4))
        CommunityPost.objects.filter(pk=post.pk).update(published_at=at, created_at=at)
        for fan in rng.sample([m for m in fans if m.pk != author.pk], k=min(demo.likes, max(0, len(fans) - 1))):
            community_post_like(member=fan, post_id=post.pk)
        community_post_rescore(post_id=post.pk)
        if demo.product == FEATURED:
            community_post_feature(post_id=post.pk, actor=owner, featured=True)
        made += 1
    return {"community posts": made}
