"""What each console role may do, as permission patterns; pure data so migrations can use it.

A pattern is ``"<app_label>.<codename glob>"`` (``fnmatch``), so a role written today also
covers models that appear later in an app ("marketing.*" gives the operator every
marketing model as soon as the marketing engineer adds it). ``staff_roles_sync`` and the
``0002_staff_roles`` data migration both turn these patterns into Group permissions.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import Any

from django.utils.translation import gettext_lazy as _

ROLE_OWNER = "owner"
ROLE_OPERATOR = "operator"
ROLE_SERVICE = "customer_service"
ROLE_FINANCE = "finance"
ROLES = (ROLE_OWNER, ROLE_OPERATOR, ROLE_SERVICE, ROLE_FINANCE)

_CATALOGUE = ("category", "producttag", "product", "productimage", "sku")

ROLE_PATTERNS: dict[str, tuple[str, ...]] = {
    # The shop owner: everything, including permissions of models added later.
    ROLE_OWNER: ("*.*",),
    # Marketing operator: runs the catalogue and campaigns (invite and distribution programmes,
    # promoter applications included), reads orders and shoppers; paying withdrawals is finance's.
    ROLE_OPERATOR: (
        *(f"mall.{action}_{model}" for model in _CATALOGUE for action in ("add", "change", "view")),
        "mall.delete_productimage",
        "mall.view_shopsettings",
        "marketing.add_*",
        "marketing.change_*",
        "marketing.view_*",
        "marketing.close_*",  # complete or fail a group early (the refunds are the system's)
        # Flash sales: publishing carves quota out of the shelf stock; pause, extend, add stock.
        "marketing.publish_*",
        # P06: grant a coupon template to a sheet of shoppers; export the coupon sheets.
        "marketing.grant_*",
        "marketing.export_*",
        "members.view_memberimport",
        "orders.view_order",
        "orders.view_orderline",
        "members.view_member",
        "members.view_pointsentry",
        "members.*_subscribetemplate",
        "members.view_message",
        # Anti-abuse protects the campaigns: the operator keeps the block list and the guard.
        *(f"members.{action}_blockentry" for action in ("add", "change", "delete", "view")),
        "members.change_guardsettings",
        "members.view_guardsettings",
        "analytics.view_*",
    ),
    # Customer service: reads and handles orders (ships them), reads shoppers and addresses.
    # Refunds are money leaving the shop, so they stay with finance.
    ROLE_SERVICE: (
        "orders.view_order",
        "orders.change_order",
        "orders.view_orderline",
        "orders.ship_*",
        # After-sales (P04): review requests, confirm returned goods; the refund then runs
        # through refund_create, bounded by the request and by what was paid.
        "orders.view_aftersale",
        "orders.handle_aftersale",
        "orders.reveal_phone",  # to call a shopper about an order; every reveal is audited
        "members.view_member",
        "members.view_address",
        "members.view_pointsentry",
        "members.view_blockentry",
        "mall.view_product",
        "mall.view_sku",
    ),
    # Finance: reads orders and payments, issues and follows refunds, pays or rejects promoters'
    # withdrawals (F06) and reads the commission behind them, reads the audit log.
    ROLE_FINANCE: (
        "orders.view_order",
        "orders.view_orderline",
        "orders.view_payment",
        "orders.view_paymentnotice",
        "orders.view_refund",
        "orders.add_refund",
        "orders.change_refund",
        "orders.view_aftersale",
        "orders.handle_aftersale",
        "marketing.view_withdrawal",
        "marketing.pay_withdrawal",
        "marketing.view_commission",
        "marketing.view_promoter",
        # P06: the coupon sheets for reconciliation (templates and issued coupons, used on which order).
        "marketing.view_coupontemplate",
        "marketing.view_coupon",
        "marketing.export_coupons",
        "mall.view_auditlog",
    ),
}

ROLE_LABELS: dict[str, Any] = {
    ROLE_OWNER: _("店主"),
    ROLE_OPERATOR: _("运营"),
    ROLE_SERVICE: _("客服"),
    ROLE_FINANCE: _("财务"),
}


def role_permission_keys(role: str, available: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The ``(app_label, codename)`` pairs among ``available`` that ``role`` is granted."""
    patterns = ROLE_PATTERNS[role]
    return {
        (app_label, codename)
        for app_label, codename in available
        if any(fnmatchcase(f"{app_label}.{codename}", pattern) for pattern in patterns)
    }


def sync_role_groups(*, group_model: Any, permission_model: Any, using: str = "default") -> dict[str, int]:
    """Makes the four role groups hold exactly their granted permissions; returns counts per role.

    Takes the model classes so the data migration can pass its historical models and the
    post-migrate hook the real ones. The roles are defined in code: a merchant who wants a
    different mix makes another group instead of editing these four.
    """
    rows = list(permission_model.objects.using(using).values_list("pk", "content_type__app_label", "codename"))
    available = [(app_label, codename) for _pk, app_label, codename in rows]
    counts: dict[str, int] = {}
    for role in ROLES:
        granted = role_permission_keys(role, available)
        ids = [pk for pk, app_label, codename in rows if (app_label, codename) in granted]
        group, _created = group_model.objects.using(using).get_or_create(name=role)
        group.permissions.set(ids)
        counts[role] = len(ids)
    return counts
