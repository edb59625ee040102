"""Lucky wheel (幸运大转盘, F21): chances from paid orders, the server-side draw, and the
merchant's versions.

Chances. A paid order whose payment (``payable_amount``, shipping included) reaches the live
wheel's threshold earns one chance (``wheel_chance_grant``, run by the order's ``paid`` hook
under the order's lock; one row per order by a unique key). When the order is fully refunded
while its chance is still unused, the chance is withdrawn (``wheel_chance_withdraw``, the
``refunded`` hook); a conditional UPDATE means a draw and a refund racing for the same chance
settle it exactly one way.

The draw (``wheel_draw``). The guard (action ``wheel``) first; then, in one transaction, the
shopper's row is locked (their draws queue, so the per-day limit is counted exactly), the
oldest available chance is spent by a conditional UPDATE, a prize is picked by weight with
``secrets.SystemRandom`` and handed out inside a savepoint: its ``issued`` count grows only
through ``UPDATE … WHERE issued < released`` (the stock released so far in daily slices), and a
coupon goes through ``coupon_issue``. A prize that is out of stock (or whose coupon cannot be
given) falls back to the wheel's fallback prize, which is unlimited. The client only animates
the answer.

免单: a no-threshold coupon worth what the chance's order paid, capped by ``free_order_cap``,
valid ``free_order_valid_days``; each win gets its own single-use coupon template (channel
活动发放), so the coupon engine needs nothing new.

Versions. Only a draft's prizes and weights may change. Publishing retires the live version;
"复制为新版本" copies a frozen version into a draft whose prizes keep their ``issued`` counts.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from random import Random
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.services.events import event_record
from mall.errors import NotFound
from mall.money import format_yuan
from mall.services.audit import audit_record
from marketing.errors import (
    CouponLimitReached,
    CouponSoldOut,
    WheelClosed,
    WheelDailyLimit,
    WheelFrozen,
    WheelInvalid,
    WheelNoChance,
    WheelNotFound,
)
from marketing.models import (
    ChanceStatus,
    Coupon,
    CouponKind,
    CouponTemplate,
    PricingPolicy,
    PrizeKind,
    Wheel,
    WheelChance,
    WheelDraw,
    WheelPrize,
    WheelStatus,
)
from marketing.services.coupons import coupon_issue, coupon_issue_one_off, require_staff
from marketing.services.wheel_odds import pick_prize, released_stock
from members.models import Member, PointsEntry
from members.people_errors import AudienceNotAllowed
from members.services.abuse import RequestContext, abuse_check
from members.services.points import points_grant
from orders.models import Order

Actor = AbstractBaseUser | AnonymousUser | None
GUARD_ACTION = "wheel"
WHEEL_LINK = "/package-member/wheel/index"
MAX_PRIZES = 12
FREE_ORDER_CAP_MAX = 100_000  # ¥1,000


def shop_day(now: dt.datetime | None = None) -> dt.date:
    """The shop's date (Asia/Shanghai, the project's TIME_ZONE) at ``now``."""
    return timezone.localdate(now or timezone.now())


def wheel_live() -> Wheel | None:
    """The published version, if any (the service keeps it to one)."""
    return Wheel.objects.filter(status=WheelStatus.PUBLISHED).order_by("-published_at", "-id").first()


# --- chances (the order lifecycle hooks call these) -------------------------------------


def wheel_chance_grant(*, order: Order) -> WheelChance | None:
    """One chance for a paid order that reaches the live wheel's threshold; once per order."""
    wheel = wheel_live()
    if wheel is None or order.payable_amount < wheel.order_threshold:
        return None
    chance, created = WheelChance.objects.get_or_create(
        order_id=order.pk, defaults={"member_id": order.member_id, "order_amount": order.payable_amount}
    )
    if created:
        event_record(
            name="wheel_chance_granted",
            member_id=order.member_id,
            props={"wheel_id": wheel.pk, "order_id": order.pk, "amount": order.payable_amount},
        )
    return chance


