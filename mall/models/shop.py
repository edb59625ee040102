"""Shop-wide rules the merchant sets in the console (one row)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ShopSettings(models.Model):
    name = models.CharField(_("店铺名称"), max_length=60, default="多营商城")
    shipping_flat_fee = models.PositiveIntegerField(_("运费(分)"), default=800)
    free_shipping_threshold = models.PositiveIntegerField(_("包邮门槛(分)"), default=9900)
    auto_complete_days = models.PositiveIntegerField(_("自动确认收货(天)"), default=7)
    # B03 global holdout: a stable share of shoppers gets no marketing push at all, so the
    # marketing as a whole can be measured against them (``members.global_holdout``).
    global_holdout_enabled = models.BooleanField(_("全局对照组"), default=False)
    global_holdout_percent = models.PositiveSmallIntegerField(_("全局对照组比例（%）"), default=5)
    # Fixed when the holdout is switched on, so the group does not reshuffle while it runs.
    global_holdout_salt = models.CharField(_("全局对照组分组种子"), max_length=32, blank=True, editable=False)
    global_holdout_since = models.DateTimeField(_("全局对照组开启时间"), null=True, blank=True, editable=False)
    # Set when switched off (the report's window ends there); cleared when switched on again.
    global_holdout_until = models.DateTimeField(_("全局对照组关闭时间"), null=True, blank=True, editable=False)
    # F28: a campaign whose sample cart, stacked with the campaigns it overlaps, keeps less than
    # this gross margin is published or linked only after the merchant confirms (0 = no check).
    margin_floor_percent = models.PositiveSmallIntegerField(
        _("最低毛利率（%）"),
        default=0,
        help_text=_("活动叠加后样例购物车的毛利率低于此值时，发布前提醒并需确认；0 表示不检查。"),
    )

    class Meta:
        verbose_name = _("店铺设置")
        verbose_name_plural = _("店铺设置")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(global_holdout_percent__gte=1, global_holdout_percent__lte=10),
                name="shop_global_holdout_percent_1_to_10",
            ),
            models.CheckConstraint(
                condition=models.Q(margin_floor_percent__lte=90), name="shop_margin_floor_at_most_90"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def load(cls) -> ShopSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj
