"""Granting a coupon template to a sheet of shoppers (P06): one grant per upload, each shopper at
most once per grant (unique (grant, member)), and the per-row report of granted / skipped and why.

``ref`` is the form's one-time key: submitting the same upload twice finds the first grant.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField


class CouponGrant(models.Model):
    template = models.ForeignKey(
        "marketing.CouponTemplate", verbose_name=_("优惠券模板"), on_delete=models.PROTECT, related_name="grants"
    )
    ref = IdentifierField(_("提交编号"), max_length=64, unique=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    granted = models.PositiveIntegerField(_("已发放"), default=0)
    skipped = models.PositiveIntegerField(_("已跳过"), default=0)
    # [{"line": 2, "value": "138…", "member": 12 | None, "outcome": "granted" | "skipped", "reason": code}]
    report = models.JSONField(_("明细"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("发放时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("批量发券")
        verbose_name_plural = _("批量发券")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.template} #{self.pk}"


class CouponGrantMember(models.Model):
    grant = models.ForeignKey(CouponGrant, verbose_name=_("批量发券"), on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey("members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="+")
    coupon = models.OneToOneField(
        "marketing.Coupon", verbose_name=_("优惠券"), on_delete=models.CASCADE, related_name="grant_member"
    )

    class Meta:
        verbose_name = _("批量发券会员")
        verbose_name_plural = _("批量发券会员")
        constraints = [models.UniqueConstraint(fields=["grant", "member"], name="coupon_grant_member_once")]

    def __str__(self) -> str:
        return f"{self.grant_id}:{self.member_id}"
