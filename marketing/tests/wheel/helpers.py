"""Building lucky wheels and paid orders for the wheel's tests, through the real services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import Category, Product, Sku
from marketing.models import CouponChannel, CouponTemplate, PrizeKind, Wheel, WheelPrize
from marketing.services.coupons import CouponTemplateData, coupon_template_create
from marketing.services.wheel import wheel_prize_save, wheel_publish, wheel_save
from members.models import Member
from orders.models import Order, OrderLine
from orders.services.payments import out_trade_no_new, payment_create, payment_sandbox_complete
from orders.services.refunds import refund_create


def staff_user() -> User:
    user, _created = User.objects.get_or_create(
        username="wheel-ops", defaults={"is_staff": True, "is_superuser": True, "email": "ops@example.com"}
    )
    return user


def wheel_template(staff: User, *, off: int, per_user_limit: int = 100, total: int | None = None) -> CouponTemplate:
    return coupon_template_create(
        actor=staff,
        data=CouponTemplateData(
            name=f"大转盘 {off // 100} 元券",
            kind="no_threshold",
            channel=CouponChannel.SYSTEM,
            off=off,
            valid_days=7,
            per_user_limit=per_user_limit,
            total_quantity=total,
        ),
    )


def draft_wheel(staff: User, **fields: Any) -> Wheel:
    values: dict[str, Any] = {"name": "幸运大转盘", "daily_draw_limit": 3, "slice_days": 1, "free_order_cap": 8000}
    values.update(fields)
    return wheel_save(actor=staff, wheel=Wheel(**values))


def add_prize(staff: User, wheel: Wheel, **fields: Any) -> WheelPrize:
    values: dict[str, Any] = {"kind": PrizeKind.THANKS, "name": "谢谢参与", "weight": 1}
    values.update(fields)
    return wheel_prize_save(actor=staff, prize=WheelPrize(wheel=wheel, **values))


def live_wheel(
    staff: User, *, stock5: int | None = 100, weights: tuple[int, ...] = (30, 10, 1, 20, 39), **fields: Any
) -> Wheel:
    """Five yuan and ten yuan coupons, 免单, 20 points and 谢谢参与 (the fallback), published."""
    wheel = draft_wheel(staff, **fields)
    five, ten, free, points, thanks = weights
    add_prize(
        staff,
        wheel,
        position=0,
        kind=PrizeKind.COUPON,
        name="5 元券",
        weight=five,
        stock=stock5,
        coupon_template=wheel_template(staff, off=500),
    )
    add_prize(
        staff,
        wheel,
        position=1,
        kind=PrizeKind.COUPON,
        name="10 元券",
        weight=ten,
        stock=50,
        coupon_template=wheel_template(staff, off=1000),
    )
    add_prize(staff, wheel, position=2, kind=PrizeKind.FREE_ORDER, name="免单", weight=free, stock=2)
    add_prize(staff, wheel, position=3, kind=PrizeKind.POINTS, name="20 积分", weight=points, points=20)
    add_prize(staff, wheel, position=4, weight=thanks, is_fallback=True)
    return wheel_publish(actor=staff, wheel_id=wheel.pk)


def paid_order(member: Member, amount: int, *, qty: int = 1) -> Order:
    """An order of ``qty`` units worth ``amount`` fen in all, paid in the sandbox (the lifecycle hooks run)."""
    category, _created = Category.objects.get_or_create(name="转盘测试")
    unit = amount // qty
    product = Product.objects.create(category=category, title="转盘商品", min_price=unit)
    sku = Sku.objects.create(product=product, code=f"W-{out_trade_no_new()}", price=unit, stock=10)
    order = Order.objects.create(
        no=out_trade_no_new()[1:],
        member=member,
        goods_amount=amount,
        shipping_fee=0,
        payable_amount=amount,
        idempotency_key=out_trade_no_new(),
        expires_at=timezone.now() + timedelta(minutes=15),
    )
    OrderLine.objects.create(
        order=order,
        sku=sku,
        product=product,
        title=product.title,
        unit_price=unit,
        qty=qty,
        item_amount=amount,
        paid_amount=amount,
    )
    started = payment_create(order=order, member=member)
    payment_sandbox_complete(member=member, out_trade_no=started["out_trade_no"])
    return Order.objects.get(pk=order.pk)


def refund(order: Order, *, qty: int | None = None) -> Order:
    """Refund the whole order, or ``qty`` units of its one line (the sandbox refunds at once)."""
    lines = None if qty is None else [(order.lines.get().pk, qty)]
    refund_create(order_id=order.pk, lines=lines, reason="测试退款", actor=None)
    return Order.objects.get(pk=order.pk)
