"""Coupons in the mini-program: the coupon center, claiming, the wallet, usable for this cart."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.pagination import StandardPagination
from mall.api.schema import error_responses
from marketing.api.common import ItemsInputSerializer, member_of, optional_member, resolve_items
from marketing.api.serializers import (
    CouponOutputSerializer,
    CouponVerdictSerializer,
    TemplateOutputSerializer,
    coupon_data,
    template_data,
)
from marketing.selectors.coupons import (
    STATUS_FILTERS,
    coupon_center_for_member,
    coupon_effective_status,
    coupon_list_for_member,
)
from marketing.selectors.quotes import Labels, quote_breakdown, quote_for_member
from marketing.services.coupons import coupon_claim
from members.api.abuse import GUARD_ERRORS, GUARD_HEADERS, request_context
from members.api.permissions import IsMember

ITEM_ERRORS = ["invalid_input", "cart_empty", "invalid_qty", "sku_not_found"]


class CouponCenterListApi(APIView):
    """Templates a shopper can claim now, with what the signed-in shopper already holds."""

    class OutputSerializer(TemplateOutputSerializer):
        class Meta:
            ref_name = "CouponCenterEntry"

        total_quantity = serializers.IntegerField(allow_null=True)
        remaining = serializers.IntegerField(allow_null=True, help_text="null = unlimited")
        per_user_limit = serializers.IntegerField()
        claimed = serializers.IntegerField(help_text="how many this shopper holds (0 when signed out)")
        can_claim = serializers.BooleanField()
        reason = serializers.CharField(help_text="coupon_sold_out | coupon_limit_reached | empty")
        new_user_only = serializers.BooleanField()

    @extend_schema(
        operation_id="coupon_center",
        tags=["coupons"],
        responses={200: OutputSerializer(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        entries = coupon_center_for_member(member=optional_member(request))
        body = [
            {
                **template_data(e.template),
                "total_quantity": e.template.total_quantity,
                "remaining": e.remaining,
                "per_user_limit": e.template.per_user_limit,
                "claimed": e.claimed,
                "can_claim": e.can_claim,
                "reason": e.reason,
                "new_user_only": e.template.new_user_only,
            }
            for e in entries
        ]
        return Response(self.OutputSerializer(body, many=True).data)


class CouponClaimApi(APIView):
    """Claim one coupon: the quota and the per-shopper limit hold under any concurrency.

    Guarded (F45): the "claim" rate limits, the block lists and the slider when the merchant
    asks for it (403 ``captcha_required`` → retry with ``X-Captcha-Pass``).
    """

    permission_classes = [IsMember]
    throttle_action = "claim"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CouponClaimInput"

        template_id = serializers.IntegerField(min_value=1, max_value=2**53)

    @extend_schema(
        operation_id="coupon_claim",
        tags=["coupons"],
        request=InputSerializer,
        parameters=GUARD_HEADERS,
        responses={
            201: CouponOutputSerializer,
            **error_responses(
                (400, ["invalid_input"]),
                (401, ["not_authenticated"]),
                (404, ["coupon_template_not_found"]),
                (409, ["coupon_sold_out", "coupon_limit_reached", "coupon_not_claimable", "coupon_new_user_only"]),
                *GUARD_ERRORS,
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        coupon = coupon_claim(
            member=member_of(request),
            template_id=serializer.validated_data["template_id"],
            context=request_context(request),
        )
        return Response(CouponOutputSerializer(coupon_data(coupon, coupon.status)).data, status=status.HTTP_201_CREATED)


class CouponListApi(APIView):
    """The shopper's wallet, by status (default: all), soonest to expire first."""

    permission_classes = [IsMember]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MyCouponsOutput"

        count = serializers.IntegerField()
        next = serializers.CharField(allow_null=True)
        previous = serializers.CharField(allow_null=True)
        results = CouponOutputSerializer(many=True)

    @extend_schema(
        operation_id="me_coupons",
        tags=["coupons"],
        parameters=[
            OpenApiParameter("status", str, required=False, enum=list(STATUS_FILTERS)),
            OpenApiParameter("page", int, required=False),
            OpenApiParameter("page_size", int, required=False, description="At most 100"),
        ],
        responses={200: OutputSerializer, **error_responses((400, ["invalid_input"]), (401, ["not_authenticated"]))},
    )
    def get(self, request: Request) -> Response:
        wanted = request.query_params.get("status") or None
        if wanted is not None and wanted not in STATUS_FILTERS:
            raise serializers.ValidationError({"status": [f"one of {', '.join(STATUS_FILTERS)}"]})
        now = timezone.now()
        paginator = StandardPagination()
        coupons = coupon_list_for_member(member=member_of(request), status=wanted, now=now)
        page = paginator.paginate_queryset(coupons, request, view=self)
        results = [coupon_data(c, coupon_effective_status(c, now)) for c in page or []]
        return paginator.get_paginated_response(CouponOutputSerializer(results, many=True).data)


class CouponUsableApi(APIView):
    """Which of the shopper's coupons this cart can use (with what each saves) and why the others not."""

    permission_classes = [IsMember]

    class InputSerializer(ItemsInputSerializer):
        class Meta:
            ref_name = "CouponUsableInput"

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CouponUsableOutput"

        best_coupon_ids = serializers.ListField(
            child=serializers.IntegerField(), help_text="the combination that saves the most"
        )
        usable = CouponVerdictSerializer(many=True)
        unusable = CouponVerdictSerializer(many=True)

    @extend_schema(
        operation_id="coupons_usable",
        tags=["coupons"],
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            **error_responses(
                (400, ITEM_ERRORS),
                (401, ["not_authenticated"]),
                (409, ["sku_unavailable", "purchase_limit_exceeded"]),
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = member_of(request)
        items = resolve_items(member=member, serializer=serializer)
        priced = quote_for_member(member=member, items=items, coupon_ids=None)
        coupons = quote_breakdown(priced.quote, Labels.of(priced.input))["coupons"]
        body = {
            "best_coupon_ids": [c["coupon_id"] for c in coupons["usable"] if c["applied"]],
            "usable": coupons["usable"],
            "unusable": coupons["unusable"],
        }
        return Response(self.OutputSerializer(body).data)
