"""Promotions: one rule of the pricing engine with a time window and a scope.

``rules`` holds the type's own fields in the scenario vocabulary (yuan strings, rate strings,
SKU codes), e.g. ``{"tiers": [{"threshold": "99.00", "off": "10.00"}]}`` for 满减; the scope
lives in the three many-to-many fields. Services validate ``rules`` by building the engine's
dataclass, so a row here is always a rule the engine can run.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PromotionType(models.TextChoices):
    """The engine's merchant-configured rule types (group and bargain prices come from those features).

    There is no 秒杀价 here: a flash sale is always a flash slot or release (F02, F12) with a
    quota, the Redis gate and the anti-abuse guard, priced through the deal seam. Rows of the
    retired ``flash_sale`` type were ended by migration; they keep their type for the record.
    """

    LIMITED_DISCOUNT = "limited_discount", _("限时折扣")
    STEPPED_PRICE = "stepped_price", _("阶梯价")
    FULL_REDUCTION = "full_reduction", _("满减")
    FULL_GIFT = "full_gift", _("满赠")
    NTH_ITEM = "nth_item", _("第 N 件优惠")
    BUY_X_GET_Y = "buy_x_get_y", _("买 A 送 B")


RETIRED_TYPE_LABELS = {"flash_sale": _("秒杀价（已停用，请用秒杀场次）")}
"""Types a merchant can no longer create, still named on the ended rows that carry them."""


def promotion_type_label(value: str) -> str:
    """The label of a promotion type, retired ones included."""
    if value in PromotionType.values:
        return str(PromotionType(value).label)
    return str(RETIRED_TYPE_LABELS.get(value, value))


# Types whose reach is the scope fields; the others name their SKUs in ``rules``.
SCOPED_TYPES = frozenset(
    {PromotionType.LIMITED_DISCOUNT, PromotionType.FULL_REDUCTION, PromotionType.FULL_GIFT, PromotionType.NTH_ITEM}
)


class Promotion(models.Model):
    type = models.CharField(_("类型"), max_length=20, choices=PromotionType.choices)
    name = models.CharField(_("名称"), max_length=60)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    rules = models.JSONField(_("规则"), default=dict, blank=True)
    categories = models.ManyToManyField(
        "mall.Category", verbose_name=_("适用分类"), blank=True, related_name="promotions"
    )
    skus = models.ManyToManyField("mall.Sku", verbose_name=_("适用 SKU"), blank=True, related_name="promotions")
    exclude_skus = models.ManyToManyField(
        "mall.Sku", verbose_name=_("排除 SKU"), blank=True, related_name="promotions_excluding"
    )
    per_user_limit = models.PositiveIntegerField(
        _("每人限购"), null=True, blank=True, help_text=_("按订单计；留空不限")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("促销活动")
        verbose_name_plural = _("促销活动")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="promotion_window_valid"),
            models.CheckConstraint(
                condition=Q(per_user_limit__isnull=True) | Q(per_user_limit__gte=1),
                name="promotion_per_user_limit_min",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "ends_at"])]

    def __str__(self) -> str:
        return self.name


class PromotionUsage(models.Model):
    """What one order took from one promotion: per-user limits and stepped prices count these.

    Written by ``order_benefits_take`` when the order is placed and removed when it is
    cancelled, so abandoned orders do not use up a shopper's limit.
    """

    promotion = models.ForeignKey(Promotion, on_delete=models.PROTECT, related_name="usages")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="promotion_usages")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="promotion_usages")
    units = models.PositiveIntegerField(_("件数"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("促销使用记录")
        verbose_name_plural = _("促销使用记录")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["promotion", "order"], name="promotion_usage_once_per_order")]
        indexes = [models.Index(fields=["member", "promotion"])]

    def __str__(self) -> str:
        return f"{self.promotion_id}@{self.order_id}"


class StepCounter(models.Model):
    """F13: the unit sequence of one stepped-price campaign (阶梯价).

    ``sold`` units of the campaign's SKU have been numbered; the next unit ordered is number
    ``sold + 1`` and pays the rate of the step that number falls in. Order placement raises it
    with one guarded UPDATE inside its transaction, before the order is priced
    (``marketing.services.stepped``); previews read it without taking. A cancelled or expired
    order does not give its numbers back, so its cheap units are not sold twice. It never goes
    past the last step (units beyond pay the list price and are not numbered).

    ``taken_from`` is scratch for that UPDATE: it copies ``sold`` as it was before the take,
    so the placement that holds the row's lock reads back exactly the range it reserved
    (MariaDB's UPDATE returns no values). Only that transaction's reading of it means anything.
    """

    promotion = models.OneToOneField(
        Promotion, on_delete=models.CASCADE, primary_key=True, related_name="step_counter", verbose_name=_("促销活动")
    )
    sold = models.PositiveIntegerField(_("已售件数"), default=0, help_text=_("含已取消订单用掉的序号：取消不退回阶梯"))
    taken_from = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("阶梯价序号")
        verbose_name_plural = _("阶梯价序号")
        constraints = [
            models.CheckConstraint(condition=Q(taken_from__lte=F("sold")), name="step_counter_taken_from_le_sold")
        ]

    def __str__(self) -> str:
        return f"{self.promotion_id}: {self.sold}"
