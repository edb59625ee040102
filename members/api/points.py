"""The shopper's points: balance plus a page of the ledger."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.pagination import StandardPagination
from mall.api.schema import error_responses
from members.api.permissions import IsMember
from members.models import Member
from members.selectors.points import points_balance, points_entry_list_for_member


class PointsEntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    delta = serializers.IntegerField()
    reason = serializers.CharField()
    reason_display = serializers.CharField(source="get_reason_display")
    ref = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class MemberPointsGetApi(APIView):
    """The shopper's points balance and ledger, newest first; paginated."""

    permission_classes = [IsMember]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MemberPointsOutput"  # nested serializers share a class name

        balance = serializers.IntegerField()
        count = serializers.IntegerField()
        next = serializers.CharField(allow_null=True)
        previous = serializers.CharField(allow_null=True)
        entries = PointsEntryOutputSerializer(many=True)

    @extend_schema(
        operation_id="me_points",
        tags=["members"],
        parameters=[
            OpenApiParameter("page", int, required=False),
            OpenApiParameter("page_size", int, required=False, description="At most 100"),
        ],
        responses={200: OutputSerializer, **error_responses((401, ["not_authenticated"]), (404, ["not_found"]))},
    )
    def get(self, request: Request) -> Response:
        member: Member = request.user  # type: ignore[assignment]
        paginator = StandardPagination()
        page = paginator.paginate_queryset(points_entry_list_for_member(member_id=member.pk), request, view=self)
        body = {
            "balance": points_balance(member_id=member.pk),
            "count": paginator.page.paginator.count if paginator.page is not None else 0,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "entries": page,
        }
        return Response(self.OutputSerializer(body).data)
