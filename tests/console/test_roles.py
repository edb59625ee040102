"""Staff roles (P05): the data migration, the role → permission rules, staff_create, and what
each role can open in the console."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from mall.console.roles import ROLES, role_permission_keys
from mall.errors import ValidationFailed
from mall.models import AuditLog, Category, Product
from mall.services.staff import UnknownRole, UsernameTaken, staff_create, staff_roles_sync
from members.tests.factories import MemberFactory
from tests.console.factories import OrderFactory

pytestmark = pytest.mark.django_db


def _perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {f"{app}.{code}" for app, code in group.permissions.values_list("content_type__app_label", "codename")}


def test_migration_creates_permissions_and_roles_on_a_fresh_database():
    """Runs the migration's function against the historical models with no permissions yet."""
    migration = importlib.import_module("mall.migrations.0002_staff_roles")
    state_apps = MigrationExecutor(connection).loader.project_state(("mall", "0002_staff_roles")).apps
    Group.objects.all().delete()
    Permission.objects.all().delete()

    migration.create_roles(state_apps, SimpleNamespace(connection=connection))

    assert set(Group.objects.values_list("name", flat=True)) == set(ROLES)
    assert Permission.objects.filter(content_type__app_label="orders", codename="view_refund").exists()
    assert "mall.change_product" in _perms("operator")
    assert "orders.change_refund" in _perms("finance")
    assert _perms("owner") == {
        f"{app}.{code}" for app, code in Permission.objects.values_list("content_type__app_label", "codename")
    }


@pytest.mark.parametrize(
    ("role", "granted", "refused"),
    [
        (
            "operator",
            [
                "mall.add_product",
                "mall.change_sku",
                "mall.view_category",
                "orders.view_order",
                # marketing models arrived after the roles migration: the post-migrate sync grants them
                "marketing.add_coupontemplate",
                "marketing.change_promotion",
            ],
            [
                "marketing.delete_promotion",
                "orders.view_refund",
                "orders.change_refund",
                "orders.view_payment",
                "mall.view_auditlog",
                "mall.delete_product",
                "auth.change_user",
            ],
        ),
        (
            "customer_service",
            ["orders.view_order", "orders.change_order", "orders.ship_order", "members.view_address"],
            ["orders.add_refund", "orders.view_refund", "mall.change_product", "members.adjust_points"],
        ),
        (
            "finance",
            [
                "orders.view_order",
                "orders.view_payment",
                "orders.view_refund",
                "orders.add_refund",
                "orders.change_refund",
                "mall.view_auditlog",
            ],
            [
                "mall.change_product",
                "mall.view_product",
                "orders.ship_order",
                "members.view_address",
                "marketing.change_promotion",
            ],
        ),
        (
            "owner",
            [
                "mall.delete_category",
                "orders.change_refund",
                "auth.add_user",
                "members.adjust_points",
                "marketing.delete_promotion",
                "marketing.change_pricingpolicy",
            ],
            [],
        ),
    ],
)
def test_each_role_holds_exactly_its_kind_of_work(staff_factory, role, granted, refused):
    user = staff_factory(role)
    assert not user.is_superuser
    for perm in granted:
        assert user.has_perm(perm), perm
    for perm in refused:
        assert not user.has_perm(perm), perm


def test_role_patterns_cover_models_that_appear_later():
    later = [("marketing", "add_coupon"), ("marketing", "delete_coupon"), ("orders", "ship_parcel")]
    assert role_permission_keys("operator", later) == {("marketing", "add_coupon")}
    assert role_permission_keys("customer_service", later) == {("orders", "ship_parcel")}
    assert role_permission_keys("finance", later) == set()
    assert role_permission_keys("owner", later) == set(later)


def test_roles_sync_is_exact_and_idempotent():
    operator = Group.objects.get(name="operator")
    operator.permissions.add(Permission.objects.get(codename="view_refund"))
    Group.objects.get(name="finance").delete()

    first = staff_roles_sync()
    second = staff_roles_sync()

    assert first == second
    assert "orders.view_refund" not in _perms("operator")
    assert len(_perms("finance")) == first["finance"] > 0
    assert first["owner"] == Permission.objects.count()


@pytest.mark.django_db(transaction=True)
def test_roles_survive_a_flush():
    """post_migrate (also sent after flush) rebuilds the groups, so transactional tests keep them."""
    call_command("flush", interactive=False, verbosity=0)
    assert set(Group.objects.values_list("name", flat=True)) == set(ROLES)
    assert "orders.change_refund" in _perms("finance")


def test_staff_create_makes_a_staff_member_in_the_role_and_audits_it(owner):
    user = staff_create(username="  xiaowang ", password="a-good-pass-42", role="finance", actor=owner)

    user.refresh_from_db()
    assert user.username == "xiaowang"
    assert user.is_staff and not user.is_superuser
    assert user.check_password("a-good-pass-42")
    assert list(user.groups.values_list("name", flat=True)) == ["finance"]
    log = AuditLog.objects.get(action="staff.create")
    assert log.actor == owner
    assert (log.target_type, log.target_id) == ("auth.user", str(user.pk))
    assert log.data == {"username": "xiaowang", "role": "finance"}


