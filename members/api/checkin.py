"""签到 in the mini-program (F20): the month's calendar, checking in, making up a missed day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.schema import error_responses
from members.api.abuse import GUARD_ERRORS, GUARD_HEADERS, request_context
from members.api.permissions import IsMember
from members.errors import MakeupNotAllowed
from members.models import Member
from members.selectors.checkin import checkin_calendar
from members.selectors.points import points_balance
from members.services.checkin import checkin_do, checkin_makeup


class CheckInCalendarSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CheckInCalendar"

    enabled = serializers.BooleanField()
    month = serializers.CharField(help_text="YYYY-MM")
    today = serializers.DateField(help_text="the shop day (Asia/Shanghai)")
    checked_days = serializers.ListField(child=serializers.DateField())
    checked_today = serializers.BooleanField()
    streak = serializers.IntegerField(help_text="consecutive days up to today (or yesterday if not yet today)")
    today_points = serializers.IntegerField(help_text="points today's check-in gives (or gave)")
    today_bonus = serializers.IntegerField(help_text="streak reward today's check-in gives (or gave)")
    milestone_days_left = serializers.IntegerField(help_text="0 when the merchant set no streak reward")
    milestone_points = serializers.IntegerField()
    milestone_text = serializers.CharField(help_text="e.g. 再签 3 天得 30 积分; empty when none")
    makeup_days = serializers.ListField(child=serializers.DateField(), help_text="missed days that may be made up")
    makeup_cost = serializers.IntegerField(help_text="points per make-up")
    cycle = serializers.CharField()
    points_balance = serializers.IntegerField()


class CheckInResultSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CheckInResult"

    day = serializers.DateField()
    streak = serializers.IntegerField()
    points = serializers.IntegerField()
    bonus_points = serializers.IntegerField()
    is_makeup = serializers.BooleanField()
    calendar = CheckInCalendarSerializer()


def _calendar_body(member: Member, month: dt.date | None = None) -> dict[str, Any]:
    calendar = checkin_calendar(member=member, month=month)
    return {**calendar.__dict__, "points_balance": points_balance(member_id=member.pk)}


class MemberCheckInApi(APIView):
    """GET: the 签到 page (the month's checked days, the streak, today's reward, the next milestone).
    POST: check in for today, one per shop day; a second tap is ``already_checked_in``."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="me_checkin",
        tags=["members"],
        parameters=[OpenApiParameter("month", str, required=False, description="YYYY-MM; default this month")],
        responses={
            200: CheckInCalendarSerializer,
            **error_responses((400, ["invalid_input"]), (401, ["not_authenticated"])),
        },
    )
    def get(self, request: Request) -> Response:
        member: Member = request.user  # type: ignore[assignment]
        month = None
        raw = request.query_params.get("month", "")
        if raw:
            field = serializers.DateField(input_formats=["%Y-%m"])
            month = field.run_validation(raw)
        return Response(CheckInCalendarSerializer(_calendar_body(member, month)).data)

    @extend_schema(
        operation_id="me_checkin_do",
        tags=["members"],
        request=None,
        parameters=GUARD_HEADERS,
        responses={
            201: CheckInResultSerializer,
            **error_responses(
                (401, ["not_authenticated"]),
                (409, ["already_checked_in", "checkin_closed"]),
                *GUARD_ERRORS,
            ),
        },
    )
    def post(self, request: Request) -> Response:
        member: Member = request.user  # type: ignore[assignment]
        outcome = checkin_do(member=member, context=request_context(request))
        return _result(member, outcome)


def _result(member: Member, outcome: Any) -> Response:
    row = outcome.check_in
    body = {
        "day": row.day,
        "streak": row.streak,
        "points": row.points,
        "bonus_points": row.bonus_points,
        "is_makeup": row.is_makeup,
        "calendar": _calendar_body(member, row.day),
    }
    return Response(CheckInResultSerializer(body).data, status=status.HTTP_201_CREATED)


class MemberCheckInMakeupApi(APIView):
    """Make up a missed day (补签) within the merchant's window, for points."""

    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        day = serializers.DateField(help_text="the missed day, YYYY-MM-DD")

    @extend_schema(
        operation_id="me_checkin_makeup",
        tags=["members"],
        request=InputSerializer,
        parameters=GUARD_HEADERS,
        responses={
            201: CheckInResultSerializer,
            **error_responses(
                (400, ["invalid_input", MakeupNotAllowed.code]),
                (401, ["not_authenticated"]),
                (409, ["already_checked_in", "points_insufficient"]),
                *GUARD_ERRORS,
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member: Member = request.user  # type: ignore[assignment]
        outcome = checkin_makeup(member=member, day=serializer.validated_data["day"], context=request_context(request))
        return _result(member, outcome)
