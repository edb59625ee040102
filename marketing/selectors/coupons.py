"""Coupon reads for the mini-program: the coupon center and the shopper's wallet.

Each list costs a fixed number of queries whatever its length (templates, their scope, the
shopper's claimed counts), pinned in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.models import Category, Sku
from mall.money import format_yuan
from marketing.errors import CouponNotFound
from marketing.models import Coupon, CouponChannel, CouponKind, CouponStatus, CouponTemplate
from members.models import Member
from members.services.audience import audience_allows

STATUS_FILTERS = ("unused", "used", "expired")


def _rate_text(rate: Any) -> str:
    tenths = (rate * 10).normalize()
    return f"{tenths:f}"


def template_summary(template: CouponTemplate) -> str:
    """What the coupon gives, as the mini-program prints it: 满100减30, 9折 最多减20, 无门槛减10."""
    if template.kind == CouponKind.RATE_OFF and template.rate is not None:
        text = _("%(rate)s折") % {"rate": _rate_text(template.rate)}
        if template.threshold:
            text = _("满%(t)s打%(rate)s折") % {"t": format_yuan(template.threshold), "rate": _rate_text(template.rate)}
        if template.max_off:
            text += _("，最多减%(m)s") % {"m": format_yuan(template.max_off)}
        return text
    if template.kind == CouponKind.AMOUNT_OFF and template.threshold:
        return _("满%(t)s减%(o)s") % {"t": format_yuan(template.threshold), "o": format_yuan(template.off)}
    return _("无门槛减%(o)s") % {"o": format_yuan(template.off)}


def scope_summary(template: CouponTemplate) -> dict[str, Any]:
    """Category names and SKU ids of the scope (prefetched by the selectors below)."""
    categories = [c.name for c in template.categories.all()]
    skus = [s.pk for s in template.skus.all()]
    excluded = [s.pk for s in template.exclude_skus.all()]
    whole_shop = not categories and not skus
    text = _("全场通用") if whole_shop else _("指定商品可用")
    if categories and not skus:
        text = _("限%(names)s可用") % {"names": "、".join(categories)}
    return {
        "whole_shop": whole_shop,
        "categories": categories,
        "sku_ids": skus,
        "exclude_sku_ids": excluded,
        "text": text,
    }


def _template_prefetches(prefix: str = "") -> list[Prefetch]:
    skus = Sku.objects.only("pk")
    return [
        Prefetch(f"{prefix}categories", queryset=Category.objects.only("pk", "name")),
        Prefetch(f"{prefix}skus", queryset=skus),
        Prefetch(f"{prefix}exclude_skus", queryset=skus),
    ]


@dataclass(frozen=True)
class CenterEntry:
    template: CouponTemplate
    claimed: int
    remaining: int | None
    can_claim: bool
    reason: str


def coupon_center_for_member(*, member: Member | None, now: datetime | None = None) -> list[CenterEntry]:
    """Claimable templates, newest first, with what this shopper already holds of each."""
    now = now or timezone.now()
    templates = list(
        CouponTemplate.objects.filter(channel=CouponChannel.CLAIM, is_active=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .prefetch_related(*_template_prefetches())
        .order_by("-pk")
    )
    # Templates limited to an audience (a segment, tag or tier) are shown only to who may claim them.
    templates = [
        t
        for t in templates
        if not t.audience or (member is not None and audience_allows(member=member, audience=t.audience))
    ]
    claimed: dict[int, int] = {}
    if member is not None and templates:
        rows = (
            Coupon.objects.filter(member_id=member.pk, template_id__in=[t.pk for t in templates])
            .values("template_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        claimed = {row["template_id"]: row["n"] for row in rows}
    entries = []
    for template in templates:
        held = claimed.get(template.pk, 0)
        remaining = None if template.total_quantity is None else template.total_quantity - template.issued_count
        reason = ""
        if remaining is not None and remaining <= 0:
            reason = "coupon_sold_out"
        elif held >= template.per_user_limit:
            reason = "coupon_limit_reached"
        entries.append(CenterEntry(template, held, remaining, not reason, reason))
    return entries


def coupon_effective_status(coupon: Coupon, now: datetime) -> str:
    """An unused coupon past its window is expired even before the hourly task marks it."""
    if coupon.status == CouponStatus.UNUSED and coupon.valid_until <= now:
        return CouponStatus.EXPIRED
    return coupon.status


def coupon_list_for_member(
    *, member: Member, status: str | None = None, now: datetime | None = None
) -> QuerySet[Coupon]:
    """The shopper's coupons (``status``: unused | used | expired), soonest to expire first."""
    now = now or timezone.now()
    coupons = Coupon.objects.filter(member_id=member.pk)
    if status == CouponStatus.UNUSED:
        coupons = coupons.filter(status=CouponStatus.UNUSED, valid_until__gt=now)
    elif status == CouponStatus.USED:
        coupons = coupons.filter(status=CouponStatus.USED)
    elif status == CouponStatus.EXPIRED:
        coupons = coupons.filter(Q(status=CouponStatus.EXPIRED) | Q(status=CouponStatus.UNUSED, valid_until__lte=now))
    return (
        coupons.select_related("template", "order")
        .prefetch_related(*_template_prefetches("template__"))
        .order_by("valid_until", "pk")
    )


def coupon_get_for_member(*, member: Member, coupon_id: int) -> Coupon:
    """The shopper's own coupon; another shopper's is ``coupon_not_found``."""
    coupon = Coupon.objects.select_related("template").filter(pk=coupon_id, member_id=member.pk).first()
    if coupon is None:
        raise CouponNotFound(details={"coupon_id": coupon_id})
    return coupon
