"""JWT authentication for shoppers: tokens carry ``member_id`` and resolve to a Member, not a User."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings

from members.models import Member


class MemberJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token: Any) -> Member:  # type: ignore[override]
        try:
            member_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(_("令牌中没有会员信息。")) from exc
        member = Member.objects.filter(pk=member_id).first()
        if member is None:
            raise AuthenticationFailed(_("会员不存在。"), code="member_not_found")
        if member.is_blocked:
            raise AuthenticationFailed(_("账号已被封禁。"), code="member_blocked")
        return member
