"""Writing audit rows; callers are services already inside their transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import models

from mall.models import AuditLog


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    data: dict[str, Any] | None = None,
) -> AuditLog:
    if target is not None:
        target_type = target._meta.label_lower
        target_id = target.pk
    user = actor if isinstance(actor, User) else None
    return AuditLog.objects.create(
        actor=user, action=action, target_type=target_type, target_id=str(target_id), data=data or {}
    )