@transaction.atomic
def wheel_chance_withdraw(*, order: Order, now: dt.datetime | None = None) -> int:
    """Withdraw the order's unused chance once the order is fully refunded; returns 0 or 1."""
    if order.refunded_amount < order.payable_amount:
        return 0
    # The shopper's row first, as a draw takes it: a draw and a withdrawal never hold one
    # index entry of the chance each while waiting for the other's (a deadlock).
    Member.objects.select_for_update().filter(pk=order.member_id).values_list("pk", flat=True).first()
    withdrawn = WheelChance.objects.filter(order_id=order.pk, status=ChanceStatus.AVAILABLE).update(
        status=ChanceStatus.WITHDRAWN, withdrawn_at=now or timezone.now()
    )
    if withdrawn:
        event_record(name="wheel_chance_withdrawn", member_id=order.member_id, props={"order_id": order.pk})
    return withdrawn


# --- the draw -----------------------------------------------------------------------------


class _PrizeUnavailable(Exception):
    """The picked prize cannot be given (its slice is drawn, its coupon is sold out …)."""


@dataclass(frozen=True)
class DrawOutcome:
    draw: WheelDraw
    chances_left: int
    draws_left_today: int


def _day_index(wheel: Wheel, today: dt.date) -> int:
    start = shop_day(wheel.published_at) if wheel.published_at else today
    return (today - start).days


def _take_stock(prize: WheelPrize, *, wheel: Wheel, today: dt.date) -> None:
    rows = WheelPrize.objects.filter(pk=prize.pk)
    if prize.stock is not None:
        released = released_stock(stock=prize.stock, slice_days=wheel.slice_days, day_index=_day_index(wheel, today))
        rows = rows.filter(issued__lt=released)
    if not rows.update(issued=F("issued") + 1):
        raise _PrizeUnavailable()


def coupon_face_value(template: CouponTemplate) -> int:
    """What a coupon of ``template`` is worth at most, in fen (a rate coupon: its cap, if any)."""
    if template.kind == CouponKind.RATE_OFF:
        return template.max_off or 0
    return template.off


def points_value(points: int) -> int:
    """Points in fen at the shop's redemption rate (``points_per_yuan``)."""
    rate = PricingPolicy.load().points_per_yuan or 100
    return points * 100 // rate


def _free_order_coupon(*, member: Member, wheel: Wheel, chance: WheelChance, now: dt.datetime) -> Coupon:
    value = min(chance.order_amount, wheel.free_order_cap)
    return coupon_issue_one_off(
        member=member,
        name=_("大转盘免单券 ¥%(amount)s") % {"amount": format_yuan(value)},
        off=value,
        valid_days=wheel.free_order_valid_days,
        now=now,
    )


@dataclass(frozen=True)
class _Award:
    coupon: Coupon | None = None
    points: int = 0
    value: int = 0


def _give(prize: WheelPrize, *, member: Member, wheel: Wheel, chance: WheelChance, now: dt.datetime) -> _Award:
    """Take one of ``prize`` and hand it out, all or nothing (a savepoint)."""
    try:
        with transaction.atomic():
            _take_stock(prize, wheel=wheel, today=shop_day(now))
            if prize.kind == PrizeKind.COUPON:
                template = prize.coupon_template
                if template is None or not template.is_active:
                    raise _PrizeUnavailable()
                coupon = coupon_issue(member=member, template=template, now=now)
                return _Award(coupon=coupon, value=coupon_face_value(template))
            if prize.kind == PrizeKind.FREE_ORDER:
                coupon = _free_order_coupon(member=member, wheel=wheel, chance=chance, now=now)
                return _Award(coupon=coupon, value=coupon.template.off)
            if prize.kind == PrizeKind.POINTS and prize.points:
                points_grant(
                    member_id=member.pk,
                    delta=prize.points,
                    reason=PointsEntry.Reason.GRANT,
                    ref=f"wheel:{chance.pk}",
                    note=_("幸运大转盘：%(name)s") % {"name": prize.name},
                )
                return _Award(points=prize.points, value=points_value(prize.points))
            return _Award()
    except (_PrizeUnavailable, CouponSoldOut, CouponLimitReached, AudienceNotAllowed) as exc:
        raise _PrizeUnavailable() from exc


