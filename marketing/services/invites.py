"""Invite rewards (F04): the programme, the binding recorded at sign-up, the reward per block of
N invitees, and the inviter's points from the invitees' orders.

Binding happens once, when the invitee's member row is created (``members.services.auth``): the
inviter named by the invite code is locked before that insert and kept locked by the sign-up
transaction, so concurrent sign-ups under one inviter queue there and each one that completes a
block of ``threshold`` counted invitees sees every earlier one. The block is rewarded under that
lock, once: the unique (inviter, seq) key stands behind it. Its coupons are issued after commit
by a task (and a sweeper if the task never ran), one recipient per transaction.

Rewards repeat per block up to ``reward_limit`` times (default 1: "once", the brief's reading);
a merchant who wants "每邀请 3 人奖励一次" raises the limit. The block is the first ``threshold``
counted invitees not yet in a block, by binding order.

Points from invitees' orders (default 10% of what was paid for the goods, worth that much at the
shop's ``points_per_yuan``) are fixed at placement (``InviteOrder``) and settled from the order's
state like the buyer's own points: nothing before completion, the units not refunded after it,
the ledger moved by the difference, so running it twice changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.services.events import event_record
from mall.money import allocate, apply_rate
from mall.services.audit import audit_record
from marketing.errors import CouponLimitReached, CouponSoldOut, RulesInvalid
from marketing.models import (
    Coupon,
    CouponChannel,
    CouponTemplate,
    Invite,
    InviteOrder,
    InviteProgram,
    InviteReward,
    PricingPolicy,
)
from marketing.selectors.checkout_pricing import CheckoutQuote
from marketing.services.coupons import Actor, coupon_issue, require_staff
from members.models import Member, PointsEntry
from members.people_errors import AudienceNotAllowed
from members.services.messages import message_send
from members.services.points import points_grant
from orders.models import Order, OrderLine

logger = logging.getLogger(__name__)

Reason = PointsEntry.Reason
REF_PREFIX = "invite:"
COUPONS_LINK = "/package-member/coupons/index"
# The after-commit task normally issues a reward's coupons at once; the sweeper waits this long.
ISSUE_GRACE = timedelta(minutes=2)


# --- the programme (merchant side) ---------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class InviteProgramData:
    is_active: bool = True
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    threshold: int = 3
    reward_template_id: int | None = None
    reward_limit: int = 1
    points_rate: Decimal = Decimal("0.1")


def _raise(errors: dict[str, str]) -> None:
    if errors:
        first_key, first = next(iter(errors.items()))
        raise RulesInvalid(first, details={"field": first_key, "errors": errors})


def invite_program_validate(*, data: InviteProgramData) -> None:
    """Refuse a programme the shop could not honour (Chinese, per field)."""
    errors: dict[str, str] = {}
    if not 1 <= data.threshold <= 100:
        errors["threshold"] = _("邀请人数须在 1 到 100 之间。")
    if not 1 <= data.reward_limit <= 1000:
        errors["reward_limit"] = _("每人最多奖励次数须在 1 到 1000 之间。")
    if not Decimal(0) <= data.points_rate <= Decimal(1):
        errors["points_rate"] = _("返积分比例须在 0 到 1 之间，如 0.1 表示 10%。")
    if data.starts_at is not None and data.ends_at is not None and data.ends_at <= data.starts_at:
        errors["ends_at"] = _("结束时间必须晚于开始时间。")
    template = CouponTemplate.objects.filter(pk=data.reward_template_id).first() if data.reward_template_id else None
    if data.reward_template_id and template is None:
        errors["reward_template"] = _("所选优惠券不存在。")
    elif template is None and data.is_active:
        errors["reward_template"] = _("启用邀请有礼须选择奖励优惠券。")
    elif template is not None:
        if template.channel != CouponChannel.SYSTEM:
            errors["reward_template"] = _("奖励优惠券的发放方式须为“活动发放”，以免被顾客直接领取。")
        elif template.per_user_limit < data.reward_limit + 1:
            # A shopper may be rewarded as an invitee once and as an inviter up to the limit.
            errors["reward_template"] = _(
                "奖励优惠券的每人限领须至少为 %(need)d 张（每人最多奖励次数 + 被邀请时的 1 张）。"
            ) % {"need": data.reward_limit + 1}
    _raise(errors)


def _snapshot(program: InviteProgram) -> dict[str, Any]:
    return {
        "is_active": program.is_active,
        "starts_at": program.starts_at.isoformat() if program.starts_at else None,
        "ends_at": program.ends_at.isoformat() if program.ends_at else None,
        "threshold": program.threshold,
        "reward_template_id": program.reward_template_id,
        "reward_limit": program.reward_limit,
        "points_rate": str(program.points_rate),
    }


@transaction.atomic
def invite_program_update(*, actor: Actor, data: InviteProgramData) -> InviteProgram:
    """Change F04's rules (audited); sign-ups and orders from now on follow them."""
    require_staff(actor)
    invite_program_validate(data=data)
    InviteProgram.load()
    program = InviteProgram.objects.select_for_update().get(pk=1)
    before = _snapshot(program)
    for key, value in asdict(data).items():
        setattr(program, key, value)
    program.updated_by = actor if isinstance(actor, User) else None
    program.save()
    audit_record(
        actor=actor,
        action="invite_program.update",
        target=program,
        data={"before": before, "after": _snapshot(program)},
    )
    return program


