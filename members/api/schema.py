"""OpenAPI: the shopper Bearer JWT, declared once for every endpoint that uses MemberJWTAuthentication."""

from __future__ import annotations

from typing import Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class MemberJWTScheme(SimpleJWTScheme):
    """Registered on import (see ``MembersConfig.ready``); same Bearer scheme as simplejwt's."""

    target_class = "members.authentication.MemberJWTAuthentication"
    match_subclasses = True  # ShopperTokenAuthentication takes the same token
    name = "memberJWT"

    def get_security_definition(self, auto_schema: Any) -> Any:
        definition = super().get_security_definition(auto_schema)
        definition["description"] = "Access token from auth/wechat-login (or auth/refresh): `Bearer <access>`"
        return definition


class ShopperTokenScheme(MemberJWTScheme):
    """The flash purchase's ``ShopperTokenAuthentication`` takes the very same Bearer token.

    drf-spectacular keys a security scheme on the authentication class, so a second class
    registering "memberJWT" would be a second, clashing component; this one only *refers* to
    the scheme that ``MemberJWTAuthentication`` (the API's default) defines.
    """

    target_class = "members.authentication.ShopperTokenAuthentication"
    match_subclasses = False
    priority = 1
    name: Any = []  # no definition of its own

    def get_security_requirement(self, auto_schema: Any) -> Any:
        return {MemberJWTScheme.name: []}

    def get_security_definition(self, auto_schema: Any) -> Any:
        return []
