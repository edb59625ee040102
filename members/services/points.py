"""Points ledger writes (F15). Every change is one entry, unique per (member, reason, ref).

The unique key makes grants idempotent whoever triggers them (a retried task, a repeated
notice). Spending locks the member row first, so two spends of the same balance serialise
and the balance is never overdrawn.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from mall.errors import NotFound
from mall.services.audit import audit_record
from members.errors import PointsAmountInvalid, PointsInsufficient
from members.models import Member, PointsEntry
from members.selectors.points import points_balance

logger = logging.getLogger(__name__)

Reason = PointsEntry.Reason


def _lock_member(member_id: int) -> Member:
    member = Member.objects.select_for_update().filter(pk=member_id).first()
    if member is None:
        raise NotFound()
    return member


def _existing_entry(*, member_id: int, reason: str, ref: str) -> PointsEntry | None:
    return PointsEntry.objects.filter(member_id=member_id, reason=reason, ref=ref).first()


def _entry_insert_once(*, member_id: int, delta: int, reason: str, ref: str, note: str) -> PointsEntry:
    """Inserts the entry, or returns the one a concurrent caller inserted first (unique key)."""
    try:
        with transaction.atomic():
            return PointsEntry.objects.create(member_id=member_id, delta=delta, reason=reason, ref=ref, note=note)
    except IntegrityError:
        existing = _existing_entry(member_id=member_id, reason=reason, ref=ref)
        if existing is None:
            raise
        return existing


@transaction.atomic
def points_grant(*, member_id: int, delta: int, reason: str, ref: str, note: str = "") -> PointsEntry:
    """Adds ``delta`` (positive, or negative for reversals) once per (member, reason, ref).

    A second call with the same key returns the first entry unchanged. Negative deltas are
    corrections (refund reversals, staff deductions) and may take the balance below zero;
    shopper spending goes through ``points_spend`` which refuses to overdraw.
    """
    if delta == 0 or reason not in Reason.values or not ref:
        raise PointsAmountInvalid()
    existing = _existing_entry(member_id=member_id, reason=reason, ref=ref)
    if existing is not None:
        if existing.delta != delta:
            logger.warning("points_grant replay with a different delta: %s/%s/%s", member_id, reason, ref)
        return existing
    if not Member.objects.filter(pk=member_id).exists():
        raise NotFound()
    return _entry_insert_once(member_id=member_id, delta=delta, reason=reason, ref=ref, note=note[:200])


@transaction.atomic
def points_spend(*, member_id: int, amount: int, reason: str, ref: str, note: str = "") -> PointsEntry:
    """Takes ``amount`` (> 0) points, refusing with ``points_insufficient`` rather than overdrawing.

    Lock the member row, then read the balance, then insert: concurrent spends of one
    member queue on the lock, and each sees the entries committed before it. Idempotent by
    (member, reason, ref) like grants.
    """
    if amount <= 0 or reason not in Reason.values or not ref:
        raise PointsAmountInvalid()
    _lock_member(member_id)
    existing = _existing_entry(member_id=member_id, reason=reason, ref=ref)
    if existing is not None:
        return existing
    balance = points_balance(member_id=member_id)
    if balance < amount:
        raise PointsInsufficient(details={"balance": balance, "required": amount})
    return _entry_insert_once(member_id=member_id, delta=-amount, reason=reason, ref=ref, note=note[:200])


@transaction.atomic
def points_adjust(*, member_id: int, delta: int, note: str, ref: str, actor: AbstractBaseUser | None) -> PointsEntry:
    """A staff adjustment from the console: a ``adjust`` grant plus an audit row, in one transaction.

    ``ref`` is a nonce issued with the form, so a double-submitted form adjusts once.
    A deduction may not take the balance below zero.
    """
    if delta == 0 or not ref:
        raise PointsAmountInvalid()
    _lock_member(member_id)
    existing = _existing_entry(member_id=member_id, reason=Reason.ADJUST, ref=ref)
    if existing is not None:
        return existing
    if delta < 0:
        balance = points_balance(member_id=member_id)
        if balance + delta < 0:
            raise PointsInsufficient(details={"balance": balance, "required": -delta})
    entry = points_grant(member_id=member_id, delta=delta, reason=Reason.ADJUST, ref=ref, note=note)
    audit_record(
        actor=actor,
        action="points.adjust",
        target_type="members.member",
        target_id=member_id,
        data={"delta": delta, "note": note, "entry_id": entry.pk},
    )
    return entry
