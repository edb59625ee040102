"""组队瓜分 team split (F22): open a team, join one by its share link, count the members' paid
orders, settle the reward exactly once.

Scarce things and who guards them:

* a seat: ``members_count`` is taken with a conditional UPDATE (``members_count < size``), so the
  (size+1)-th joiner gets ``team_full`` however many join at once;
* one team per shopper per activity: the unique key on ``TeamMember(activity, member)``;
* an order counts once: the unique key on ``TeamOrder(team, order)``; the team row is locked
  (after the order's, which the order core already holds) while its spending moves;
* the reward: the settlement locks the team and moves it ``reached → settled`` once; a second run
  finds it settled and does nothing.

The refund rule (stated on the activity page): when the team's net spending reaches the goal
the team is *reached* and the split waits the merchant's after-sales days (``settle_days``); a
refund in that time is deducted and can take the team back below the goal (then it collects
again until its deadline, or ends short). After the split, refunds no longer change the shares.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.services.events import event_record
from mall.money import allocate, format_yuan
from mall.services.audit import audit_record
from marketing.errors import (
    TeamActivityInvalid,
    TeamActivityNotFound,
    TeamActivityNotOpen,
    TeamAlreadyJoined,
    TeamClosed,
    TeamFull,
    TeamNotFound,
)
from marketing.models import (
    Coupon,
    SplitMode,
    Team,
    TeamActivity,
    TeamMember,
    TeamOrder,
    TeamStatus,
)
from marketing.models.teams import TEAM_SIZE_MAX, TEAM_SIZE_MIN
from marketing.services.coupons import coupon_issue_one_off
from members.models import Member
from members.services.abuse import RequestContext, abuse_check
from members.services.messages import message_send

Actor = AbstractBaseUser | AnonymousUser | None
TEAM_LINK = "/package-social/team/index?token={token}"
COLLECTING = (TeamStatus.OPEN, TeamStatus.REACHED)


# --- the merchant's activity ---------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TeamActivityData:
    name: str
    team_size: int = 3
    goal: int = 200_000
    reward_total: int = 10_000
    split_mode: str = SplitMode.EQUAL
    team_hours: int = 72
    settle_days: int = 7
    coupon_valid_days: int = 30
    starts_at: dt.datetime
    ends_at: dt.datetime
    is_active: bool = True


# Changing these under running teams would change their promise; a new activity is needed.
LOCKED_WHEN_TEAMS = ("team_size", "goal", "reward_total", "split_mode", "team_hours", "settle_days")


def team_activity_validate(*, data: TeamActivityData) -> None:
    """The rules the form and the service share (refusals name the field)."""
    if not data.name.strip():
        raise TeamActivityInvalid(details={"field": "name"})
    if not TEAM_SIZE_MIN <= data.team_size <= TEAM_SIZE_MAX:
        raise TeamActivityInvalid(details={"field": "team_size", "min": TEAM_SIZE_MIN, "max": TEAM_SIZE_MAX})
    if data.goal <= 0:
        raise TeamActivityInvalid(details={"field": "goal"})
    if not 0 < data.reward_total <= data.goal:
        raise TeamActivityInvalid(details={"field": "reward_total"})
    if data.split_mode not in SplitMode.values:
        raise TeamActivityInvalid(details={"field": "split_mode"})
    if data.team_hours < 1 or data.coupon_valid_days < 1:
        raise TeamActivityInvalid(details={"field": "team_hours" if data.team_hours < 1 else "coupon_valid_days"})
    if data.ends_at <= data.starts_at:
        raise TeamActivityInvalid(details={"field": "ends_at"})


def _snapshot(data: TeamActivityData) -> dict[str, Any]:
    values = {f.name: getattr(data, f.name) for f in fields(data)}
    return {key: value.isoformat() if isinstance(value, dt.datetime) else value for key, value in values.items()}


@transaction.atomic
def team_activity_create(*, actor: Actor, data: TeamActivityData) -> TeamActivity:
    team_activity_validate(data=data)
    activity = TeamActivity.objects.create(**{f.name: getattr(data, f.name) for f in fields(data)})
    audit_record(actor=actor, action="team_activity.create", target=activity, data=_snapshot(data))
    return activity


@transaction.atomic
def team_activity_update(*, actor: Actor, activity_id: int, data: TeamActivityData) -> TeamActivity:
    """Edit an activity; once teams exist the rules they were promised stay as they are."""
    team_activity_validate(data=data)
    activity = TeamActivity.objects.select_for_update().filter(pk=activity_id).first()
    if activity is None:
        raise TeamActivityNotFound()
    if Team.objects.filter(activity_id=activity.pk).exists():
        for field in LOCKED_WHEN_TEAMS:
            if getattr(activity, field) != getattr(data, field):
                raise TeamActivityInvalid(
                    message=_("已有团队参加，组队人数、目标、奖励和瓜分方式不能再改。"), details={"field": field}
                )
    before = {f.name: getattr(activity, f.name) for f in fields(data)}
    for f in fields(data):
        setattr(activity, f.name, getattr(data, f.name))
    activity.save()
    audit_record(
        actor=actor,
        action="team_activity.update",
        target=activity,
        data={
            "before": {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in before.items()},
            "after": _snapshot(data),
        },
    )
    return activity


# --- shoppers: open and join ---------------------------------------------------------------


def _activity_open(activity_id: int, now: dt.datetime) -> TeamActivity:
    activity = TeamActivity.objects.filter(pk=activity_id).first()
    if activity is None:
        raise TeamActivityNotFound()
    if not activity.is_active or not activity.starts_at <= now < activity.ends_at:
        raise TeamActivityNotOpen(details={"activity_id": activity.pk})
    return activity


def _seat_once(*, team: Team, member: Member, is_leader: bool, now: dt.datetime) -> TeamMember:
    try:
        with transaction.atomic():
            return TeamMember.objects.create(
                team=team, activity_id=team.activity_id, member=member, is_leader=is_leader, joined_at=now
            )
    except IntegrityError as exc:
        raise TeamAlreadyJoined(details={"activity_id": team.activity_id}) from exc


def team_open(*, member: Member, activity_id: int, context: RequestContext, now: dt.datetime | None = None) -> Team:
    """Open a team for the activity; the shopper becomes its leader (one team per activity)."""
    abuse_check(action="team", member=member, context=context)
    now = now or timezone.now()
    activity = _activity_open(activity_id, now)
    with transaction.atomic():
        team = Team.objects.create(
            activity=activity,
            leader=member,
            size=activity.team_size,
            members_count=1,
            goal=activity.goal,
            opened_at=now,
            expires_at=min(now + dt.timedelta(hours=activity.team_hours), activity.ends_at),
        )
        _seat_once(team=team, member=member, is_leader=True, now=now)
        event_record(name="team_open", member_id=member.pk, props={"team_id": team.pk, "activity_id": activity.pk})
    return team


def team_get_by_token(*, token: str) -> Team:
    team = Team.objects.select_related("activity").filter(share_token=token).first()
    if team is None:
        raise TeamNotFound()
    return team


def team_join(*, member: Member, token: str, context: RequestContext, now: dt.datetime | None = None) -> Team:
    """Join a friend's team by its share token; a full team refuses (the seat is a guarded UPDATE)."""
    abuse_check(action="team", member=member, context=context)
    now = now or timezone.now()
    team = team_get_by_token(token=token)
    if TeamMember.objects.filter(team_id=team.pk, member_id=member.pk).exists():
        raise TeamAlreadyJoined(details={"team_id": team.pk})
    if team.status not in COLLECTING or team.expires_at <= now:
        raise TeamClosed(details={"team_id": team.pk})
    _activity_open(team.activity_id, now)
    with transaction.atomic():
        taken = Team.objects.filter(
            pk=team.pk, members_count__lt=F("size"), status__in=COLLECTING, expires_at__gt=now
        ).update(members_count=F("members_count") + 1)
        if not taken:
            raise TeamFull(details={"team_id": team.pk, "size": team.size})
        _seat_once(team=team, member=member, is_leader=False, now=now)
        event_record(name="team_join", member_id=member.pk, props={"team_id": team.pk, "activity_id": team.activity_id})
    team.refresh_from_db()
    return team


