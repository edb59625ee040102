"""拼团 in the mini-program: campaigns of a product, a group's page (by id or share token), my groups.

Opening and joining go through checkout like any order, with a ``deal`` object these endpoints
hand out: ``{"kind": "group", "ref": <campaign id>}`` opens a group (the leader pays, then the
share token invites friends), ``{"kind": "group", "ref": <campaign id>, "params":
{"share_token": …}}`` joins one — ``POST /checkout/preview`` shows the group price and
``POST /orders`` places the order, refused with ``group_full`` / ``group_closed`` /
``group_already_joined`` / ``group_join_new_only`` / ``group_limit_reached`` /
``group_buy_not_open`` when the seat cannot be had.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.pagination import StandardPagination
from mall.api.schema import error_responses
from marketing.api.common import member_of, optional_member
from marketing.errors import GroupBuyCampaignNotFound
from marketing.models import GroupMemberStatus, GroupOutcome, GroupStatus
from marketing.selectors.group_buys import (
    DEAL_KIND,
    campaign_card,
    group_buy_campaign_detail,
    group_buy_campaigns_running,
    group_get_by_token,
    group_get_for_member,
    group_list_for_member,
    group_view,
    my_group_row,
    open_group_row,
)
from members.api.permissions import IsMember
from orders.selectors.cart import MAX_ID

_AUTH = (401, ["not_authenticated"])


class GroupItemSerializer(serializers.Serializer):
    class Meta:
        ref_name = "GroupBuyItem"

    sku_id = serializers.IntegerField()
    specs = serializers.DictField(child=serializers.CharField())
    list_price = serializers.IntegerField(help_text="fen")
    group_price = serializers.IntegerField(help_text="fen, what a friend joining pays per unit")
    leader_price = serializers.IntegerField(
        allow_null=True, help_text="fen, what the one opening pays (null = group price)"
    )
    saving = serializers.IntegerField(help_text="list price − group price, fen")


class DealSerializer(serializers.Serializer):
    class Meta:
        ref_name = "GroupDeal"

    kind = serializers.CharField()
    ref = serializers.IntegerField()
    params = serializers.DictField(child=serializers.CharField())


class CampaignCardSerializer(serializers.Serializer):
    class Meta:
        ref_name = "GroupBuyCampaignCard"

    id = serializers.IntegerField()
    name = serializers.CharField()
    product_id = serializers.IntegerField()
    title = serializers.CharField()
    image = serializers.CharField()
    group_size = serializers.IntegerField()
    duration_minutes = serializers.IntegerField()
    lowest_price = serializers.IntegerField(help_text="fen: the lowest group (or leader) price")
    list_price = serializers.IntegerField()
    free_shipping = serializers.BooleanField(help_text="包邮: the order pays no shipping")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    items = GroupItemSerializer(many=True)


class GroupBuyCampaignListApi(APIView):
    """Group-buy campaigns running now, of one product (the product page's 拼团 entry) or all."""

    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "GroupBuyCampaignFilter"

        product_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)

    @extend_schema(
        operation_id="group_buy_campaigns",
        tags=["group-buy"],
        parameters=[FilterSerializer],
        responses={200: CampaignCardSerializer(many=True), **error_responses((400, ["invalid_input"]))},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        campaigns = group_buy_campaigns_running(product_id=filters.validated_data.get("product_id"))
        return Response(CampaignCardSerializer([campaign_card(c) for c in campaigns], many=True).data)


class GroupBuyCampaignDetailApi(APIView):
    """A campaign: prices, rules, groups open to join now, and the deal that opens a new group."""

    class OutputSerializer(CampaignCardSerializer):
        class Meta:
            ref_name = "GroupBuyCampaignDetail"

        class OpenGroupSerializer(serializers.Serializer):
            class Meta:
                ref_name = "GroupBuyOpenGroup"

            id = serializers.IntegerField()
            share_token = serializers.CharField()
            leader = serializers.DictField(child=serializers.CharField(), help_text="nickname, avatar_url")
            seats_left = serializers.IntegerField(help_text="还差 N 人成团")
            expires_at = serializers.DateTimeField()

        is_open = serializers.BooleanField(help_text="a new group can be opened now")
        auto_complete = serializers.BooleanField(help_text="虚拟成团: a short group still ships at its deadline")
        max_qty_per_order = serializers.IntegerField()
        per_member_limit = serializers.IntegerField(allow_null=True)
        my_participations = serializers.IntegerField()
        join_new_only = serializers.BooleanField()
        open_groups = OpenGroupSerializer(many=True)
        deal = DealSerializer(help_text="checkout's deal object to open a group")

    @extend_schema(
        operation_id="group_buy_campaign_detail",
        tags=["group-buy"],
        responses={200: OutputSerializer, **error_responses((404, ["group_buy_not_found"]))},
    )
    def get(self, request: Request, campaign_id: int) -> Response:
        detail = group_buy_campaign_detail(campaign_id=campaign_id, member=optional_member(request))
        if detail is None:
            raise GroupBuyCampaignNotFound()
        campaign = detail.campaign
        body = {
            **campaign_card(campaign),
            "is_open": detail.is_open,
            "auto_complete": campaign.auto_complete,
            "max_qty_per_order": campaign.max_qty_per_order,
            "per_member_limit": campaign.per_member_limit,
            "my_participations": detail.my_participations,
            "join_new_only": campaign.join_new_only,
            "open_groups": [open_group_row(g) for g in detail.open_groups],
            "deal": {"kind": DEAL_KIND, "ref": campaign.pk, "params": {}},
        }
        return Response(self.OutputSerializer(body).data)


class GroupOutputSerializer(serializers.Serializer):
    """A group's page in one call."""

    class Meta:
        ref_name = "GroupDetail"

    class CampaignSerializer(serializers.Serializer):
        class Meta:
            ref_name = "GroupDetailCampaign"

        id = serializers.IntegerField()
        name = serializers.CharField()
        product_id = serializers.IntegerField()
        title = serializers.CharField()
        image = serializers.CharField()
        max_qty_per_order = serializers.IntegerField()
        join_new_only = serializers.BooleanField()
        auto_complete = serializers.BooleanField()
        free_shipping = serializers.BooleanField(help_text="包邮: the order pays no shipping")

    class MemberSerializer(serializers.Serializer):
        class Meta:
            ref_name = "GroupDetailMember"

        nickname = serializers.CharField()
        avatar_url = serializers.CharField()
        is_leader = serializers.BooleanField()
        paid_at = serializers.DateTimeField(allow_null=True)

    class MineSerializer(serializers.Serializer):
        class Meta:
            ref_name = "GroupDetailMine"

        status = serializers.ChoiceField(choices=GroupMemberStatus.choices)
        is_leader = serializers.BooleanField()
        order_id = serializers.IntegerField()

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=GroupStatus.choices)
    status_text = serializers.CharField(help_text='e.g. "还差 2 人成团"')
    outcome = serializers.ChoiceField(choices=GroupOutcome.choices, allow_blank=True, help_text="empty while open")
    size = serializers.IntegerField()
    paid_count = serializers.IntegerField()
    seats_left = serializers.IntegerField(help_text="members still to pay before the group completes")
    seats_available = serializers.IntegerField(help_text="seats no order holds yet")
    opened_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    remaining_seconds = serializers.IntegerField(help_text="countdown while open")
    completed_at = serializers.DateTimeField(allow_null=True)
    campaign = CampaignSerializer()
    items = GroupItemSerializer(many=True)
    members = MemberSerializer(many=True, help_text="those who paid, leader first")
    share_token = serializers.CharField()
    share_path = serializers.CharField(help_text="the page a WeChat share card opens")
    mine = MineSerializer(allow_null=True, help_text="the viewer's seat, if any")
    can_join = serializers.BooleanField()
    join_refusal = serializers.CharField(
        help_text="why not: group_closed | group_full | group_already_joined | group_join_new_only | "
        "group_limit_reached | empty"
    )
    deal = DealSerializer(help_text="checkout's deal object to join this group")


