"""The demo shop's duty roster (系统 › 值班, F31): the operator watches the shop on weekdays by day,
the owner at weekends by day and every night, so every hour of the week has someone and a fresh
shop shows who an anomaly alert would reach.

Only e-mail destinations (on the reserved ``example.com`` domain): a demo must not post to a
real 企业微信 robot. Built after the demo's anomaly alert, so that handled alert sends nothing.
A second run changes nothing (the roster is left alone once it has any shift).
"""

from __future__ import annotations

from datetime import time

from django.contrib.auth.models import User
from django.db import transaction

from mall.models import DutyShift
from mall.services.duty import DutyShiftData, duty_shift_create

WEEKDAYS = (0, 1, 2, 3, 4)
WEEKEND = (5, 6)
EVERY_DAY = WEEKDAYS + WEEKEND
# (username, weekdays, from, to, e-mail)
SHIFTS = (
    ("operator", WEEKDAYS, time(9, 0), time(18, 0), "operator@duoying.example.com"),
    ("owner", WEEKEND, time(9, 0), time(18, 0), "owner@duoying.example.com"),
    ("owner", EVERY_DAY, time(18, 0), time(9, 0), "owner@duoying.example.com"),  # past midnight
)


@transaction.atomic
def build_duty() -> dict[str, int]:
    owner = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if owner is None or DutyShift.objects.exists():
        return {"duty shifts": 0}
    made = 0
    for username, weekdays, starts_at, ends_at, email in SHIFTS:
        user = User.objects.filter(username=username, is_staff=True, is_active=True).first()
        if user is None:
            continue
        data = DutyShiftData(user_id=user.pk, weekdays=weekdays, starts_at=starts_at, ends_at=ends_at, email=email)
        duty_shift_create(actor=owner, data=data)
        made += 1
    return {"duty shifts": made}
