"""``manage.py seed_demo``: the demo shop's contents, consistent history, idempotency."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import timezone

from mall.demo import marketing as demo_marketing
from mall.models import Category, Product, ProductImage, ProductTag, Sku
from marketing.models import (
    BargainCampaign,
    CouponTemplate,
    FlashItem,
    FlashSettings,
    FlashSlot,
    FlashSlotKind,
    GroupBuyCampaign,
    Promotion,
)
from marketing.selectors.marketing_centre import marketing_centre_data
from marketing.services.flash_sales import FlashSlotData, flash_slot_create, slot_times_parse
from members.models import Member, PointsEntry
from orders.models import Order, OrderLine, OrderStatus, Payment

pytestmark = pytest.mark.django_db

TOP_CATEGORIES = {"美妆", "零食", "日用品", "服饰", "数码", "母婴"}


def _seed(*extra: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--shoppers", "20", "--days", "10", *extra, stdout=out)
    return out.getvalue()


def _snapshot() -> dict[str, int]:
    models = (
        Category,
        ProductTag,
        Product,
        Sku,
        ProductImage,
        Member,
        Order,
        OrderLine,
        Payment,
        PointsEntry,
        User,
        Promotion,
        CouponTemplate,
        GroupBuyCampaign,
        BargainCampaign,
        FlashSlot,
        FlashItem,
    )
    return {model.__name__: model.objects.count() for model in models}


def _assert_staff_per_role(out: str) -> None:
    for username, group in (
        ("owner", "owner"),
        ("operator", "operator"),
        ("service", "customer_service"),
        ("finance", "finance"),
    ):
        user = User.objects.get(username=username)
        assert user.is_staff
        assert user.check_password(f"duoying-{username}")
        assert user.groups.filter(name=group).exists()
        assert f"duoying-{username}" in out
    assert User.objects.get(username="owner").is_superuser
    assert not User.objects.get(username="finance").is_superuser
    assert Group.objects.filter(name="customer_service").count() == 1


def test_seed_demo_builds_the_shop_and_a_second_run_changes_nothing() -> None:
    first = _seed()
    counts = _snapshot()

    assert "Demo shop created" in first
    assert set(Category.objects.filter(parent=None).values_list("name", flat=True)) == TOP_CATEGORIES
    assert Category.objects.exclude(parent=None).count() >= 12
    assert counts["Product"] >= 60
    assert set(ProductTag.objects.values_list("name", flat=True)) >= {"引流品", "利润品", "新品"}
    assert Sku.objects.filter(specs__has_key="颜色").exists() and Sku.objects.filter(specs__has_key="尺码").exists()
    assert Sku.objects.filter(specs__has_key="容量").exists()
    consumables = Product.objects.filter(is_consumable=True)
    assert consumables.count() >= 10
    assert not consumables.filter(replenish_cycle_days=None).exists()
    for product in Product.objects.prefetch_related("skus"):
        assert product.min_price == min(s.price for s in product.skus.all() if s.is_active)
        assert product.main_image and (Path(settings.MEDIA_ROOT) / str(product.main_image.name)).is_file()
    assert counts["Member"] == 20
    _assert_staff_per_role(first)

    second = _seed()

    assert "nothing changed" in second
    assert _snapshot() == counts


def test_seed_demo_history_amounts_and_dates_are_consistent() -> None:
    _seed()
    now = timezone.now()
    orders = Order.objects.annotate(lines_paid=Sum("lines__paid_amount"), n=Count("lines"))

    assert orders.count() > 0
    statuses = set(orders.values_list("status", flat=True))
    # Refunded: a failed group's seats; pending: one order placed minutes ago (its commission is pending).
    assert statuses <= {
        OrderStatus.COMPLETED,
        OrderStatus.PAID,
        OrderStatus.SHIPPED,
        OrderStatus.CANCELLED,
        OrderStatus.REFUNDED,
        OrderStatus.PENDING_PAYMENT,
    }
    assert OrderStatus.COMPLETED in statuses
    for order in orders:
        assert order.n >= 1
        # One order-number format: the shop's own (Shanghai time to the second + 8 digits).
        assert len(order.no) == 20 and order.no.isdigit()
        assert order.no.startswith(timezone.localtime(order.created_at).strftime("%y%m%d%H%M%S"))
        assert order.lines_paid == order.payable_amount
        assert order.payable_amount == order.goods_amount - order.discount_amount + order.shipping_fee
        if order.status in (OrderStatus.CANCELLED, OrderStatus.PENDING_PAYMENT):
            assert order.paid_at is None
        else:
            assert order.paid_at is not None
            # --days bounds the order history; the tools' history covers the last four weeks, the
            # holdout-uplift demo's two campaigns (B03) the three weeks before today.
            window = 30 if order.idempotency_key.startswith(("seed-tool-", "seed-uplift-")) else 11
            assert now - timedelta(days=window) < order.paid_at <= now
            assert order.created_at <= order.paid_at
    unpaid = (OrderStatus.CANCELLED, OrderStatus.PENDING_PAYMENT)
    assert Payment.objects.count() == orders.exclude(status__in=unpaid).count()
    assert Member.objects.filter(openid__startswith="dev-demo-", is_dev=True).count() == 20
    sold = OrderLine.objects.exclude(order__status__in=unpaid).aggregate(n=Sum("qty"))["n"]
    assert Product.objects.aggregate(n=Sum("sales_count"))["n"] == sold


def test_seed_demo_runs_the_briefs_campaigns_in_the_marketing_centre() -> None:
    _seed()

    names = set(Promotion.objects.values_list("name", flat=True))
    assert {
        demo_marketing.FULL_REDUCTION,
        demo_marketing.LIMITED_DISCOUNT,
        demo_marketing.FULL_GIFT,
        demo_marketing.STEPPED,
    } <= names
    assert CouponTemplate.objects.filter(channel="claim", is_active=True).count() >= 3
    centre = marketing_centre_data(now=timezone.now())
    ongoing = {e["title"] for e in centre["ongoing"]}
    assert {demo_marketing.FULL_REDUCTION, demo_marketing.LIMITED_DISCOUNT} <= ongoing
    assert demo_marketing.SECOND_HALF in {e["title"] for e in centre["upcoming"]}
    assert {demo_marketing.GROUP_BUY, demo_marketing.BARGAIN} <= ongoing
    assert GroupBuyCampaign.objects.get(name=demo_marketing.GROUP_BUY).group_size == 3
    release = FlashSlot.objects.get(title=demo_marketing.RELEASE)
    assert release.status == "published"
    assert release.items.get().quota == 300
    upcoming_slots = FlashSlot.objects.filter(kind="slot", status="published")
    assert upcoming_slots.exists()  # tomorrow's slots at least, whatever the time of day
    leads = FlashItem.objects.filter(slot__in=upcoming_slots, flash_price=demo_marketing.FLASH_PRICE)
    assert leads.exists()
    assert not leads.filter(free_shipping=False).exists()  # F02's "9.9 包邮" (issue 10 §4)
    assert GroupBuyCampaign.objects.get(name=demo_marketing.GROUP_BUY).free_shipping
    assert BargainCampaign.objects.get(name=demo_marketing.BARGAIN).free_shipping
    assert Product.objects.filter(free_shipping=True, tags__name="新品").exists()
    # Issue 10 §5: the demo makes no 秒杀价 promotion; flash sales are slots only.
    assert not Promotion.objects.filter(type="flash_sale").exists()


def test_seed_demo_leaves_out_a_flash_slot_the_schedule_has_no_room_for() -> None:
    """A slot already in the schedule (a merchant's, or a bench run's) overlapping one of the
    plan's times: seeding still succeeds, that one time is left out, the others are made."""
    staff = User.objects.create_superuser(username="bench-ops", email="bench@example.com", password="x" * 16)
    zone = timezone.get_current_timezone()
    tomorrow = timezone.localdate() + timedelta(days=1)
    first, *later_times = slot_times_parse(FlashSettings.load().slot_times)
    planned = datetime.combine(tomorrow, first, tzinfo=zone)
    blocker = FlashSlotData(
        starts_at=planned + timedelta(minutes=10), ends_at=planned + timedelta(minutes=40), title="bench-sold-out"
    )
    flash_slot_create(actor=staff, data=blocker)

    _seed()

    slots = FlashSlot.objects.filter(kind=FlashSlotKind.SLOT)
    assert not slots.filter(starts_at=planned).exists()
    assert slots.filter(starts_at=planned - timedelta(days=1)).exists()
    for later in later_times:
        assert slots.filter(starts_at=datetime.combine(tomorrow, later, tzinfo=zone)).exists()
