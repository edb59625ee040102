"""Who may call shopper endpoints: a signed-in, unblocked Member (never a staff User)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from members.models import Member


class IsMember(BasePermission):
    """Anonymous callers get 401 ``not_authenticated`` (the JWT authenticator sets the header)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, Member) and not request.user.is_blocked


class IsShopper(BasePermission):
    """``IsMember`` for views that authenticate with ``ShopperTokenAuthentication`` (a
    :class:`~members.authentication.TokenShopper` until the view loads the Member)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        from members.authentication import TokenShopper

        user = request.user
        return isinstance(user, Member | TokenShopper) and not user.is_blocked
