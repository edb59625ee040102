"""Distribution in the mini-program (F06): applying, the promoter centre (earnings by state, orders,
customers, withdrawals), asking for a withdrawal, and reporting a promoter link that was opened."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.pagination import StandardPagination
from mall.api.schema import error_responses
from marketing.api.common import member_of
from marketing.errors import PromoterNotApproved
from marketing.models import DistributionProgram, Promoter, PromoterStatus
from marketing.selectors.distribution import (
    Earnings,
    mask_nickname,
    mask_order_no,
    promoter_customers,
    promoter_earnings,
    promoter_for_member,
    promoter_orders,
    promoter_withdrawals,
)
from marketing.services.distribution import attribution_click, promoter_apply, withdrawal_request
from members.api.abuse import GUARD_ERRORS, GUARD_HEADERS, guard_request
from members.api.permissions import IsMember
from members.models import Member
from orders.selectors.cart import MAX_ID

PROMOTER_QUERY = "pc={code}"
PRODUCT_SHARE_PATH = "/pages/product/index?id={{product_id}}&pc={code}"

_PAGE_PARAMETERS = [
    OpenApiParameter("page", int, required=False),
    OpenApiParameter("page_size", int, required=False, description="At most 100"),
]
_NOT_PROMOTER = error_responses((401, ["not_authenticated"]), (404, ["not_found"]), (409, ["promoter_not_approved"]))


def _approved_promoter(member: Member) -> Promoter:
    """The shopper's promoter account once approved (a disabled one still sees its money)."""
    promoter = promoter_for_member(member=member)
    if promoter is None or promoter.status not in (PromoterStatus.APPROVED, PromoterStatus.DISABLED):
        raise PromoterNotApproved()
    return promoter


class PromoterOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "PromoterOutput"

    status = serializers.CharField(help_text="none | applied | approved | rejected | disabled")
    code = serializers.CharField(help_text="empty until approved")
    share_query = serializers.CharField(help_text="append to any page path, e.g. pc=P1A2B3C4D")
    product_share_path = serializers.CharField()
    real_name = serializers.CharField()
    phone = serializers.CharField()
    reason = serializers.CharField()
    review_note = serializers.CharField(help_text="the merchant's reason when rejected or disabled")
    applied_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)


def _promoter_data(promoter: Promoter | None) -> dict[str, Any]:
    if promoter is None:
        return {
            "status": "none",
            "code": "",
            "share_query": "",
            "product_share_path": "",
            "real_name": "",
            "phone": "",
            "reason": "",
            "review_note": "",
            "applied_at": None,
            "approved_at": None,
        }
    approved = promoter.status == PromoterStatus.APPROVED
    code = promoter.code if approved else ""
    return {
        "status": promoter.status,
        "code": code,
        "share_query": PROMOTER_QUERY.format(code=code) if approved else "",
        "product_share_path": PRODUCT_SHARE_PATH.format(code=code) if approved else "",
        "real_name": promoter.real_name,
        "phone": promoter.phone,
        "reason": promoter.reason,
        "review_note": promoter.review_note,
        "applied_at": promoter.applied_at,
        "approved_at": promoter.approved_at,
    }


class EarningsOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "PromoterEarningsOutput"

    pending = serializers.IntegerField(help_text="fen; orders not paid yet")
    frozen = serializers.IntegerField(help_text="fen; paid, inside the after-sales window")
    available = serializers.IntegerField(help_text="fen; withdrawable now (may be negative after late refunds)")
    withdrawing = serializers.IntegerField(help_text="fen; asked for, not paid yet")
    withdrawn = serializers.IntegerField(help_text="fen; paid out")
    reversed = serializers.IntegerField(help_text="fen; lost to refunds and cancellations")
    total = serializers.IntegerField(help_text="fen; everything earned and not reversed")


