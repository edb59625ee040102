"""The demo shop's after-sales queue: a few shoppers' requests in the states a merchant meets.

Made through the after-sales services (``after_sale_request`` …), so every request is a real
one: its order and line, its amount bounded by what was paid, its audit rows and messages. Two
wait for review (仅退款 on a shipped order, 退货退款 on a received one), one waits for the
shopper's parcel, one is on its way back with a tracking number, one was refused.
"""

from __future__ import annotations

from django.contrib.auth.models import User

from members.models import Member
from members.services.tiers import green_channel_auto_approves
from orders.models import AfterSale, AfterSaleKind, AfterSaleReason, AfterSaleStatus, Order, OrderLine, OrderStatus
from orders.services.after_sales import (
    after_sale_approve,
    after_sale_reject,
    after_sale_request,
    after_sale_return_ship,
)

DEMO_SHOPPER_PREFIX = "dev-demo-"


def _candidates(
    statuses: tuple[str, ...], count: int, taken: set[int], *, reviewed: bool = False
) -> list[tuple[Order, OrderLine]]:
    """``count`` recent orders of different demo shoppers with a paid line; ``reviewed``: only
    shoppers whose tier has no 售后绿色通道 (their request waits for the merchant instead of being
    approved at once — which tier a demo shopper reaches depends on the day the demo is seeded)."""
    found: list[tuple[Order, OrderLine]] = []
    orders = (
        Order.objects.filter(status__in=statuses, member__openid__startswith=DEMO_SHOPPER_PREFIX, refunded_amount=0)
        .exclude(member_id__in=taken)
        .select_related("member")
        .order_by("-paid_at")
    )
    for order in orders[: count * 4]:
        line = order.lines.filter(is_gift=False, paid_amount__gt=0).order_by("pk").first()
        if line is None or order.member_id in taken:
            continue
        if reviewed and green_channel_auto_approves(tier=order.member.tier, amount=1):
            continue
        taken.add(order.member_id)
        found.append((order, line))
        if len(found) == count:
            break
    return found


def build_after_sales() -> dict[str, int]:
    """Five requests on the demo's own orders; none on a second run."""
    if AfterSale.objects.exists():
        return {"after-sales requests": 0}
    staff = User.objects.filter(username="service").first() or User.objects.filter(is_superuser=True).first()
    taken: set[int] = set()
    shipped = _candidates((OrderStatus.SHIPPED,), 1, taken, reviewed=True)
    reviewed = _candidates((OrderStatus.COMPLETED,), 2, taken, reviewed=True)  # one waits, one is refused
    approved = _candidates((OrderStatus.COMPLETED,), 2, taken)  # green channel or approved by the merchant
    if not shipped or len(reviewed) < 2 or len(approved) < 2 or staff is None:
        return {"after-sales requests": 0}

    def ask(order: Order, line: OrderLine, kind: str, reason: str, text: str) -> AfterSale:
        member: Member = order.member
        return after_sale_request(
            member=member, order_id=order.pk, line_id=line.pk, qty=1, kind=kind, reason=reason, description=text
        )

    ((order, line),) = shipped
    ask(order, line, AfterSaleKind.REFUND_ONLY, AfterSaleReason.NOT_RECEIVED, "物流三天没有更新了")
    (a, a_line), (d, d_line) = reviewed
    (b, b_line), (c, c_line) = approved
    ask(a, a_line, AfterSaleKind.RETURN_REFUND, AfterSaleReason.DAMAGED, "外包装压坏，瓶身有裂纹")
    waiting = ask(b, b_line, AfterSaleKind.RETURN_REFUND, AfterSaleReason.NOT_AS_DESCRIBED, "颜色和图片差别很大")
    if waiting.status == AfterSaleStatus.PENDING:  # not approved at once by the tier's green channel
        after_sale_approve(after_sale_id=waiting.pk, actor=staff)
    sent = ask(c, c_line, AfterSaleKind.RETURN_REFUND, AfterSaleReason.QUALITY, "用了一次就坏了")
    if sent.status == AfterSaleStatus.PENDING:
        after_sale_approve(after_sale_id=sent.pk, actor=staff)
    after_sale_return_ship(member=c.member, after_sale_id=sent.pk, carrier="顺丰速运", tracking_no="SF1402236587411")
    refused = ask(d, d_line, AfterSaleKind.RETURN_REFUND, AfterSaleReason.NOT_WANTED, "买多了")
    after_sale_reject(after_sale_id=refused.pk, actor=staff, reason="商品已拆封使用，不支持无理由退货")
    return {"after-sales requests": 5}
