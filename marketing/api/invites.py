"""Invite rewards in the mini-program (F04): the inviter's centre and their invitees."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.pagination import StandardPagination
from mall.api.schema import error_responses
from marketing.api.common import member_of
from marketing.selectors.coupons import template_summary
from marketing.selectors.distribution import mask_nickname
from marketing.selectors.invites import invite_centre_for_member, invitee_list_for_member
from members.api.permissions import IsMember

INVITE_SHARE_PATH = "/pages/home/index?invite={code}"


class InviteRewardOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "InviteRewardOutput"

    seq = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    coupon_id = serializers.IntegerField(allow_null=True)
    coupon_name = serializers.CharField()


class InviteProgramOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "InviteProgramOutput"

    active = serializers.BooleanField(help_text="the programme is on and inside its window now")
    threshold = serializers.IntegerField()
    reward_limit = serializers.IntegerField()
    reward_name = serializers.CharField()
    reward_summary = serializers.CharField(help_text="e.g. 无门槛减20.00")
    points_rate = serializers.CharField(help_text="share of each friend's paid amount, as points: 0.100 = 10%")
    ends_at = serializers.DateTimeField(allow_null=True)


class InviteCentreApi(APIView):
    """The shopper's invite code, the programme's rules, progress to the next reward, rewards
    received and the points earned from friends' orders."""

    permission_classes = [IsMember]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "InviteCentreOutput"

        invite_code = serializers.CharField()
        share_path = serializers.CharField()
        program = InviteProgramOutputSerializer()
        invited = serializers.IntegerField(help_text="friends bound to this shopper")
        counted = serializers.IntegerField(help_text="of those, registered while the programme was on")
        progress = serializers.IntegerField(help_text="friends toward the next reward")
        remaining = serializers.IntegerField(help_text="friends still needed (0 when no further reward)")
        limit_reached = serializers.BooleanField()
        rewards = InviteRewardOutputSerializer(many=True)
        points_earned = serializers.IntegerField()

    @extend_schema(
        operation_id="me_invite",
        tags=["invites"],
        responses={200: OutputSerializer, **error_responses((401, ["not_authenticated"]))},
    )
    def get(self, request: Request) -> Response:
        member = member_of(request)
        centre = invite_centre_for_member(member=member)
        program = centre.program
        template = program.reward_template
        body = {
            "invite_code": member.invite_code,
            "share_path": INVITE_SHARE_PATH.format(code=member.invite_code),
            "program": {
                "active": centre.live,
                "threshold": program.threshold,
                "reward_limit": program.reward_limit,
                "reward_name": template.name if template is not None else "",
                "reward_summary": template_summary(template) if template is not None else "",
                "points_rate": f"{program.points_rate:.3f}",
                "ends_at": program.ends_at,
            },
            "invited": centre.invited,
            "counted": centre.counted,
            "progress": centre.progress,
            "remaining": centre.remaining,
            "limit_reached": centre.limit_reached,
            "rewards": [
                {
                    "seq": reward.seq,
                    "created_at": reward.created_at,
                    "coupon_id": reward.coupon_id,
                    "coupon_name": reward.template.name if reward.template is not None else "",
                }
                for reward in centre.rewards
            ],
            "points_earned": centre.points_earned,
        }
        return Response(self.OutputSerializer(body).data)


_PAGE_PARAMETERS = [
    OpenApiParameter("page", int, required=False),
    OpenApiParameter("page_size", int, required=False, description="At most 100"),
]


class InviteeOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "InviteeOutput"

    nickname = serializers.CharField(help_text="masked, e.g. 小*")
    avatar_url = serializers.CharField()
    joined_at = serializers.DateTimeField()
    has_ordered = serializers.BooleanField()
    counts = serializers.BooleanField()
    rewarded = serializers.BooleanField()


class InviteeListApi(APIView):
    """The shopper's invitees, newest first: masked nickname, avatar, when they joined, whether
    they have paid an order, whether they counted toward and were part of a reward."""

    permission_classes = [IsMember]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "InviteeListOutput"

        count = serializers.IntegerField()
        next = serializers.CharField(allow_null=True)
        previous = serializers.CharField(allow_null=True)
        results = InviteeOutputSerializer(many=True)

    @extend_schema(
        operation_id="me_invite_invitees",
        tags=["invites"],
        parameters=_PAGE_PARAMETERS,
        responses={200: OutputSerializer, **error_responses((401, ["not_authenticated"]), (404, ["not_found"]))},
    )
    def get(self, request: Request) -> Response:
        paginator = StandardPagination()
        page = paginator.paginate_queryset(invitee_list_for_member(member=member_of(request)), request, view=self)
        rows = [
            {
                "nickname": mask_nickname(invite.invitee.nickname),
                "avatar_url": invite.invitee.avatar_url,
                "joined_at": invite.created_at,
                "has_ordered": invite.has_ordered,  # type: ignore[attr-defined]
                "counts": invite.counts,
                "rewarded": invite.reward_id is not None,
            }
            for invite in page or []
        ]
        return paginator.get_paginated_response(InviteeOutputSerializer(rows, many=True).data)
