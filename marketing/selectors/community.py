"""Reads of the 种草社区 (F23): the feed, a post, my posts, comments, products to post about.

Every list is fetched in a fixed number of queries whatever its length (pinned in tests): the
posts with their authors, then their pictures, products and topics (prefetch), the viewer's
likes and favourites, and the 已购 badges of all authors at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Max, Prefetch, Q, QuerySet

from mall.models import Product
from marketing.community_errors import PostInvalid, PostNotFound
from marketing.models import (
    CommunityComment,
    CommunityFavourite,
    CommunityLike,
    CommunityMedia,
    CommunityPost,
    CommunityTopic,
    PostStatus,
)
from marketing.services.community_rank import EPOCH
from members.models import Member
from orders.models import OrderLine, OrderStatus

# An order that was paid for and not refunded: the author bought the product.
BOUGHT_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)
FEED_SORTS = ("recommended", "recent")
FEED_LIMIT_MAX = 50
INVITABLE_LIMIT = 50


@dataclass
class PostView:
    """A post as a screen needs it: its rows prefetched plus the viewer's state and the badges."""

    post: CommunityPost
    liked: bool = False
    favourited: bool = False
    purchased_product_ids: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class FeedPage:
    posts: list[PostView]
    next_cursor: str | None


def _post_rows() -> QuerySet[CommunityPost]:
    return CommunityPost.objects.select_related("author").prefetch_related(
        Prefetch("media", queryset=CommunityMedia.objects.order_by("position", "id")),
        Prefetch("products", queryset=Product.objects.order_by("id")),
        Prefetch("topics", queryset=CommunityTopic.objects.order_by("sort_order", "id")),
    )


def _views(posts: Sequence[CommunityPost], *, viewer: Member | None) -> list[PostView]:
    """Attach the viewer's likes/favourites and the authors' 已购 badges (three queries at most)."""
    views = [PostView(post=post) for post in posts]
    if not views:
        return views
    post_ids = [v.post.pk for v in views]
    if viewer is not None:
        liked = set(CommunityLike.objects.filter(member=viewer, post_id__in=post_ids).values_list("post_id", flat=True))
        saved = set(
            CommunityFavourite.objects.filter(member=viewer, post_id__in=post_ids).values_list("post_id", flat=True)
        )
        for view in views:
            view.liked = view.post.pk in liked
            view.favourited = view.post.pk in saved
    pairs = {(v.post.author_id, p.pk) for v in views for p in v.post.products.all()}
    if pairs:
        bought = set(
            OrderLine.objects.filter(
                order__member_id__in={a for a, _p in pairs},
                product_id__in={p for _a, p in pairs},
                order__status__in=BOUGHT_STATUSES,
            )
            .values_list("order__member_id", "product_id")
            .distinct()
        )
        for view in views:
            view.purchased_product_ids = {
                p.pk for p in view.post.products.all() if (view.post.author_id, p.pk) in bought
            }
    return views


def _cursor_parse(cursor: str) -> tuple[str, int]:
    value, _sep, post_id = cursor.rpartition("_")
    if not value or not post_id.isdigit():
        raise PostInvalid(details={"field": "cursor"})
    return value, int(post_id)


def _micros(at: datetime) -> int:
    """A time as whole microseconds since the epoch (exact, unlike a float timestamp)."""
    return (at - EPOCH) // timedelta(microseconds=1)