def _spend_chance(*, member_id: int, now: dt.datetime) -> WheelChance:
    """The shopper's oldest available chance, spent by a conditional UPDATE (never twice)."""
    chance = (
        WheelChance.objects.select_for_update()
        .filter(member_id=member_id, status=ChanceStatus.AVAILABLE)
        .order_by("id")
        .first()
    )
    if chance is None:
        raise WheelNoChance()
    spent = WheelChance.objects.filter(pk=chance.pk, status=ChanceStatus.AVAILABLE).update(
        status=ChanceStatus.USED, used_at=now
    )
    if spent != 1:  # pragma: no cover - the row lock above makes this the last line of defence
        raise WheelNoChance()
    return chance


def wheel_draw(
    *,
    member: Member,
    context: RequestContext,
    rng: Random | None = None,
    now: dt.datetime | None = None,
) -> DrawOutcome:
    """Spend one chance on the live wheel and hand out the prize the server picked."""
    abuse_check(action=GUARD_ACTION, member=member, context=context)
    rng = rng or secrets.SystemRandom()
    now = now or timezone.now()
    today = shop_day(now)
    with transaction.atomic():
        wheel = wheel_live()
        if wheel is None:
            raise WheelClosed()
        locked = Member.objects.select_for_update().filter(pk=member.pk).first()
        if locked is None:
            raise NotFound()
        drawn_today = WheelDraw.objects.filter(member_id=locked.pk, day=today).count()
        if drawn_today >= wheel.daily_draw_limit:
            raise WheelDailyLimit(details={"limit": wheel.daily_draw_limit})
        chance = _spend_chance(member_id=locked.pk, now=now)
        prizes = {prize.pk: prize for prize in wheel.prizes.select_related("coupon_template")}
        fallback = next(prize for prize in prizes.values() if prize.is_fallback)
        picked = prizes[pick_prize([(pk, prize.weight) for pk, prize in prizes.items()], rng)]
        prize = picked
        try:
            award = _give(picked, member=locked, wheel=wheel, chance=chance, now=now)
        except _PrizeUnavailable:
            prize = fallback
            award = _give(fallback, member=locked, wheel=wheel, chance=chance, now=now)
        draw = WheelDraw.objects.create(
            wheel=wheel,
            prize=prize,
            picked=picked,
            member_id=locked.pk,
            chance=chance,
            day=today,
            kind=prize.kind,
            coupon=award.coupon,
            points=award.points,
            value=award.value,
            fell_back=prize.pk != picked.pk,
        )
        event_record(
            name="wheel_draw",
            member_id=locked.pk,
            props={"wheel_id": wheel.pk, "prize_id": prize.pk, "kind": prize.kind, "value": award.value},
        )
        chances_left = WheelChance.objects.filter(member_id=locked.pk, status=ChanceStatus.AVAILABLE).count()
    return DrawOutcome(
        draw=draw, chances_left=chances_left, draws_left_today=max(0, wheel.daily_draw_limit - drawn_today - 1)
    )


# --- the merchant's side --------------------------------------------------------------------

WHEEL_FIELDS = (
    "name",
    "order_threshold",
    "daily_draw_limit",
    "slice_days",
    "free_order_cap",
    "free_order_valid_days",
    "rules_text",
)
PRIZE_FIELDS = ("position", "name", "kind", "coupon_template_id", "points", "weight", "stock", "is_fallback")


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: getattr(obj, field) for field in fields}


def _stored_wheel(wheel_id: int, *, lock: bool = False) -> Wheel:
    rows = Wheel.objects.select_for_update() if lock else Wheel.objects
    wheel = rows.filter(pk=wheel_id).first()
    if wheel is None:
        raise WheelNotFound(details={"wheel_id": wheel_id})
    return wheel


