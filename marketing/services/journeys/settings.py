"""The merchant's settings of a journey (console): validated, saved and audited in one step."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mall.services.audit import audit_record
from marketing.errors import JourneyInvalid
from marketing.models import CouponKind, CouponTemplate, Journey, JourneyKind
from marketing.services.coupons import Actor, require_staff
from marketing.services.journeys.common import text_validate

DAYS_RANGE: dict[str, tuple[int, int]] = {
    JourneyKind.DORMANT: (7, 365),
    JourneyKind.BIRTHDAY: (0, 30),
    JourneyKind.REPLENISH: (0, 60),
}


@dataclass(frozen=True)
class JourneyData:
    is_enabled: bool
    days: int
    coupon_template_id: int | None
    coupon_valid_days: int
    title: str
    body: str
    priority: int
    holdout_percent: int = 0


def journey_validate(*, kind: str, data: JourneyData) -> None:
    """Raise ``journey_invalid`` with ``details["errors"] = {field: message}``."""
    errors: dict[str, str] = {}
    low, high = DAYS_RANGE[kind]
    if not low <= data.days <= high:
        errors["days"] = _("天数须在 %(low)d–%(high)d 之间。") % {"low": low, "high": high}
    if not 0 <= data.holdout_percent <= 50:
        errors["holdout_percent"] = _("对照组比例须在 0–50 之间。")
    if not 1 <= data.coupon_valid_days <= 90:
        errors["coupon_valid_days"] = _("券有效天数须在 1–90 之间。")
    if not data.title.strip():
        errors["title"] = _("请填写消息标题。")
    for name, text in (("title", data.title), ("body", data.body)):
        try:
            text_validate(kind=kind, text=text)
        except JourneyInvalid as exc:
            errors.setdefault(name, str(exc.message))
    if data.coupon_template_id is not None:
        template = CouponTemplate.objects.filter(pk=data.coupon_template_id).first()
        if template is None or not template.is_active:
            errors["coupon_template"] = _("请选择启用中的优惠券模板。")
        elif kind == JourneyKind.REPLENISH and template.kind != CouponKind.RATE_OFF:
            errors["coupon_template"] = _("复购提醒需要折扣券（如 9 折）。")
    elif data.is_enabled:
        errors["coupon_template"] = _("启用前请选择优惠券模板。")
    if errors:
        raise JourneyInvalid(details={"errors": errors})


@transaction.atomic
def journey_update(*, actor: Actor, kind: str, data: JourneyData) -> Journey:
    require_staff(actor)
    journey_validate(kind=kind, data=data)
    journey = Journey.objects.select_for_update().get(kind=kind)
    before: dict[str, Any] = {
        "is_enabled": journey.is_enabled,
        "days": journey.days,
        "coupon_template_id": journey.coupon_template_id,
        "priority": journey.priority,
        "holdout_percent": journey.holdout_percent,
    }
    for name, value in asdict(data).items():
        setattr(journey, name, value.strip() if isinstance(value, str) else value)
    journey.save()
    audit_record(actor=actor, action="journey.update", target=journey, data={"before": before, "after": asdict(data)})
    return journey
