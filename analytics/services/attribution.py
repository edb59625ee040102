"""Order attribution and cost (issue 15 §2): what touched a paid order and what each touch cost.

``order_attribute`` runs when an order is paid (``orders.services.orders.order_mark_paid``, in
the payment's transaction) and writes one ``OrderTouch`` per (order, tool, object) and one
``LineFigure`` per line. ``refund_attribute`` runs when a refund succeeds
(``orders.services.refunds.refund_mark_succeeded``) and writes the negative rows of exactly the
units returned. Both are idempotent: the unique keys (order, tool, object, refund) and (line,
refund) make a second call — a redelivered notice, a backfill run again — write nothing.

What touches an order, and where each cost comes from:

- price rules, tier prices, coupons, points: the lines' ``allocations`` (order-level rules), plus
  each item-level rule's ``applied`` amount not in any allocation (a flash, group, bargain or
  member price), spread over the order's paid lines by goods amount;
- deals (flash ``flash:<item>`` → its slot, release slots, group buys ``group:<campaign>``,
  bargains ``bargain:<bargain>`` → its campaign, stepped prices): the item rule's amount;
- gifts: the gift line's cost price × qty (the SKU's price when no cost price is set);
- free shipping: the shop's flat fee when shipping was waived, split over the rules that waived it;
- referrals: the promoter's commission per line, the inviter's points (in fen at the order's rate);
- the push, segment or share that brought the shopper: ``Order.src`` (``msg:12``, ``seg:3``,
  ``journey:5``, ``share``), no cost;
- nothing at all: one ``direct`` touch, so shares of GMV can be computed.

Every touch carries the whole order's GMV (what was paid, shipping included: multi-touch, full
credit) and whether this was the shopper's first paid order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum

from analytics.models import LineFigure, OrderTouch, Tool
from mall.money import allocate
from mall.selectors.dashboard import SHOP_TZ
from marketing.models import (
    Bargain,
    Commission,
    Coupon,
    FlashItem,
    FlashSlotKind,
    GroupBuyCampaign,
    InviteOrder,
    InviteProgram,
    LiveRoom,
    Promotion,
    PromotionType,
)
from orders.models import Order, OrderLine, OrderStatus, Refund

ORDER_LEVEL = "0"  # the key of costs that belong to the order, not to a line (waived shipping)
LINE_COLUMNS = (*OrderTouch.COST_FIELDS, "cogs")
# Tools whose touch of a line makes it a "campaign sale" for product analytics (F38).
CAMPAIGN_TOOLS = frozenset(
    {Tool.PROMOTION, Tool.STEPPED, Tool.COUPON, Tool.FLASH, Tool.RELEASE, Tool.GROUP_BUY, Tool.BARGAIN, Tool.WHEEL}
)
# Costs that leave the shop as money or goods on top of what the shopper paid (margin, F38).
CASH_COLUMNS = ("commission", "invite_reward", "shipping")
SRC_PATTERN = re.compile(r"^(?P<channel>[a-z_]{1,16})(?::(?P<id>\d{1,18}))?$")
SRC_CHANNELS: dict[str, str] = {
    "msg": Tool.MESSAGE,
    "message": Tool.MESSAGE,
    "seg": Tool.SEGMENT,
    "segment": Tool.SEGMENT,
    "journey": Tool.JOURNEY,
    "share": Tool.SHARE,
    "live": Tool.LIVE,
}


def src_clean(value: str | None) -> str:
    """A tracking parameter as kept on the order: ``channel`` or ``channel:id``, else empty."""
    text = (value or "").strip().lower()[:64]
    return text if src_touch(text) is not None else ""


def src_touch(src: str) -> tuple[str, int] | None:
    """``msg:12`` → (message, 12); unknown or empty → None."""
    match = SRC_PATTERN.match(src or "")
    if match is None or match.group("channel") not in SRC_CHANNELS:
        return None
    return SRC_CHANNELS[match.group("channel")], int(match.group("id") or 0)


def shop_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHOP_TZ).date()


def shop_hour(moment: dt.datetime) -> int:
    return moment.astimezone(SHOP_TZ).hour


@dataclass
class _Touch:
    tool: str
    object_id: int
    name: str
    lines: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))

    def add(self, key: str, column: str, amount: int) -> None:
        if amount:
            self.lines[key][column] += amount

    def total(self, column: str) -> int:
        return sum(parts.get(column, 0) for parts in self.lines.values())


class _Touches:
    def __init__(self) -> None:
        self.by_key: dict[tuple[str, int], _Touch] = {}

    def get(self, tool: str, object_id: int, name: str) -> _Touch:
        key = (str(tool), int(object_id))
        if key not in self.by_key:
            self.by_key[key] = _Touch(tool=str(tool), object_id=int(object_id), name=name[:120])
        return self.by_key[key]


def _ids(rule_ids: set[str], prefix: str) -> list[int]:
    out = []
    for rule_id in rule_ids:
        head, _, tail = rule_id.partition(":")
        if head == prefix and tail.isdigit():
            out.append(int(tail))
    return out


class _Resolver:
    """Maps the engine's rule ids to (tool, object id, name), in one query per kind of rule."""

    def __init__(self, rule_ids: set[str]) -> None:
        self.promotions = {p.pk: p for p in Promotion.objects.filter(pk__in=_ids(rule_ids, "promotion"))}
        self.coupons = {
            c.pk: c
            for c in Coupon.objects.select_related("template", "wheel_draw__wheel").filter(
                pk__in=_ids(rule_ids, "coupon")
            )
        }
        self.flash = {i.pk: i for i in FlashItem.objects.select_related("slot").filter(pk__in=_ids(rule_ids, "flash"))}
        self.groups = {g.pk: g for g in GroupBuyCampaign.objects.filter(pk__in=_ids(rule_ids, "group"))}
        self.bargains = {
            b.pk: b for b in Bargain.objects.select_related("campaign").filter(pk__in=_ids(rule_ids, "bargain"))
        }
        self.live_rooms = dict(LiveRoom.objects.filter(pk__in=_ids(rule_ids, "live")).values_list("pk", "name"))

    def resolve(self, rule_id: str, rule_type: str, name: str) -> tuple[str, int, str] | None:
        head, _, tail = rule_id.partition(":")
        pk = int(tail) if tail.isdigit() else 0
        if rule_type == "points" or head == "points":
            return Tool.POINTS, 0, str(Tool.POINTS.label)
        if head == "promotion" and pk in self.promotions:
            promotion = self.promotions[pk]
            tool = Tool.STEPPED if promotion.type == PromotionType.STEPPED_PRICE else Tool.PROMOTION
            return tool, pk, promotion.name
        if head == "coupon" and pk in self.coupons:
            coupon = self.coupons[pk]
            won = getattr(coupon, "wheel_draw", None)  # a coupon the lucky wheel gave is the wheel's
            if won is not None:
                return Tool.WHEEL, won.wheel_id, won.wheel.name
            return Tool.COUPON, coupon.template.pk, coupon.template.name
        if head == "flash" and pk in self.flash:
            slot = self.flash[pk].slot
            tool = Tool.RELEASE if slot.kind == FlashSlotKind.RELEASE else Tool.FLASH
            return tool, slot.pk, slot.title or name or str(slot)
        if head == "group" and pk in self.groups:
            return Tool.GROUP_BUY, pk, self.groups[pk].name
        if head == "bargain" and pk in self.bargains:
            campaign = self.bargains[pk].campaign
            return Tool.BARGAIN, campaign.pk, campaign.name
        if head == "live" and pk in self.live_rooms:  # 粉丝专属价: the room's touch
            return Tool.LIVE, pk, self.live_rooms[pk]
        if head == "tier":
            return Tool.TIER, 0, name or str(Tool.TIER.label)
        if rule_id == "free_shipping:threshold":
            return Tool.FREE_SHIPPING, 0, name or str(Tool.FREE_SHIPPING.label)
        if head == "product":  # a product's own 包邮 setting
            return Tool.FREE_SHIPPING, 0, str(Tool.FREE_SHIPPING.label)
        return None


