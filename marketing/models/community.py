"""种草社区 (F23): shoppers' posts about what they bought, their pictures, likes, comments,
favourites, reports, and the points awarded for 优质内容.

A post is created 待审核 and passes WeChat's content-security checks (text at once, each
picture asynchronously, the answer arriving as a message-push event) before the merchant's
review queue decides, unless the merchant lets clean posts publish themselves.

Counters (likes, comments, favourites) are kept on the post by conditional UPDATEs next to the
unique rows they count, so the feed ranks without joins. ``rank_score`` is stored for the same
reason (see ``marketing.services.community_rank``).

Scarce parts are guarded by the database: one like / favourite / report per shopper and post
(unique), one award per post (``CommunityAward.post`` is unique), and an author's awards per
Asia/Shanghai day are counted in ``CommunityAwardDay`` whose ``count`` only grows through a
conditional UPDATE bounded by the day's cap.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

POST_TEXT_MAX = 1000
COMMENT_TEXT_MAX = 300
MAX_IMAGES = 9


class PostStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已发布")
    REJECTED = "rejected", _("已驳回")
    DELETED = "deleted", _("已删除")


class CheckResult(models.TextChoices):
    """What WeChat's content-security check said (``suggest``), or where the check stands."""

    WAITING = "waiting", _("检测中")
    PASS = "pass", _("通过")
    REVIEW = "review", _("建议人工审核")
    RISKY = "risky", _("违规")
    SKIPPED = "skipped", _("不检测")


class MediaKind(models.TextChoices):
    IMAGE = "image", _("图片")
    VIDEO = "video", _("视频")