def community_feed(
    *,
    viewer: Member | None,
    sort: str = "recommended",
    topic: str = "",
    product_id: int | None = None,
    limit: int = 10,
    cursor: str = "",
) -> FeedPage:
    """Published posts, 推荐 (``rank_score``) or 最新 (``published_at``), keyset-paged by cursor."""
    if sort not in FEED_SORTS:
        raise PostInvalid(details={"field": "sort", "allowed": list(FEED_SORTS)})
    limit = max(1, min(limit, FEED_LIMIT_MAX))
    rows = _post_rows().filter(status=PostStatus.PUBLISHED)
    if topic:
        rows = rows.filter(topics__slug=topic)
    if product_id is not None:
        rows = rows.filter(products__id=product_id)
    if cursor:
        value, last_id = _cursor_parse(cursor)
        try:
            if sort == "recommended":
                score = float(value)
                rows = rows.filter(Q(rank_score__lt=score) | Q(rank_score=score, pk__lt=last_id))
            else:
                at = EPOCH + timedelta(microseconds=int(value))
                rows = rows.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=last_id))
        except (ValueError, OverflowError) as exc:
            raise PostInvalid(details={"field": "cursor"}) from exc
    order = ("-rank_score", "-pk") if sort == "recommended" else ("-published_at", "-pk")
    posts = list(rows.order_by(*order).distinct()[: limit + 1])
    more = len(posts) > limit
    posts = posts[:limit]
    next_cursor = None
    if more and posts:
        last = posts[-1]
        if sort == "recommended":
            next_cursor = f"{last.rank_score!r}_{last.pk}"
        else:
            assert last.published_at is not None  # noqa: S101 - published posts have a time
            next_cursor = f"{_micros(last.published_at)}_{last.pk}"
    return FeedPage(posts=_views(posts, viewer=viewer), next_cursor=next_cursor)


def community_post_detail(*, post_id: int, viewer: Member | None) -> PostView:
    """A published post for anyone; the author also sees their own pending or rejected one."""
    visible = Q(status=PostStatus.PUBLISHED)
    if viewer is not None:
        visible |= Q(author=viewer) & ~Q(status=PostStatus.DELETED)
    post = _post_rows().filter(visible, pk=post_id).first()
    if post is None:
        raise PostNotFound()
    return _views([post], viewer=viewer)[0]


def community_posts_of_member(*, member: Member) -> QuerySet[CommunityPost]:
    """My posts, every state but deleted, newest first (the API pages it, then calls ``community_views``)."""
    return _post_rows().filter(author=member).exclude(status=PostStatus.DELETED).order_by("-pk")


def community_views(*, posts: Sequence[CommunityPost], viewer: Member | None) -> list[PostView]:
    return _views(posts, viewer=viewer)


def community_comments_for_post(*, post_id: int, viewer: Member | None) -> QuerySet[CommunityComment]:
    """Published comments, plus the viewer's own still under review, oldest first."""
    if not CommunityPost.objects.filter(pk=post_id, status=PostStatus.PUBLISHED).exists():
        raise PostNotFound()
    visible = Q(status=PostStatus.PUBLISHED)
    if viewer is not None:
        visible |= Q(author=viewer, status=PostStatus.PENDING)
    return CommunityComment.objects.select_related("author").filter(visible, post_id=post_id).order_by("pk")


def community_topics() -> list[CommunityTopic]:
    return list(CommunityTopic.objects.filter(is_active=True).order_by("sort_order", "id"))


@dataclass(frozen=True)
class InvitableProduct:
    product: Product
    completed_at: datetime | None


def community_invitable_products(*, member: Member) -> list[InvitableProduct]:
    """Products of the shopper's completed orders they have not posted about yet, latest first."""
    posted = CommunityPost.objects.filter(author=member).exclude(status=PostStatus.DELETED).values("products")
    rows = (
        OrderLine.objects.filter(order__member=member, order__status=OrderStatus.COMPLETED)
        .exclude(product_id__in=posted.filter(products__isnull=False))
        .values("product_id")
        .annotate(completed_at=Max("order__completed_at"))
        .order_by("-completed_at", "-product_id")[:INVITABLE_LIMIT]
    )
    found = list(rows)
    products = Product.objects.in_bulk([r["product_id"] for r in found])
    return [
        InvitableProduct(product=products[r["product_id"]], completed_at=r["completed_at"])
        for r in found
        if r["product_id"] in products
    ]
