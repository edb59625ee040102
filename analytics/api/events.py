"""Behaviour events from the mini-program (F37): one batch per call, queued, never stored in the request."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.catalogue import CATALOGUE, MAX_BATCH
from analytics.services.ingest import events_batch_accept
from mall.api.schema import error_responses
from mall.api.throttling import BatchedThrottlesMixin
from members.authentication import ShopperTokenAuthentication


class EventInputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "BehaviourEventInput"

    name = serializers.ChoiceField(
        choices=sorted(CATALOGUE), help_text="An event of the catalogue (analytics/catalogue.py)"
    )
    session = serializers.CharField(max_length=64, help_text="The mini-program launch the event belongs to")
    ts = serializers.IntegerField(min_value=0, required=False, help_text="When it happened, ms since the epoch")
    props = serializers.DictField(required=False, help_text="The event's properties as the catalogue declares them")


class RejectedSerializer(serializers.Serializer):
    class Meta:
        ref_name = "EventBatchRejected"

    index = serializers.IntegerField()
    code = serializers.CharField(help_text="Why, e.g. unknown_event, missing_prop:page, not_integer:dwell_ms")


class EventBatchApi(BatchedThrottlesMixin, APIView):
    """Queue a batch of behaviour events (≤ 50). Signed in or not: the device's anonymous id is
    always sent, and a signed-in batch joins the device to the shopper. Events that do not fit the
    catalogue are skipped and reported by index; the others are accepted (202)."""

    # The token's shopper without a query; no token: an anonymous device.
    authentication_classes = [ShopperTokenAuthentication]
    permission_classes: list = []
    throttle_action = "events"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "EventBatchInput"

        anon_id = serializers.CharField(min_length=8, max_length=64, help_text="The device's anonymous id")
        events = serializers.ListField(child=EventInputSerializer(), min_length=1, max_length=MAX_BATCH)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "EventBatchOutput"

        accepted = serializers.IntegerField()
        rejected = RejectedSerializer(many=True)

    @extend_schema(
        operation_id="events_batch",
        tags=["analytics"],
        request=InputSerializer,
        responses={
            202: OutputSerializer,
            **error_responses(
                (400, ["invalid_input", "events_batch_invalid", "events_batch_too_large"]),
                (401, ["not_authenticated", "authentication_failed", "token_not_valid", "member_blocked"]),
                (429, ["rate_limited"]),
            ),
        },
    )
    def post(self, request: Request) -> Response:
        body = request.data if isinstance(request.data, dict) else {}
        user = request.user
        member_id = int(user.pk) if getattr(user, "is_authenticated", False) and user.pk else None
        outcome = events_batch_accept(anon_id=body.get("anon_id"), events=body.get("events"), member_id=member_id)
        return Response({"accepted": outcome.accepted, "rejected": outcome.rejected}, status=status.HTTP_202_ACCEPTED)
