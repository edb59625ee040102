"""Merchant-side changes to a shopper (tier, blocking), each audited with the acting staff user."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from mall.errors import NotFound, ValidationFailed
from mall.services.audit import audit_record
from members.models import Member
from members.selectors.abuse import guard_config_bump


@transaction.atomic
def member_staff_update(
    *,
    member_id: int,
    actor: AbstractBaseUser | AnonymousUser | None,
    tier: str | None = None,
    is_blocked: bool | None = None,
) -> Member:
    """Sets the tier and/or the blocked flag; writes one audit row listing what changed (none if nothing)."""
    member = Member.objects.select_for_update().filter(pk=member_id).first()
    if member is None:
        raise NotFound()
    changes: dict[str, list[object]] = {}
    if tier is not None and tier != member.tier:
        if tier not in Member.Tier.values:
            raise ValidationFailed(details={"field": "tier"})
        changes["tier"] = [member.tier, tier]
        member.tier = tier
    if is_blocked is not None and is_blocked != member.is_blocked:
        changes["is_blocked"] = [member.is_blocked, is_blocked]
        member.is_blocked = is_blocked
    if changes:
        member.save(update_fields=list(changes))
        audit_record(actor=actor, action="member.update", target=member, data=changes)
    if "is_blocked" in changes:
        guard_config_bump()  # the guard's held list of blocked shoppers (fast paths read it)
    return member
