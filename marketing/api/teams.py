"""组队瓜分 in the mini-program (F22): the running activities, opening a team, a team's page by its
share token (progress, members' avatars and contributions in one request) and joining it.

Opening and joining are behind the shop's guard (F45, action ``team``). Paid orders count
toward the team by themselves (the order lifecycle hooks); the page shows the progress line
"团队已消费 ¥1,340 / ¥2,000，还差 ¥660" ready to display.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.schema import error_responses
from marketing.api.common import member_of, optional_member
from marketing.errors import TeamActivityNotFound
from marketing.models import TeamActivity
from marketing.selectors.teams import (
    my_team_for_activity,
    refund_rule_text,
    team_activities_running,
    team_activity_get,
    team_page,
)
from marketing.services.teams import team_get_by_token, team_join, team_open
from members.api.abuse import GUARD_ERRORS, GUARD_HEADERS, request_context
from members.api.permissions import IsMember
from members.models import Member

_AUTH = (401, ["not_authenticated"])


class TeamActivitySerializer(serializers.Serializer):
    class Meta:
        ref_name = "TeamActivity"

    id = serializers.IntegerField()
    name = serializers.CharField()
    team_size = serializers.IntegerField()
    goal = serializers.IntegerField(help_text="fen: the team's paid spending to reach")
    reward_total = serializers.IntegerField(help_text="fen: the coupon pack the team splits")
    split_mode = serializers.CharField(help_text="equal | contribution")
    split_mode_label = serializers.CharField()
    team_hours = serializers.IntegerField(help_text="how long a team collects after it is opened")
    settle_days = serializers.IntegerField(help_text="after-sales days the split waits after the goal")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    rule_text = serializers.CharField(help_text="the refund rule, ready to show")
    my_team_token = serializers.CharField(allow_null=True, help_text="the shopper's team in this activity")


def _activity_body(activity: TeamActivity, member: Member | None) -> dict[str, Any]:
    mine = my_team_for_activity(member=member, activity_id=activity.pk) if member is not None else None
    return {
        "id": activity.pk,
        "name": activity.name,
        "team_size": activity.team_size,
        "goal": activity.goal,
        "reward_total": activity.reward_total,
        "split_mode": activity.split_mode,
        "split_mode_label": activity.get_split_mode_display(),
        "team_hours": activity.team_hours,
        "settle_days": activity.settle_days,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "rule_text": refund_rule_text(activity),
        "my_team_token": mine.share_token if mine is not None else None,
    }


class TeamSerializer(serializers.Serializer):
    class Meta:
        ref_name = "Team"

    class SeatSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TeamSeat"

        nickname = serializers.CharField()
        avatar_url = serializers.CharField(allow_blank=True)
        is_leader = serializers.BooleanField()
        contribution = serializers.IntegerField(help_text="fen: net paid spending in the team")
        share = serializers.IntegerField(help_text="fen: the member's share once split (0 before)")
        is_me = serializers.BooleanField()

    token = serializers.CharField(help_text="share token: the friend's link")
    status = serializers.CharField(help_text="open | reached | settled | failed")
    status_label = serializers.CharField()
    activity = TeamActivitySerializer()
    size = serializers.IntegerField()
    members_count = serializers.IntegerField()
    goal = serializers.IntegerField(help_text="fen")
    spent = serializers.IntegerField(help_text="fen: paid spending net of refunds")
    left = serializers.IntegerField(help_text="fen: still to spend (0 once reached)")
    progress_text = serializers.CharField(help_text="e.g. 团队已消费 ¥1,340 / ¥2,000，还差 ¥660")
    expires_at = serializers.DateTimeField()
    settle_at = serializers.DateTimeField(allow_null=True, help_text="when the reached team's reward is split")
    members = SeatSerializer(many=True)
    is_member = serializers.BooleanField()
    can_join = serializers.BooleanField()


def _team_body(team: Any, member: Member | None) -> dict[str, Any]:
    page = team_page(team=team, member=member)
    return {
        "token": team.share_token,
        "status": team.status,
        "status_label": team.get_status_display(),
        "activity": _activity_body(page.activity, None),
        "size": team.size,
        "members_count": len(page.seats),
        "goal": team.goal,
        "spent": page.spent,
        "left": team.left,
        "progress_text": page.progress_text,
        "expires_at": team.expires_at,
        "settle_at": team.settle_at,
        "members": [
            {**seat.__dict__, "is_me": member is not None and seat.member_id == member.pk} for seat in page.seats
        ],
        "is_member": page.is_member,
        "can_join": page.can_join,
    }


class TeamActivityListApi(APIView):
    """The running team-split activities (with the signed-in shopper's team token in each)."""

    @extend_schema(operation_id="team_activities", tags=["team"], responses={200: TeamActivitySerializer(many=True)})
    def get(self, request: Request) -> Response:
        member = optional_member(request)
        body = [_activity_body(activity, member) for activity in team_activities_running()]
        return Response(TeamActivitySerializer(body, many=True).data)


class TeamActivityDetailApi(APIView):
    """One team-split activity: its rules, window and the signed-in shopper's team token if any."""

    @extend_schema(
        operation_id="team_activity_detail",
        tags=["team"],
        responses={200: TeamActivitySerializer, **error_responses((404, ["team_activity_not_found"]))},
    )
    def get(self, request: Request, activity_id: int) -> Response:
        activity = team_activity_get(activity_id=activity_id)
        if activity is None:
            raise TeamActivityNotFound()
        return Response(TeamActivitySerializer(_activity_body(activity, optional_member(request))).data)


class TeamOpenApi(APIView):
    """Open a team (the shopper leads it); share its token so friends can join."""

    permission_classes = [IsMember]
    throttle_action = "team"

    @extend_schema(
        operation_id="team_open",
        tags=["team"],
        request=None,
        parameters=GUARD_HEADERS,
        responses={
            201: TeamSerializer,
            **error_responses(
                _AUTH,
                (404, ["team_activity_not_found"]),
                (409, ["team_activity_not_open", "team_already_joined"]),
                *GUARD_ERRORS,
            ),
        },
    )
    def post(self, request: Request, activity_id: int) -> Response:
        member = member_of(request)
        team = team_open(member=member, activity_id=activity_id, context=request_context(request))
        fresh = team_get_by_token(token=team.share_token)
        return Response(TeamSerializer(_team_body(fresh, member)).data, status=status.HTTP_201_CREATED)


class TeamDetailApi(APIView):
    """A team's page by its share token (signed in or not): progress, members and contributions."""

    @extend_schema(
        operation_id="team_detail",
        tags=["team"],
        responses={200: TeamSerializer, **error_responses((404, ["team_not_found"]))},
    )
    def get(self, request: Request, token: str) -> Response:
        team = team_get_by_token(token=token)
        return Response(TeamSerializer(_team_body(team, optional_member(request))).data)


class TeamJoinApi(APIView):
    """Join a friend's team; a full or closed team refuses."""

    permission_classes = [IsMember]
    throttle_action = "team"

    @extend_schema(
        operation_id="team_join",
        tags=["team"],
        request=None,
        parameters=GUARD_HEADERS,
        responses={
            200: TeamSerializer,
            **error_responses(
                _AUTH,
                (404, ["team_not_found", "team_activity_not_found"]),
                (409, ["team_full", "team_closed", "team_already_joined", "team_activity_not_open"]),
                *GUARD_ERRORS,
            ),
        },
    )
    def post(self, request: Request, token: str) -> Response:
        member = member_of(request)
        team = team_join(member=member, token=token, context=request_context(request))
        fresh = team_get_by_token(token=team.share_token)
        return Response(TeamSerializer(_team_body(fresh, member)).data)
