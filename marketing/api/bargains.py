"""助力砍价 in the mini-program: campaigns, start, a bargain's page (by id or share token), help,
my bargains.

Buying goes through checkout with the ``deal`` the bargain's page hands its initiator,
``{"kind": "bargain", "ref": <bargain id>}`` with the campaign's SKU and quantity 1:
``POST /checkout/preview`` shows the current price, ``POST /orders`` places the order (refused
with ``bargain_closed`` / ``bargain_sold_out`` / ``bargain_price_changed``).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.pagination import StandardPagination
from mall.api.schema import error_responses
from marketing.api.common import member_of, optional_member
from marketing.errors import BargainCampaignNotFound
from marketing.models import BargainStatus
from marketing.selectors.bargains import (
    bargain_campaign_detail,
    bargain_campaigns_running,
    bargain_get_by_token,
    bargain_get_for_member,
    bargain_list_for_member,
    bargain_view,
    campaign_card,
    my_bargain_row,
)
from marketing.services.bargains import bargain_help, bargain_start
from members.api.abuse import GUARD_ERRORS, GUARD_HEADERS, request_context
from members.api.permissions import IsMember
from orders.selectors.cart import MAX_ID

_AUTH = (401, ["not_authenticated"])


class BargainCampaignCardSerializer(serializers.Serializer):
    class Meta:
        ref_name = "BargainCampaignCard"

    id = serializers.IntegerField()
    name = serializers.CharField()
    product_id = serializers.IntegerField()
    sku_id = serializers.IntegerField()
    specs = serializers.DictField(child=serializers.CharField())
    title = serializers.CharField()
    image = serializers.CharField()
    list_price = serializers.IntegerField(help_text="fen")
    start_price = serializers.IntegerField(help_text="fen")
    floor_price = serializers.IntegerField(help_text="fen; 0 = free (免费拿)")
    helpers_min = serializers.IntegerField()
    helpers_max = serializers.IntegerField()
    duration_minutes = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    remaining_quantity = serializers.IntegerField(allow_null=True, help_text="null = unlimited")
    sold_out = serializers.BooleanField()
    helper_new_only = serializers.BooleanField()
    free_shipping = serializers.BooleanField(help_text="包邮: the order pays no shipping")


class BargainOutputSerializer(serializers.Serializer):
    """A bargain's page in one call."""

    class Meta:
        ref_name = "BargainDetail"

    class PersonSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BargainPerson"

        nickname = serializers.CharField()
        avatar_url = serializers.CharField()

    class HelperSerializer(PersonSerializer):
        class Meta:
            ref_name = "BargainHelper"

        cut = serializers.IntegerField(help_text="fen this friend cut")
        helped_at = serializers.DateTimeField()

    class DealSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BargainDeal"

        kind = serializers.CharField()
        ref = serializers.IntegerField()
        params = serializers.DictField(child=serializers.CharField())

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=BargainStatus.choices)
    progress_text = serializers.CharField(help_text='F47, e.g. "再砍 ¥5.00 即可免费拿"')
    start_price = serializers.IntegerField()
    floor_price = serializers.IntegerField()
    current_price = serializers.IntegerField(help_text="what the initiator pays now (fen)")
    cut_amount = serializers.IntegerField(help_text="cut so far (fen)")
    remaining_amount = serializers.IntegerField(help_text="still to cut down to the floor (fen)")
    progress_percent = serializers.IntegerField()
    helps_count = serializers.IntegerField()
    expires_at = serializers.DateTimeField()
    remaining_seconds = serializers.IntegerField()
    initiator = PersonSerializer()
    campaign = BargainCampaignCardSerializer()
    helpers = HelperSerializer(many=True, help_text="latest first (at most 50)")
    share_token = serializers.CharField()
    share_path = serializers.CharField()
    is_owner = serializers.BooleanField()
    my_cut = serializers.IntegerField(allow_null=True, help_text="what the viewer cut, if they helped")
    can_help = serializers.BooleanField()
    help_refusal = serializers.CharField(
        help_text="bargain_self_help | bargain_closed | bargain_already_helped | bargain_helper_new_only | empty"
    )
    can_buy = serializers.BooleanField()
    deal = DealSerializer(allow_null=True, help_text="checkout's deal object (the initiator only)")
    sku_id = serializers.IntegerField(help_text="the SKU to buy with the deal (quantity 1)")