def _first_paid(order: Order) -> bool:
    if order.paid_at is None:
        return False
    earlier = Order.objects.filter(member_id=order.member_id, paid_at__isnull=False).exclude(pk=order.pk)
    return not earlier.filter(Q(paid_at__lt=order.paid_at) | Q(paid_at=order.paid_at, pk__lt=order.pk)).exists()


def _collect(order: Order, lines: list[OrderLine], costs: dict[int, int | None]) -> _Touches:
    pricing = order.pricing or {}
    applied = [a for a in pricing.get("applied", []) if isinstance(a, dict) and a.get("rule_id")]
    shipping = pricing.get("shipping") or {}
    waivers = [r for r in shipping.get("rules", []) if isinstance(r, dict) and r.get("rule_id")]
    rule_ids = {str(a["rule_id"]) for a in applied} | {str(r["rule_id"]) for r in waivers}
    for line in lines:
        rule_ids |= {str(a.get("rule_id", "")) for a in line.allocations or []}
    resolver = _Resolver(rule_ids)
    touches = _Touches()

    allocated: dict[str, int] = defaultdict(int)
    for line in lines:
        for a in line.allocations or []:
            rule_id, rule_type = str(a.get("rule_id", "")), str(a.get("rule_type", ""))
            allocated[rule_id] += int(a.get("amount", 0))
            found = resolver.resolve(rule_id, rule_type, str(a.get("name", "")))
            if found is None:
                continue
            tool, pk, name = found
            column = {"coupon": "coupon", "wheel": "coupon", "points": "points"}.get(str(tool), "discount")
            touches.get(tool, pk, name).add(str(line.pk), column, int(a.get("amount", 0)))

    paying = [line for line in lines if not line.is_gift]
    gift_lines = [line for line in lines if line.is_gift]
    for a in applied:
        rule_id = str(a["rule_id"])
        found = resolver.resolve(rule_id, str(a.get("rule_type", "")), str(a.get("name", "")))
        if found is None:
            continue
        tool, pk, name = found
        touch = touches.get(tool, pk, name)
        item_part = int(a.get("amount", 0)) - allocated.get(rule_id, 0)
        if item_part > 0 and a.get("level") == "item" and paying:
            for line, part in zip(paying, allocate(item_part, [line.item_amount for line in paying]), strict=True):
                touch.add(str(line.pk), "discount", part)
        for gift in a.get("gifts") or []:
            code = str(gift.get("sku", ""))
            for line in gift_lines:
                if line.sku.code == code:
                    unit = costs.get(line.sku_id)
                    # a gift line is priced 0: without a cost price its value is the SKU's price
                    touch.add(str(line.pk), "gift", (unit if unit is not None else line.sku.price) * line.qty)

    waived = int(shipping.get("flat_fee", 0)) - int(order.shipping_fee) if shipping.get("free") else 0
    if waived > 0 and waivers:
        for waiver, part in zip(waivers, allocate(waived, [1] * len(waivers)), strict=True):
            found = resolver.resolve(
                str(waiver["rule_id"]), str(waiver.get("rule_type", "")), str(waiver.get("name", ""))
            )
            if found is not None:
                touches.get(*found).add(ORDER_LEVEL, "shipping", part)

    for commission in Commission.objects.filter(order_id=order.pk).select_related("promoter__member"):
        promoter = commission.promoter
        name = promoter.member.nickname or f"#{promoter.pk}"
        touch = touches.get(Tool.DISTRIBUTION, promoter.pk, name)
        touch.add(str(commission.line_id) if commission.line_id else ORDER_LEVEL, "commission", commission.amount)

    invite = InviteOrder.objects.filter(order_id=order.pk).first()
    if invite is not None and invite.points_per_yuan > 0 and paying:
        fen = (invite.points_total * 100 * 2 + invite.points_per_yuan) // (2 * invite.points_per_yuan)
        program = InviteProgram.current()
        touch = touches.get(Tool.INVITE, program.pk, str(Tool.INVITE.label))
        for line, part in zip(lines, allocate(fen, [line.paid_amount for line in lines]), strict=True):
            touch.add(str(line.pk), "invite_reward", part)

    found_src = src_touch(order.src)
    if found_src is not None:
        tool, pk = found_src
        name = f"{Tool(tool).label} #{pk}" if pk else str(Tool(tool).label)
        if tool == Tool.LIVE and pk:  # a live room's order is named by its room
            name = LiveRoom.objects.filter(pk=pk).values_list("name", flat=True).first() or name
        touches.get(tool, pk, name)

    if not touches.by_key:
        touches.get(Tool.DIRECT, 0, str(Tool.DIRECT.label))
    return touches


