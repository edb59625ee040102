"""``seed_demo`` fills the content tools on a fresh clone: 种草社区 topics and published posts by
shoppers who bought the product (one featured, liked), two mirrored live rooms with their
in-room deals, and a 种草社区 icon on the home page — each made once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from mall.demo.community import POSTS, build_community
from mall.demo.live import REPLAY_ROOM, UPCOMING_ROOM, build_live
from mall.demo.pages import build_pages
from mall.demo.shop import SHOPPER_OPENID_PREFIX, build_catalogue
from mall.models import Product
from marketing.models import (
    CommunityAward,
    CommunityPost,
    CommunityTopic,
    LiveFlashSlot,
    LiveRoom,
    LiveRoomStatus,
    PostStatus,
)
from marketing.selectors.community import community_feed
from members.models import Member
from members.tests.factories import MemberFactory
from orders.models import Order, OrderLine, OrderStatus
from orders.services.payments import out_trade_no_new

pytestmark = pytest.mark.django_db


def _completed_order(member: Member, product: Product) -> None:
    sku = product.skus.order_by("pk").first()
    assert sku is not None
    now = timezone.now()
    order = Order.objects.create(
        no=out_trade_no_new()[1:],
        member=member,
        status=OrderStatus.COMPLETED,
        goods_amount=sku.price,
        payable_amount=sku.price,
        idempotency_key=out_trade_no_new(),
        expires_at=now,
        paid_at=now - timedelta(days=3),
        completed_at=now,
    )
    OrderLine.objects.create(
        order=order,
        sku=sku,
        product=product,
        title=product.title,
        unit_price=sku.price,
        qty=1,
        item_amount=sku.price,
        paid_amount=sku.price,
    )


@pytest.fixture
def shop(redis_client: object) -> list[Member]:
    User.objects.create_superuser(username="owner", password="x", email="owner@example.com")
    build_catalogue(seed=1)
    shoppers = [MemberFactory.create(openid=f"{SHOPPER_OPENID_PREFIX}{i}") for i in range(16)]
    for index, demo in enumerate(POSTS):
        product = Product.objects.get(title__startswith=demo.product)
        _completed_order(shoppers[index], product)
    return shoppers


def test_the_demo_community_has_published_posts_with_pictures_badges_and_one_award(shop: list[Member]) -> None:
    assert build_community(seed=1) == {"community posts": len(POSTS)}

    assert CommunityTopic.objects.count() == 4
    posts = CommunityPost.objects.all()
    assert {p.status for p in posts} == {PostStatus.PUBLISHED}
    assert all(p.media.count() >= 1 and p.like_count >= 1 for p in posts)
    featured = CommunityPost.objects.get(is_featured=True)
    assert featured.products.get().title.startswith("便携蓝牙音箱")
    assert CommunityAward.objects.filter(post=featured, reversed_at__isnull=True).exists()

    page = community_feed(viewer=None, limit=10)
    assert len(page.posts) == len(POSTS)
    assert all(view.purchased_product_ids == {p.pk for p in view.post.products.all()} for view in page.posts)
    recent = community_feed(viewer=None, sort="recent", limit=3)
    stamps = [v.post.published_at.timestamp() for v in recent.posts if v.post.published_at]
    assert len(stamps) == 3 and stamps == sorted(stamps, reverse=True)

    lamp = Product.objects.get(title__startswith="护眼智能台灯")
    shown = APIClient().get("/api/v1/community/feed", {"product_id": lamp.pk, "limit": 3}).json()
    assert len(shown["results"]) == 1 and shown["results"][0]["media"]

    assert build_community(seed=1) == {"community posts": 0}
    assert CommunityPost.objects.count() == len(POSTS)


def test_the_demo_live_rooms_carry_their_deals_without_calling_wechat(shop: list[Member]) -> None:
    assert build_live() == {"live rooms": 2}  # no `responses` mock: a WeChat call would fail

    upcoming = LiveRoom.objects.get(wx_room_id=UPCOMING_ROOM)
    replay = LiveRoom.objects.get(wx_room_id=REPLAY_ROOM)
    assert (upcoming.status, replay.status) == (LiveRoomStatus.UPCOMING, LiveRoomStatus.REPLAY)
    assert replay.replays and upcoming.follows.count() == 6
    binding = LiveFlashSlot.objects.get(room=upcoming)
    start = timezone.localtime(binding.slot.starts_at)
    assert start.minute == 0 and upcoming.start_time <= binding.slot.starts_at < upcoming.end_time
    assert binding.slot.items.exists()
    lottery = upcoming.lotteries.get()
    assert upcoming.start_time <= lottery.opens_at < lottery.closes_at <= upcoming.end_time
    fan = upcoming.fan_prices.get()
    assert fan.price < fan.sku.price

    assert build_live() == {"live rooms": 0}
    assert LiveRoom.objects.count() == 2


def test_the_demo_home_page_has_a_community_icon(shop: list[Member]) -> None:
    build_pages()
    home = APIClient().get("/api/v1/pages/home").json()
    nav = next(b for b in home["blocks"] if b["type"] == "nav_icons")
    assert {"title": "种草社区", "type": "community"} in [
        {"title": item["title"], "type": item["target"]["type"]} for item in nav["data"]["items"]
    ]