class GroupDetailApi(APIView):
    """A group the signed-in shopper is in (from 我的拼团); anyone else's is "not found"."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="group_detail",
        tags=["group-buy"],
        responses={200: GroupOutputSerializer, **error_responses(_AUTH, (404, ["group_not_found"]))},
    )
    def get(self, request: Request, group_id: int) -> Response:
        member = member_of(request)
        group = group_get_for_member(member=member, group_id=group_id)
        return Response(GroupOutputSerializer(group_view(group, viewer=member)).data)


class GroupShareDetailApi(APIView):
    """The friend's landing page: the group a share token names (signed in or not)."""

    @extend_schema(
        operation_id="group_share_detail",
        tags=["group-buy"],
        responses={200: GroupOutputSerializer, **error_responses((404, ["group_not_found"]))},
    )
    def get(self, request: Request, token: str) -> Response:
        group = group_get_by_token(token=token)
        return Response(GroupOutputSerializer(group_view(group, viewer=optional_member(request))).data)


class MyGroupRowSerializer(serializers.Serializer):
    class Meta:
        ref_name = "MyGroup"

    group_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=GroupStatus.choices)
    status_text = serializers.CharField()
    size = serializers.IntegerField()
    seats_left = serializers.IntegerField()
    expires_at = serializers.DateTimeField(allow_null=True)
    campaign_name = serializers.CharField()
    title = serializers.CharField()
    image = serializers.CharField()
    is_leader = serializers.BooleanField()
    my_status = serializers.ChoiceField(choices=GroupMemberStatus.choices)
    order_no = serializers.CharField()
    paid_amount = serializers.IntegerField()
    share_token = serializers.CharField()
    avatars = serializers.ListField(child=serializers.CharField())


class MyGroupListApi(APIView):
    """The shopper's groups, newest first, with the paid members' avatars."""

    permission_classes = [IsMember]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MyGroupsOutput"

        count = serializers.IntegerField()
        next = serializers.CharField(allow_null=True)
        previous = serializers.CharField(allow_null=True)
        results = MyGroupRowSerializer(many=True)

    @extend_schema(
        operation_id="me_groups",
        tags=["group-buy"],
        parameters=[
            OpenApiParameter("page", int, required=False),
            OpenApiParameter("page_size", int, required=False, description="At most 100"),
        ],
        responses={200: OutputSerializer, **error_responses((400, ["invalid_input"]), _AUTH)},
    )
    def get(self, request: Request) -> Response:
        paginator = StandardPagination()
        page = paginator.paginate_queryset(group_list_for_member(member=member_of(request)), request, view=self)
        rows = [my_group_row(seat) for seat in page or []]
        return paginator.get_paginated_response(MyGroupRowSerializer(rows, many=True).data)
