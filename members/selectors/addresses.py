"""Address reads, always scoped to the shopper who owns them."""

from __future__ import annotations

from django.db.models import QuerySet

from mall.errors import NotFound
from mall.rows import row_by
from members.models import Address, Member


def address_list_for_member(*, member: Member) -> QuerySet[Address]:
    """Default first, then newest first."""
    return Address.objects.filter(member=member).order_by("-is_default", "-id")


def address_get_for_member(*, member: Member, address_id: int) -> Address:
    """The member's address, or NotFound, also when it belongs to someone else."""
    # issue 12: read on every checkout preview and placement; written out once (mall.rows)
    address = row_by(Address, id=int(address_id), member_id=member.pk)
    if address is None:
        raise NotFound()
    return address


def address_default_for_member(*, member: Member) -> Address | None:
    return Address.objects.filter(member=member, is_default=True).first()