def _earnings_data(earnings: Earnings) -> dict[str, int]:
    return {
        "pending": earnings.pending,
        "frozen": earnings.frozen,
        "available": earnings.available,
        "withdrawing": earnings.withdrawing,
        "withdrawn": earnings.withdrawn,
        "reversed": earnings.reversed,
        "total": earnings.total,
    }


class PromoterApplyApi(APIView):
    """Apply to be a promoter (a pending application is updated, a rejected one sent again)."""

    permission_classes = [IsMember]
    throttle_action = "apply"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "PromoterApplyInput"

        real_name = serializers.CharField(max_length=30)
        phone = serializers.CharField(max_length=20)
        reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="promoter_apply",
        tags=["distribution"],
        request=InputSerializer,
        responses={
            201: PromoterOutputSerializer,
            **error_responses(
                (400, ["invalid_input", "promoter_application_invalid"]),
                (401, ["not_authenticated"]),
                (409, ["distribution_closed", "promoter_already_approved", "promoter_disabled"]),
                (429, ["rate_limited"]),
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        promoter = promoter_apply(member=member_of(request), **serializer.validated_data)
        return Response(PromoterOutputSerializer(_promoter_data(promoter)).data, status=status.HTTP_201_CREATED)


class DistributionProgramOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "DistributionProgramOutput"

    active = serializers.BooleanField()
    default_rate = serializers.CharField(help_text="0.100 = 10%")
    attribution_days = serializers.IntegerField()
    settle_days = serializers.IntegerField()
    min_withdrawal = serializers.IntegerField(help_text="fen")


class PromoterCentreApi(APIView):
    """The promoter centre's first screen: the account, the share code, earnings by state and
    the programme's rules (minimum withdrawal, windows)."""

    permission_classes = [IsMember]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "PromoterCentreOutput"

        promoter = PromoterOutputSerializer()
        earnings = EarningsOutputSerializer(allow_null=True, help_text="null until approved")
        program = DistributionProgramOutputSerializer()

    @extend_schema(
        operation_id="me_promoter",
        tags=["distribution"],
        responses={200: OutputSerializer, **error_responses((401, ["not_authenticated"]))},
    )
    def get(self, request: Request) -> Response:
        promoter = promoter_for_member(member=member_of(request))
        program = DistributionProgram.current()
        earns = promoter is not None and promoter.status in (PromoterStatus.APPROVED, PromoterStatus.DISABLED)
        body = {
            "promoter": _promoter_data(promoter),
            "earnings": _earnings_data(promoter_earnings(promoter_id=promoter.pk)) if earns and promoter else None,
            "program": {
                "active": program.is_active,
                "default_rate": f"{program.default_rate:.3f}",
                "attribution_days": program.attribution_days,
                "settle_days": program.settle_days,
                "min_withdrawal": program.min_withdrawal,
            },
        }
        return Response(self.OutputSerializer(body).data)


class CommissionLineOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "PromoterCommissionLine"

    id = serializers.IntegerField()
    title = serializers.CharField()
    qty = serializers.IntegerField()
    base_amount = serializers.IntegerField(help_text="fen the buyer paid for the line, after discounts")
    rate = serializers.CharField()
    amount = serializers.IntegerField(help_text="fen; base × rate, rounded half up")
    held_amount = serializers.IntegerField(help_text="fen; after refunded units")
    status = serializers.CharField(help_text="pending | frozen | available | reversed")
    available_at = serializers.DateTimeField(allow_null=True)


class PromoterOrderOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "PromoterOrder"

    order_no = serializers.CharField(help_text="masked")
    buyer_nickname = serializers.CharField(help_text="masked")
    buyer_avatar_url = serializers.CharField()
    placed_at = serializers.DateTimeField()
    amount = serializers.IntegerField(help_text="fen; sum of the lines' commission")
    held_amount = serializers.IntegerField()
    lines = CommissionLineOutputSerializer(many=True)


def _page_output(name: str, results: serializers.Serializer) -> type[serializers.Serializer]:
    meta = type("Meta", (), {"ref_name": name})
    return type(
        f"{name}Serializer",
        (serializers.Serializer,),
        {
            "Meta": meta,
            "count": serializers.IntegerField(),
            "next": serializers.CharField(allow_null=True),
            "previous": serializers.CharField(allow_null=True),
            "results": results,
        },
    )


class PromoterOrderListApi(APIView):
    """Orders that pay this promoter, newest first, with each line's commission and state."""

    permission_classes = [IsMember]
    OutputSerializer = _page_output("PromoterOrderPage", PromoterOrderOutputSerializer(many=True))

    @extend_schema(
        operation_id="me_promoter_orders",
        tags=["distribution"],
        parameters=_PAGE_PARAMETERS,
        responses={200: OutputSerializer, **_NOT_PROMOTER},
    )
    def get(self, request: Request) -> Response:
        promoter = _approved_promoter(member_of(request))
        paginator = StandardPagination()
        page = paginator.paginate_queryset(promoter_orders(promoter_id=promoter.pk), request, view=self)
        rows = []
        for order in page or []:
            lines = order.promoter_rows  # type: ignore[attr-defined]
            rows.append(
                {
                    "order_no": mask_order_no(order.no),
                    "buyer_nickname": mask_nickname(order.member.nickname),
                    "buyer_avatar_url": order.member.avatar_url,
                    "placed_at": order.created_at,
                    "amount": sum(line.amount for line in lines),
                    "held_amount": sum(line.held_amount for line in lines),
                    "lines": [
                        {
                            "id": line.pk,
                            "title": line.title,
                            "qty": line.qty,
                            "base_amount": line.base_amount,
                            "rate": f"{line.rate:.3f}",
                            "amount": line.amount,
                            "held_amount": line.held_amount,
                            "status": line.status,
                            "available_at": line.available_at,
                        }
                        for line in lines
                    ],
                }
            )
        return paginator.get_paginated_response(PromoterOrderOutputSerializer(rows, many=True).data)


class PromoterCustomerOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "PromoterCustomer"

    nickname = serializers.CharField(help_text="masked")
    avatar_url = serializers.CharField()
    first_clicked_at = serializers.DateTimeField()
    last_clicked_at = serializers.DateTimeField()
    clicks = serializers.IntegerField()
    orders = serializers.IntegerField(help_text="orders that paid this promoter")


class PromoterCustomerListApi(APIView):
    """Shoppers who opened this promoter's links, latest first."""

    permission_classes = [IsMember]
    OutputSerializer = _page_output("PromoterCustomerPage", PromoterCustomerOutputSerializer(many=True))

    @extend_schema(
        operation_id="me_promoter_customers",
        tags=["distribution"],
        parameters=_PAGE_PARAMETERS,
        responses={200: OutputSerializer, **_NOT_PROMOTER},
    )
    def get(self, request: Request) -> Response:
        promoter = _approved_promoter(member_of(request))
        paginator = StandardPagination()
        page = paginator.paginate_queryset(promoter_customers(promoter_id=promoter.pk), request, view=self)
        rows = [
            {
                "nickname": mask_nickname(row.member.nickname),
                "avatar_url": row.member.avatar_url,
                "first_clicked_at": row.first_clicked_at,
                "last_clicked_at": row.last_clicked_at,
                "clicks": row.clicks,
                "orders": row.orders,  # type: ignore[attr-defined]
            }
            for row in page or []
        ]
        return paginator.get_paginated_response(PromoterCustomerOutputSerializer(rows, many=True).data)


class WithdrawalOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "WithdrawalOutput"

    id = serializers.IntegerField()
    amount = serializers.IntegerField(help_text="fen")
    status = serializers.CharField(help_text="requested | paid | rejected")
    requested_at = serializers.DateTimeField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    payout_reference = serializers.CharField()
    note = serializers.CharField()


def _withdrawal_data(withdrawal: Any) -> dict[str, Any]:
    return {
        "id": withdrawal.pk,
        "amount": withdrawal.amount,
        "status": withdrawal.status,
        "requested_at": withdrawal.requested_at,
        "reviewed_at": withdrawal.reviewed_at,
        "payout_reference": withdrawal.payout_reference,
        "note": withdrawal.note,
    }


class WithdrawalListApi(APIView):
    """The promoter's withdrawal requests, newest first, with their state; paginated."""

    permission_classes = [IsMember]
    OutputSerializer = _page_output("WithdrawalPage", WithdrawalOutputSerializer(many=True))

    @extend_schema(
        operation_id="me_promoter_withdrawals",
        tags=["distribution"],
        parameters=_PAGE_PARAMETERS,
        responses={200: OutputSerializer, **_NOT_PROMOTER},
    )
    def get(self, request: Request) -> Response:
        promoter = _approved_promoter(member_of(request))
        paginator = StandardPagination()
        page = paginator.paginate_queryset(promoter_withdrawals(promoter_id=promoter.pk), request, view=self)
        return paginator.get_paginated_response(
            WithdrawalOutputSerializer([_withdrawal_data(w) for w in page or []], many=True).data
        )


class WithdrawalRequestApi(APIView):
    """Ask for available commission; an ``Idempotency-Key`` header makes a retried tap return the
    first request instead of a second one. Guarded (F45): the "withdraw" limits, the block lists
    and the slider when the merchant asks for it."""

    permission_classes = [IsMember]
    throttle_action = "withdraw"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "WithdrawalRequestInput"

        amount = serializers.IntegerField(min_value=1, max_value=10**10, help_text="fen")

    @extend_schema(
        operation_id="me_promoter_withdrawal_request",
        tags=["distribution"],
        request=InputSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False), *GUARD_HEADERS],
        responses={
            201: WithdrawalOutputSerializer,
            **error_responses(
                (400, ["invalid_input", "withdrawal_below_minimum"]),
                (401, ["not_authenticated"]),
                (409, ["promoter_not_approved", "withdrawal_exceeds_balance"]),
                *GUARD_ERRORS,
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        guard_request(request, action="withdraw")
        withdrawal = withdrawal_request(
            member=member_of(request),
            amount=serializer.validated_data["amount"],
            request_key=request.headers.get("Idempotency-Key"),
        )
        return Response(WithdrawalOutputSerializer(_withdrawal_data(withdrawal)).data, status=status.HTTP_201_CREATED)


class WithdrawalCollectionApi(WithdrawalListApi, WithdrawalRequestApi):
    """GET and POST on one path."""


class AttributionClickApi(APIView):
    """The client opened a page carrying ``pc=CODE``: this promoter holds the shopper's orders for
    the attribution window (the last click wins; a promoter's own code is refused). Guarded (F45):
    the "click" limits and the block lists, so farmed accounts cannot move attributions."""

    permission_classes = [IsMember]
    throttle_action = "click"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AttributionClickInput"

        code = serializers.CharField(max_length=16)
        product_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AttributionClickOutput"

        promoter_nickname = serializers.CharField(help_text="masked")
        expires_at = serializers.DateTimeField(help_text="orders until then pay this promoter")
        clicks = serializers.IntegerField()

    @extend_schema(
        operation_id="promoter_click",
        tags=["distribution"],
        request=InputSerializer,
        parameters=GUARD_HEADERS,
        responses={
            200: OutputSerializer,
            **error_responses(
                (400, ["invalid_input"]),
                (401, ["not_authenticated"]),
                (404, ["promoter_not_found"]),
                (409, ["distribution_closed", "attribution_self"]),
                *GUARD_ERRORS,
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        guard_request(request, action="click")
        result = attribution_click(
            member=member_of(request),
            code=serializer.validated_data["code"],
            product_id=serializer.validated_data.get("product_id"),
        )
        body = {
            "promoter_nickname": mask_nickname(result.attribution.promoter.member.nickname),
            "expires_at": result.expires_at,
            "clicks": result.attribution.clicks,
        }
        return Response(self.OutputSerializer(body).data)
