from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("会员")

    def ready(self) -> None:
        # Registers the OpenAPI security scheme of MemberJWTAuthentication with drf-spectacular.
        from members.api import schema  # noqa: F401

        # F14: the tier's free-shipping uses register as a 包邮 waiver source.
        from members.selectors import tiers  # noqa: F401

        # F15: 积分商城 goods are bought through the order path as a deal of their own (points_mall_deal).
        # P06: members from the old shop apply when the shopper binds the same phone (member_import).
        from members.services import (
            member_import,  # noqa: F401
            points_mall_deal,  # noqa: F401
        )