# --- orders: paid and refunded (order lifecycle hooks) -------------------------------------


def _reach_if_due(team: Team, now: dt.datetime) -> None:
    if team.status == TeamStatus.OPEN and team.spent >= team.goal:
        team.status = TeamStatus.REACHED
        team.reached_at = now
        team.settle_at = now + dt.timedelta(days=team.activity.settle_days)
        team.save(update_fields=["status", "reached_at", "settle_at"])
        event_record(name="team_reached", member_id=team.leader_id, props={"team_id": team.pk, "spent": team.spent})


def team_order_paid(*, order_id: int, member_id: int, amount: int, paid_at: dt.datetime) -> list[int]:
    """Count a paid order toward every collecting team of its shopper whose window holds the
    payment. Returns the team ids it counted for (idempotent: an order counts once per team)."""
    seats = TeamMember.objects.filter(
        member_id=member_id,
        joined_at__lte=paid_at,
        team__status__in=COLLECTING,
        team__expires_at__gt=paid_at,
    ).values_list("team_id", flat=True)
    counted = []
    for team_id in sorted(seats):
        team = Team.objects.select_for_update().select_related("activity").get(pk=team_id)
        if team.status not in COLLECTING or amount <= 0:
            continue
        try:
            with transaction.atomic():
                TeamOrder.objects.create(
                    team=team, member_id=member_id, order_id=order_id, amount=amount, paid_at=paid_at
                )
        except IntegrityError:
            continue
        team.spent += amount
        Team.objects.filter(pk=team.pk).update(spent=F("spent") + amount)
        _reach_if_due(team, paid_at)
        counted.append(team.pk)
    return counted


