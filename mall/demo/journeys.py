"""The demo shop's lifecycle journeys (F17–F19): switched on, with three runs in the past.

Three system coupon templates (专属回归礼 ¥30 无门槛, 生日券 满100减50, 复购 9 折) are set on the
journeys, a few demo shoppers get birthdays around the run days, and the journeys run as beat
would have 20 and 10 days ago and today, so the console's 旅程效果 report has sends, skips and
the orders shoppers placed after them; a 20% holdout of each journey feeds
对照组效果. Runs through the real runner; a second seed adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from marketing.models import CouponChannel, CouponKind, CouponTemplate, Journey, JourneyKind, JourneySend
from marketing.services.journeys.runner import journeys_ensure, lifecycle_run
from members.models import Member

DEMO_SHOPPER_PREFIX = "dev-demo-"
RUNS_DAYS_AGO = (20, 10, 0)


def _template(name: str, **fields: Any) -> CouponTemplate:
    """The journey's demo coupon, made once (a second seed finds it by name)."""
    template, _ = CouponTemplate.objects.get_or_create(name=name, channel=fields.pop("channel"), defaults=fields)
    return template


def build_journeys(*, seed: int) -> dict[str, int]:
    if JourneySend.objects.exists():
        return {"journey sends": 0}
    common = {"channel": CouponChannel.SYSTEM, "valid_days": 7, "per_user_limit": 1}
    templates = {
        JourneyKind.DORMANT: _template("专属回归礼", kind=CouponKind.NO_THRESHOLD, off=3000, **common),
        JourneyKind.BIRTHDAY: _template("生日福利券", kind=CouponKind.AMOUNT_OFF, threshold=10000, off=5000, **common),
        JourneyKind.REPLENISH: _template(
            "复购专享9折", kind=CouponKind.RATE_OFF, rate=Decimal("0.9"), max_off=5000, **common
        ),
    }
    journeys_ensure()
    for kind, template in templates.items():
        # B03: a fifth of the shoppers due are held out, so 对照组效果 has a journey to show.
        Journey.objects.filter(kind=kind).update(is_enabled=True, coupon_template=template, holdout_percent=20)
    rng = random.Random(seed)  # noqa: S311 - demo data
    now = timezone.now()
    shoppers = list(
        Member.objects.filter(openid__startswith=DEMO_SHOPPER_PREFIX, birthday__isnull=True).values_list(
            "pk", flat=True
        )[:12]
    )
    for index, member_id in enumerate(shoppers):
        day = timezone.localtime(now - timedelta(days=RUNS_DAYS_AGO[index % 3] - rng.randint(0, 3))).date()
        Member.objects.filter(pk=member_id).update(birthday=day.replace(year=1985 + index))
    for days_ago in RUNS_DAYS_AGO:
        lifecycle_run(now=now - timedelta(days=days_ago))
    return {"journey sends": JourneySend.objects.count()}
