"""积分商城 (F15) and points expiry.

Redeeming an item spends three scarce things in one transaction, each guarded on its own:
the shopper's points (member row lock, ``points_spend`` refuses to overdraw), the item's stock
(``redeemed_count < stock`` conditional UPDATE) and the per-shopper limit (the unique
(item, member, seq) slot). A coupon item issues the coupon there and then (the coupon is then
used through the normal checkout).

Expiry: points earned in year Y expire at the end of year Y + ``keep_years``. What is left of
them is first-in-first-out: every point ever spent (or expired) used the oldest points first,
so what expires is ``max(0, earned up to the end of Y − everything taken so far)``. One
``expire`` entry per (member, year) and one reminder per (member, year), both by unique key.
"""

from __future__ import annotations

import datetime as dt
import logging
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.services.audit import audit_record
from marketing.services.coupons import coupon_issue
from members.errors import PointsMallItemNotFound, PointsMallLimitReached, PointsMallSoldOut
from members.models import (
    Member,
    PointsEntry,
    PointsExpiryNotice,
    PointsExpiryRule,
    PointsMallItem,
    PointsMallRedemption,
)
from members.services.abuse import RequestContext, abuse_check
from members.services.messages import message_send
from members.services.points import points_grant, points_spend

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None
MALL_GUARD_ACTION = "claim"
POINTS_LINK = "/package-member/points/index"


@transaction.atomic
def points_mall_redeem(
    *, member: Member, item_id: int, ref: str, context: RequestContext, now: datetime | None = None
) -> PointsMallRedemption:
    """Redeem one coupon item for points (idempotent by ``ref``): points, stock and limit all or nothing."""
    abuse_check(action=MALL_GUARD_ACTION, member=member, context=context)
    now = now or timezone.now()
    ref = (ref or "").strip()[:64]
    # The member row first (points_spend locks it too): one shopper's redemptions queue here.
    Member.objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True).first()
    done = PointsMallRedemption.objects.filter(member_id=member.pk, ref=ref).first() if ref else None
    if done is not None:
        return done
    item = (
        PointsMallItem.objects.select_related("coupon_template")
        .filter(pk=item_id, is_active=True, kind=PointsMallItem.Kind.COUPON)
        .first()
    )
    if item is None or item.coupon_template is None or not ref:
        raise PointsMallItemNotFound(details={"item_id": item_id})
    held = PointsMallRedemption.objects.filter(item_id=item.pk, member_id=member.pk).count()
    if held >= item.per_member_limit:
        raise PointsMallLimitReached(details={"item_id": item.pk, "limit": item.per_member_limit})
    if not PointsMallItem.objects.filter(pk=item.pk, redeemed_count__lt=F("stock")).update(
        redeemed_count=F("redeemed_count") + 1
    ):
        raise PointsMallSoldOut(details={"item_id": item.pk})
    points_spend(
        member_id=member.pk,
        amount=item.points,
        reason=PointsEntry.Reason.MALL_REDEEM,
        ref=f"mall:{ref}"[:64],
        note=_("兑换 %(name)s") % {"name": item.name},
    )
    coupon = coupon_issue(member=member, template=item.coupon_template, now=now)
    try:
        with transaction.atomic():
            return PointsMallRedemption.objects.create(
                item=item, member=member, seq=held + 1, ref=ref, points=item.points, coupon=coupon
            )
    except IntegrityError as exc:  # the member lock makes this unreachable; the key holds regardless
        raise PointsMallLimitReached(details={"item_id": item.pk}) from exc


ITEM_FIELDS = ("name", "kind", "points", "cash", "stock", "per_member_limit", "is_active", "sort")


@transaction.atomic
def points_mall_item_save(*, item: PointsMallItem, actor: Actor) -> PointsMallItem:
    """The console saves an item (audited). Stock may not go below what was already redeemed."""
    created = item.pk is None
    if not created:
        current = PointsMallItem.objects.select_for_update().get(pk=item.pk)
        item.redeemed_count = current.redeemed_count
    if item.stock < item.redeemed_count:
        from members.errors import TierRuleInvalid

        raise TierRuleInvalid(details={"field": "stock"})
    item.save()
    audit_record(
        actor=actor,
        action="points_mall_item.create" if created else "points_mall_item.update",
        target=item,
        data={field: getattr(item, field) for field in ITEM_FIELDS},
    )
    return item