def _cogs(lines: list[OrderLine], costs: dict[int, int | None]) -> dict[str, int]:
    return {str(line.pk): (costs.get(line.sku_id) or 0) * line.qty for line in lines}


@transaction.atomic
def order_attribute(*, order_id: int) -> int:
    """Write the paid order's touches and line figures once; returns the rows written (0 if done).

    The order's row lock (already held by the payment path) queues a backfill behind a payment
    in flight, so the second writer sees the first's rows instead of failing on the unique key.
    """
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if OrderTouch.objects.filter(order_id=order_id, refund_key=0).exists():
        return 0
    if order is None or order.paid_at is None or order.status == OrderStatus.CANCELLED:
        return 0
    lines = list(OrderLine.objects.filter(order_id=order_id).select_related("sku").order_by("pk"))
    costs = {line.sku_id: line.sku.cost_price for line in lines}
    touches = _collect(order, lines, costs)
    day = shop_day(order.paid_at)
    first = _first_paid(order)
    cogs = _cogs(lines, costs)
    rows = []
    for touch in touches.by_key.values():
        for key, value in cogs.items():
            touch.add(key, "cogs", value)
        rows.append(
            OrderTouch(
                order_id=order.pk,
                member_id=order.member_id,
                refund_key=0,
                tool=touch.tool,
                object_id=touch.object_id,
                object_name=touch.name,
                src=order.src,
                day=day,
                hour=shop_hour(order.paid_at),
                first_order=first,
                orders=1,
                gmv=order.payable_amount,
                lines={k: dict(v) for k, v in touch.lines.items()},
                **{column: touch.total(column) for column in LINE_COLUMNS},
            )
        )
    OrderTouch.objects.bulk_create(rows)
    figures = []
    for line in lines:
        key = str(line.pk)
        parts = [t.lines.get(key, {}) for t in touches.by_key.values()]
        tools = {t.tool for t in touches.by_key.values() if t.lines.get(key)}
        figures.append(
            LineFigure(
                line_id=line.pk,
                order_id=order.pk,
                product_id=line.product_id,
                refund_key=0,
                day=day,
                first_order=first,
                in_campaign=bool(tools & CAMPAIGN_TOOLS),
                units=line.qty,
                paid=line.paid_amount,
                cogs=cogs[key],
                cost_known=costs.get(line.sku_id) is not None,
                tool_cost=sum(p.get(c, 0) for p in parts for c in OrderTouch.COST_FIELDS if c not in CASH_COLUMNS),
                cash_cost=sum(p.get(c, 0) for p in parts for c in CASH_COLUMNS),
            )
        )
    LineFigure.objects.bulk_create(figures)
    return len(rows) + len(figures)


