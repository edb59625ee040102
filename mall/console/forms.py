"""Forms of the console's own pages; they only read input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminEmailInputWidget,
    UnfoldAdminPasswordWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
)

from mall.console.roles import ROLE_LABELS, ROLES


class StaffCreateForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150, widget=UnfoldAdminTextInputWidget)
    role = forms.ChoiceField(
        label=_("角色"),
        choices=[(role, ROLE_LABELS[role]) for role in ROLES],
        widget=UnfoldAdminSelectWidget,
        help_text=_("店主：全部权限；运营：商品与营销；客服：订单与发货；财务：支付、退款与操作日志。"),
    )
    email = forms.EmailField(label=_("邮箱"), required=False, widget=UnfoldAdminEmailInputWidget)
    password = forms.CharField(
        label=_("初始密码"),
        widget=UnfoldAdminPasswordWidget,
        help_text=_("至少 10 位，不能是常见密码、纯数字或与用户名相近。"),
    )
    password_again = forms.CharField(label=_("再次输入密码"), widget=UnfoldAdminPasswordWidget)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("两次输入的密码不一致。"))
        return data