def team_order_refunded(*, order_id: int, refund_amount: int, now: dt.datetime | None = None) -> list[int]:
    """Deduct a refund from the teams the order counted for. A reached team that drops below the
    goal before its split collects again; settled and ended teams keep their outcome."""
    now = now or timezone.now()
    touched = []
    for row in TeamOrder.objects.filter(order_id=order_id).order_by("team_id"):
        team = Team.objects.select_for_update().get(pk=row.team_id)
        locked = TeamOrder.objects.select_for_update().get(pk=row.pk)
        delta = min(refund_amount, locked.amount - locked.refunded)
        if delta <= 0:
            continue
        TeamOrder.objects.filter(pk=locked.pk).update(refunded=F("refunded") + delta)
        Team.objects.filter(pk=team.pk).update(spent=F("spent") - delta)
        team.refresh_from_db(fields=["spent"])
        if team.status == TeamStatus.REACHED and team.spent < team.goal:
            team.status, team.reached_at, team.settle_at = TeamStatus.OPEN, None, None
            team.save(update_fields=["status", "reached_at", "settle_at"])
        touched.append(team.pk)
    return touched


# --- settlement (beat) --------------------------------------------------------------------


def team_contributions(team_id: int) -> dict[int, int]:
    """Each member's net paid spending in the team (fen), members without orders at 0."""
    result = dict.fromkeys(TeamMember.objects.filter(team_id=team_id).values_list("member_id", flat=True), 0)
    for member_id, amount, refunded in TeamOrder.objects.filter(team_id=team_id).values_list(
        "member_id", "amount", "refunded"
    ):
        result[member_id] = result.get(member_id, 0) + amount - refunded
    return result


def team_shares(*, total: int, mode: str, member_ids: list[int], contributions: dict[int, int]) -> list[int]:
    """The reward over ``member_ids`` (in seat order), to the fen by largest remainder."""
    if mode == SplitMode.CONTRIBUTION:
        return allocate(total, [max(0, contributions.get(member_id, 0)) for member_id in member_ids])
    return allocate(total, [1] * len(member_ids))


