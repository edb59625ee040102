"""Daily check-in (签到, F20): the merchant's rule, one row per shopper per shop day, the reminder.

The shop day is the date in Asia/Shanghai (``TIME_ZONE``). ``CheckIn`` is unique per (member,
day), so a double tap writes one row whoever wins; the row keeps the streak it reached and the
points it gave, so the calendar and the console read them without recomputing.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


def default_tier_multipliers() -> dict[str, Any]:
    return {}


class CheckInRule(models.Model):
    """The shop's one check-in rule (a singleton, ``load()``)."""

    class Cycle(models.TextChoices):
        ROLLING = "rolling", _("连续不重置")
        WEEKLY = "weekly", _("每周一重置")
        MONTHLY = "monthly", _("每月 1 日重置")

    enabled = models.BooleanField(_("开启签到"), default=True)
    base_points = models.PositiveIntegerField(_("每日签到积分"), default=5)
    streak_days = models.PositiveIntegerField(_("连续签到天数"), default=7, help_text=_("连续签到满此天数得额外奖励"))
    streak_points = models.PositiveIntegerField(_("连续签到奖励积分"), default=30)
    cycle = models.CharField(_("连续周期"), max_length=16, choices=Cycle.choices, default=Cycle.ROLLING)
    makeup_days = models.PositiveIntegerField(
        _("可补签天数"), default=0, help_text=_("可补签最近多少天内漏签的日子；0 表示不可补签")
    )
    makeup_cost = models.PositiveIntegerField(_("补签消耗积分"), default=20)
    # {tier: multiplier}, e.g. {"gold": 1.5}; a tier not listed earns 1.0× (TierRule has no such perk).
    tier_multipliers = models.JSONField(
        _("等级倍数"),
        default=default_tier_multipliers,
        blank=True,
        help_text=_("各会员等级的签到积分倍数，未设为 1 倍"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("签到规则")
        verbose_name_plural = _("签到规则")

    def __str__(self) -> str:
        return str(_("签到规则"))

    @classmethod
    def load(cls) -> CheckInRule:
        row, _created = cls.objects.get_or_create(pk=1)
        return row

    def multiplier_for(self, tier: str) -> float:
        try:
            value = float((self.tier_multipliers or {}).get(tier, 1.0))
        except (TypeError, ValueError):
            return 1.0
        return value if value > 0 else 1.0


class CheckIn(models.Model):
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="check_ins"
    )
    day = models.DateField(_("签到日"), help_text=_("店铺所在时区（上海）的日期"))
    streak = models.PositiveIntegerField(_("连续天数"), default=1)
    points = models.PositiveIntegerField(_("获得积分"), default=0)
    bonus_points = models.PositiveIntegerField(_("连续奖励积分"), default=0)
    is_makeup = models.BooleanField(_("补签"), default=False)
    makeup_cost = models.PositiveIntegerField(_("补签消耗积分"), default=0)
    created_at = models.DateTimeField(_("签到时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("签到记录")
        verbose_name_plural = _("签到记录")
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["member", "day"], name="checkin_once_per_day")]
        indexes = [models.Index(fields=["day"], name="checkin_day")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.day}"


class CheckInReminder(models.Model):
    """The "今天还没签到" reminder: at most once per (member, day)."""

    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="checkin_reminders"
    )
    day = models.DateField(_("提醒日"))
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("签到提醒")
        verbose_name_plural = _("签到提醒")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["member", "day"], name="checkin_reminder_once")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.day}"
