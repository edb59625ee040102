"""The shopper's inbox: messages from the shop's tools (restocks, groups, promoters…)."""

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
from members.selectors.messages import message_list_for_member, message_unread_count
from members.services.messages import messages_mark_read


class MessageOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "MessageOutput"

    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField(help_text="mini-program page to open, may be empty")
    read = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_read(self, message: object) -> bool:
        return getattr(message, "read_at", None) is not None


class MessageListApi(APIView):
    """The shopper's messages, newest first, with the unread count; paginated."""

    permission_classes = [IsMember]

    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MessageListFilter"

        unread = serializers.BooleanField(required=False, default=False)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MessageListOutput"

        unread = serializers.IntegerField()
        count = serializers.IntegerField()
        next = serializers.CharField(allow_null=True)
        previous = serializers.CharField(allow_null=True)
        results = MessageOutputSerializer(many=True)

    @extend_schema(
        operation_id="me_messages",
        tags=["members"],
        parameters=[
            FilterSerializer,
            OpenApiParameter("page", int, required=False),
            OpenApiParameter("page_size", int, required=False, description="At most 100"),
        ],
        responses={
            200: OutputSerializer,
            **error_responses((400, ["invalid_input"]), (401, ["not_authenticated"]), (404, ["not_found"])),
        },
    )
    def get(self, request: Request) -> Response:
        member: Member = request.user  # type: ignore[assignment]
        filters = MessageListApi.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        paginator = StandardPagination()
        messages = message_list_for_member(member=member, unread_only=filters.validated_data["unread"])
        page = paginator.paginate_queryset(messages, request, view=self)
        body = {
            "unread": message_unread_count(member=member),
            "count": paginator.page.paginator.count if paginator.page is not None else 0,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": MessageOutputSerializer(page, many=True).data,
        }
        return Response(MessageListApi.OutputSerializer(body).data)


class MessageReadApi(APIView):
    """Mark messages read: the given ids, or all of them when ``ids`` is left out."""

    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MessageReadInput"

        ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=2**53), required=False, max_length=100
        )

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MessageReadOutput"

        marked = serializers.IntegerField()
        unread = serializers.IntegerField()

    @extend_schema(
        operation_id="me_messages_read",
        tags=["members"],
        request=InputSerializer,
        responses={200: OutputSerializer, **error_responses((400, ["invalid_input"]), (401, ["not_authenticated"]))},
    )
    def post(self, request: Request) -> Response:
        member: Member = request.user  # type: ignore[assignment]
        serializer = MessageReadApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = messages_mark_read(member=member, ids=serializer.validated_data.get("ids"))
        return Response({"marked": marked, "unread": message_unread_count(member=member)})
