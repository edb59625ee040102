"""Address reads, always scoped to the shopper who owns them."""

from __future__ import annotations

from django.db.models import QuerySet

from mall.errors import NotFound
from members.models import Address, Member


def address_list_for_member(*, member: Member) -> QuerySet[Address]:
    """Default first, then newest first."""
    return Address.objects.filter(member=member).order_by("-is_default", "-id")


def address_get_for_member(*, member: Member, address_id: int) -> Address:
    """The member's address, or NotFound, also when it belongs to someone else."""
    address = Address.objects.filter(member=member, pk=address_id).first()
    if address is None:
        raise NotFound()
    return address


def address_default_for_member(*, member: Member) -> Address | None:
    return Address.objects.filter(member=member, is_default=True).first()
