"""Sign-in endpoints: WeChat login, development login, token refresh.

They take no Authorization header into account (``authentication_classes = []``): a stale
token left in the mini-program's storage must not stop the shopper from logging in again.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.schema import error_responses
from members.api.abuse import request_context
from members.api.profile import MemberProfileOutputSerializer, profile_data
from members.selectors.members import member_profile
from members.services.auth import LoginResult, member_login_dev, member_login_wechat, member_token_refresh


class LoginOutputSerializer(serializers.Serializer):
    """The answer of both logins: a token pair, whether the shopper just signed up, the profile."""

    access = serializers.CharField()
    refresh = serializers.CharField()
    is_new = serializers.BooleanField()
    member = MemberProfileOutputSerializer()


def _login_response(result: LoginResult) -> Response:
    body = {
        "access": result.tokens.access,
        "refresh": result.tokens.refresh,
        "is_new": result.is_new,
        "member": profile_data(member_profile(member=result.member)),
    }
    return Response(body)


class MemberLoginWechatApi(APIView):
    """Sign in with the code of ``wx.login``: the server exchanges it with WeChat and answers the
    shopper's tokens (a first login creates the shopper and binds the inviter's code)."""

    authentication_classes: list = []
    permission_classes: list = []

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MemberLoginWechatInput"  # nested serializers share a class name

        code = serializers.CharField(max_length=128, help_text="The code from wx.login()")
        invite_code = serializers.CharField(
            max_length=16, required=False, allow_blank=True, allow_null=True, help_text="Honoured at first login only"
        )

    @extend_schema(
        operation_id="auth_wechat_login",
        tags=["auth"],
        request=InputSerializer,
        responses={
            200: LoginOutputSerializer,
            **error_responses(
                (400, ["invalid_input", "wechat_code_invalid"]),
                (403, ["member_blocked", "access_blocked"]),
                (429, ["wechat_rate_limited", "rate_limited"]),
                (503, ["wechat_unavailable"]),
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = member_login_wechat(
            code=serializer.validated_data["code"],
            invite_code=serializer.validated_data.get("invite_code"),
            context=request_context(request),
        )
        return _login_response(result)


class MemberLoginDevApi(APIView):
    """Development only: 404 ``not_found`` unless DEV_LOGIN_ENABLED (never in production)."""

    authentication_classes: list = []
    permission_classes: list = []

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MemberLoginDevInput"  # nested serializers share a class name

        openid = serializers.CharField(max_length=64, required=False, allow_blank=True)
        nickname = serializers.CharField(max_length=64, required=False, allow_blank=True)
        invite_code = serializers.CharField(max_length=16, required=False, allow_blank=True, allow_null=True)

    @extend_schema(
        operation_id="auth_dev_login",
        tags=["auth"],
        request=InputSerializer,
        responses={
            200: LoginOutputSerializer,
            **error_responses(
                (400, ["invalid_input"]), (403, ["member_blocked", "access_blocked"]), (404, ["not_found"])
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _login_response(member_login_dev(**serializer.validated_data, context=request_context(request)))


class MemberTokenRefreshApi(APIView):
    """Trade the refresh token for a new access token (sent when an answer says ``not_authenticated``)."""

    authentication_classes: list = []
    permission_classes: list = []

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MemberTokenRefreshInput"  # nested serializers share a class name

        refresh = serializers.CharField()

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MemberTokenRefreshOutput"  # nested serializers share a class name

        access = serializers.CharField()
        refresh = serializers.CharField()

    @extend_schema(
        operation_id="auth_refresh",
        tags=["auth"],
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            **error_responses((400, ["invalid_input"]), (401, ["token_invalid"]), (403, ["member_blocked"])),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = member_token_refresh(refresh=serializer.validated_data["refresh"])
        return Response(self.OutputSerializer({"access": pair.access, "refresh": pair.refresh}).data)