class BargainCampaignListApi(APIView):
    """Bargain campaigns running now, of one product (the product page's 砍价 entry) or all."""

    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BargainCampaignFilter"

        product_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)

    @extend_schema(
        operation_id="bargain_campaigns",
        tags=["bargain"],
        parameters=[FilterSerializer],
        responses={200: BargainCampaignCardSerializer(many=True), **error_responses((400, ["invalid_input"]))},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        campaigns = bargain_campaigns_running(product_id=filters.validated_data.get("product_id"))
        return Response(BargainCampaignCardSerializer([campaign_card(c) for c in campaigns], many=True).data)


class BargainCampaignDetailApi(APIView):
    """A campaign and, for a signed-in shopper, the bargain they already started in it."""

    class OutputSerializer(BargainCampaignCardSerializer):
        class Meta:
            ref_name = "BargainCampaignDetail"

        is_open = serializers.BooleanField(help_text="a bargain can be started now")
        per_member_limit = serializers.IntegerField()
        my_bargain_id = serializers.IntegerField(allow_null=True)

    @extend_schema(
        operation_id="bargain_campaign_detail",
        tags=["bargain"],
        responses={200: OutputSerializer, **error_responses((404, ["bargain_campaign_not_found"]))},
    )
    def get(self, request: Request, campaign_id: int) -> Response:
        detail = bargain_campaign_detail(campaign_id=campaign_id, member=optional_member(request))
        if detail is None:
            raise BargainCampaignNotFound()
        body = {
            **campaign_card(detail.campaign),
            "is_open": detail.is_open,
            "per_member_limit": detail.campaign.per_member_limit,
            "my_bargain_id": detail.mine.pk if detail.mine is not None else None,
        }
        return Response(self.OutputSerializer(body).data)


class BargainStartApi(APIView):
    """Start a bargain (201); the shopper's bargain still open in this campaign comes back (200).

    Behind the shop's guard (F45, action ``bargain``): its rate limits, block lists and slider."""

    permission_classes = [IsMember]
    throttle_action = "bargain"

    @extend_schema(
        operation_id="bargain_start",
        tags=["bargain"],
        request=None,
        parameters=GUARD_HEADERS,
        responses={
            201: BargainOutputSerializer,
            200: BargainOutputSerializer,
            **error_responses(
                _AUTH,
                (404, ["bargain_campaign_not_found"]),
                (409, ["bargain_campaign_not_open", "bargain_sold_out", "bargain_limit_reached"]),
                *GUARD_ERRORS,
            ),
        },
    )
    def post(self, request: Request, campaign_id: int) -> Response:
        member = member_of(request)
        result = bargain_start(member=member, campaign_id=campaign_id, context=request_context(request))
        bargain = bargain_get_for_member(member=member, bargain_id=result.bargain.pk)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(BargainOutputSerializer(bargain_view(bargain, viewer=member)).data, status=code)


class BargainDetailApi(APIView):
    """The initiator's own bargain (anyone else's is "not found": friends use the share token)."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="bargain_detail",
        tags=["bargain"],
        responses={200: BargainOutputSerializer, **error_responses(_AUTH, (404, ["bargain_not_found"]))},
    )
    def get(self, request: Request, bargain_id: int) -> Response:
        member = member_of(request)
        bargain = bargain_get_for_member(member=member, bargain_id=bargain_id)
        return Response(BargainOutputSerializer(bargain_view(bargain, viewer=member)).data)


class BargainShareDetailApi(APIView):
    """The friend's page: the bargain a share token names (signed in or not)."""

    @extend_schema(
        operation_id="bargain_share_detail",
        tags=["bargain"],
        responses={200: BargainOutputSerializer, **error_responses((404, ["bargain_not_found"]))},
    )
    def get(self, request: Request, token: str) -> Response:
        bargain = bargain_get_by_token(token=token)
        return Response(BargainOutputSerializer(bargain_view(bargain, viewer=optional_member(request))).data)


class BargainHelpApi(APIView):
    """A friend helps: the next planned cut comes off. Answers the cut and the bargain's page.

    Farming is stopped twice: the shop's guard (F45: the "help" rate limits, block lists, the
    slider when the merchant asks for it — 403 ``captcha_required`` → retry with
    ``X-Captcha-Pass``), then the campaign's own limits on the bargain (once per friend, per
    day, per network address, per device: 409 ``bargain_help_limited``).
    """

    permission_classes = [IsMember]
    throttle_action = "help"

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BargainHelpOutput"

        cut = serializers.IntegerField(help_text="fen this help cut")
        bargain = BargainOutputSerializer()

    @extend_schema(
        operation_id="bargain_help",
        tags=["bargain"],
        request=None,
        parameters=GUARD_HEADERS,
        responses={
            201: OutputSerializer,
            **error_responses(
                _AUTH,
                (404, ["bargain_not_found"]),
                (
                    409,
                    [
                        "bargain_closed",
                        "bargain_already_helped",
                        "bargain_self_help",
                        "bargain_helper_new_only",
                        "bargain_help_limited",
                    ],
                ),
                *GUARD_ERRORS,
            ),
        },
    )
    def post(self, request: Request, token: str) -> Response:
        member = member_of(request)
        help_row = bargain_help(helper=member, share_token=token, context=request_context(request))
        bargain = bargain_get_by_token(token=token)
        body = {"cut": help_row.cut, "bargain": bargain_view(bargain, viewer=member)}
        return Response(self.OutputSerializer(body).data, status=status.HTTP_201_CREATED)


class MyBargainRowSerializer(serializers.Serializer):
    class Meta:
        ref_name = "MyBargain"

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=BargainStatus.choices)
    progress_text = serializers.CharField()
    campaign_name = serializers.CharField()
    title = serializers.CharField()
    image = serializers.CharField()
    start_price = serializers.IntegerField()
    current_price = serializers.IntegerField()
    floor_price = serializers.IntegerField()
    helps_count = serializers.IntegerField()
    expires_at = serializers.DateTimeField()
    share_token = serializers.CharField()


class MyBargainListApi(APIView):
    """The shopper's bargains, newest first."""

    permission_classes = [IsMember]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MyBargainsOutput"

        count = serializers.IntegerField()
        next = serializers.CharField(allow_null=True)
        previous = serializers.CharField(allow_null=True)
        results = MyBargainRowSerializer(many=True)

    @extend_schema(
        operation_id="me_bargains",
        tags=["bargain"],
        parameters=[
            OpenApiParameter("page", int, required=False),
            OpenApiParameter("page_size", int, required=False, description="At most 100"),
        ],
        responses={200: OutputSerializer, **error_responses((400, ["invalid_input"]), _AUTH)},
    )
    def get(self, request: Request) -> Response:
        paginator = StandardPagination()
        page = paginator.paginate_queryset(bargain_list_for_member(member=member_of(request)), request, view=self)
        rows = [my_bargain_row(b) for b in page or []]
        return paginator.get_paginated_response(MyBargainRowSerializer(rows, many=True).data)
