"""Shipping addresses: at most 20 per shopper, and exactly one default whenever any exist.

Every write locks the member row and then the member's address rows in id order, so two
requests (say "set default" on two addresses at once) queue instead of leaving two defaults
or none. The member row lock also covers the empty case, where there is no address row to lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from mall.errors import NotFound
from members.errors import AddressDefaultRequired, AddressInvalid, AddressLimitReached
from members.models import Address, Member
from members.services.profile import phone_normalize

ADDRESS_LIMIT = 20

_FIELD_LIMITS = {"receiver": 30, "province": 30, "city": 30, "district": 30, "detail": 200}
_REQUIRED = ("receiver", "province", "city", "detail")


@dataclass
class _Locked:
    member: Member
    addresses: list[Address]

    def get(self, address_id: int) -> Address:
        for address in self.addresses:
            if address.pk == address_id:
                return address
        raise NotFound()


def _lock_addresses(member: Member) -> _Locked:
    locked_member = Member.objects.select_for_update().filter(pk=member.pk).first()
    if locked_member is None:
        raise NotFound()
    addresses = list(Address.objects.select_for_update().filter(member_id=member.pk).order_by("id"))
    return _Locked(member=locked_member, addresses=addresses)


def _clean_text(field: str, value: str) -> str:
    value = value.strip()
    if (field in _REQUIRED and not value) or len(value) > _FIELD_LIMITS[field]:
        raise AddressInvalid(details={"field": field})
    return value


def _make_default(locked: _Locked, address: Address) -> None:
    """Clears the other defaults in one UPDATE, then marks ``address``."""
    others = [a.pk for a in locked.addresses if a.is_default and a.pk != address.pk]
    if others:
        Address.objects.filter(pk__in=others).update(is_default=False)
    if not address.is_default:
        address.is_default = True
        Address.objects.filter(pk=address.pk).update(is_default=True)


@transaction.atomic
def address_create(
    *,
    member: Member,
    receiver: str,
    phone: str,
    province: str,
    city: str,
    detail: str,
    district: str = "",
    is_default: bool = False,
) -> Address:
    """Adds an address; the first one, or one asked to be, becomes the default."""
    locked = _lock_addresses(member)
    if len(locked.addresses) >= ADDRESS_LIMIT:
        raise AddressLimitReached(details={"limit": ADDRESS_LIMIT})
    address = Address.objects.create(
        member_id=member.pk,
        receiver=_clean_text("receiver", receiver),
        phone=phone_normalize(phone),
        province=_clean_text("province", province),
        city=_clean_text("city", city),
        district=_clean_text("district", district),
        detail=_clean_text("detail", detail),
        is_default=False,
    )
    if is_default or not locked.addresses:
        _make_default(locked, address)
    return address


@transaction.atomic
def address_update(
    *,
    member: Member,
    address_id: int,
    receiver: str | None = None,
    phone: str | None = None,
    province: str | None = None,
    city: str | None = None,
    district: str | None = None,
    detail: str | None = None,
    is_default: bool | None = None,
) -> Address:
    """Changes the given fields (None = unchanged). Another shopper's address is NotFound.

    ``is_default=False`` on the current default is refused: the shopper picks a new default instead.
    """
    locked = _lock_addresses(member)
    address = locked.get(address_id)
    texts = {"receiver": receiver, "province": province, "city": city, "district": district, "detail": detail}
    changed: list[str] = []
    for field, value in texts.items():
        if value is not None:
            setattr(address, field, _clean_text(field, value))
            changed.append(field)
    if phone is not None:
        address.phone = phone_normalize(phone)
        changed.append("phone")
    if is_default is False and address.is_default:
        raise AddressDefaultRequired()
    if changed:
        address.save(update_fields=changed)
    if is_default:
        _make_default(locked, address)
    return address


@transaction.atomic
def address_set_default(*, member: Member, address_id: int) -> Address:
    locked = _lock_addresses(member)
    address = locked.get(address_id)
    _make_default(locked, address)
    return address


@transaction.atomic
def address_delete(*, member: Member, address_id: int) -> None:
    """Deletes the address; if it was the default, the newest remaining one takes over."""
    locked = _lock_addresses(member)
    address = locked.get(address_id)
    was_default = address.is_default
    address.delete()  # sets address.pk to None, hence the identity test below
    locked.addresses = [a for a in locked.addresses if a is not address]
    if was_default and locked.addresses:
        newest = max(locked.addresses, key=lambda a: a.pk)
        _make_default(locked, newest)
