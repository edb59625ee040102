"""The demo shop's lucky wheel (幸运大转盘, F21): a published wheel with the brief's prizes, the
chances the demo shoppers' paid orders of the last ten days earned, and their draws, so the
mini-program's wheel has chances and prizes and the console's 大转盘数据 page has figures.

Everything goes through the wheel's services (the draws with a seeded random source, each at
its day); a second run finds the wheel and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from mall.demo.shop import SHOPPER_OPENID_PREFIX
from marketing.errors import WheelDailyLimit, WheelNoChance
from marketing.models import CouponChannel, PrizeKind, Wheel, WheelChance, WheelDraw, WheelPrize
from marketing.services.coupons import CouponTemplateData, coupon_template_create
from marketing.services.wheel import wheel_chance_grant, wheel_draw, wheel_prize_save, wheel_publish, wheel_save
from members.models import Member
from members.services.abuse import RequestContext
from orders.models import Order

DAYS = 10
DRAW_SHARE = 0.7  # of the chances, how many the demo shoppers have used


def _template(owner: User, name: str, off: int) -> int:
    data = CouponTemplateData(
        name=name, kind="no_threshold", channel=CouponChannel.SYSTEM, off=off, valid_days=14, per_user_limit=50
    )
    return coupon_template_create(actor=owner, data=data).pk


def _wheel(owner: User, start: dt.datetime) -> Wheel:
    wheel = wheel_save(
        actor=owner,
        wheel=Wheel(
            name="幸运大转盘",
            order_threshold=5000,
            daily_draw_limit=3,
            slice_days=14,
            free_order_cap=10000,
            rules_text="每笔实付满 50 元的订单得 1 次抽奖机会；订单全额退款后未使用的机会收回。每人每天最多抽 3 次。",
        ),
    )
    five, ten = _template(owner, "大转盘 5 元券", 500), _template(owner, "大转盘 10 元券", 1000)
    prizes = (
        (PrizeKind.COUPON, "5 元无门槛券", five, 0, 30, 280, False),
        (PrizeKind.COUPON, "10 元无门槛券", ten, 0, 12, 140, False),
        (PrizeKind.FREE_ORDER, "免单", None, 0, 1, 5, False),
        (PrizeKind.POINTS, "50 积分", None, 50, 22, 500, False),
        (PrizeKind.THANKS, "谢谢参与", None, 0, 35, None, True),
    )
    for position, (kind, name, template_id, points, weight, stock, fallback) in enumerate(prizes):
        wheel_prize_save(
            actor=owner,
            prize=WheelPrize(
                wheel=wheel,
                position=position,
                kind=kind,
                name=name,
                coupon_template_id=template_id,
                points=points,
                weight=weight,
                stock=stock,
                is_fallback=fallback,
            ),
        )
    return wheel_publish(actor=owner, wheel_id=wheel.pk, now=start)


@transaction.atomic
def build_wheel(*, seed: int) -> dict[str, int]:
    owner = User.objects.filter(username="owner").first()
    if owner is None or Wheel.objects.exists():
        return {"wheel draws": 0}
    start = timezone.now() - dt.timedelta(days=DAYS)
    _wheel(owner, start)
    orders = Order.objects.filter(
        paid_at__gte=start, member__openid__startswith=SHOPPER_OPENID_PREFIX, payable_amount__gte=5000
    ).order_by("paid_at", "pk")
    for order in orders:
        wheel_chance_grant(order=order)
    rng = random.Random(seed + 21)  # noqa: S311 - demo data must be reproducible, not secret
    odds = random.Random(seed + 121)  # noqa: S311 - the draws' own source, apart from the schedule's
    draws = 0
    members = Member.objects.filter(wheel_chances__isnull=False).distinct().order_by("pk")
    for index, member in enumerate(members):
        context = RequestContext(ip=f"10.21.{index // 200}.{index % 200 + 1}")
        chances = WheelChance.objects.filter(member=member).order_by("pk")
        paid = list(chances.values_list("order__paid_at", flat=True))
        for paid_at in paid:
            if rng.random() > DRAW_SHARE or paid_at is None:
                continue
            at = min(paid_at + dt.timedelta(hours=rng.randrange(1, 30)), timezone.now())
            try:
                draw = wheel_draw(member=member, context=context, rng=odds, now=at).draw
            except (WheelDailyLimit, WheelNoChance):
                continue
            WheelDraw.objects.filter(pk=draw.pk).update(created_at=at)
            draws += 1
    return {"wheel draws": draws}
