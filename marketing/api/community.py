"""种草社区 in the mini-program (F23): the feed, posts, uploads, likes, favourites, comments,
reports, my posts, topics and the products a shopper is invited to post about.

Reading the feed and a published post needs no login; everything else is the shopper's.
"""

from __future__ import annotations

from typing import Any

from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.pagination import StandardPagination
from mall.api.schema import error_responses
from marketing.api.common import member_of, optional_member
from marketing.community_errors import PostMediaInvalid
from marketing.models import CommunityComment, CommunityMedia, PostStatus, ReportReason
from marketing.models.community import COMMENT_TEXT_MAX, MAX_IMAGES, POST_TEXT_MAX
from marketing.selectors.community import (
    FEED_LIMIT_MAX,
    FEED_SORTS,
    PostView,
    community_comments_for_post,
    community_feed,
    community_invitable_products,
    community_post_detail,
    community_posts_of_member,
    community_topics,
    community_views,
)
from marketing.services.community import (
    MAX_PRODUCTS,
    MAX_TOPICS,
    community_comment_create,
    community_media_upload,
    community_post_create,
    community_post_delete,
    community_post_favourite,
    community_post_like,
    community_post_report,
    community_post_unfavourite,
    community_post_unlike,
)
from members.api.permissions import IsMember

TAGS = ["community"]
_AUTH = (401, ["not_authenticated"])
_THROTTLED = (429, ["throttled"])
_POST_NOT_FOUND = (404, ["community_post_not_found"])
_NOT_PUBLISHED = (409, ["community_post_not_published"])


def _url(file: FieldFile | None) -> str:
    return file.url if file else ""


# --- output shapes ------------------------------------------------------------------------


class MediaSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CommunityMedia"

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["image", "video"])
    url = serializers.CharField(help_text="the file's URL as the media storage gives it")


def _media_data(media: CommunityMedia) -> dict[str, Any]:
    return {"id": media.pk, "kind": media.kind, "url": _url(media.file)}


class AuthorSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CommunityAuthor"

    nickname = serializers.CharField(allow_blank=True)
    avatar_url = serializers.CharField(allow_blank=True)


class PostProductSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CommunityPostProduct"

    id = serializers.IntegerField()
    title = serializers.CharField()
    image = serializers.CharField(allow_blank=True)
    purchased = serializers.BooleanField(help_text="已购: the author paid for this product (not refunded)")


class TopicSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CommunityTopic"

    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class PostSerializer(serializers.Serializer):
    """One post as the feed, the detail page and 我的种草 show it."""

    class Meta:
        ref_name = "CommunityPost"

    id = serializers.IntegerField()
    text = serializers.CharField()
    status = serializers.CharField(help_text="pending | published | rejected")
    status_label = serializers.CharField(help_text="审核中 / 已发布 / 未通过")
    reject_reason = serializers.CharField(allow_blank=True, help_text="why it was rejected (own posts only)")
    is_featured = serializers.BooleanField(help_text="精选 by the merchant")
    is_mine = serializers.BooleanField()
    author = AuthorSerializer()
    media = MediaSerializer(many=True, help_text="up to 9 images, or one video")
    products = PostProductSerializer(many=True)
    topics = TopicSerializer(many=True)
    like_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    favourite_count = serializers.IntegerField()
    liked = serializers.BooleanField(help_text="by the signed-in shopper; false when anonymous")
    favourited = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


# What the shopper reads (审核中 rather than the console's 待审核).
STATUS_LABELS = {
    PostStatus.PENDING: _("审核中"),
    PostStatus.PUBLISHED: _("已发布"),
    PostStatus.REJECTED: _("未通过"),
    PostStatus.DELETED: _("已删除"),
}


def _status_label(value: str) -> str:
    return str(STATUS_LABELS[PostStatus(value)])


def post_data(view: PostView, *, viewer_id: int | None) -> dict[str, Any]:
    post = view.post
    mine = viewer_id is not None and post.author_id == viewer_id
    return {
        "id": post.pk,
        "text": post.text,
        "status": post.status,
        "status_label": _status_label(post.status),
        "reject_reason": post.reject_reason if mine else "",
        "is_featured": post.is_featured,
        "is_mine": mine,
        "author": {"nickname": post.author.nickname, "avatar_url": post.author.avatar_url},
        "media": [_media_data(m) for m in post.media.all()],
        "products": [
            {
                "id": p.pk,
                "title": p.title,
                "image": _url(p.main_image),
                "purchased": p.pk in view.purchased_product_ids,
            }
            for p in post.products.all()
        ],
        "topics": [{"id": t.pk, "slug": t.slug, "name": t.name} for t in post.topics.all()],
        "like_count": post.like_count,
        "comment_count": post.comment_count,
        "favourite_count": post.favourite_count,
        "liked": view.liked,
        "favourited": view.favourited,
        "published_at": post.published_at,
        "created_at": post.created_at,
    }


