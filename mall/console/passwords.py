"""The demo shop's published staff passwords, and the validator that refuses them outside the demo.

``make run`` prints ``owner / duoying-owner`` and the other demo logins; anyone who has read the
README knows them. They are accepted only where ``STAFF_DEMO_PASSWORDS_ALLOWED`` is on (the
embedded/local settings), and production refuses to start while an account still has one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# (username, password) of the demo shop's staff, one per role; mall.demo.shop creates them.
DEMO_STAFF_LOGINS: tuple[tuple[str, str], ...] = (
    ("owner", "duoying-owner"),
    ("operator", "duoying-operator"),
    ("service", "duoying-service"),
    ("finance", "duoying-finance"),
)
DEMO_PASSWORDS = frozenset(password for _username, password in DEMO_STAFF_LOGINS)


class DemoPasswordValidator:
    """Refuses the demo shop's published passwords unless the demo is what is running."""

    def validate(self, password: str, user: Any = None) -> None:
        if password in DEMO_PASSWORDS and not getattr(settings, "STAFF_DEMO_PASSWORDS_ALLOWED", False):
            raise ValidationError(_("这是演示店铺公开的默认密码，不能在正式环境使用。"), code="password_demo_default")

    def get_help_text(self) -> str:
        return _("不能使用演示店铺的默认密码。")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese source message (Django's zh-hans catalogue leaves its
    plural form of this one message untranslated)."""

    def get_error_message(self) -> str:
        return _("密码长度太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}
