"""Staff accounts and their roles (owner, operator, customer service, finance)."""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.db import transaction

ROLE_OWNER = "owner"
ROLE_OPERATOR = "operator"
ROLE_SERVICE = "customer_service"
ROLE_FINANCE = "finance"
ROLES = (ROLE_OWNER, ROLE_OPERATOR, ROLE_SERVICE, ROLE_FINANCE)


@transaction.atomic
def staff_ensure_owner(*, username: str, password: str) -> bool:
    """Creates the owner (superuser, in the owner group) if missing. Returns True when created."""
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True, "is_superuser": True})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    group = Group.objects.filter(name=ROLE_OWNER).first()
    if group is not None:
        user.groups.add(group)
    return created