def _viewer_id(request: Request) -> int | None:
    member = optional_member(request)
    return member.pk if member is not None else None


# --- feed and posts -----------------------------------------------------------------------


class CommunityFeedApi(APIView):
    """The feed: 推荐 (engaging first, decayed by age) or 最新; by topic or by product
    (the product page's 买家秀 uses ``?product_id=…&limit=3``). Keyset-paged: pass back
    ``next_cursor`` as ``cursor`` until it is null."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CommunityFeedInput"

        sort = serializers.ChoiceField(choices=list(FEED_SORTS), default="recommended")
        topic = serializers.SlugField(required=False, allow_blank=True, default="")
        product_id = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=FEED_LIMIT_MAX, default=10)
        cursor = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CommunityFeedOutput"

        results = PostSerializer(many=True)
        next_cursor = serializers.CharField(allow_null=True, help_text="null on the last page")

    @extend_schema(
        operation_id="community_feed",
        tags=TAGS,
        parameters=[InputSerializer],
        responses={200: OutputSerializer, **error_responses((400, ["invalid_input", "community_post_invalid"]))},
    )
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        viewer = optional_member(request)
        page = community_feed(
            viewer=viewer,
            sort=data["sort"],
            topic=data["topic"],
            product_id=data.get("product_id"),
            limit=data["limit"],
            cursor=data["cursor"],
        )
        viewer_id = viewer.pk if viewer is not None else None
        body = {"results": [post_data(v, viewer_id=viewer_id) for v in page.posts], "next_cursor": page.next_cursor}
        return Response(self.OutputSerializer(body).data)


class CommunityPostCreateApi(APIView):
    """Publish a post (it starts 审核中): text, then up to 9 uploaded images or one video,
    products (ideally from ``invitable``) and topics."""

    permission_classes = [IsMember]
    throttle_action = "community"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CommunityPostCreateInput"

        text = serializers.CharField(
            max_length=POST_TEXT_MAX, allow_blank=True, trim_whitespace=False, help_text=f"1–{POST_TEXT_MAX} characters"
        )
        media_ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
            required=False,
            default=list,
            max_length=MAX_IMAGES,
            help_text="ids from community/media, in display order",
        )
        product_ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
            required=False,
            default=list,
            max_length=MAX_PRODUCTS,
        )
        topic_ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
            required=False,
            default=list,
            max_length=MAX_TOPICS,
        )

    @extend_schema(
        operation_id="community_post_create",
        tags=TAGS,
        request=InputSerializer,
        responses={
            201: PostSerializer,
            **error_responses(
                (
                    400,
                    ["invalid_input", "community_post_invalid", "community_media_invalid", "community_topic_invalid"],
                ),
                _AUTH,
                _THROTTLED,
            ),
        },
    )
    def post(self, request: Request) -> Response:
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = member_of(request)
        post = community_post_create(member=member, **body.validated_data)
        view = community_post_detail(post_id=post.pk, viewer=member)
        return Response(PostSerializer(post_data(view, viewer_id=member.pk)).data, status=status.HTTP_201_CREATED)


class CommunityPostDetailApi(APIView):
    """A published post (anyone), or the shopper's own post in any state; DELETE removes one's own."""

    def get_permissions(self) -> list[Any]:
        return [IsMember()] if self.request.method == "DELETE" else []

    @extend_schema(
        operation_id="community_post_detail",
        tags=TAGS,
        responses={200: PostSerializer, **error_responses(_POST_NOT_FOUND)},
    )
    def get(self, request: Request, post_id: int) -> Response:
        viewer = optional_member(request)
        view = community_post_detail(post_id=post_id, viewer=viewer)
        return Response(PostSerializer(post_data(view, viewer_id=_viewer_id(request))).data)

    @extend_schema(
        operation_id="community_post_delete",
        tags=TAGS,
        responses={
            204: None,
            **error_responses(_AUTH, (403, ["community_post_not_owned"]), _POST_NOT_FOUND),
        },
    )
    def delete(self, request: Request, post_id: int) -> Response:
        community_post_delete(member=member_of(request), post_id=post_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LikeOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CommunityLikeOutput"

    liked = serializers.BooleanField()
    like_count = serializers.IntegerField()


class CommunityPostLikeApi(APIView):
    """Like (POST) or unlike (DELETE); repeating either changes nothing."""

    permission_classes = [IsMember]

    def _answer(self, liked: bool, count: int) -> Response:
        return Response(LikeOutputSerializer({"liked": liked, "like_count": count}).data)

    @extend_schema(
        operation_id="community_post_like",
        tags=TAGS,
        request=None,
        responses={200: LikeOutputSerializer, **error_responses(_AUTH, _POST_NOT_FOUND, _NOT_PUBLISHED)},
    )
    def post(self, request: Request, post_id: int) -> Response:
        post = community_post_like(member=member_of(request), post_id=post_id)
        return self._answer(True, post.like_count)

    @extend_schema(
        operation_id="community_post_unlike",
        tags=TAGS,
        request=None,
        responses={200: LikeOutputSerializer, **error_responses(_AUTH, _POST_NOT_FOUND, _NOT_PUBLISHED)},
    )
    def delete(self, request: Request, post_id: int) -> Response:
        post = community_post_unlike(member=member_of(request), post_id=post_id)
        return self._answer(False, post.like_count)


class FavouriteOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CommunityFavouriteOutput"

    favourited = serializers.BooleanField()
    favourite_count = serializers.IntegerField()


class CommunityPostFavouriteApi(APIView):
    """Favourite (POST) or unfavourite (DELETE); repeating either changes nothing."""

    permission_classes = [IsMember]

    def _answer(self, on: bool, count: int) -> Response:
        return Response(FavouriteOutputSerializer({"favourited": on, "favourite_count": count}).data)

    @extend_schema(
        operation_id="community_post_favourite",
        tags=TAGS,
        request=None,
        responses={200: FavouriteOutputSerializer, **error_responses(_AUTH, _POST_NOT_FOUND, _NOT_PUBLISHED)},
    )
    def post(self, request: Request, post_id: int) -> Response:
        post = community_post_favourite(member=member_of(request), post_id=post_id)
        return self._answer(True, post.favourite_count)

    @extend_schema(
        operation_id="community_post_unfavourite",
        tags=TAGS,
        request=None,
        responses={200: FavouriteOutputSerializer, **error_responses(_AUTH, _POST_NOT_FOUND, _NOT_PUBLISHED)},
    )
    def delete(self, request: Request, post_id: int) -> Response:
        post = community_post_unfavourite(member=member_of(request), post_id=post_id)
        return self._answer(False, post.favourite_count)


# --- comments and reports -----------------------------------------------------------------


class CommentSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CommunityComment"

    id = serializers.IntegerField()
    text = serializers.CharField()
    status = serializers.CharField(help_text="published, or pending (own only)")
    status_label = serializers.CharField()
    is_mine = serializers.BooleanField()
    author = AuthorSerializer()
    created_at = serializers.DateTimeField()


def _comment_data(comment: CommunityComment, *, viewer_id: int | None) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "text": comment.text,
        "status": comment.status,
        "status_label": _status_label(comment.status),
        "is_mine": viewer_id is not None and comment.author_id == viewer_id,
        "author": {"nickname": comment.author.nickname, "avatar_url": comment.author.avatar_url},
        "created_at": comment.created_at,
    }


class CommentPageSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CommunityCommentPage"

    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = CommentSerializer(many=True)


class CommunityCommentsApi(APIView):
    """GET: published comments (plus one's own under review), oldest first, paged.
    POST: comment (it is checked like a post; 审核中 until then)."""

    throttle_action = ""

    def get_permissions(self) -> list[Any]:
        return [IsMember()] if self.request.method == "POST" else []

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.throttle_action = "community" if request.method == "POST" else ""
        super().initial(request, *args, **kwargs)

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CommunityCommentInput"

        text = serializers.CharField(
            max_length=COMMENT_TEXT_MAX,
            allow_blank=True,
            trim_whitespace=False,
            help_text=f"1–{COMMENT_TEXT_MAX} characters",
        )

    @extend_schema(
        operation_id="community_comments",
        tags=TAGS,
        parameters=[
            OpenApiParameter("page", OpenApiTypes.INT, required=False),
            OpenApiParameter("page_size", OpenApiTypes.INT, required=False),
        ],
        responses={200: CommentPageSerializer, **error_responses((400, ["invalid_input"]), _POST_NOT_FOUND)},
    )
    def get(self, request: Request, post_id: int) -> Response:
        viewer_id = _viewer_id(request)
        viewer = optional_member(request)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(
            community_comments_for_post(post_id=post_id, viewer=viewer), request, view=self
        )
        rows = [_comment_data(c, viewer_id=viewer_id) for c in page or []]
        return paginator.get_paginated_response(rows)

    @extend_schema(
        operation_id="community_comment_create",
        tags=TAGS,
        request=InputSerializer,
        responses={
            201: CommentSerializer,
            **error_responses(
                (400, ["invalid_input", "community_comment_invalid"]),
                _AUTH,
                _POST_NOT_FOUND,
                _NOT_PUBLISHED,
                _THROTTLED,
            ),
        },
    )
    def post(self, request: Request, post_id: int) -> Response:
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = member_of(request)
        comment = community_comment_create(member=member, post_id=post_id, text=body.validated_data["text"])
        comment.author = member
        return Response(
            CommentSerializer(_comment_data(comment, viewer_id=member.pk)).data, status=status.HTTP_201_CREATED
        )


class CommunityPostReportApi(APIView):
    """Report a post to the merchant (once per shopper and post)."""

    permission_classes = [IsMember]
    throttle_action = "community"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CommunityReportInput"

        reason = serializers.ChoiceField(
            choices=ReportReason.values,
            help_text="spam 广告引流 | false 虚假种草 | offensive 低俗或不友善 | illegal 违法违规 | other 其他",
        )
        text = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CommunityReportOutput"

        id = serializers.IntegerField()
        status = serializers.CharField(help_text="open")

    @extend_schema(
        operation_id="community_post_report",
        tags=TAGS,
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            **error_responses(
                (400, ["invalid_input", "community_post_invalid"]),
                _AUTH,
                _POST_NOT_FOUND,
                (409, ["community_report_duplicate"]),
                _THROTTLED,
            ),
        },
    )
    def post(self, request: Request, post_id: int) -> Response:
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = community_post_report(member=member_of(request), post_id=post_id, **body.validated_data)
        return Response(
            self.OutputSerializer({"id": report.pk, "status": report.status}).data, status=status.HTTP_201_CREATED
        )


# --- mine, uploads, topics, invitable -----------------------------------------------------


class PostPageSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CommunityPostPage"

    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = PostSerializer(many=True)


class CommunityMineApi(APIView):
    """我的种草: the shopper's posts in every state but deleted (with the reject reason), newest first."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="community_mine",
        tags=TAGS,
        parameters=[
            OpenApiParameter("page", OpenApiTypes.INT, required=False),
            OpenApiParameter("page_size", OpenApiTypes.INT, required=False),
        ],
        responses={200: PostPageSerializer, **error_responses((400, ["invalid_input"]), _AUTH)},
    )
    def get(self, request: Request) -> Response:
        member = member_of(request)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(community_posts_of_member(member=member), request, view=self)
        views = community_views(posts=list(page or []), viewer=member)
        return paginator.get_paginated_response([post_data(v, viewer_id=member.pk) for v in views])


