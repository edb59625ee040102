"""Paying for an order: open the payment, the sandbox's pay button, WeChat Pay's callback."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.schema import error_responses
from mall.errors import ApplicationError, NotFound
from members.api.permissions import IsMember
from members.models import Member
from orders.payments import get_provider
from orders.selectors.orders import order_get_for_member
from orders.services.payments import payment_create, payment_notice_handle, payment_sandbox_complete

logger = logging.getLogger(__name__)


class OrderPayApi(APIView):
    """Open the order's payment. WeChat: the ``wx.requestPayment`` params; sandbox: a URL to POST."""

    permission_classes = [IsMember]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "OrderPayOutput"  # nested serializers share a class name

        provider = serializers.ChoiceField(choices=["sandbox", "wechat"])
        out_trade_no = serializers.CharField()
        params = serializers.DictField(
            child=serializers.CharField(),
            help_text="wechat: {timeStamp, nonceStr, package, signType, paySign}; sandbox: {sandbox_pay_url}",
        )

    @extend_schema(
        operation_id="order_pay",
        tags=["payments"],
        request=None,
        responses={
            200: OutputSerializer,
            **error_responses(
                (401, ["not_authenticated"]),
                (404, ["order_not_found"]),
                (409, ["order_not_payable"]),
                (503, ["payment_provider_unavailable"]),
            ),
        },
    )
    def post(self, request: Request, no: str) -> Response:
        member: Member = request.user  # type: ignore[assignment]
        order = order_get_for_member(member=member, no=no)
        result = payment_create(order=order, member=member)
        return Response(OrderPayApi.OutputSerializer(result).data)


class PaymentSandboxCompleteApi(APIView):
    """Development only: pays through the same service as a verified notice. 404 unless sandbox."""

    permission_classes = [IsMember]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "PaymentSandboxCompleteOutput"

        out_trade_no = serializers.CharField()
        outcome = serializers.CharField(help_text="paid, revived, refunded, already_paid or duplicate")
        order_no = serializers.CharField(source="order.no")
        order_status = serializers.CharField(source="order.status")

    @extend_schema(
        operation_id="payment_sandbox_complete",
        tags=["payments"],
        request=None,
        responses={
            200: OutputSerializer,
            **error_responses(
                (401, ["not_authenticated"]), (404, ["not_found", "payment_not_found"]), (409, ["conflict"])
            ),
        },
    )
    def post(self, request: Request, out_trade_no: str) -> Response:
        if settings.PAYMENT_PROVIDER != "sandbox":
            raise NotFound()
        member: Member = request.user  # type: ignore[assignment]
        payment, outcome = payment_sandbox_complete(member=member, out_trade_no=out_trade_no)
        data = {"out_trade_no": payment.out_trade_no, "outcome": str(outcome), "order": payment.order}
        return Response(PaymentSandboxCompleteApi.OutputSerializer(data).data)


class WeChatNoticeAnswerSerializer(serializers.Serializer):
    """WeChat Pay's own answer format for callbacks."""

    code = serializers.ChoiceField(choices=["SUCCESS", "FAIL"])
    message = serializers.CharField()


class PaymentWechatNotifyApi(APIView):
    """WeChat Pay v3 callback (payments and refunds).

    Answers in WeChat's own format, not the API's error body: ``{"code": "SUCCESS"}`` when the
    notice was handled (also when it was a redelivery), 4xx ``{"code": "FAIL", "message"}`` when
    it was refused, so WeChat retries later. Signed by WeChat, so no shopper auth or throttling.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        operation_id="payment_wechat_notify",
        tags=["payments"],
        request={"application/json": {"type": "object"}},
        responses={
            200: WeChatNoticeAnswerSerializer,
            400: OpenApiResponse(WeChatNoticeAnswerSerializer, description="Refused: malformed or mismatching"),
            401: OpenApiResponse(WeChatNoticeAnswerSerializer, description="Refused: signature invalid or stale"),
            404: OpenApiResponse(WeChatNoticeAnswerSerializer, description="Refused: unknown trade"),
        },
    )
    def post(self, request: Request) -> Response:
        try:
            provider = get_provider("wechat")
        except ImproperlyConfigured:
            return Response({"code": "FAIL", "message": "wechat pay is not configured"}, status=404)
        try:
            notice = provider.parse_notice(request._request)
            outcome = payment_notice_handle(notice=notice)
        except ApplicationError as exc:
            logger.warning("wechat notice refused: %s %s %s", exc.code, exc.message, exc.details)
            status = exc.status if 400 <= exc.status < 600 else 400
            return Response({"code": "FAIL", "message": f"{exc.code}: {exc.message}"}, status=status)
        logger.info("wechat notice %s for %s: %s", notice.notice_id, notice.out_trade_no, outcome)
        return Response({"code": "SUCCESS", "message": "成功"})