def _share_coupon(*, activity: TeamActivity, member: Member, share: int, now: dt.datetime) -> Coupon:
    """A one-off no-threshold coupon worth the member's share (a template of one, system-issued)."""
    return coupon_issue_one_off(
        member=member,
        name=_("%(name)s 瓜分券 ¥%(yuan)s") % {"name": activity.name[:30], "yuan": format_yuan(share)},
        off=share,
        valid_days=activity.coupon_valid_days,
        now=now,
    )


def team_settle(*, team_id: int, now: dt.datetime | None = None) -> bool:
    """Split the reward of a reached team whose after-sales wait is over; exactly once."""
    now = now or timezone.now()
    with transaction.atomic():
        team = Team.objects.select_for_update().select_related("activity").filter(pk=team_id).first()
        if team is None or team.status != TeamStatus.REACHED or team.settle_at is None or team.settle_at > now:
            return False
        if team.spent < team.goal:  # a refund the hook missed cannot happen, but never pay short
            return False
        seats = list(TeamMember.objects.select_related("member").filter(team_id=team.pk).order_by("id"))
        shares = team_shares(
            total=team.activity.reward_total,
            mode=team.activity.split_mode,
            member_ids=[seat.member_id for seat in seats],
            contributions=team_contributions(team.pk),
        )
        for seat, share in zip(seats, shares, strict=True):
            seat.share = share
            if share > 0:
                seat.coupon = _share_coupon(activity=team.activity, member=seat.member, share=share, now=now)
            seat.save(update_fields=["share", "coupon"])
            body = (
                _("您的团队消费达标，您分得 ¥%(yuan)s 优惠券，已放入您的券包。") % {"yuan": format_yuan(share)}
                if share > 0
                else _("您的团队消费达标并已按贡献瓜分；您在组队期间没有消费，本次未分得奖励。")
            )
            message_send(
                member_id=seat.member_id,
                kind="team_won",
                title=_("组队瓜分成功"),
                body=body,
                link=TEAM_LINK.format(token=team.share_token),
            )
            event_record(name="team_reward", member_id=seat.member_id, props={"team_id": team.pk, "share": share})
        team.status, team.settled_at = TeamStatus.SETTLED, now
        team.save(update_fields=["status", "settled_at"])
    return True


def team_fail(*, team_id: int, now: dt.datetime | None = None) -> bool:
    """End a team still short at its deadline and tell its members; exactly once."""
    now = now or timezone.now()
    with transaction.atomic():
        team = Team.objects.select_for_update().filter(pk=team_id).first()
        if team is None or team.status != TeamStatus.OPEN or team.expires_at > now:
            return False
        team.status, team.failed_at = TeamStatus.FAILED, now
        team.save(update_fields=["status", "failed_at"])
        for member_id in TeamMember.objects.filter(team_id=team.pk).values_list("member_id", flat=True):
            message_send(
                member_id=member_id,
                kind="team_failed",
                title=_("组队未达标"),
                body=_("团队消费 ¥%(spent)s，距目标 ¥%(goal)s 还差 ¥%(left)s，活动已截止。")
                % {
                    "spent": format_yuan(max(0, team.spent)),
                    "goal": format_yuan(team.goal),
                    "left": format_yuan(team.left),
                },
                link=TEAM_LINK.format(token=team.share_token),
            )
    return True


@dataclass(frozen=True)
class SettleRun:
    settled: int
    failed: int


def teams_settle_due(*, now: dt.datetime | None = None) -> SettleRun:
    """Beat: split every reached team whose wait is over, end every team short at its deadline.
    Safe to fire twice: each team moves once under its row lock."""
    now = now or timezone.now()
    due = Team.objects.filter(status=TeamStatus.REACHED, settle_at__lte=now).values_list("pk", flat=True)
    settled = sum(1 for team_id in list(due) if team_settle(team_id=team_id, now=now))
    short = Team.objects.filter(status=TeamStatus.OPEN, expires_at__lte=now).values_list("pk", flat=True)
    failed = sum(1 for team_id in list(short) if team_fail(team_id=team_id, now=now))
    return SettleRun(settled=settled, failed=failed)