# --- binding and rewards ---------------------------------------------------------------------


def invite_bind(*, invitee: Member, now: datetime | None = None) -> Invite | None:
    """Record the binding of a member just created with an inviter, and reward a completed block.

    Runs inside the sign-up transaction with the inviter row already locked (see the module
    docstring). The invitee counts toward the reward when the programme is live now.
    """
    if invitee.inviter_id is None or invitee.inviter_id == invitee.pk:
        return None
    now = now or timezone.now()
    program = InviteProgram.current()
    counts = program.is_live(now)
    invite = Invite.objects.create(inviter_id=invitee.inviter_id, invitee=invitee, counts=counts)
    event_record(
        name="invite_bound",
        member_id=invitee.inviter_id,
        props={"invitee_id": invitee.pk, "invite_id": invite.pk, "counts": counts},
    )
    if counts:
        invite_rewards_grant(inviter_id=invitee.inviter_id, program=program, now=now)
    return invite


def _issue(member: Member, template: CouponTemplate | None, now: datetime) -> Coupon | None:
    """One reward coupon, or None (logged, counted on the reward) when the template cannot give one."""
    if template is None or not template.is_active:
        return None
    try:
        with transaction.atomic():
            return coupon_issue(member=member, template=template, now=now)
    except (CouponSoldOut, CouponLimitReached, AudienceNotAllowed) as exc:
        logger.warning("invite reward coupon not issued to member %s: %s", member.pk, exc.code)
        return None


@transaction.atomic
def invite_rewards_grant(
    *, inviter_id: int, program: InviteProgram | None = None, now: datetime | None = None
) -> list[InviteReward]:
    """Reward every complete block of counted invitees not rewarded yet, up to the limit.

    Locks the inviter row (already held by a sign-up), so concurrent callers decide one after
    the other, each seeing the blocks the previous ones wrote. Only the decision is made here;
    the coupons are issued after commit (:func:`invite_reward_issue`), one recipient per
    transaction, so a sign-up holding the inviter never waits on another shopper's row (whose
    own order may be waiting on the inviter: a deadlock).
    """
    now = now or timezone.now()
    program = program or InviteProgram.current()
    inviter = Member.objects.select_for_update().filter(pk=inviter_id).first()
    if inviter is None or inviter.is_blocked or not program.is_live(now):
        return []
    template = program.reward_template
    granted: list[InviteReward] = []
    done = InviteReward.objects.filter(inviter_id=inviter_id).count()
    while done < program.reward_limit:
        block = list(
            Invite.objects.filter(inviter_id=inviter_id, counts=True, reward__isnull=True)
            .order_by("pk")
            .values_list("pk", "invitee_id")[: program.threshold]
        )
        if len(block) < program.threshold:
            break
        done += 1
        reward = InviteReward.objects.create(inviter=inviter, seq=done, threshold=program.threshold, template=template)
        Invite.objects.filter(pk__in=[pk for pk, _invitee in block]).update(reward=reward)
        event_record(
            name="invite_rewarded",
            member_id=inviter_id,
            props={
                "reward_id": reward.pk,
                "seq": done,
                "invitee_ids": [invitee_id for _pk, invitee_id in block],
                "template_id": template.pk if template is not None else None,
            },
        )
        reward_id = reward.pk
        transaction.on_commit(partial(_enqueue_issue, reward_id), robust=True)
        granted.append(reward)
    return granted


def _enqueue_issue(reward_id: int) -> None:
    from marketing.tasks import invite_reward_issue_task  # tasks import this module

    invite_reward_issue_task.delay(reward_id=reward_id)


def invite_reward_issue(*, reward_id: int, now: datetime | None = None) -> int:
    """Issue a reward's coupons: the inviter's and each invitee's, each in its own transaction
    under that row's lock, so running it twice (a retried task, the sweeper) issues nothing more.
    Returns how many coupons this call issued; those it cannot issue are counted on the reward."""
    now = now or timezone.now()
    reward = InviteReward.objects.select_related("template").filter(pk=reward_id).first()
    if reward is None:
        return 0
    template, issued = reward.template, 0
    name = template.name if template is not None else ""
    with transaction.atomic():
        locked = InviteReward.objects.select_for_update().select_related("inviter").get(pk=reward_id)
        coupon = _issue(locked.inviter, template, now) if locked.coupon_id is None else None
        if coupon is not None:
            locked.coupon = coupon
            locked.save(update_fields=["coupon"])
            issued += 1
            message_send(
                member_id=locked.inviter_id,
                kind="invite_rewarded",
                title=str(_("邀请奖励已到账")),
                body=str(
                    _("您已邀请 %(n)d 位好友，奖励“%(name)s”已放入您的券包。") % {"n": locked.threshold, "name": name}
                ),
                link=COUPONS_LINK,
            )
    for invite_id in Invite.objects.filter(reward_id=reward_id).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            invite = Invite.objects.select_for_update().select_related("invitee").get(pk=invite_id)
            coupon = _issue(invite.invitee, template, now) if invite.coupon_id is None else None
            if coupon is None:
                continue
            invite.coupon = coupon
            invite.save(update_fields=["coupon"])
            issued += 1
            message_send(
                member_id=invite.invitee_id,
                kind="invite_rewarded",
                title=str(_("好友邀请奖励已到账")),
                body=str(_("“%(name)s”已放入您的券包。") % {"name": name}),
                link=COUPONS_LINK,
            )
    missing = Invite.objects.filter(reward_id=reward_id, coupon__isnull=True).count()
    missing += InviteReward.objects.filter(pk=reward_id, coupon__isnull=True).count()
    InviteReward.objects.filter(pk=reward_id).update(coupons_missing=missing, issued_at=now)
    return issued


