"""Invite rewards (F04): binding at first login only, the reward per block of N new invitees (once by
default), and the inviter's points from invitees' orders, settled from the order's state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from analytics.models import Event
from mall.models import AuditLog, Sku
from mall.money import allocate
from marketing.errors import RulesInvalid
from marketing.models import Coupon, CouponChannel, CouponTemplate, Invite, InviteOrder, InviteProgram, InviteReward
from marketing.services.coupons import coupon_template_create
from marketing.services.invites import (
    InviteProgramData,
    invite_order_points_settle,
    invite_program_update,
    invite_rewards_grant,
    invite_rewards_issue_due,
)
from marketing.tests.conftest import (
    balance,
    complete,
    issue_invite_rewards,
    pay,
    place,
    reward_template_data,
    signup,
)
from members.models import Member, Message, PointsEntry
from members.services.auth import member_login_dev
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import Refund
from orders.payments.sandbox import SandboxProvider
from orders.services.orders import order_cancel
from orders.services.refunds import refund_create, refund_mark_failed

pytestmark = pytest.mark.django_db

Reason = PointsEntry.Reason


def _coupons(member: Member, template: CouponTemplate) -> int:
    return Coupon.objects.filter(member=member, template=template).count()


# --- binding ---------------------------------------------------------------------------------------


def test_a_new_shopper_with_a_code_is_bound_once_and_the_binding_is_recorded(invite_program: Callable) -> None:
    inviter = MemberFactory.create()
    invitee = signup(inviter.invite_code.lower(), nickname="小王")

    assert invitee.inviter_id == inviter.pk
    invite = Invite.objects.get(invitee=invitee)
    assert (invite.inviter_id, invite.counts, invite.reward_id) == (inviter.pk, True, None)
    event = Event.objects.get(name="invite_bound")
    assert (event.member_id, event.props["invitee_id"], event.props["counts"]) == (inviter.pk, invitee.pk, True)


def test_existing_shoppers_are_never_bound_or_rebound(invite_program: Callable) -> None:
    inviter, other = MemberFactory.create(), MemberFactory.create()
    invitee = signup(inviter.invite_code)
    # A later login with another code (or the shopper's own) changes nothing.
    member_login_dev(context=SHOPPER_CONTEXT, openid=invitee.openid, invite_code=other.invite_code)
    member_login_dev(context=SHOPPER_CONTEXT, openid=invitee.openid, invite_code=invitee.invite_code)
    existing = MemberFactory.create()
    member_login_dev(context=SHOPPER_CONTEXT, openid=existing.openid, invite_code=inviter.invite_code)

    assert Member.objects.get(pk=invitee.pk).inviter_id == inviter.pk
    assert Member.objects.get(pk=existing.pk).inviter_id is None
    assert list(Invite.objects.values_list("inviter_id", "invitee_id")) == [(inviter.pk, invitee.pk)]


def test_blocked_or_unknown_inviters_bind_nobody(invite_program: Callable) -> None:
    blocked = MemberFactory.create(is_blocked=True)
    first, second = signup(blocked.invite_code), signup("NOSUCH00")
    assert first.inviter_id is None and second.inviter_id is None
    assert not Invite.objects.exists()


def test_invitees_outside_the_programme_are_bound_but_do_not_count(invite_program: Callable) -> None:
    inviter = MemberFactory.create()
    invite_program(is_active=False)
    off = signup(inviter.invite_code)
    now = timezone.now()
    invite_program(starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=8))
    early = signup(inviter.invite_code)
    with time_machine.travel(now + timedelta(days=2), tick=False):
        signup(inviter.invite_code)
    assert list(Invite.objects.order_by("pk").values_list("invitee_id", "counts"))[:2] == [
        (off.pk, False),
        (early.pk, False),
    ]
    assert Invite.objects.filter(counts=True).count() == 1
    assert not InviteReward.objects.exists()


# --- the reward ---------------------------------------------------------------------------------------


def test_the_third_invitee_rewards_the_inviter_and_all_three_once(
    invite_program: Callable, reward_template: CouponTemplate, django_capture_on_commit_callbacks: Any
) -> None:
    inviter = MemberFactory.create()
    first, second = signup(inviter.invite_code), signup(inviter.invite_code)
    assert not InviteReward.objects.exists()
    assert _coupons(inviter, reward_template) == 0

    with django_capture_on_commit_callbacks() as callbacks:
        third = signup(inviter.invite_code)
    assert len(callbacks) == 1  # the coupons are issued by a task after the sign-up commits
    assert Coupon.objects.filter(template=reward_template).count() == 0
    assert issue_invite_rewards() == 4
    assert issue_invite_rewards() == 0  # nothing twice

    reward = InviteReward.objects.get()
    assert (reward.inviter_id, reward.seq, reward.threshold, reward.coupons_missing) == (inviter.pk, 1, 3, 0)
    assert reward.issued_at is not None
    assert reward.coupon is not None and reward.coupon.member_id == inviter.pk
    for invitee in (first, second, third):
        invite = Invite.objects.get(invitee=invitee)
        assert invite.reward_id == reward.pk
        assert invite.coupon is not None and invite.coupon.template_id == reward_template.pk
        assert _coupons(invitee, reward_template) == 1
    assert _coupons(inviter, reward_template) == 1
    coupon = Coupon.objects.get(member=third, template=reward_template)
    assert coupon.valid_until - coupon.valid_from == timedelta(days=30)
    event = Event.objects.get(name="invite_rewarded")
    assert event.props["invitee_ids"] == [first.pk, second.pk, third.pk]
    told = Message.objects.filter(kind="invite_rewarded")
    assert sorted(told.values_list("member_id", flat=True)) == sorted([inviter.pk, first.pk, second.pk, third.pk])
    assert told.get(member=inviter).title == "邀请奖励已到账"

    # Once: three more invitees earn nothing more (reward_limit 1).
    later = [signup(inviter.invite_code) for _ in range(3)]
    issue_invite_rewards()
    assert InviteReward.objects.count() == 1
    assert _coupons(inviter, reward_template) == 1
    assert all(_coupons(m, reward_template) == 0 for m in later)
    assert Invite.objects.filter(reward__isnull=True).count() == 3


def test_with_a_higher_limit_each_further_block_earns_again(
    invite_program: Callable, reward_template: CouponTemplate
) -> None:
    invite_program(reward_limit=2)
    inviter = MemberFactory.create()
    invitees = [signup(inviter.invite_code) for _ in range(7)]
    assert issue_invite_rewards() == 8

    assert list(InviteReward.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2]
    assert _coupons(inviter, reward_template) == 2
    assert [_coupons(m, reward_template) for m in invitees] == [1] * 6 + [0]
    blocks = [
        list(r.invites.order_by("pk").values_list("invitee_id", flat=True))
        for r in InviteReward.objects.order_by("seq")
    ]
    assert blocks == [[m.pk for m in invitees[:3]], [m.pk for m in invitees[3:6]]]


def test_an_invitee_who_invites_gets_both_coupons(invite_program: Callable, reward_template: CouponTemplate) -> None:
    grandparent = MemberFactory.create()
    inviter = signup(grandparent.invite_code)
    for _ in range(2):
        signup(grandparent.invite_code)
    for _ in range(3):
        signup(inviter.invite_code)
    issue_invite_rewards()
    assert _coupons(inviter, reward_template) == 2  # once as an invitee, once as an inviter


def test_a_sold_out_reward_is_recorded_not_lost_silently(
    invite_program: Callable, reward_template: CouponTemplate, staff: User
) -> None:
    small = coupon_template_create(actor=staff, data=reward_template_data(name="限量20元", total_quantity=2))
    invite_program(reward_template_id=small.pk)
    inviter = MemberFactory.create()
    for _ in range(3):
        signup(inviter.invite_code)
    assert issue_invite_rewards() == 2
    reward = InviteReward.objects.get()
    assert reward.coupons_missing == 2
    assert Coupon.objects.filter(template=small).count() == 2


def test_a_blocked_inviter_is_not_rewarded(invite_program: Callable) -> None:
    inviter = MemberFactory.create()
    for _ in range(2):
        signup(inviter.invite_code)
    Member.objects.filter(pk=inviter.pk).update(is_blocked=True)
    Invite.objects.create(inviter=inviter, invitee=MemberFactory.create(inviter=inviter), counts=True)
    assert invite_rewards_grant(inviter_id=inviter.pk) == []
    assert not InviteReward.objects.exists()


def test_granting_again_changes_nothing(invite_program: Callable) -> None:
    inviter = MemberFactory.create()
    for _ in range(3):
        signup(inviter.invite_code)
    assert invite_rewards_grant(inviter_id=inviter.pk) == []
    assert InviteReward.objects.count() == 1


# --- the programme -----------------------------------------------------------------------------------


def test_programme_changes_are_validated_in_chinese_and_audited(
    invite_program: Callable, staff: User, make_template: Callable[..., CouponTemplate]
) -> None:
    claimable = make_template(name="领券中心券")
    with pytest.raises(RulesInvalid) as exc:
        invite_program_update(actor=staff, data=InviteProgramData(reward_template_id=claimable.pk))
    assert "活动发放" in str(exc.value.message)
    tight = coupon_template_create(actor=staff, data=reward_template_data(name="每人1张", per_user_limit=1))
    with pytest.raises(RulesInvalid) as exc:
        invite_program_update(actor=staff, data=InviteProgramData(reward_template_id=tight.pk))
    assert exc.value.details["field"] == "reward_template"
    with pytest.raises(RulesInvalid) as exc:
        invite_program_update(actor=staff, data=InviteProgramData(threshold=0, reward_template_id=None))
    assert set(exc.value.details["errors"]) == {"threshold", "reward_template"}

    program = invite_program(threshold=5, points_rate=Decimal("0.05"))
    assert (program.threshold, program.points_rate) == (5, Decimal("0.05"))
    audit = AuditLog.objects.filter(action="invite_program.update").latest("pk")
    assert (audit.actor, audit.data["before"]["threshold"], audit.data["after"]["threshold"]) == (staff, 3, 5)


def test_without_a_programme_row_nothing_is_rewarded() -> None:
    InviteProgram.objects.all().delete()
    inviter = MemberFactory.create()
    for _ in range(3):
        signup(inviter.invite_code)
    assert Invite.objects.filter(counts=False).count() == 3
    assert not InviteReward.objects.exists()


# --- the inviter's points from invitees' orders ---------------------------------------------------------


@pytest.fixture
def inviter(invite_program: Callable) -> Member:
    return MemberFactory.create(nickname="邀请人")


@pytest.fixture
def invitee(inviter: Member) -> Member:
    return signup(inviter.invite_code, nickname="好友")


def _expected_held(share: InviteOrder, lines: list, refunded: dict[int, int]) -> int:
    per_line = allocate(share.points_total, [line.paid_amount for line in lines])
    return sum(
        sum(allocate(points, [1] * line.qty)[refunded.get(line.pk, 0) :])
        for line, points in zip(lines, per_line, strict=True)
    )


def test_the_inviter_earns_ten_percent_as_points_when_the_order_completes(
    inviter: Member, invitee: Member, lipstick: Sku, cookie: Sku, staff: User, shop: object
) -> None:
    order = place(invitee, [(lipstick, 1), (cookie, 1)])  # 130.00 paid for the goods, free shipping
    share = InviteOrder.objects.get(order=order)
    # 10% of 130.00 = 13.00 yuan of points at 100 points per yuan.
    assert (share.inviter_id, share.paid_amount, share.points_total) == (inviter.pk, 13000, 1300)
    pay(order)
    assert balance(inviter) == 0  # paid is not enough
    complete(order, staff)
    entry = PointsEntry.objects.get(member=inviter, reason=Reason.INVITE_EARN)
    assert (entry.delta, entry.ref) == (1300, f"invite:{order.no}")
    assert invite_order_points_settle(order_id=order.pk) == 0  # idempotent
    assert balance(inviter) == 1300
    assert balance(invitee) == 130  # the buyer's own points are untouched: 1 per yuan


def test_shipping_is_not_shared_and_rounding_is_half_up(
    inviter: Member, invitee: Member, make_sku: Callable[..., Sku], cookie: Sku, staff: User, shop: object
) -> None:
    odd = make_sku("ODD", 2995, cookie.product.category)
    order = complete(place(invitee, [(odd, 1)]), staff)
    assert order.shipping_fee == 800
    assert InviteOrder.objects.get(order=order).points_total == 300  # 299.5 fen → 300
    assert balance(inviter) == 300


def test_a_partial_refund_reverses_exactly_and_a_failed_refund_restores(
    inviter: Member,
    invitee: Member,
    make_promotion: Callable,
    lipstick: Sku,
    cookie: Sku,
    staff: User,
    shop: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_promotion()  # 满100减15 spread unevenly
    order = complete(place(invitee, [(lipstick, 3), (cookie, 1)]), staff)
    share = InviteOrder.objects.get(order=order)
    assert share.points_total == (33000 - 1500) // 10
    assert balance(inviter) == share.points_total
    lines = list(order.lines.order_by("pk"))
    lip = next(line for line in lines if line.sku_id == lipstick.pk)

    monkeypatch.setattr(SandboxProvider, "refunds_immediately", False)
    refund = refund_create(order_id=order.pk, lines=[(lip.pk, 1)], reason="破损", actor=staff)
    assert refund.status == Refund.Status.PROCESSING
    expected = _expected_held(share, lines, {lip.pk: 1})
    assert balance(inviter) == expected < share.points_total
    reversal = PointsEntry.objects.get(member=inviter, reason=Reason.INVITE_REVERSE)
    assert reversal.ref == f"invite:{order.no}:{refund.out_refund_no}"

    assert refund_mark_failed(refund_id=refund.pk, provider_status="ABNORMAL")
    assert balance(inviter) == share.points_total

    monkeypatch.setattr(SandboxProvider, "refunds_immediately", True)
    refund_create(order_id=order.pk, lines=None, reason="全退", actor=staff)
    assert balance(inviter) == 0


def test_a_refund_before_completion_is_left_out(
    inviter: Member, invitee: Member, lipstick: Sku, cookie: Sku, staff: User, shop: object
) -> None:
    order = pay(place(invitee, [(lipstick, 1), (cookie, 1)]))
    cookie_line = order.lines.get(sku=cookie)
    refund_create(order_id=order.pk, lines=[(cookie_line.pk, 1)], reason="少发", actor=staff)
    assert balance(inviter) == 0
    complete(order, staff)
    lines = list(order.lines.order_by("pk"))
    share = InviteOrder.objects.get(order=order)
    assert balance(inviter) == _expected_held(share, lines, {cookie_line.pk: 1})


def test_cancelled_orders_and_shoppers_without_inviter_earn_nothing(
    inviter: Member, invitee: Member, member: Member, lipstick: Sku, shop: object
) -> None:
    order = place(invitee, [(lipstick, 1)])
    order_cancel(order_id=order.pk, reason="shopper")
    assert invite_order_points_settle(order_id=order.pk) == 0
    place(member, [(lipstick, 1)])
    assert InviteOrder.objects.count() == 1
    assert balance(inviter) == 0


def test_orders_placed_while_the_share_is_off_earn_nothing(
    invite_program: Callable, inviter: Member, invitee: Member, lipstick: Sku, staff: User, shop: object
) -> None:
    invite_program(points_rate=Decimal("0"))
    complete(place(invitee, [(lipstick, 1)]), staff)
    assert not InviteOrder.objects.exists()
    assert balance(inviter) == 0


def test_the_reward_template_must_be_a_system_coupon(staff: User) -> None:
    template = coupon_template_create(actor=staff, data=reward_template_data(channel=CouponChannel.CLAIM))
    with pytest.raises(RulesInvalid):
        invite_program_update(actor=staff, data=InviteProgramData(reward_template_id=template.pk))


def test_the_sweeper_waits_for_the_task_then_issues_what_it_missed(
    invite_program: Callable, reward_template: CouponTemplate
) -> None:
    inviter = MemberFactory.create()
    for _ in range(3):
        signup(inviter.invite_code)
    assert invite_rewards_issue_due() == 0  # inside the grace period the after-commit task has it
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        assert invite_rewards_issue_due() == 4
        assert invite_rewards_issue_due() == 0
    assert Coupon.objects.filter(template=reward_template).count() == 4