class CommunityTopic(models.Model):
    """A merchant-managed topic (话题) posts are filed under."""

    slug = models.SlugField(_("标识"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("社区话题")
        verbose_name_plural = _("社区话题")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class CommunitySettings(models.Model):
    """The merchant's community rules (one row)."""

    auto_publish_on_pass = models.BooleanField(
        _("检测通过自动发布"), default=False, help_text=_("关闭时所有帖子和评论都进入人工审核队列")
    )
    engagement_threshold = models.PositiveIntegerField(
        _("优质内容互动门槛"), default=50, help_text=_("点赞 + 2×评论 + 收藏 达到此数自动评为优质内容")
    )
    award_points = models.PositiveIntegerField(_("优质内容奖励积分"), default=100)
    daily_award_cap = models.PositiveIntegerField(
        _("每位作者每日最多奖励次数"), default=3, help_text=_("按北京时间自然日计算")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("社区设置")
        verbose_name_plural = _("社区设置")

    def __str__(self) -> str:
        return str(_("社区设置"))

    @classmethod
    def load(cls) -> CommunitySettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class CommunityPost(models.Model):
    author = models.ForeignKey(
        "members.Member", verbose_name=_("作者"), on_delete=models.CASCADE, related_name="community_posts"
    )
    text = models.TextField(_("正文"), max_length=POST_TEXT_MAX)
    products = models.ManyToManyField(
        "mall.Product", verbose_name=_("关联商品"), blank=True, related_name="community_posts"
    )
    topics = models.ManyToManyField(CommunityTopic, verbose_name=_("话题"), blank=True, related_name="posts")
    status = models.CharField(
        _("状态"), max_length=12, choices=PostStatus.choices, default=PostStatus.PENDING, db_index=True
    )
    reject_reason = models.CharField(_("驳回原因"), max_length=200, blank=True)
    is_featured = models.BooleanField(_("精选"), default=False)
    text_check = models.CharField(
        _("文本检测"), max_length=10, choices=CheckResult.choices, default=CheckResult.WAITING
    )
    text_label = models.PositiveIntegerField(_("文本检测标签"), null=True, blank=True)
    check_attempts = models.PositiveSmallIntegerField(_("检测尝试次数"), default=0)
    check_error = models.CharField(_("检测失败原因"), max_length=120, blank=True)
    like_count = models.PositiveIntegerField(_("点赞数"), default=0)
    comment_count = models.PositiveIntegerField(_("评论数"), default=0)
    favourite_count = models.PositiveIntegerField(_("收藏数"), default=0)
    rank_score = models.FloatField(_("推荐分"), default=0.0)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "auth.User", verbose_name=_("审核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("种草帖子")
        verbose_name_plural = _("种草帖子")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "rank_score", "id"], name="community_post_rank"),
            models.Index(fields=["status", "published_at", "id"], name="community_post_recent"),
            models.Index(fields=["author", "status"], name="community_post_author"),
        ]

    def __str__(self) -> str:
        return self.text[:30]

    @property
    def engagement(self) -> int:
        """likes + 2 × comments + favourites: a comment costs the shopper more than a tap."""
        return self.like_count + 2 * self.comment_count + self.favourite_count


class CommunityMedia(models.Model):
    """An uploaded picture or video; attached to a post when the post is created."""

    owner = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(
        CommunityPost, verbose_name=_("帖子"), null=True, blank=True, on_delete=models.CASCADE, related_name="media"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=MediaKind.choices)
    file = models.FileField(_("文件"), upload_to="community/%Y/%m/")
    position = models.PositiveSmallIntegerField(_("位置"), default=0)
    check_result = models.CharField(
        _("检测结果"), max_length=10, choices=CheckResult.choices, default=CheckResult.WAITING
    )
    check_label = models.PositiveIntegerField(_("检测标签"), null=True, blank=True)
    # WeChat's id of the async check; its push event names it. Unique: a replayed push finds one row.
    trace_id = models.CharField(_("检测单号"), max_length=64, null=True, blank=True, unique=True)
    checked_at = models.DateTimeField(_("检测完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("社区图片视频")
        verbose_name_plural = _("社区图片视频")
        ordering = ["post", "position", "id"]

    def __str__(self) -> str:
        return self.file.name or ""


class CommunityLike(models.Model):
    post = models.ForeignKey(CommunityPost, on_delete=models.CASCADE, related_name="likes")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("点赞")
        verbose_name_plural = _("点赞")
        constraints = [models.UniqueConstraint(fields=["post", "member"], name="community_like_once")]

    def __str__(self) -> str:
        return f"{self.member_id} → #{self.post_id}"


class CommunityFavourite(models.Model):
    post = models.ForeignKey(CommunityPost, on_delete=models.CASCADE, related_name="favourites")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("收藏")
        verbose_name_plural = _("收藏")
        constraints = [models.UniqueConstraint(fields=["post", "member"], name="community_favourite_once")]

    def __str__(self) -> str:
        return f"{self.member_id} → #{self.post_id}"


class CommunityComment(models.Model):
    post = models.ForeignKey(CommunityPost, verbose_name=_("帖子"), on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("members.Member", verbose_name=_("作者"), on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("内容"), max_length=COMMENT_TEXT_MAX)
    status = models.CharField(
        _("状态"), max_length=12, choices=PostStatus.choices, default=PostStatus.PENDING, db_index=True
    )
    reject_reason = models.CharField(_("驳回原因"), max_length=200, blank=True)
    text_check = models.CharField(
        _("文本检测"), max_length=10, choices=CheckResult.choices, default=CheckResult.WAITING
    )
    text_label = models.PositiveIntegerField(_("文本检测标签"), null=True, blank=True)
    check_attempts = models.PositiveSmallIntegerField(_("检测尝试次数"), default=0)
    check_error = models.CharField(_("检测失败原因"), max_length=120, blank=True)
    reviewed_by = models.ForeignKey(
        "auth.User", verbose_name=_("审核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("帖子评论")
        verbose_name_plural = _("帖子评论")
        ordering = ["-id"]
        indexes = [models.Index(fields=["post", "status", "id"], name="community_comment_post")]

    def __str__(self) -> str:
        return self.text[:30]


class ReportReason(models.TextChoices):
    SPAM = "spam", _("广告引流")
    FALSE = "false", _("虚假种草")
    OFFENSIVE = "offensive", _("低俗或不友善")
    ILLEGAL = "illegal", _("违法违规")
    OTHER = "other", _("其他")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    RESOLVED = "resolved", _("已处理")


class CommunityReport(models.Model):
    post = models.ForeignKey(CommunityPost, verbose_name=_("帖子"), on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey("members.Member", verbose_name=_("举报人"), on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("举报原因"), max_length=12, choices=ReportReason.choices)
    text = models.CharField(_("补充说明"), max_length=200, blank=True)
    status = models.CharField(
        _("处理状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN, db_index=True
    )
    resolution = models.CharField(_("处理结果"), max_length=200, blank=True)
    resolved_by = models.ForeignKey(
        "auth.User", verbose_name=_("处理人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("举报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("举报")
        verbose_name_plural = _("举报")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["post", "reporter"], name="community_report_once")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} #{self.post_id}"


class AwardReason(models.TextChoices):
    FEATURED = "featured", _("商家精选")
    ENGAGEMENT = "engagement", _("互动达标")


class CommunityAward(models.Model):
    """The 优质内容 points of one post: at most one row per post, ever."""

    post = models.OneToOneField(CommunityPost, verbose_name=_("帖子"), on_delete=models.CASCADE, related_name="award")
    member = models.ForeignKey("members.Member", verbose_name=_("作者"), on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("获奖原因"), max_length=12, choices=AwardReason.choices)
    points = models.PositiveIntegerField(_("积分"))
    day = models.DateField(_("日期"), help_text=_("北京时间"))
    created_at = models.DateTimeField(_("奖励时间"), auto_now_add=True)
    reversed_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("优质内容奖励")
        verbose_name_plural = _("优质内容奖励")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.post_id} +{self.points}"


class CommunityAwardDay(models.Model):
    """How many awards an author got on one Asia/Shanghai day; the cap is enforced on this row."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="community_award_day_once"),
            models.CheckConstraint(condition=Q(count__gte=0), name="community_award_day_count_min"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.day}: {self.count}"
