"""Staff accounts and roles in the console, in unfold's look.

Django registers its own User and Group admins; they are swapped here (from
``MallConfig.ready``, after admin autodiscovery) for unfold-styled ones that show each
account's role, and "add user" goes to the console page that calls ``staff_create``, so a
new account always gets exactly one role and an audit row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action
from unfold.forms import AdminPasswordChangeForm, BaseDialogForm, UserChangeForm, UserCreationForm

from mall.console.roles import ROLE_LABELS
from mall.errors import ApplicationError
from mall.services.staff_security import staff_otp_disable


class StaffUserAdmin(DjangoUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ("username", "email", "role_names", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("角色"))
    def role_names(self, obj: User) -> str:
        if obj.is_superuser:
            return str(ROLE_LABELS["owner"])
        return "、".join(str(ROLE_LABELS.get(group.name, group.name)) for group in obj.groups.all())

    actions_detail = ["reset_2fa"]

    def has_reset_2fa_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return bool(request.user.is_superuser)

    @action(
        description=_("重置两步验证"),
        permissions=["reset_2fa"],
        icon="phonelink_erase",
        dialog={
            "title": _("重置两步验证"),
            "description": _("员工手机丢失时使用：删除其身份验证器和恢复码，下次登录时需重新绑定。会写入操作日志。"),
            "form_class": BaseDialogForm,
            "form_submit_text": _("确认重置"),
        },
    )
    def reset_2fa(self, request: HttpRequest, form: BaseDialogForm, object_id: str) -> HttpResponse:
        """The owner removes a staff member's authenticator (lost phone); they bind a new one."""
        try:
            staff_otp_disable(actor=request.user, user_id=int(object_id))  # type: ignore[arg-type]
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已重置该员工的两步验证，对方下次登录时需重新绑定。"))
        return HttpResponseRedirect(reverse("admin:auth_user_change", args=[object_id]))

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        """New accounts are made by ``staff_create`` (role + audit), on the console's own page."""
        return HttpResponseRedirect(reverse("console:staff_create"))


class RoleGroupAdmin(DjangoGroupAdmin, ModelAdmin):
    list_display = ("name", "permission_count")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Group]:
        return super().get_queryset(request).prefetch_related("permissions")

    @admin.display(description=_("权限数"))
    def permission_count(self, obj: Group) -> int:
        return len(obj.permissions.all())


def register_staff_admin(site: admin.AdminSite) -> None:
    """Replaces Django's User and Group admins on ``site`` (idempotent) and its login form with
    the one that serialises guesses and shows the lockout in Chinese."""
    from mall.console.security import StaffLoginForm

    site.login_form = StaffLoginForm
    for model, model_admin in ((User, StaffUserAdmin), (Group, RoleGroupAdmin)):
        if site.is_registered(model):
            if isinstance(site._registry[model], model_admin):
                continue
            site.unregister(model)
        site.register(model, model_admin)


# Apps whose own admin pages are developers' tools (English, raw): merchants use the console's
# pages instead — 计划任务 for beat's schedules, 账号安全 and the owner's reset for 2FA devices.
DEVELOPER_ADMIN_APPS = ("django_celery_beat", "otp_totp", "otp_static")


def hide_developer_admin(site: admin.AdminSite) -> None:
    """Takes the developer apps' models (周期性任务, TOTP devices …) out of the console unless
    ``CONSOLE_DEVELOPER_TOOLS`` is on."""
    from django.apps import apps
    from django.conf import settings

    if getattr(settings, "CONSOLE_DEVELOPER_TOOLS", False):
        return
    for label in DEVELOPER_ADMIN_APPS:
        try:
            models = list(apps.get_app_config(label).get_models())
        except LookupError:  # not installed here
            continue
        for model in models:
            if site.is_registered(model):
                site.unregister(model)
