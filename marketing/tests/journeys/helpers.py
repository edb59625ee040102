"""Rows for the lifecycle-journey tests: shoppers, paid orders with lines, journeys switched on."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from mall.models import Category, Product, Sku
from marketing.models import CouponChannel, CouponKind, CouponTemplate, Journey, JourneyKind
from marketing.services.journeys.runner import journeys_ensure
from members.models import Member, SubscribeCredit, SubscribeTemplate
from orders.models import Order, OrderLine, OrderStatus


def product(title: str = "洗发水", *, cycle: int | None = 30, category: Category | None = None) -> Product:
    category = category or Category.objects.create(name=f"个护{uuid.uuid4().hex[:4]}")
    item = Product.objects.create(
        category=category,
        title=title,
        min_price=5900,
        is_consumable=cycle is not None,
        replenish_cycle_days=cycle,
    )
    Sku.objects.create(product=item, code=uuid.uuid4().hex[:10], price=5900, stock=100)
    return item


def paid_order(member: Member, paid_at: datetime, *items: Product, status: str = OrderStatus.COMPLETED) -> Order:
    order = Order.objects.create(
        no=uuid.uuid4().hex[:20],
        member=member,
        idempotency_key=uuid.uuid4().hex,
        status=status,
        goods_amount=5900 * max(len(items), 1),
        payable_amount=5900 * max(len(items), 1),
        expires_at=paid_at,
        paid_at=paid_at,
    )
    for item in items:
        sku = Sku.objects.filter(product=item).first()
        assert sku is not None
        OrderLine.objects.create(
            order=order,
            sku=sku,
            product=item,
            title=item.title,
            unit_price=5900,
            qty=1,
            item_amount=5900,
            paid_amount=5900,
        )
    return order


def templates() -> dict[str, CouponTemplate]:
    common: dict[str, Any] = {"channel": CouponChannel.SYSTEM, "valid_days": 7, "per_user_limit": 1}
    return {
        JourneyKind.DORMANT: CouponTemplate.objects.create(
            name="专属回归礼", kind=CouponKind.NO_THRESHOLD, off=3000, **common
        ),
        JourneyKind.BIRTHDAY: CouponTemplate.objects.create(
            name="生日券", kind=CouponKind.AMOUNT_OFF, threshold=10000, off=5000, **common
        ),
        JourneyKind.REPLENISH: CouponTemplate.objects.create(
            name="复购9折", kind=CouponKind.RATE_OFF, rate=Decimal("0.9"), **common
        ),
    }


def journeys_on(*kinds: str, **changes: Any) -> dict[str, Journey]:
    """The journeys (all unless named) switched on, each with its coupon template."""
    found = journeys_ensure()
    coupon = templates()
    for kind in kinds or tuple(JourneyKind.values):
        Journey.objects.filter(kind=kind).update(is_enabled=True, coupon_template=coupon[kind], **changes)
    return {journey.kind: journey for journey in Journey.objects.filter(pk__in=[j.pk for j in found.values()])}


def consent(member: Member, kind: str, credits: int = 1) -> None:
    """The shop maps ``kind`` to a WeChat template and the shopper granted it ``credits`` times."""
    template, _created = SubscribeTemplate.objects.get_or_create(
        kind=kind, defaults={"template_id": f"TPL-{kind}", "fields": {"thing1": "title"}}
    )
    SubscribeCredit.objects.update_or_create(
        member=member, template_id=template.template_id, defaults={"credits": credits, "accepted_total": credits}
    )
