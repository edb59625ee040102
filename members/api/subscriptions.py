"""Subscribe messages (F48): which templates to ask for at which moment, and what the shopper said.

WeChat delivers a subscribe message only after the shopper accepted its template in
``wx.requestSubscribeMessage`` (one push per accept). The mini-program reads the template map
once, asks at its moments (after paying, opening or joining a group, starting a bargain,
reserving a restock, claiming a coupon) and posts WeChat's answer here.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.schema import error_responses
from members.api.permissions import IsMember
from members.message_kinds import MOMENTS, TEMPLATES_PER_ASK
from members.models import Member
from members.selectors.messages import subscribe_template_map
from members.services.messages import CONSENT_ANSWERS, subscribe_consent_record

RESULTS_MAX = 10


class SubscribeTemplateEntrySerializer(serializers.Serializer):
    class Meta:
        ref_name = "SubscribeTemplateEntry"

    kind = serializers.CharField()
    label = serializers.CharField(help_text="the kind's name for people")  # type: ignore[assignment]  # the metaclass pops it
    template_id = serializers.CharField(help_text="WeChat's template id (tmplId)")


class SubscribeTemplateListApi(APIView):
    """The merchant's templates per message kind and, per moment, the template ids to ask for.

    Public (no token read): the mini-program loads it once at launch, before any login.
    """

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SubscribeTemplateListOutput"

        templates = SubscribeTemplateEntrySerializer(many=True)
        moments = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text=f"moment ({', '.join(MOMENTS)}) → at most {TEMPLATES_PER_ASK} tmplIds to ask for",
        )

    @extend_schema(
        operation_id="subscribe_templates",
        tags=["members"],
        responses={200: OutputSerializer},
        examples=[
            OpenApiExample(
                "group buy mapped",
                value={
                    "templates": [{"kind": "group_failed", "label": "拼团失败", "template_id": "TPL-GROUP"}],
                    "moments": {"group_open": ["TPL-GROUP"], "paid": []},
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        mapped = subscribe_template_map()
        body = {"templates": mapped.templates, "moments": mapped.moments}
        return Response(SubscribeTemplateListApi.OutputSerializer(body).data)


class SubscribeConsentRecordApi(APIView):
    """Record the answer of ``wx.requestSubscribeMessage``: each "accept" allows one push."""

    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SubscribeConsentInput"

        results = serializers.DictField(
            child=serializers.ChoiceField(choices=CONSENT_ANSWERS),
            help_text="tmplId → accept | reject | ban | filter, as WeChat answered (without errMsg)",
        )
        moment = serializers.ChoiceField(choices=MOMENTS, required=False, help_text="where the shopper was asked")

        def validate_results(self, value: dict[str, str]) -> dict[str, str]:
            if not value or len(value) > RESULTS_MAX or any(not key or len(key) > 64 for key in value):
                raise serializers.ValidationError(f"1–{RESULTS_MAX} template ids of at most 64 characters")
            return value

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SubscribeConsentOutput"

        credits = serializers.DictField(
            child=serializers.IntegerField(), help_text="tmplId → pushes the shopper has granted"
        )

    @extend_schema(
        operation_id="me_subscriptions_record",
        tags=["members"],
        request=InputSerializer,
        responses={200: OutputSerializer, **error_responses((400, ["invalid_input"]), (401, ["not_authenticated"]))},
    )
    def post(self, request: Request) -> Response:
        member: Member = request.user  # type: ignore[assignment]
        serializer = SubscribeConsentRecordApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credits = subscribe_consent_record(member=member, results=serializer.validated_data["results"])
        return Response({"credits": credits})