def test_staff_create_refusals_write_nothing(owner):
    staff_create(username="Ming", password="pass-pass-123", role="operator", actor=owner)
    before = (User.objects.count(), AuditLog.objects.count())

    with pytest.raises(UnknownRole) as unknown:
        staff_create(username="x1", password="pass-pass-123", role="admin", actor=owner)
    with pytest.raises(UsernameTaken) as taken:
        staff_create(username="ming", password="pass-pass-123", role="finance", actor=owner)
    with pytest.raises(ValidationFailed):
        staff_create(username="   ", password="pass-pass-123", role="finance", actor=owner)

    assert unknown.value.code == "staff_unknown_role"
    assert taken.value.code == "staff_username_taken" and taken.value.status == 409
    assert (User.objects.count(), AuditLog.objects.count()) == before


# --- what each role can open ----------------------------------------------------------------


@pytest.fixture
def product(db):
    category = Category.objects.create(name="美妆")
    return Product.objects.create(category=category, title="洁面乳", min_price=5900)


def _url(name: str, product: Product, order_id: int) -> str:
    if name.startswith("orders_order_") and not name.endswith("changelist"):
        return reverse(f"admin:{name}", args=[order_id])  # the order page and its actions (ship, refund)
    if name.endswith("_change"):
        return reverse(f"admin:{name}", args=[product.pk])
    return reverse(f"admin:{name}")


@pytest.mark.parametrize(
    ("role", "url_name", "status"),
    [
        ("finance", "mall_product_changelist", 403),
        ("finance", "mall_product_change", 403),
        ("finance", "mall_product_add", 403),
        ("finance", "mall_product_import", 403),
        ("finance", "mall_auditlog_changelist", 200),
        ("finance", "orders_order_changelist", 200),
        ("operator", "mall_product_changelist", 200),
        ("operator", "mall_product_add", 200),
        ("operator", "mall_product_change", 200),
        ("operator", "mall_product_import", 200),
        ("operator", "mall_auditlog_changelist", 403),
        ("operator", "orders_order_change", 200),
        ("operator", "auth_user_changelist", 403),
        ("customer_service", "orders_order_changelist", 200),
        ("customer_service", "orders_order_change", 200),
        ("customer_service", "mall_product_add", 403),
        ("customer_service", "members_address_changelist", 200),
        ("customer_service", "mall_auditlog_changelist", 403),
        ("finance", "orders_refund_changelist", 200),
        ("finance", "orders_payment_changelist", 200),
        ("finance", "orders_order_refund", 200),
        ("operator", "orders_refund_changelist", 403),
        ("operator", "orders_payment_changelist", 403),
        ("operator", "orders_order_ship", 403),
        ("customer_service", "orders_refund_changelist", 403),
        ("customer_service", "orders_order_refund", 403),
        ("customer_service", "orders_order_ship", 200),
        ("owner", "auth_user_changelist", 200),
        ("owner", "auth_group_changelist", 200),
        ("owner", "mall_product_add", 200),
    ],
)
def test_console_pages_open_only_for_their_roles(staff_factory, console_client, product, role, url_name, status):
    order = OrderFactory(member=MemberFactory())
    client = console_client(staff_factory(role))
    assert client.get(_url(url_name, product, order.pk)).status_code == status


def test_finance_cannot_change_a_product_by_posting(staff_factory, console_client, product):
    client = console_client(staff_factory("finance"))
    response = client.post(reverse("admin:mall_product_change", args=[product.pk]), {"title": "改了"})
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.title == "洁面乳"


def test_sidebar_lists_only_what_the_role_may_open(staff_factory, console_client):
    operator_page = console_client(staff_factory("operator")).get(reverse("admin:index")).content.decode()
    finance_page = console_client(staff_factory("finance")).get(reverse("admin:index")).content.decode()

    product_list = reverse("admin:mall_product_changelist")
    audit_list = reverse("admin:mall_auditlog_changelist")
    assert f'href="{product_list}"' in operator_page
    assert f'href="{audit_list}"' not in operator_page
    assert f'href="{product_list}"' not in finance_page
    assert f'href="{audit_list}"' in finance_page


def test_order_page_offers_shipping_to_service_and_refunds_to_finance(staff_factory, console_client):
    order = OrderFactory(member=MemberFactory())
    ship = reverse("admin:orders_order_ship", args=[order.pk])
    refund = reverse("admin:orders_order_refund", args=[order.pk])
    change = reverse("admin:orders_order_change", args=[order.pk])

    service_page = console_client(staff_factory("customer_service")).get(change).content.decode()
    finance_page = console_client(staff_factory("finance")).get(change).content.decode()

    assert f'href="{ship}"' in service_page and f'href="{refund}"' not in service_page
    assert f'href="{refund}"' in finance_page and f'href="{ship}"' not in finance_page


def test_sidebar_links_console_pages_by_permission(staff_factory, console_client, owner):
    price_check = reverse("console:marketing_price_check")
    staff_new = reverse("console:staff_create")
    operator_page = console_client(staff_factory("operator")).get(reverse("admin:index")).content.decode()
    owner_page = console_client(owner).get(reverse("admin:index")).content.decode()
    finance_page = console_client(staff_factory("finance")).get(reverse("admin:index")).content.decode()

    assert f'href="{price_check}"' in operator_page and f'href="{staff_new}"' not in operator_page
    assert f'href="{price_check}"' in owner_page and f'href="{staff_new}"' in owner_page
    assert f'href="{price_check}"' not in finance_page