# --- expiry ---------------------------------------------------------------------------------


def _year_end(year: int) -> datetime:
    """The first instant of ``year + 1`` in shop time: points of ``year`` count up to here."""
    return dt.datetime(year + 1, 1, 1, tzinfo=timezone.get_current_timezone())


def expiring_points(*, member_id: int, year: int) -> int:
    """What is left of the points earned up to the end of ``year`` (oldest spent first)."""
    entries = PointsEntry.objects.filter(member_id=member_id)
    earned = entries.filter(delta__gt=0, created_at__lt=_year_end(year)).aggregate(t=Sum("delta"))["t"] or 0
    taken = entries.filter(delta__lt=0).aggregate(t=Sum("delta"))["t"] or 0
    return max(0, int(earned) + int(taken))


def _expiring_year(rule: PointsExpiryRule, now: datetime) -> int:
    """The year whose points expire at the end of the current year."""
    return timezone.localtime(now).year - rule.keep_years


def _members_with_points_before(year: int) -> list[int]:
    return list(
        PointsEntry.objects.filter(delta__gt=0, created_at__lt=_year_end(year))
        .order_by()
        .values_list("member_id", flat=True)
        .distinct()
    )


def points_expire_due(*, now: datetime | None = None) -> int:
    """Beat: on and after 1 January, expire what is left of the year that ran out. Exactly once per (member, year)."""
    now = now or timezone.now()
    rule = PointsExpiryRule.load()
    if not rule.enabled:
        return 0
    year = timezone.localtime(now).year - 1 - rule.keep_years  # its points ran out at the end of last year
    count = 0
    for member_id in _members_with_points_before(year):
        with transaction.atomic():
            Member.objects.select_for_update().filter(pk=member_id).values_list("pk", flat=True).first()
            amount = expiring_points(member_id=member_id, year=year)
            if amount <= 0:
                continue
            entry = points_grant(
                member_id=member_id,
                delta=-amount,
                reason=PointsEntry.Reason.EXPIRE,
                ref=f"expire:{year}",
                note=_("%(year)s 年获得的积分已过期") % {"year": year},
            )
            count += entry.delta == -amount
    return count


def points_expiry_remind_due(*, now: datetime | None = None) -> int:
    """Beat: within ``remind_days`` of the year end, tell each shopper what will expire. Once per (member, year)."""
    now = now or timezone.now()
    rule = PointsExpiryRule.load()
    if not rule.enabled:
        return 0
    local = timezone.localtime(now)
    deadline = _year_end(local.year)
    if deadline - now > dt.timedelta(days=rule.remind_days):
        return 0
    year = _expiring_year(rule, now)
    count = 0
    for member_id in _members_with_points_before(year):
        with transaction.atomic():
            Member.objects.select_for_update().filter(pk=member_id).values_list("pk", flat=True).first()
            amount = expiring_points(member_id=member_id, year=year)
            if amount <= 0:
                continue
            try:
                with transaction.atomic():
                    PointsExpiryNotice.objects.create(member_id=member_id, year=year, points=amount)
            except IntegrityError:
                continue
            message_send(
                member_id=member_id,
                kind="points_expiring",
                title=_("您有 %(points)s 积分即将过期") % {"points": amount},
                body=_("%(points)s 积分将于 %(date)s 过期，快去积分商城兑换吧。")
                % {"points": amount, "date": f"{local.year}-12-31"},
                link=POINTS_LINK,
            )
            count += 1
    return count


def points_expiry_rule_update(*, actor: Actor, enabled: bool, keep_years: int, remind_days: int) -> PointsExpiryRule:
    with transaction.atomic():
        rule = PointsExpiryRule.load()
        before = {"enabled": rule.enabled, "keep_years": rule.keep_years, "remind_days": rule.remind_days}
        if keep_years < 1 or not (1 <= remind_days <= 90):
            from members.errors import TierRuleInvalid

            raise TierRuleInvalid(details={"field": "keep_years"})
        rule.enabled, rule.keep_years, rule.remind_days = enabled, keep_years, remind_days
        rule.save()
        audit_record(
            actor=actor,
            action="points_expiry_rule.update",
            target=rule,
            data={
                "before": before,
                "after": {"enabled": enabled, "keep_years": keep_years, "remind_days": remind_days},
            },
        )
    return rule