def _wheel_validate(wheel: Wheel) -> None:
    errors: dict[str, str] = {}
    if not wheel.name.strip():
        errors["name"] = _("请填写名称。")
    if wheel.order_threshold < 1:
        errors["order_threshold"] = _("订单金额门槛须大于 0。")
    if wheel.daily_draw_limit < 1:
        errors["daily_draw_limit"] = _("每日抽奖次数至少为 1。")
    if wheel.slice_days < 1:
        errors["slice_days"] = _("库存放出天数至少为 1。")
    if not 1 <= wheel.free_order_cap <= FREE_ORDER_CAP_MAX:
        errors["free_order_cap"] = _("免单券最高面额须在 0.01 元到 1,000 元之间。")
    if wheel.free_order_valid_days < 1:
        errors["free_order_valid_days"] = _("免单券有效天数至少为 1。")
    if errors:
        first_key, first = next(iter(errors.items()))
        raise WheelInvalid(first, details={"field": first_key, "errors": errors})


@transaction.atomic
def wheel_save(*, actor: Actor, wheel: Wheel) -> Wheel:
    """Create or edit a draft wheel's settings (the console form); a frozen version is refused."""
    require_staff(actor)
    _wheel_validate(wheel)
    if wheel.pk is None:
        wheel.status = WheelStatus.DRAFT
        wheel.save()
        audit_record(actor=actor, action="wheel.create", target=wheel, data=_snapshot(wheel, WHEEL_FIELDS))
        return wheel
    stored = _stored_wheel(wheel.pk, lock=True)
    if stored.is_frozen:
        raise WheelFrozen(details={"wheel_id": wheel.pk})
    before = _snapshot(stored, WHEEL_FIELDS)
    wheel.status = stored.status
    wheel.save()
    audit_record(
        actor=actor,
        action="wheel.update",
        target=wheel,
        data={"before": before, "after": _snapshot(wheel, WHEEL_FIELDS)},
    )
    return wheel


def _prize_validate(prize: WheelPrize) -> None:
    errors: dict[str, str] = {}
    if not prize.name.strip():
        errors["name"] = _("请填写奖品名称。")
    if prize.kind not in PrizeKind.values:
        errors["kind"] = _("未知的奖品类型。")
    if prize.kind == PrizeKind.COUPON and prize.coupon_template_id is None:
        errors["coupon_template"] = _("优惠券奖品须选择优惠券模板。")
    if prize.kind != PrizeKind.COUPON and prize.coupon_template_id is not None:
        errors["coupon_template"] = _("只有优惠券奖品可以选择优惠券模板。")
    if prize.kind == PrizeKind.POINTS and prize.points < 1:
        errors["points"] = _("积分奖品须填写积分数。")
    if prize.weight < 1:
        errors["weight"] = _("权重至少为 1。")
    if prize.stock is not None and prize.stock < prize.issued:
        errors["stock"] = _("库存不能少于已发出的 %(n)d 份。") % {"n": prize.issued}
    if prize.is_fallback and prize.stock is not None:
        errors["stock"] = _("兜底奖品须不限量（库存留空）。")
    if errors:
        first_key, first = next(iter(errors.items()))
        raise WheelInvalid(first, details={"field": first_key, "errors": errors})


@transaction.atomic
def wheel_prize_save(*, actor: Actor, prize: WheelPrize) -> WheelPrize:
    """Add or edit a prize of a draft wheel; the issued count is never edited here."""
    require_staff(actor)
    wheel = _stored_wheel(prize.wheel_id, lock=True)
    if wheel.is_frozen:
        raise WheelFrozen(details={"wheel_id": wheel.pk})
    stored = WheelPrize.objects.filter(pk=prize.pk, wheel_id=wheel.pk).first() if prize.pk else None
    prize.issued = stored.issued if stored else 0
    _prize_validate(prize)
    before = _snapshot(stored, PRIZE_FIELDS) if stored else None
    prize.save()
    audit_record(
        actor=actor,
        action="wheel.prize_save",
        target=wheel,
        data={"prize": prize.name, "before": before, "after": _snapshot(prize, PRIZE_FIELDS)},
    )
    return prize


