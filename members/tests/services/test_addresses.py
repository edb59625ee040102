"""Address services: one default at all times, 20 at most, never someone else's."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from mall.errors import NotFound
from members.errors import AddressDefaultRequired, AddressInvalid, AddressLimitReached, PhoneInvalid
from members.models import Address, Member
from members.services.addresses import (
    ADDRESS_LIMIT,
    address_create,
    address_delete,
    address_set_default,
    address_update,
)
from members.tests.factories import AddressFactory, MemberFactory

pytestmark = pytest.mark.django_db


def _new(member: Member, **overrides: Any) -> Address:
    fields: dict[str, Any] = {
        "receiver": "张三",
        "phone": "13800138000",
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "detail": "文三路 1 号",
    }
    fields.update(overrides)
    return address_create(member=member, **fields)


def _defaults(member: Member) -> list[int]:
    return list(Address.objects.filter(member=member, is_default=True).values_list("pk", flat=True))


def test_first_address_becomes_default_later_ones_do_not(member: Member) -> None:
    first = _new(member)
    second = _new(member, detail="文三路 2 号")

    assert _defaults(member) == [first.pk]
    assert second.is_default is False


def test_creating_a_default_moves_the_default(member: Member) -> None:
    first = _new(member)
    second = _new(member, is_default=True)

    assert _defaults(member) == [second.pk]
    first.refresh_from_db()
    assert first.is_default is False


def test_set_default_leaves_exactly_one(member: Member) -> None:
    addresses = [_new(member, detail=f"路 {i} 号") for i in range(3)]

    address_set_default(member=member, address_id=addresses[2].pk)
    address_set_default(member=member, address_id=addresses[1].pk)

    assert _defaults(member) == [addresses[1].pk]


def test_deleting_the_default_promotes_the_newest_other(member: Member) -> None:
    default, middle, newest = (_new(member, detail=f"路 {i} 号") for i in range(3))

    address_delete(member=member, address_id=default.pk)

    assert _defaults(member) == [newest.pk]
    assert Address.objects.filter(member=member).count() == 2
    assert middle.pk in Address.objects.values_list("pk", flat=True)


def test_deleting_a_non_default_keeps_the_default(member: Member) -> None:
    default = _new(member)
    other = _new(member, detail="别处")

    address_delete(member=member, address_id=other.pk)

    assert _defaults(member) == [default.pk]


def test_deleting_the_last_address_leaves_none(member: Member) -> None:
    only = _new(member)

    address_delete(member=member, address_id=only.pk)

    assert not Address.objects.filter(member=member).exists()


def test_at_most_twenty_addresses(member: Member) -> None:
    AddressFactory.create_batch(ADDRESS_LIMIT - 1, member=member)
    _new(member)

    with pytest.raises(AddressLimitReached) as raised:
        _new(member, detail="第 21 个")

    assert raised.value.details == {"limit": ADDRESS_LIMIT}
    assert Address.objects.filter(member=member).count() == ADDRESS_LIMIT


def test_update_changes_fields_and_can_make_default(member: Member) -> None:
    _new(member)
    second = _new(member)

    updated = address_update(
        member=member, address_id=second.pk, receiver=" 李四 ", phone="13900001111", is_default=True
    )

    second.refresh_from_db()
    assert (second.receiver, second.phone) == ("李四", "13900001111")
    assert updated.is_default is True
    assert _defaults(member) == [second.pk]


def test_unsetting_the_default_is_refused(member: Member) -> None:
    default = _new(member)
    _new(member)

    with pytest.raises(AddressDefaultRequired):
        address_update(member=member, address_id=default.pk, is_default=False)

    assert _defaults(member) == [default.pk]


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"receiver": "  "}, AddressInvalid),
        ({"detail": ""}, AddressInvalid),
        ({"city": "市" * 31}, AddressInvalid),
        ({"phone": "010-12345678"}, PhoneInvalid),
    ],
)
def test_invalid_fields_are_refused(member: Member, overrides: dict[str, str], error: type[Exception]) -> None:
    with pytest.raises(error):
        _new(member, **overrides)

    assert not Address.objects.filter(member=member).exists()


@pytest.mark.parametrize(
    "operation",
    [
        lambda member, pk: address_update(member=member, address_id=pk, receiver="坏人"),
        lambda member, pk: address_delete(member=member, address_id=pk),
        lambda member, pk: address_set_default(member=member, address_id=pk),
    ],
    ids=["update", "delete", "set_default"],
)
def test_someone_elses_address_is_not_found(
    member: Member, other_member: Member, operation: Callable[[Member, int], object]
) -> None:
    theirs = _new(other_member)

    with pytest.raises(NotFound):
        operation(member, theirs.pk)

    theirs.refresh_from_db()
    assert theirs.receiver == "张三"
    assert theirs.is_default is True


def _run_in_threads(functions: list[Callable[[], object]]) -> list[BaseException]:
    barrier = threading.Barrier(len(functions))
    errors: list[BaseException] = []

    def run(function: Callable[[], object]) -> None:
        try:
            barrier.wait()
            function()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_concurrent_set_default_leaves_one_default() -> None:
    member = MemberFactory.create()
    addresses = [_new(member, detail=f"路 {i} 号") for i in range(6)]

    errors = _run_in_threads(
        [lambda pk=a.pk: address_set_default(member=member, address_id=pk) for a in addresses]  # type: ignore[misc]
    )

    assert errors == []
    assert len(_defaults(member)) == 1


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_addresses_make_exactly_one_default() -> None:
    member = MemberFactory.create()

    errors = _run_in_threads([lambda i=i: _new(member, detail=f"并发 {i}") for i in range(6)])  # type: ignore[misc]

    assert errors == []
    assert Address.objects.filter(member=member).count() == 6
    assert len(_defaults(member)) == 1
