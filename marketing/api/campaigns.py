"""A campaign (活动) in the mini-program: its name, window, state and the tools it runs.

Minimal on purpose: the campaign's page (blocks with live data) is served by the page API; this
tells a share card or a page header which campaign it belongs to and whether it is on. Drafts
are not shown (``campaign_not_found``).
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.catalogue import ServerTimeSerializer
from mall.api.schema import error_responses
from marketing.api.pages import PageOutputSerializer
from marketing.selectors.campaign_studio import campaign_for_shopper, campaign_page_for_shopper


class CampaignDetailApi(APIView):
    """A published campaign: 预热 (warmup) / 进行中 (running) / 已暂停 (paused) / 已结束 (ended)."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CampaignDetail"

        class ToolSerializer(serializers.Serializer):
            class Meta:
                ref_name = "CampaignTool"

            kind = serializers.ChoiceField(choices=["promotion", "coupon", "flash", "group_buy", "bargain"])
            id = serializers.IntegerField(help_text="the tool's own id (promotion, coupon template, flash slot, …)")
            name = serializers.CharField()
            state = serializers.CharField(help_text="the tool's state in words, e.g. 进行中 / 已暂停")

        id = serializers.IntegerField()
        name = serializers.CharField()
        page_slug = serializers.CharField(
            allow_null=True, help_text="the campaign's published page (open it with GET /api/v1/pages/<slug>), or null"
        )
        starts_at = serializers.DateTimeField()
        ends_at = serializers.DateTimeField()
        status = serializers.ChoiceField(choices=["warmup", "running", "paused", "ended"])
        status_label = serializers.CharField()
        tools = ToolSerializer(many=True)

    @extend_schema(
        operation_id="campaign_detail",
        tags=["campaign"],
        responses={200: OutputSerializer, **error_responses((404, ["campaign_not_found"]))},
    )
    def get(self, request: Request, campaign_id: int) -> Response:
        body = campaign_for_shopper(campaign_id=campaign_id, now=timezone.now())
        return Response(self.OutputSerializer(body).data)


class CampaignPageApi(APIView):
    """A shared campaign opened by its id: the campaign's state and window plus its published
    page with every block resolved, in one request. ``page`` is null once the campaign has
    ended or while it has no published page; a draft or unknown id is 404 ``campaign_not_found``."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CampaignWithPage"

        class CampaignSerializer(serializers.Serializer):
            class Meta:
                ref_name = "CampaignState"

            id = serializers.IntegerField()
            name = serializers.CharField()
            starts_at = serializers.DateTimeField()
            ends_at = serializers.DateTimeField()
            status = serializers.ChoiceField(choices=["warmup", "running", "paused", "ended"])
            status_label = serializers.CharField(help_text="预热 / 进行中 / 已暂停 / 已结束")

        campaign = CampaignSerializer()
        page = PageOutputSerializer(allow_null=True, help_text="null once ended or without a published page")
        server_time = ServerTimeSerializer(help_text="for the warm-up countdown (never cached)")

    @extend_schema(
        operation_id="campaign_page",
        tags=["campaign"],
        responses={200: OutputSerializer, **error_responses((404, ["campaign_not_found"]))},
    )
    def get(self, request: Request, campaign_id: int) -> Response:
        body = campaign_page_for_shopper(campaign_id=campaign_id, now=timezone.now())
        return Response(self.OutputSerializer(body).data)
