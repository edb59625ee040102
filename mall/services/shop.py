"""Shop-wide settings (one row), changed by the owner in the console; audited."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.errors import ValidationFailed
from mall.models import ShopSettings
from mall.services.audit import audit_record


@transaction.atomic
def shop_settings_update(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    name: str | None = None,
    shipping_flat_fee: int | None = None,
    free_shipping_threshold: int | None = None,
    auto_complete_days: int | None = None,
    global_holdout_enabled: bool | None = None,
    global_holdout_percent: int | None = None,
    margin_floor_percent: int | None = None,
) -> ShopSettings:
    """Changes the given settings (money in fen); unchanged values are not audited.

    Switching the global holdout on fixes a new salt and start time (a new group, measured from
    now); switching it off keeps them, so the report still shows the last group's figures.
    """
    settings_row = ShopSettings.load()
    settings_row = ShopSettings.objects.select_for_update().get(pk=settings_row.pk)
    wanted = {
        "name": name.strip() if name is not None else None,
        "shipping_flat_fee": shipping_flat_fee,
        "free_shipping_threshold": free_shipping_threshold,
        "auto_complete_days": auto_complete_days,
    }
    if wanted["name"] == "":
        raise ValidationFailed(_("请填写店铺名称。"), details={"field": "name"})
    for key in ("shipping_flat_fee", "free_shipping_threshold", "auto_complete_days"):
        value = wanted[key]
        if value is not None and int(value) < 0:
            raise ValidationFailed(_("数值不能为负。"), details={"field": key})
    if global_holdout_percent is not None and not 1 <= int(global_holdout_percent) <= 10:
        raise ValidationFailed(_("全局对照组比例应在 1% 到 10% 之间。"), details={"field": "global_holdout_percent"})
    if margin_floor_percent is not None and not 0 <= int(margin_floor_percent) <= 90:
        raise ValidationFailed(_("最低毛利率应在 0% 到 90% 之间。"), details={"field": "margin_floor_percent"})
    wanted["margin_floor_percent"] = margin_floor_percent
    wanted["global_holdout_enabled"] = global_holdout_enabled
    wanted["global_holdout_percent"] = global_holdout_percent
    switched_on = bool(global_holdout_enabled) and not settings_row.global_holdout_enabled
    switched_off = global_holdout_enabled is False and settings_row.global_holdout_enabled
    changed = {}
    for key, value in wanted.items():
        if value is not None and getattr(settings_row, key) != value:
            changed[key] = {"from": getattr(settings_row, key), "to": value}
            setattr(settings_row, key, value)
    if switched_on:
        settings_row.global_holdout_salt = secrets.token_hex(8)
        settings_row.global_holdout_since = timezone.now()
        settings_row.global_holdout_until = None
        changed["global_holdout_since"] = {"from": None, "to": settings_row.global_holdout_since.isoformat()}
    if switched_off:
        settings_row.global_holdout_until = timezone.now()
    if changed:
        settings_row.save()
        audit_record(actor=actor, action="shop_settings.update", target=settings_row, data=changed)
    return settings_row
