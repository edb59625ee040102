"""The points ledger: derived balance, idempotent grants, spends that cannot overdraw."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection

from mall.errors import NotFound
from mall.models import AuditLog
from members.errors import PointsAmountInvalid, PointsInsufficient
from members.models import Member, PointsEntry
from members.selectors.points import member_list_with_points_balance, points_balance
from members.services.points import points_adjust, points_grant, points_spend
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

Reason = PointsEntry.Reason


def test_balance_is_the_sum_of_entries(member: Member, other_member: Member) -> None:
    assert points_balance(member_id=member.pk) == 0

    points_grant(member_id=member.pk, delta=500, reason=Reason.ORDER_EARN, ref="O1")
    points_grant(member_id=member.pk, delta=-120, reason=Reason.REFUND_REVERSE, ref="R1")
    points_grant(member_id=other_member.pk, delta=999, reason=Reason.ORDER_EARN, ref="O1")

    assert points_balance(member_id=member.pk) == 380


def test_balance_is_one_query(member: Member, django_assert_max_num_queries: Any) -> None:
    points_grant(member_id=member.pk, delta=5, reason=Reason.GRANT, ref="g")

    with django_assert_max_num_queries(1):
        assert points_balance(member_id=member.pk) == 5


def test_grant_is_idempotent_by_member_reason_ref(member: Member) -> None:
    first = points_grant(member_id=member.pk, delta=100, reason=Reason.ORDER_EARN, ref="O42", note="下单")
    again = points_grant(member_id=member.pk, delta=100, reason=Reason.ORDER_EARN, ref="O42")
    other_reason = points_grant(member_id=member.pk, delta=-100, reason=Reason.REFUND_REVERSE, ref="O42")

    assert again.pk == first.pk
    assert other_reason.pk != first.pk
    assert PointsEntry.objects.filter(member=member).count() == 2
    assert points_balance(member_id=member.pk) == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"delta": 0, "reason": "grant", "ref": "x"},
        {"delta": 5, "reason": "bogus", "ref": "x"},
        {"delta": 5, "reason": "grant", "ref": ""},
    ],
)
def test_grant_refuses_meaningless_entries(member: Member, kwargs: dict[str, Any]) -> None:
    with pytest.raises(PointsAmountInvalid):
        points_grant(member_id=member.pk, **kwargs)

    assert not PointsEntry.objects.exists()


def test_grant_to_a_missing_member_is_not_found() -> None:
    with pytest.raises(NotFound):
        points_grant(member_id=987654, delta=5, reason=Reason.GRANT, ref="x")


def test_spend_takes_points_and_refuses_to_overdraw(member: Member) -> None:
    points_grant(member_id=member.pk, delta=300, reason=Reason.GRANT, ref="welcome")

    entry = points_spend(member_id=member.pk, amount=200, reason=Reason.ORDER_REDEEM, ref="O1")
    with pytest.raises(PointsInsufficient) as raised:
        points_spend(member_id=member.pk, amount=101, reason=Reason.ORDER_REDEEM, ref="O2")

    assert entry.delta == -200
    assert raised.value.details == {"balance": 100, "required": 101}
    assert points_balance(member_id=member.pk) == 100


def test_spend_is_idempotent_by_ref(member: Member) -> None:
    points_grant(member_id=member.pk, delta=300, reason=Reason.GRANT, ref="welcome")

    first = points_spend(member_id=member.pk, amount=200, reason=Reason.ORDER_REDEEM, ref="O1")
    replay = points_spend(member_id=member.pk, amount=200, reason=Reason.ORDER_REDEEM, ref="O1")

    assert replay.pk == first.pk
    assert points_balance(member_id=member.pk) == 100


@pytest.mark.parametrize("amount", [0, -5])
def test_spend_amount_must_be_positive(member: Member, amount: int) -> None:
    with pytest.raises(PointsAmountInvalid):
        points_spend(member_id=member.pk, amount=amount, reason=Reason.ORDER_REDEEM, ref="O1")


def test_console_list_annotates_balances(
    member: Member, other_member: Member, django_assert_max_num_queries: Any
) -> None:
    points_grant(member_id=member.pk, delta=70, reason=Reason.GRANT, ref="a")
    points_grant(member_id=member.pk, delta=30, reason=Reason.GRANT, ref="b")

    with django_assert_max_num_queries(1):
        balances = {m.pk: m.points_balance for m in member_list_with_points_balance()}  # type: ignore[attr-defined]

    assert balances == {member.pk: 100, other_member.pk: 0}


def test_staff_adjustment_grants_and_audits(member: Member, admin_user: User) -> None:
    entry = points_adjust(member_id=member.pk, delta=250, note="补偿", ref="nonce-1", actor=admin_user)
    replay = points_adjust(member_id=member.pk, delta=250, note="补偿", ref="nonce-1", actor=admin_user)

    assert replay.pk == entry.pk
    assert (entry.reason, entry.delta) == (Reason.ADJUST, 250)
    audit = AuditLog.objects.get()
    assert (audit.action, audit.actor, audit.target_id) == ("points.adjust", admin_user, str(member.pk))
    assert audit.data == {"delta": 250, "note": "补偿", "entry_id": entry.pk}


def test_staff_deduction_cannot_go_below_zero(member: Member, admin_user: User) -> None:
    points_grant(member_id=member.pk, delta=50, reason=Reason.GRANT, ref="g")

    with pytest.raises(PointsInsufficient):
        points_adjust(member_id=member.pk, delta=-51, note="扣错了", ref="nonce-2", actor=admin_user)
    points_adjust(member_id=member.pk, delta=-50, note="清零", ref="nonce-3", actor=admin_user)

    assert points_balance(member_id=member.pk) == 0
    assert AuditLog.objects.count() == 1


def _run_in_threads(functions: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(len(functions))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(function: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results.append(function())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_spends_of_a_thousand_exactly_ten_succeed() -> None:
    member = MemberFactory.create()
    points_grant(member_id=member.pk, delta=1000, reason=Reason.GRANT, ref="seed")

    results, errors = _run_in_threads(
        [
            lambda i=i: points_spend(member_id=member.pk, amount=100, reason=Reason.ORDER_REDEEM, ref=f"O{i}")  # type: ignore[misc]
            for i in range(20)
        ]
    )

    assert len(results) == 10
    assert len(errors) == 10
    assert all(isinstance(error, PointsInsufficient) for error in errors)
    assert points_balance(member_id=member.pk) == 0
    assert PointsEntry.objects.filter(member=member, reason=Reason.ORDER_REDEEM).count() == 10


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_grants_write_one_entry() -> None:
    member = MemberFactory.create()

    results, errors = _run_in_threads(
        [lambda: points_grant(member_id=member.pk, delta=10, reason=Reason.ORDER_EARN, ref="O-dup") for _ in range(8)]
    )

    assert errors == []
    assert len({entry.pk for entry in results}) == 1  # type: ignore[attr-defined]
    assert points_balance(member_id=member.pk) == 10
