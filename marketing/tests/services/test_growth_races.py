"""Races with real threads against the real database: invite rewards under concurrent sign-ups,
and withdrawals that must never overdraw a promoter's balance."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import ShopSettings
from mall.tests.concurrency import run_in_threads
from marketing.errors import WithdrawalExceedsBalance
from marketing.models import Coupon, Invite, InviteReward, Withdrawal
from marketing.selectors.distribution import promoter_withdrawable
from marketing.services.coupons import coupon_template_create
from marketing.services.distribution import (
    DistributionProgramData,
    attribution_click,
    commissions_release_due,
    distribution_program_update,
    withdrawal_request,
)
from marketing.services.invites import InviteProgramData, invite_program_update, invite_reward_issue
from marketing.tests.conftest import complete, issue_invite_rewards, make_promoter, place, reward_template_data
from members.models import Member
from members.services.auth import member_login_dev
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.tests.factories import SkuFactory

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def _staff() -> User:
    return User.objects.create_superuser(username=f"s{uuid.uuid4().hex[:8]}", password="x")


def _programme(**overrides: Any) -> int:
    staff = _staff()
    template = coupon_template_create(actor=staff, data=reward_template_data())
    fields: dict[str, Any] = {"threshold": 3, "reward_template_id": template.pk, "reward_limit": 1}
    fields.update(overrides)
    invite_program_update(actor=staff, data=InviteProgramData(**fields))
    return template.pk


def _sign_up_all(code: str, n: int) -> list[Any]:
    return run_in_threads(
        n,
        lambda i: (
            member_login_dev(
                context=SHOPPER_CONTEXT, openid=f"dev_race_{i}_{uuid.uuid4().hex[:8]}", invite_code=code
            ).member
        ),
    )


def test_ten_invitees_signing_up_at_once_reward_the_inviter_and_the_first_three_once() -> None:
    template_id = _programme()
    inviter = MemberFactory.create()

    results = _sign_up_all(inviter.invite_code, 10)

    members = [r for r in results if isinstance(r, Member)]
    assert len(members) == 10, [r for r in results if not isinstance(r, Member)]
    issue_invite_rewards()
    assert Invite.objects.filter(inviter=inviter, counts=True).count() == 10
    reward = InviteReward.objects.get()  # exactly one
    block = list(Invite.objects.filter(reward=reward).order_by("pk").values_list("invitee_id", flat=True))
    first_three = list(Invite.objects.filter(inviter=inviter).order_by("pk").values_list("invitee_id", flat=True)[:3])
    assert block == first_three
    holders = set(Coupon.objects.filter(template_id=template_id).values_list("member_id", flat=True))
    assert holders == {inviter.pk, *first_three}
    assert Coupon.objects.filter(template_id=template_id).count() == 4
    assert reward.coupons_missing == 0


def test_with_a_limit_of_five_ten_concurrent_invitees_make_exactly_three_blocks() -> None:
    template_id = _programme(reward_limit=5)
    inviter = MemberFactory.create()

    results = _sign_up_all(inviter.invite_code, 10)

    assert all(isinstance(r, Member) for r in results), results
    issue_invite_rewards()
    assert list(InviteReward.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]
    assert Invite.objects.filter(reward__isnull=False).count() == 9
    assert Coupon.objects.filter(template_id=template_id, member=inviter).count() == 3
    assert Coupon.objects.filter(template_id=template_id).count() == 3 + 9
    # Blocks are consecutive runs of the binding order.
    ordered = list(Invite.objects.order_by("pk").values_list("reward__seq", flat=True))
    assert ordered == [1, 1, 1, 2, 2, 2, 3, 3, 3, None]


def test_a_reward_issued_by_racing_workers_gives_each_coupon_once() -> None:
    template_id = _programme()
    inviter = MemberFactory.create()
    for i in range(3):
        member_login_dev(context=SHOPPER_CONTEXT, openid=f"dev_once_{i}", invite_code=inviter.invite_code)
    reward = InviteReward.objects.get()

    results = run_in_threads(6, lambda _i: invite_reward_issue(reward_id=reward.pk))

    assert sum(results) == 4, results  # every coupon issued by exactly one of the workers
    assert Coupon.objects.filter(template_id=template_id).count() == 4
    assert InviteReward.objects.get(pk=reward.pk).coupons_missing == 0


def test_concurrent_withdrawals_never_overdraw_the_balance() -> None:
    staff = _staff()
    ShopSettings.load()
    distribution_program_update(actor=staff, data=DistributionProgramData(min_withdrawal=100))
    promoter = make_promoter(MemberFactory.create(), staff)
    buyer = MemberFactory.create()
    attribution_click(member=buyer, code=promoter.code)
    sku = SkuFactory.create(price=50000, stock=10)
    # 2 × 10% of 500.00 = 100.00 yuan of commission; both placed before either completes, since
    # the first completion lifts the buyer to 白银 (F14) and would price the second at 9.5折
    placed = [place(buyer, [(sku, 1)]) for _ in range(2)]
    for order in placed:
        complete(order, staff)
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        assert commissions_release_due() == 2
    assert promoter_withdrawable(promoter_id=promoter.pk) == 10000

    results = run_in_threads(10, lambda _i: withdrawal_request(member=promoter.member, amount=3000))

    made = [r for r in results if isinstance(r, Withdrawal)]
    refused = [r for r in results if isinstance(r, WithdrawalExceedsBalance)]
    assert len(made) == 3, [r for r in results if not isinstance(r, Withdrawal | WithdrawalExceedsBalance)]
    assert len(refused) == 7
    assert promoter_withdrawable(promoter_id=promoter.pk) == 1000
    assert sum(Withdrawal.objects.filter(promoter=promoter).values_list("amount", flat=True)) == 9000