def _unit_share(amount: int, qty: int, start: int, end: int) -> int:
    """What units start…end-1 of a line hold of ``amount`` (largest remainder, as refunds spread money)."""
    if qty <= 0 or amount == 0:
        return 0
    sign = -1 if amount < 0 else 1
    return sign * sum(allocate(abs(amount), [1] * qty)[start:end])


@transaction.atomic
def refund_attribute(*, refund_id: int) -> int:
    """Take back a succeeded refund's share of every touch and line; once per refund."""
    refund = Refund.objects.filter(pk=refund_id, status=Refund.Status.SUCCEEDED).first()
    if refund is None or refund.succeeded_at is None:
        return 0
    Order.objects.select_for_update().filter(pk=refund.order_id).values_list("pk", flat=True).first()
    if OrderTouch.objects.filter(order_id=refund.order_id, refund_key=refund.pk).exists():
        return 0
    paid_rows = list(OrderTouch.objects.filter(order_id=refund.order_id, refund_key=0))
    if not paid_rows:
        return 0
    order = Order.objects.get(pk=refund.order_id)
    lines = {line.pk: line for line in OrderLine.objects.filter(order_id=order.pk)}
    earlier = list(Refund.objects.filter(order_id=order.pk, pk__lt=refund.pk).exclude(status=Refund.Status.FAILED))
    before: dict[int, int] = defaultdict(int)
    for other in earlier:
        for part in other.lines:
            before[int(part["line_id"])] += int(part["qty"])
    now_units = dict(before)
    for part in refund.lines:
        now_units[int(part["line_id"])] = now_units.get(int(part["line_id"]), 0) + int(part["qty"])
    all_back = all(now_units.get(pk, 0) >= line.qty for pk, line in lines.items())
    refunded_money = sum(r.amount for r in earlier) + refund.amount
    fully = refunded_money >= order.payable_amount
    day = shop_day(refund.succeeded_at)
    # Line id → (first unit, units) returned by this refund.
    spans = {int(p["line_id"]): (before.get(int(p["line_id"]), 0), int(p["qty"])) for p in refund.lines}

    def share(parts: dict[str, dict[str, int]], key: str, column: str) -> int:
        amount = int(parts.get(key, {}).get(column, 0))
        if key == ORDER_LEVEL:
            return amount if all_back else 0
        line = lines.get(int(key))
        if line is None or int(key) not in spans:
            return 0
        start, qty = spans[int(key)]
        return _unit_share(amount, line.qty, start, start + qty)

    rows = []
    for paid in paid_rows:
        keys = [k for k in paid.lines if k == ORDER_LEVEL or int(k) in spans]
        taken = {k: {c: share(paid.lines, k, c) for c in LINE_COLUMNS} for k in keys}
        rows.append(
            OrderTouch(
                order_id=order.pk,
                member_id=order.member_id,
                refund_key=refund.pk,
                tool=paid.tool,
                object_id=paid.object_id,
                object_name=paid.object_name,
                src=paid.src,
                day=day,
                hour=shop_hour(refund.succeeded_at),
                first_order=paid.first_order,
                orders=-1 if fully else 0,
                gmv=-refund.amount,
                lines={k: {c: -v for c, v in cols.items() if v} for k, cols in taken.items()},
                **{c: -sum(cols[c] for cols in taken.values()) for c in LINE_COLUMNS},
            )
        )
    OrderTouch.objects.bulk_create(rows)
    figures = []
    paid_figures = {f.line_id: f for f in LineFigure.objects.filter(order_id=order.pk, refund_key=0)}
    for part in refund.lines:
        line_id = int(part["line_id"])
        figure = paid_figures.get(line_id)
        line = lines.get(line_id)
        if figure is None or line is None:
            continue
        start, qty = spans[line_id]
        tool_cost = sum(
            share(p.lines, str(line_id), c) for p in paid_rows for c in OrderTouch.COST_FIELDS if c not in CASH_COLUMNS
        )
        cash_cost = sum(share(p.lines, str(line_id), c) for p in paid_rows for c in CASH_COLUMNS)
        figures.append(
            LineFigure(
                line_id=line_id,
                order_id=order.pk,
                product_id=figure.product_id,
                refund_key=refund.pk,
                day=day,
                first_order=figure.first_order,
                in_campaign=figure.in_campaign,
                units=-qty,
                paid=-int(part["amount"]),
                cogs=-_unit_share(figure.cogs, line.qty, start, start + qty),
                cost_known=figure.cost_known,
                tool_cost=-tool_cost,
                cash_cost=-cash_cost,
            )
        )
    LineFigure.objects.bulk_create(figures)
    return len(rows) + len(figures)


def attribution_backfill(*, since: dt.datetime | None = None) -> dict[str, int]:
    """Attribute every paid order (and succeeded refund) not yet attributed, oldest first.

    The same services as payment time, so running it twice writes nothing the second time.
    """
    orders = Order.objects.filter(paid_at__isnull=False).order_by("paid_at", "pk")
    refunds = Refund.objects.filter(status=Refund.Status.SUCCEEDED).order_by("pk")
    if since is not None:
        orders = orders.filter(paid_at__gte=since)
        refunds = refunds.filter(succeeded_at__gte=since)
    done = {"orders": 0, "refunds": 0}
    for order_id in orders.values_list("pk", flat=True):
        done["orders"] += bool(order_attribute(order_id=order_id))
    for refund_id in refunds.values_list("pk", flat=True):
        done["refunds"] += bool(refund_attribute(refund_id=refund_id))
    return done


def attributed_cost(*, order_id: int) -> dict[str, Any]:
    """What an order's touches add up to now (payment and refunds), per cost column: for tests and support."""
    totals = OrderTouch.objects.filter(order_id=order_id).aggregate(
        **{c: Sum(c, default=0) for c in (*LINE_COLUMNS, "gmv")}
    )
    return {k: int(v) for k, v in totals.items()}
