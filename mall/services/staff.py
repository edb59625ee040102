"""Staff accounts and their roles (owner, operator, customer service, finance).

The roles are auth Groups whose permissions come from ``mall.console.roles``; the
``0002_staff_roles`` migration creates them and ``staff_roles_sync`` (run after every
``migrate`` and ``flush``) keeps them in step as apps add models.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext_lazy as _

from mall.console.roles import ROLE_FINANCE, ROLE_OPERATOR, ROLE_OWNER, ROLE_SERVICE, ROLES, sync_role_groups
from mall.errors import Conflict, ValidationFailed
from mall.services.audit import audit_record

__all__ = [
    "ROLES",
    "ROLE_FINANCE",
    "ROLE_OPERATOR",
    "ROLE_OWNER",
    "ROLE_SERVICE",
    "staff_create",
    "staff_ensure_owner",
    "staff_roles_sync",
]


class UnknownRole(ValidationFailed):
    code = "staff_unknown_role"
    default_message = _("未知的员工角色。")


class UsernameTaken(Conflict):
    code = "staff_username_taken"
    default_message = _("该用户名已被使用。")


@transaction.atomic
def staff_ensure_owner(*, username: str, password: str) -> bool:
    """Creates the owner (superuser, in the owner group) if missing. Returns True when created.

    The password goes through Django's validators first (a weak one, or the demo's default
    outside the embedded demo, is refused with the validators' reasons in ``details["password"]``).
    """
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True, "is_superuser": True})
    if created:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise ValidationFailed(_("密码不符合要求。"), details={"password": list(exc.messages)}) from exc
        user.set_password(password)
        user.save(update_fields=["password"])
    group = Group.objects.filter(name=ROLE_OWNER).first()
    if group is not None:
        user.groups.add(group)
    return created


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str,
    role: str,
    actor: AbstractBaseUser | AnonymousUser | None,
    email: str = "",
) -> User:
    """Creates a console account (is_staff, never superuser) in one role group, audited.

    The password goes through Django's validators so a weak one is refused the same way
    the console's own password form refuses it.
    """
    if role not in ROLES:
        raise UnknownRole(details={"role": role, "allowed": list(ROLES)})
    username = username.strip()
    if not username:
        raise ValidationFailed(_("用户名不能为空。"), details={"field": "username"})
    if User.objects.filter(username__iexact=username).exists():
        raise UsernameTaken(details={"username": username})
    user = User(username=username, email=email, is_staff=True, is_superuser=False)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationFailed(_("密码不符合要求。"), details={"password": list(exc.messages)}) from exc
    user.set_password(password)
    user.save()
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    audit_record(actor=actor, action="staff.create", target=user, data={"username": username, "role": role})
    return user


@transaction.atomic
def staff_roles_sync(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Creates missing permissions for every installed app, then sets each role group's permissions.

    Returns how many permissions each role now holds.
    """
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    return sync_role_groups(group_model=Group, permission_model=Permission, using=using)


def staff_roles_sync_after_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_migrate receiver (also fired after ``flush``, so transactional tests keep the roles)."""
    staff_roles_sync(using=using)