def invite_rewards_issue_due(*, now: datetime | None = None, grace: timedelta = ISSUE_GRACE) -> int:
    """Sweeper: issue the coupons of rewards whose after-commit task never ran (broker down)."""
    now = now or timezone.now()
    due = InviteReward.objects.filter(issued_at__isnull=True, created_at__lte=now - grace).order_by("pk")
    return sum(invite_reward_issue(reward_id=reward_id, now=now) for reward_id in due.values_list("pk", flat=True))


# --- points from invitees' orders ---------------------------------------------------------------


def invite_order_take(*, order: Order, quote: CheckoutQuote, now: datetime | None = None) -> InviteOrder | None:
    """At placement: fix what an invitee's order is worth to the inviter (nothing is granted yet).

    The share is of what was paid for the goods (not shipping), worth that many fen of points at
    the shop's redemption rate, rounded half up to the fen then down to whole points.
    """
    inviter_id = order.member.inviter_id
    if inviter_id is None or inviter_id == order.member_id:
        return None
    program = InviteProgram.current()
    if program.points_rate <= 0 or not program.is_live(now or timezone.now()):
        return None
    if not Member.objects.filter(pk=inviter_id, is_blocked=False).exists():
        return None
    paid = sum(line.paid_amount for line in quote.lines)
    points_per_yuan = PricingPolicy.current().points_per_yuan
    points = apply_rate(paid, program.points_rate) * points_per_yuan // 100
    if points <= 0:
        return None
    return InviteOrder.objects.create(
        order=order,
        inviter_id=inviter_id,
        rate=program.points_rate,
        points_per_yuan=points_per_yuan,
        paid_amount=paid,
        points_total=points,
    )


def held_after_refunds(total: int, lines: Sequence[OrderLine]) -> int:
    """``total`` spread over the lines by what was paid and over each line's units (largest
    remainder, like refunds spread money): what the units not refunded hold."""
    if total <= 0 or not lines:
        return 0
    per_line = allocate(total, [line.paid_amount for line in lines])
    held = 0
    for line, share in zip(lines, per_line, strict=True):
        per_unit = allocate(share, [1] * line.qty) if line.qty else []
        held += sum(per_unit[line.refunded_qty :])  # refunds return units from the first on
    return held


def _inviter_points_held(share: InviteOrder, order_no: str) -> int:
    ref = f"{REF_PREFIX}{order_no}"
    entries = PointsEntry.objects.filter(
        member_id=share.inviter_id, reason__in=[Reason.INVITE_EARN, Reason.INVITE_REVERSE]
    ).filter(Q(ref=ref) | Q(ref__startswith=f"{ref}:"))
    return int(entries.aggregate(total=Sum("delta"))["total"] or 0)


@transaction.atomic
def invite_order_points_settle(*, order_id: int, event: str = "") -> int:
    """Move the inviter's points for this order to what it should hold now; returns the change.

    Ledger refs are ``invite:<order no>`` for the completion grant and ``invite:<order no>:<event>``
    (a refund number) for each later change, so every change is one entry.
    """
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        return 0
    share = InviteOrder.objects.filter(order_id=order_id).first()
    if share is None:
        return 0
    target = 0
    if order.completed_at is not None:
        lines = list(OrderLine.objects.filter(order_id=order_id).order_by("pk"))
        target = held_after_refunds(share.points_total, lines)
    delta = target - _inviter_points_held(share, order.no)
    if delta == 0:
        return 0
    ref = f"{REF_PREFIX}{order.no}" if not event else f"{REF_PREFIX}{order.no}:{event}"[:64]
    if delta > 0:
        points_grant(
            member_id=share.inviter_id, delta=delta, reason=Reason.INVITE_EARN, ref=ref, note=f"好友订单 {order.no}"
        )
    else:
        points_grant(
            member_id=share.inviter_id,
            delta=delta,
            reason=Reason.INVITE_REVERSE,
            ref=ref,
            note=f"好友订单 {order.no} 退款",
        )
    event_record(
        name="invite_points_settled",
        member_id=share.inviter_id,
        props={"no": order.no, "invitee_id": order.member_id, "delta": delta, "held": target},
    )
    return delta
