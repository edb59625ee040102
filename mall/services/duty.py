"""The duty roster (系统 › 值班): who watches the shop when, and where to reach them.

Hours are shop time (Asia/Shanghai) whatever the server's clock: a shift of 周六 22:00–08:00
covers Saturday night into Sunday morning (the end is not after the start, so it runs past
midnight and belongs to the weekday it starts on). Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.utils.translation import gettext as _

from mall.errors import DutyShiftInvalid, DutyShiftNotFound, PermissionDenied
from mall.models import DutyShift
from mall.services.audit import audit_record
from mall.wecom import webhook_masked, webhook_valid

Actor = AbstractBaseUser | AnonymousUser | None
SHOP_ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, kw_only=True)
class DutyShiftData:
    user_id: int
    weekdays: tuple[int, ...]
    starts_at: time
    ends_at: time
    email: str = ""
    wecom_webhook: str = ""
    is_active: bool = True


def _require_staff(actor: Actor) -> None:
    if actor is None or not getattr(actor, "is_staff", False) or not getattr(actor, "is_active", False):
        raise PermissionDenied()


def duty_shift_validate(*, data: DutyShiftData) -> None:
    """DutyShiftInvalid with a Chinese message per field."""
    errors: dict[str, str] = {}
    if not User.objects.filter(pk=data.user_id, is_staff=True, is_active=True).exists():
        errors["user_id"] = _("请选择在职的员工。")
    if not data.weekdays or any(day not in range(7) for day in data.weekdays):
        errors["weekdays"] = _("请至少选择一个值班日。")
    if data.starts_at == data.ends_at:
        errors["ends_at"] = _("结束时间不能与开始时间相同（跨夜请把结束时间设在次日，如 22:00–08:00）。")
    if not data.email.strip() and not data.wecom_webhook.strip():
        errors["email"] = _("请至少填写通知邮箱或企业微信群机器人地址之一。")
    if data.wecom_webhook.strip() and not webhook_valid(data.wecom_webhook.strip()):
        errors["wecom_webhook"] = _(
            "企业微信群机器人地址应形如 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…（在群设置里复制）。"
        )
    if errors:
        field, message = next(iter(errors.items()))
        raise DutyShiftInvalid(message, details={"field": field, "errors": errors})


def _audit_data(data: DutyShiftData) -> dict[str, object]:
    return {
        "user_id": data.user_id,
        "weekdays": list(data.weekdays),
        "hours": f"{data.starts_at:%H:%M}-{data.ends_at:%H:%M}",
        "email": data.email.strip(),
        "wecom_webhook": webhook_masked(data.wecom_webhook.strip()) if data.wecom_webhook.strip() else "",
        "is_active": data.is_active,
    }


def _apply(shift: DutyShift, data: DutyShiftData) -> None:
    shift.user_id = data.user_id
    shift.weekdays = sorted(set(data.weekdays))
    shift.starts_at, shift.ends_at = data.starts_at, data.ends_at
    shift.email, shift.wecom_webhook = data.email.strip(), data.wecom_webhook.strip()
    shift.is_active = data.is_active


@transaction.atomic
def duty_shift_create(*, actor: Actor, data: DutyShiftData) -> DutyShift:
    _require_staff(actor)
    duty_shift_validate(data=data)
    shift = DutyShift()
    _apply(shift, data)
    shift.save()
    audit_record(actor=actor, action="duty.shift_create", target=shift, data=_audit_data(data))
    return shift


@transaction.atomic
def duty_shift_update(*, actor: Actor, shift_id: int, data: DutyShiftData) -> DutyShift:
    _require_staff(actor)
    shift = DutyShift.objects.select_for_update().filter(pk=shift_id).first()
    if shift is None:
        raise DutyShiftNotFound(details={"shift_id": shift_id})
    duty_shift_validate(data=data)
    _apply(shift, data)
    shift.save()
    audit_record(actor=actor, action="duty.shift_update", target=shift, data=_audit_data(data))
    return shift


@transaction.atomic
def duty_shift_delete(*, actor: Actor, shift_id: int) -> None:
    _require_staff(actor)
    shift = DutyShift.objects.select_for_update().filter(pk=shift_id).first()
    if shift is None:
        raise DutyShiftNotFound(details={"shift_id": shift_id})
    audit_record(
        actor=actor,
        action="duty.shift_delete",
        target=shift,
        data={"user_id": shift.user_id, "hours": f"{shift.starts_at:%H:%M}-{shift.ends_at:%H:%M}"},
    )
    shift.delete()


def shift_covers(shift: DutyShift, moment: datetime) -> bool:
    """Whether ``moment`` falls in the shift, in shop time (pure; overnight shifts included)."""
    local = moment.astimezone(SHOP_ZONE)
    clock, day = local.time().replace(tzinfo=None), local.weekday()
    days = set(shift.weekdays or [])
    if shift.starts_at < shift.ends_at:
        return day in days and shift.starts_at <= clock < shift.ends_at
    # past midnight: the evening part on the starting weekday, the morning part on the next day
    return (day in days and clock >= shift.starts_at) or ((day - 1) % 7 in days and clock < shift.ends_at)


def duty_shifts_on(*, moment: datetime) -> list[DutyShift]:
    """The active shifts covering ``moment`` (one query; a roster is a handful of rows)."""
    shifts = DutyShift.objects.filter(is_active=True, user__is_active=True).select_related("user").order_by("pk")
    return [shift for shift in shifts if shift_covers(shift, moment)]
