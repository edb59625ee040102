"""Shopper tags (F32, F33): automatic tags kept by rules with editable thresholds, manual tags
the merchant hands out, and each shopper's RFM group.

An automatic rule (:class:`TagRule`) owns its tags: one tag for most rules, one tag per top-level
category for the category-preference rule. ``members.services.tags`` recomputes them set-based
(one INSERT … SELECT and one DELETE per tag), nightly and after a shopper's order completes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TagRuleKey(models.TextChoices):
    HIGH_SPEND = "high_spend", _("高消费")
    HIGH_FREQUENCY = "high_frequency", _("高频购买")
    PRICE_SENSITIVE = "price_sensitive", _("价格敏感")
    PREFERS_CATEGORY = "prefers_category", _("偏好类目")
    NEW_SHOPPER = "new_shopper", _("新客")
    DORMANT = "dormant", _("沉睡")
    RFM = "rfm", _("RFM 分组")


class TagRule(models.Model):
    """One automatic rule and its thresholds (``params``), edited in the console."""

    key = models.CharField(_("规则"), max_length=32, choices=TagRuleKey.choices, unique=True)
    params = models.JSONField(_("阈值"), default=dict, blank=True)
    is_enabled = models.BooleanField(_("启用"), default=True)
    computed_at = models.DateTimeField(_("最近计算"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("自动标签规则")
        verbose_name_plural = _("自动标签规则")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.get_key_display())


class Tag(models.Model):
    class Kind(models.TextChoices):
        AUTO = "auto", _("自动")
        MANUAL = "manual", _("手动")

    name = models.CharField(_("名称"), max_length=30, unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.MANUAL)
    rule = models.ForeignKey(
        TagRule, verbose_name=_("规则"), null=True, blank=True, on_delete=models.CASCADE, related_name="tags"
    )
    category = models.ForeignKey(
        "mall.Category", verbose_name=_("类目"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    description = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = _("标签")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "category"], name="tag_once_per_rule_category"),
        ]

    def __str__(self) -> str:
        return self.name


class MemberTag(models.Model):
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="member_tags"
    )
    tag = models.ForeignKey(Tag, verbose_name=_("标签"), on_delete=models.CASCADE, related_name="member_tags")
    created_at = models.DateTimeField(_("打标时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会员标签")
        verbose_name_plural = _("会员标签")
        constraints = [models.UniqueConstraint(fields=["tag", "member"], name="member_tag_once")]
        indexes = [models.Index(fields=["member", "tag"])]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.tag_id}"


class RfmGroup(models.TextChoices):
    IMPORTANT_VALUE = "important_value", _("重要价值")
    IMPORTANT_DEVELOP = "important_develop", _("重要发展")
    IMPORTANT_KEEP = "important_keep", _("重要保持")
    IMPORTANT_RETAIN = "important_retain", _("重要挽留")
    GENERAL_VALUE = "general_value", _("一般价值")
    GENERAL_DEVELOP = "general_develop", _("一般发展")
    GENERAL_KEEP = "general_keep", _("一般保持")
    LOST = "lost", _("流失")


class MemberRfm(models.Model):
    """A shopper's recency / frequency / money quintiles (1–5, 5 best) and group, nightly."""

    member = models.OneToOneField(
        "members.Member", verbose_name=_("会员"), primary_key=True, on_delete=models.CASCADE, related_name="rfm"
    )
    recency_days = models.PositiveIntegerField(_("距上次下单天数"))
    frequency = models.PositiveIntegerField(_("订单数"))
    monetary = models.PositiveBigIntegerField(_("消费金额"))
    r_score = models.PositiveSmallIntegerField(_("R 分"))
    f_score = models.PositiveSmallIntegerField(_("F 分"))
    m_score = models.PositiveSmallIntegerField(_("M 分"))
    group = models.CharField(_("RFM 分组"), max_length=20, choices=RfmGroup.choices, db_index=True)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("RFM 分组")
        verbose_name_plural = _("RFM 分组")

    def __str__(self) -> str:
        return str(self.get_group_display())


class TagBulkJob(models.Model):
    """Adding or removing a manual tag for many shoppers, in the background with progress."""

    class Op(models.TextChoices):
        ADD = "add", _("添加")
        REMOVE = "remove", _("移除")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")

    tag = models.ForeignKey(Tag, verbose_name=_("标签"), on_delete=models.CASCADE, related_name="bulk_jobs")
    op = models.CharField(_("操作"), max_length=8, choices=Op.choices)
    member_ids = models.JSONField(_("会员"), default=list)
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("批量打标任务")
        verbose_name_plural = _("批量打标任务")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_op_display()} {self.tag} × {self.total}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)