class CommunityMediaUploadApi(APIView):
    """Upload one picture (JPG/PNG/WEBP, ≤ 10 MB) or one MP4 video (≤ 50 MB), multipart field
    ``file``; send the returned id in ``media_ids`` when creating the post."""

    permission_classes = [IsMember]
    parser_classes = [MultiPartParser]
    throttle_action = "community"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CommunityMediaUploadInput"

        file = serializers.FileField()

    @extend_schema(
        operation_id="community_media_upload",
        tags=TAGS,
        request={"multipart/form-data": InputSerializer},
        responses={
            201: MediaSerializer,
            **error_responses((400, ["invalid_input", "community_media_invalid"]), _AUTH, _THROTTLED),
        },
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise PostMediaInvalid(details={"field": "file"})
        media = community_media_upload(member=member_of(request), upload=upload)
        return Response(MediaSerializer(_media_data(media)).data, status=status.HTTP_201_CREATED)


class CommunityTopicListApi(APIView):
    """The merchant's topics (话题), in the merchant's order."""

    @extend_schema(operation_id="community_topics", tags=TAGS, responses={200: TopicSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = [{"id": t.pk, "slug": t.slug, "name": t.name} for t in community_topics()]
        return Response(TopicSerializer(rows, many=True).data)


class CommunityInvitableApi(APIView):
    """Products of the shopper's completed orders without a post yet (the compose page's picker)."""

    permission_classes = [IsMember]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CommunityInvitableProduct"

        product_id = serializers.IntegerField()
        title = serializers.CharField()
        image = serializers.CharField(allow_blank=True)
        completed_at = serializers.DateTimeField(allow_null=True, help_text="when the latest such order completed")

    @extend_schema(
        operation_id="community_invitable",
        tags=TAGS,
        responses={200: OutputSerializer(many=True), **error_responses(_AUTH)},
    )
    def get(self, request: Request) -> Response:
        rows = [
            {
                "product_id": row.product.pk,
                "title": row.product.title,
                "image": _url(row.product.main_image),
                "completed_at": row.completed_at,
            }
            for row in community_invitable_products(member=member_of(request))
        ]
        return Response(self.OutputSerializer(rows, many=True).data)
