"""What the mini-program shows about the signed-in shopper."""

from __future__ import annotations

from dataclasses import dataclass

from members.models import Member
from members.selectors.points import points_balance


@dataclass(frozen=True)
class MemberProfile:
    """The ``me`` payload's source: the member plus the derived points balance."""

    member: Member
    points_balance: int


def member_profile(*, member: Member) -> MemberProfile:
    """One query (the balance); the member is already loaded by authentication."""
    return MemberProfile(member=member, points_balance=points_balance(member_id=member.pk))