@transaction.atomic
def wheel_prize_delete(*, actor: Actor, prize_id: int) -> None:
    require_staff(actor)
    prize = WheelPrize.objects.filter(pk=prize_id).first()
    if prize is None:
        raise WheelNotFound(details={"prize_id": prize_id})
    wheel = _stored_wheel(prize.wheel_id, lock=True)
    if wheel.is_frozen:
        raise WheelFrozen(details={"wheel_id": wheel.pk})
    audit_record(actor=actor, action="wheel.prize_delete", target=wheel, data={"prize": prize.name})
    prize.delete()


def _publish_validate(wheel: Wheel, prizes: list[WheelPrize]) -> None:
    _wheel_validate(wheel)
    if not 2 <= len(prizes) <= MAX_PRIZES:
        raise WheelInvalid(_("大转盘须有 2 到 %(n)d 个奖品。") % {"n": MAX_PRIZES}, details={"field": "prizes"})
    fallbacks = [prize for prize in prizes if prize.is_fallback]
    if len(fallbacks) != 1:
        raise WheelInvalid(_("请把恰好一个不限量的奖品设为兜底奖品。"), details={"field": "is_fallback"})
    if fallbacks[0].kind not in (PrizeKind.THANKS, PrizeKind.POINTS):
        raise WheelInvalid(_("兜底奖品只能是谢谢参与或积分。"), details={"field": "is_fallback"})
    for prize in prizes:
        _prize_validate(prize)


@transaction.atomic
def wheel_publish(*, actor: Actor, wheel_id: int, now: dt.datetime | None = None) -> Wheel:
    """Put a draft live (its prizes and weights freeze); the version live until now ends."""
    require_staff(actor)
    now = now or timezone.now()
    wheel = _stored_wheel(wheel_id, lock=True)
    if wheel.status != WheelStatus.DRAFT:
        raise WheelFrozen(details={"wheel_id": wheel.pk})
    prizes = list(wheel.prizes.all())
    _publish_validate(wheel, prizes)
    for live in Wheel.objects.select_for_update().filter(status=WheelStatus.PUBLISHED).exclude(pk=wheel.pk):
        live.status, live.ended_at = WheelStatus.ENDED, now
        live.save(update_fields=["status", "ended_at", "updated_at"])
        audit_record(actor=actor, action="wheel.end", target=live, data={"replaced_by": wheel.pk})
    wheel.status, wheel.published_at = WheelStatus.PUBLISHED, now
    wheel.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        action="wheel.publish",
        target=wheel,
        data={"version": wheel.version, "prizes": [_snapshot(prize, PRIZE_FIELDS) for prize in prizes]},
    )
    return wheel


@transaction.atomic
def wheel_end(*, actor: Actor, wheel_id: int, now: dt.datetime | None = None) -> Wheel:
    """Stop the live wheel now (chances already earned stay with the shoppers for the next one)."""
    require_staff(actor)
    wheel = _stored_wheel(wheel_id, lock=True)
    if wheel.status != WheelStatus.PUBLISHED:
        raise WheelClosed(details={"wheel_id": wheel.pk})
    wheel.status, wheel.ended_at = WheelStatus.ENDED, now or timezone.now()
    wheel.save(update_fields=["status", "ended_at", "updated_at"])
    audit_record(actor=actor, action="wheel.end", target=wheel, data={"version": wheel.version})
    return wheel


@transaction.atomic
def wheel_new_version(*, actor: Actor, wheel_id: int) -> Wheel:
    """Copy a wheel into a new draft version; its prizes keep their issued counts."""
    require_staff(actor)
    source = _stored_wheel(wheel_id, lock=True)
    latest = Wheel.objects.filter(name=source.name).order_by("-version").values_list("version", flat=True).first()
    copy = Wheel.objects.create(
        **_snapshot(source, WHEEL_FIELDS),
        version=max(latest or 0, source.version) + 1,
        parent=source,
        status=WheelStatus.DRAFT,
    )
    WheelPrize.objects.bulk_create(
        [
            WheelPrize(
                wheel=copy,
                source=prize,
                issued=prize.issued,
                **{field: getattr(prize, field) for field in PRIZE_FIELDS},
            )
            for prize in source.prizes.all()
        ]
    )
    audit_record(
        actor=actor, action="wheel.new_version", target=copy, data={"from": source.pk, "version": copy.version}
    )
    return copy
