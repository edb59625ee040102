"""History for every marketing tool of the demo shop, so its console pages show real figures.

Groups formed, failed and still open; bargains bought part way, still running and expired;
coupons issued, used (on which order) and expired; an inviter rewarded; commission in every
state with a withdrawal paid and one waiting; flash units sold. Each history row points at an
order written here (with its lines and payment), and every counter the services keep
(``issued_count``, ``sold_count``, ``sold``, seats, sales counts) is raised by exactly the rows.

Like the order history (``mall.demo.shop``) it is written directly, back-dated, for the same
reason: the services stamp "now" and send notices. The invariants they guarantee are kept by
hand: a used coupon has its order, a group's ``paid_count`` is its paid seats, a bargain's price
is its start minus its helps' cuts (the campaign's cut plan), commission is ``apply_rate(line
paid, rate)`` with its state from the order's state. A second run finds the orders and stops.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from mall.demo import marketing as demo_marketing
from mall.demo.marketing import _owner
from mall.demo.shop import SHANGHAI, SHOPPER_OPENID_PREFIX, _full_reduction, backdating
from mall.models import Category, Product, Sku
from mall.money import apply_rate
from marketing.models import (
    Attribution,
    Bargain,
    BargainCampaign,
    BargainHelp,
    BargainStatus,
    Commission,
    CommissionStatus,
    Coupon,
    CouponChannel,
    CouponKind,
    CouponStatus,
    CouponTemplate,
    DistributionProgram,
    FlashItem,
    FlashPurchase,
    FlashPurchaseStatus,
    FlashSettings,
    FlashSlot,
    FlashSlotKind,
    FlashSlotStatus,
    GroupBuyCampaign,
    GroupBuyGroup,
    GroupBuyMember,
    GroupMemberStatus,
    GroupOutcome,
    GroupStatus,
    Invite,
    InviteOrder,
    InviteProgram,
    InviteReward,
    PricingPolicy,
    ProductCommission,
    Promoter,
    PromoterStatus,
    Withdrawal,
    WithdrawalStatus,
)
from marketing.selectors.bargains import DEAL_KIND as BARGAIN_KIND
from marketing.selectors.group_buys import DEAL_KIND as GROUP_KIND
from marketing.services.bargain_plans import PlanConfig, plan_for_seed
from marketing.services.flash_gate import gate_rebuild
from marketing.services.flash_purchase import FLASH_KIND
from marketing.services.group_buys import GROUP_HOLD
from marketing.services.invites import REF_PREFIX as INVITE_REF_PREFIX
from members.models import Address, Member, PointsEntry
from orders.models import Order, OrderLine, OrderStatus, Payment, Refund
from orders.services.numbers import order_no_at

KEY_PREFIX = "seed-tool-"
SERIAL_BASE = 60_000_000  # the order history uses serials from 1; these never meet them
MIN_SHOPPERS = 16
PAID_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED)


@dataclass
class _Buy:
    """One history order of one line."""

    member_id: int
    sku: Sku
    qty: int
    unit_price: int
    created: datetime
    status: str
    coupon: tuple[str, int] | None = None  # (rule, off)
    full_reduction: bool = False
    deal: tuple[str, int] | None = None
    ship_hold: str = ""


class _Writer:
    """Writes orders (line, payment, sales) with consecutive serials; remembers units sold."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng, self.now, self.serial = rng, now, SERIAL_BASE
        self.addresses = {a.member_id: a.snapshot() for a in Address.objects.filter(is_default=True)}
        self.sold: dict[int, int] = defaultdict(int)
        self.orders = 0

    def write(self, buy: _Buy) -> tuple[Order, OrderLine]:
        self.serial += 1
        rng, created = self.rng, min(buy.created, self.now)  # history, never the future
        no = order_no_at(at=created, serial=self.serial)
        goods = buy.unit_price * buy.qty
        applied: list[dict[str, Any]] = []
        if buy.full_reduction:
            cut, rule = _full_reduction(goods)
            if cut:
                applied.append({"rule": rule, "amount": cut})
        if buy.coupon is not None:
            applied.append({"rule": buy.coupon[0], "amount": buy.coupon[1]})
        discount = sum(a["amount"] for a in applied)
        fields: dict[str, Any] = {
            "no": no,
            "member_id": buy.member_id,
            "status": buy.status,
            "goods_amount": goods,
            "discount_amount": discount,
            "payable_amount": goods - discount,
            "pricing": {"source": "seed_demo", "applied": applied},
            "address": self.addresses.get(buy.member_id, {}),
            "idempotency_key": f"{KEY_PREFIX}{no}",
            "created_at": created,
            "expires_at": created + timedelta(minutes=15),
            "deal_kind": buy.deal[0] if buy.deal else "",
            "deal_ref": buy.deal[1] if buy.deal else None,
            "ship_hold": buy.ship_hold,
        }
        if buy.status == OrderStatus.CANCELLED:
            fields.update(cancelled_at=created + timedelta(minutes=15), cancel_reason="超时未支付")
        elif buy.status != OrderStatus.PENDING_PAYMENT:
            # never after the seed's "now": an order placed minutes ago was paid at most now
            paid = max(created, min(self.now, created + timedelta(seconds=rng.randint(20, 300))))
            fields["paid_at"] = paid
            if buy.status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED):
                shipped = max(paid, min(self.now, paid + timedelta(hours=rng.randint(4, 30))))
                fields.update(shipped_at=shipped, carrier="顺丰速运", tracking_no=f"SF{rng.randrange(10**12):012d}")
                if buy.status == OrderStatus.COMPLETED:
                    delivered = max(shipped, min(self.now, shipped + timedelta(days=rng.randint(1, 2))))
                    fields.update(delivered_at=delivered, completed_at=min(self.now, delivered + timedelta(days=1)))
        order = Order.objects.create(**fields)
        sku = buy.sku
        line = OrderLine.objects.create(
            order=order,
            sku_id=sku.pk,
            product_id=sku.product_id,
            title=sku.product.title,
            specs=sku.specs,
            image=sku.product.main_image.url if sku.product.main_image else "",
            unit_price=buy.unit_price,
            qty=buy.qty,
            item_amount=goods,
            discount_amount=discount,
            paid_amount=goods - discount,
            allocations=applied,
        )
        if order.paid_at is not None:
            Payment.objects.create(
                order=order,
                provider="sandbox",
                out_trade_no=no,
                transaction_id=f"SEED{no}",
                amount=order.payable_amount,
                status=Payment.Status.SUCCEEDED,
                created_at=created,
                paid_at=order.paid_at,
            )
            self.sold[sku.pk] += buy.qty
        elif buy.status == OrderStatus.PENDING_PAYMENT:
            # A placed, unpaid order holds its units of the shelf (the expiry task gives them back).
            Sku.objects.filter(pk=sku.pk).update(stock=F("stock") - buy.qty)
        self.orders += 1
        return order, line

    def refund_all(self, order: Order, line: OrderLine, at: datetime, reason: str) -> Refund:
        """The whole order paid back (a failed group): order, line and a succeeded refund."""
        refund = Refund.objects.create(
            order=order,
            out_refund_no=f"R{order.no}",
            amount=order.payable_amount,
            lines=[{"line_id": line.pk, "qty": line.qty, "amount": line.paid_amount}],
            reason=reason,
            status=Refund.Status.SUCCEEDED,
            provider_refund_id=f"SEEDR{order.no}",
            created_at=at,
            succeeded_at=at + timedelta(minutes=1),
        )
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.REFUNDED, refunded_amount=order.payable_amount)
        OrderLine.objects.filter(pk=line.pk).update(refunded_qty=line.qty, refunded_amount=line.paid_amount)
        return refund

    def add_sales(self) -> None:
        """Sales counts follow the paid units, as the payment service adds them."""
        per_product: dict[int, int] = defaultdict(int)
        for sku in Sku.objects.filter(pk__in=list(self.sold)):
            Sku.objects.filter(pk=sku.pk).update(sales_count=F("sales_count") + self.sold[sku.pk])
            per_product[sku.product_id] += self.sold[sku.pk]
        for product_id, qty in per_product.items():
            Product.objects.filter(pk=product_id).update(sales_count=F("sales_count") + qty)


def _status_by_age(age: timedelta) -> str:
    if age < timedelta(days=2):
        return OrderStatus.PAID
    if age < timedelta(days=6):
        return OrderStatus.SHIPPED
    return OrderStatus.COMPLETED


def _ago(now: datetime, days: float, hour: int = 20) -> datetime:
    """``days`` days back, at ``hour`` o'clock shop time (never later than a few minutes ago)."""
    local = timezone.localtime(now) - timedelta(days=days)
    moment = local.replace(hour=hour, minute=(hour * 7) % 60, second=12, microsecond=0)
    return min(moment, now - timedelta(minutes=10))


@transaction.atomic
def build_tool_history(*, seed: int) -> dict[str, int]:
    """Every tool's history; returns how many rows of each kind were created (none on a second run)."""
    counts = {"tool orders": 0, "groups": 0, "bargains started": 0, "coupons": 0, "invites": 0, "commissions": 0}
    counts.update({"withdrawals": 0, "flash purchases": 0})
    if Order.objects.filter(idempotency_key__startswith=KEY_PREFIX).exists():
        return counts
    shoppers = list(Member.objects.filter(openid__startswith=SHOPPER_OPENID_PREFIX).order_by("pk"))
    if len(shoppers) < MIN_SHOPPERS:
        return counts
    rng = random.Random(seed + 7)  # noqa: S311 - demo data must be reproducible, not secret
    now = timezone.now()
    writer = _Writer(rng, now)
    with (
        backdating(
            Order, Payment, Refund, GroupBuyGroup, GroupBuyMember, Bargain, BargainHelp, Coupon, Invite, InviteReward
        ),
        backdating(InviteOrder, PointsEntry, Commission, Withdrawal, FlashPurchase),
    ):
        counts["groups"] = _groups(writer, shoppers, now)
        counts["bargains started"] = _bargains(writer, shoppers, now)
        counts["coupons"] = _coupons(writer, shoppers, now)
        counts["invites"] = _invites(writer, shoppers, now)
        counts["commissions"], counts["withdrawals"] = _commissions(writer, now)
        counts["flash purchases"] = _flash(writer, shoppers, now)
    writer.add_sales()
    counts["tool orders"] = writer.orders
    return counts


# --- 拼团 ---------------------------------------------------------------------------------


def _groups(writer: _Writer, shoppers: list[Member], now: datetime) -> int:
    campaign = GroupBuyCampaign.objects.filter(name=demo_marketing.GROUP_BUY).first()
    if campaign is None:
        return 0
    item = campaign.items.select_related("sku__product").order_by("pk").first()
    if item is None:
        return 0
    people = writer.rng.sample(shoppers, 11)  # per_member_limit 1: one group each (failed ones do not count)
    # (days ago, members who paid, outcome)
    plans: list[tuple[float, list[Member], str]] = [
        (16, people[0:3], GroupStatus.COMPLETED),
        (11, people[3:6], GroupStatus.COMPLETED),
        (8, [people[0], people[5]], GroupStatus.FAILED),
        (4, people[6:9], GroupStatus.COMPLETED),
        (0.1, people[9:11], GroupStatus.OPEN),
    ]
    for days, members, status in plans:
        start = max(_ago(now, days), campaign.starts_at + timedelta(minutes=5))
        if status == GroupStatus.OPEN:
            start = now - timedelta(hours=2)
        group = GroupBuyGroup.objects.create(
            campaign=campaign,
            leader=members[0],
            size=campaign.group_size,
            status=status,
            opened_at=start,
            expires_at=start + timedelta(minutes=campaign.duration_minutes),
            created_at=start,
        )
        seats: list[tuple[GroupBuyMember, Order, OrderLine]] = []
        joined = start
        for position, member in enumerate(members):
            if position:
                joined += timedelta(minutes=writer.rng.randint(20, 300))
            done = status == GroupStatus.COMPLETED
            order_status = _status_by_age(now - joined) if done else OrderStatus.PAID
            order, line = writer.write(
                _Buy(
                    member_id=member.pk,
                    sku=item.sku,
                    qty=1,
                    unit_price=item.price,
                    created=joined,
                    status=order_status,
                    deal=(GROUP_KIND, group.pk),
                    ship_hold="" if done or status == GroupStatus.FAILED else GROUP_HOLD,
                )
            )
            seat = GroupBuyMember.objects.create(
                group=group,
                member=member,
                order=order,
                is_leader=position == 0,
                status=GroupMemberStatus.PAID,
                joined_at=joined,
                paid_at=order.paid_at,
            )
            seats.append((seat, order, line))
        last_paid = seats[-1][1].paid_at
        group.seats_taken = group.paid_count = len(members)
        if status == GroupStatus.COMPLETED:
            group.outcome, group.completed_at = GroupOutcome.FULL, last_paid
        elif status == GroupStatus.FAILED:
            assert group.expires_at is not None  # noqa: S101 - set above
            group.outcome, group.failed_at = GroupOutcome.EXPIRED, group.expires_at
            for seat, order, line in seats:
                refund = writer.refund_all(order, line, group.expires_at, "拼团未成团，自动退款")
                GroupBuyMember.objects.filter(pk=seat.pk).update(status=GroupMemberStatus.REFUNDED, refund=refund)
        group.save(update_fields=["seats_taken", "paid_count", "outcome", "completed_at", "failed_at"])
    return len(plans)


# --- 砍价 -----------------------------------------------------------------------------------


def _bargains(writer: _Writer, shoppers: list[Member], now: datetime) -> int:
    campaign = BargainCampaign.objects.filter(name=demo_marketing.BARGAIN).select_related("sku__product").first()
    if campaign is None:
        return 0
    config = PlanConfig(
        total=campaign.start_price - campaign.floor_price,
        helpers_min=campaign.helpers_min,
        helpers_max=campaign.helpers_max,
        cut_min=campaign.cut_min,
        cut_max=campaign.cut_max,
    )
    initiators = writer.rng.sample(shoppers, 6)
    # (days ago, helps, outcome): two bought part way, two still going, two ran out of time.
    plans = (
        (15, 9, BargainStatus.BOUGHT),
        (9, 6, BargainStatus.EXPIRED),
        (6, 11, BargainStatus.BOUGHT),
        (3, 4, BargainStatus.EXPIRED),
        (0.3, 5, BargainStatus.ONGOING),
        (0.05, 2, BargainStatus.ONGOING),
    )
    sold = 0
    for number, (initiator, (days, helps, status)) in enumerate(zip(initiators, plans, strict=True), 1):
        started = max(_ago(now, days, hour=12), campaign.starts_at + timedelta(minutes=5))
        if status == BargainStatus.ONGOING:
            started = now - timedelta(days=days)
        seed = f"demo-bargain-{number:02d}"
        plan = list(plan_for_seed(config, seed))
        helps = min(helps, len(plan) - 1)
        price = campaign.start_price - sum(plan[:helps])
        expires = min(started + timedelta(minutes=campaign.duration_minutes), campaign.ends_at)
        bargain = Bargain.objects.create(
            campaign=campaign,
            member=initiator,
            start_price=campaign.start_price,
            floor_price=campaign.floor_price,
            current_price=price,
            plan=plan,
            seed=seed,
            helps_count=helps,
            status=status,
            expires_at=expires,
            closed_at=expires if status == BargainStatus.EXPIRED else None,
            created_at=started,
        )
        helpers = writer.rng.sample([s for s in shoppers if s.pk != initiator.pk], helps)
        at, after = started, campaign.start_price
        rows = []
        for seq, helper in enumerate(helpers, 1):
            at += timedelta(minutes=writer.rng.randint(3, 50))
            after -= plan[seq - 1]
            rows.append(
                BargainHelp(
                    bargain=bargain,
                    helper=helper,
                    seq=seq,
                    cut=plan[seq - 1],
                    price_after=after,
                    ip=f"10.{number}.{seq}.8",
                    created_at=min(at, now - timedelta(minutes=1)),
                )
            )
        BargainHelp.objects.bulk_create(rows)
        if status == BargainStatus.BOUGHT:
            order, _line = writer.write(
                _Buy(
                    member_id=initiator.pk,
                    sku=campaign.sku,
                    qty=1,
                    unit_price=price,
                    created=at + timedelta(minutes=30),
                    status=_status_by_age(now - at),
                    deal=(BARGAIN_KIND, bargain.pk),
                )
            )
            Bargain.objects.filter(pk=bargain.pk).update(order=order, bought_at=order.paid_at)
            sold += 1
    BargainCampaign.objects.filter(pk=campaign.pk).update(sold_count=F("sold_count") + sold)
    return len(plans)


# --- 优惠券 ----------------------------------------------------------------------------------


def _coupon_skus(threshold: int, category_id: int | None = None) -> list[Sku]:
    skus = Sku.objects.filter(is_active=True, product__is_on_shelf=True, price__gte=max(threshold // 2, 1))
    if category_id is not None:
        skus = skus.filter(Q(product__category_id=category_id) | Q(product__category__parent_id=category_id))
    return list(skus.select_related("product").order_by("price", "pk")[:6])


def _issue(template: CouponTemplate, member: Member, claimed: datetime, now: datetime) -> Coupon:
    valid_from, valid_until = template.validity_for(claimed)
    status = CouponStatus.EXPIRED if valid_until <= now else CouponStatus.UNUSED
    coupon = Coupon.objects.create(
        template=template,
        member=member,
        seq=1,
        status=status,
        valid_from=valid_from,
        valid_until=valid_until,
        claimed_at=claimed,
    )
    return coupon


def _use(writer: _Writer, coupon: Coupon, sku: Sku, at: datetime, now: datetime) -> Order:
    template = coupon.template
    qty = 1 if sku.price >= template.threshold else 2
    order, _line = writer.write(
        _Buy(
            member_id=coupon.member_id,
            sku=sku,
            qty=qty,
            unit_price=sku.price,
            created=at,
            status=_status_by_age(now - at),
            coupon=(template.name, template.off),
            full_reduction=True,
        )
    )
    Coupon.objects.filter(pk=coupon.pk).update(status=CouponStatus.USED, order=order, used_at=at)
    return order


def _coupons(writer: _Writer, shoppers: list[Member], now: datetime) -> int:
    """Claim-centre coupons: issued over the last weeks, some used on orders, some expired."""
    beauty = Category.objects.filter(name="美妆", parent__isnull=True).values_list("pk", flat=True).first()
    # (template name, claims, of which used, claimed over the last N days, category of the SKUs)
    plans = (
        ("店铺券 满100减20", 12, 5, 18, None),
        ("美妆品类券 满100减10", 6, 2, 12, beauty),
        ("今日限时领 无门槛5元", 4, 1, 0, None),
    )
    issued = 0
    for name, claims, used, spread, category in plans:
        template = CouponTemplate.objects.filter(name=name).first()
        if template is None:
            continue
        skus = _coupon_skus(template.threshold or 2000, category)
        if not skus:
            continue
        claims = min(claims, len(shoppers), (template.total_quantity or claims) - template.issued_count)
        members = writer.rng.sample(shoppers, claims)
        first_claim = now
        for index, member in enumerate(members):
            if spread:
                claimed = _ago(now, spread * (claims - index) / claims, hour=10 + index % 12)
            else:  # a window that opened an hour ago
                claimed = now - timedelta(minutes=55 - index * 10)
            first_claim = min(first_claim, claimed)
            coupon = _issue(template, member, claimed, now)
            # Every other coupon is used a day (or, today's, minutes) after it was claimed.
            if index % 2 == 0 and index // 2 < used:
                at = min(claimed + (timedelta(days=1) if spread else timedelta(minutes=3)), now - timedelta(minutes=2))
                if at < coupon.valid_until:
                    _use(writer, coupon, skus[index % len(skus)], at, now)
        CouponTemplate.objects.filter(pk=template.pk).update(
            issued_count=F("issued_count") + claims,
            created_at=min(template.created_at, first_claim - timedelta(days=1)),
        )
        issued += claims
    return issued + _new_user_packs(writer, shoppers, now)


def _new_user_packs(writer: _Writer, shoppers: list[Member], now: datetime) -> int:
    """新人券包: each of the latest shoppers got the pack when they joined; some used a coupon."""
    templates = list(
        CouponTemplate.objects.filter(channel=CouponChannel.NEW_USER_PACK, is_active=True)
        .exclude(kind=CouponKind.RATE_OFF)
        .order_by("threshold", "pk")
    )
    newcomers = sorted(shoppers, key=lambda m: (m.created_at, m.pk))[-6:]
    issued = 0
    for template in templates:
        room = None if template.total_quantity is None else template.total_quantity - template.issued_count
        members = newcomers if room is None else newcomers[: max(0, room)]
        skus = _coupon_skus(template.threshold or template.off * 3)
        for index, member in enumerate(members):
            coupon = _issue(template, member, member.created_at + timedelta(seconds=30), now)
            at = min(member.created_at + timedelta(days=1), now - timedelta(minutes=5))
            if skus and template == templates[0] and index % 2 == 0 and coupon.valid_from < at < coupon.valid_until:
                _use(writer, coupon, skus[index % len(skus)], at, now)
        CouponTemplate.objects.filter(pk=template.pk).update(issued_count=F("issued_count") + len(members))
        issued += len(members)
    return issued


# --- 邀请有礼 -------------------------------------------------------------------------------


def _invites(writer: _Writer, shoppers: list[Member], now: datetime) -> int:
    """Two inviters: the first with four friends (the first three earned the reward, coupons for
    all four; the fourth counts toward the next), the second with two; friends' orders earn points."""
    program = InviteProgram.current()
    template = program.reward_template
    if template is None or not program.is_live(now):
        return 0
    inviters_and_friends = _invite_pairs(shoppers, now)
    if inviters_and_friends is None:
        return 0
    (inviter, invitees), (second, friends) = inviters_and_friends
    invites = []
    for host, guests in ((inviter, invitees), (second, friends)):
        for invitee in guests:
            Member.objects.filter(pk=invitee.pk).update(inviter=host)
            invites.append(
                Invite.objects.create(inviter=host, invitee=invitee, counts=True, created_at=invitee.created_at)
            )
    block = invites[: program.threshold]
    room = template.total_quantity is None or template.total_quantity - template.issued_count > len(block)
    if len(block) == program.threshold and room:
        rewarded_at = block[-1].created_at + timedelta(seconds=5)
        reward = InviteReward.objects.create(
            inviter=inviter,
            seq=1,
            threshold=program.threshold,
            template=template,
            created_at=rewarded_at,
            issued_at=rewarded_at,
        )
        own = _issue(template, inviter, rewarded_at, now)
        InviteReward.objects.filter(pk=reward.pk).update(coupon=own)
        for invite in block:
            friend = _issue(template, invite.invitee, rewarded_at, now)
            Invite.objects.filter(pk=invite.pk).update(reward=reward, coupon=friend)
        CouponTemplate.objects.filter(pk=template.pk).update(issued_count=F("issued_count") + len(block) + 1)
        skus = _coupon_skus(max(template.threshold, template.off * 3))
        used_at = max(rewarded_at + timedelta(hours=2), now - timedelta(days=3))
        if skus and used_at < min(now, own.valid_until):
            own.template = template
            _use(writer, own, skus[0], used_at, now)
    _invite_points(inviter, invitees, program, now)
    _invite_points(second, friends, program, now)
    return len(invites)


def _invite_pairs(
    shoppers: list[Member], now: datetime
) -> tuple[tuple[Member, list[Member]], tuple[Member, list[Member]]] | None:
    """Two early shoppers as inviters; friends who joined in the last four weeks (else the latest)."""
    by_join = sorted(shoppers, key=lambda m: (m.created_at, m.pk))
    if len(by_join) < 8:
        return None
    first, second = by_join[0], by_join[1]
    rest = by_join[2:]
    recent = [m for m in rest if m.created_at >= now - timedelta(days=28)]
    friends = recent[-6:] if len(recent) >= 6 else rest[-6:]
    return (first, friends[:4]), (second, friends[4:6])


def _invite_points(inviter: Member, invitees: list[Member], program: InviteProgram, now: datetime) -> None:
    """The friends' paid orders: their share fixed at placement, points granted once completed."""
    ppy = PricingPolicy.current().points_per_yuan
    orders = Order.objects.filter(member__in=invitees, paid_at__isnull=False).exclude(status=OrderStatus.REFUNDED)
    for order in orders.order_by("pk"):
        points = apply_rate(order.payable_amount, program.points_rate) * ppy // 100
        InviteOrder.objects.create(
            order=order,
            inviter=inviter,
            rate=program.points_rate,
            points_per_yuan=ppy,
            paid_amount=order.payable_amount,
            points_total=points,
            created_at=order.created_at,
        )
        if order.status == OrderStatus.COMPLETED and points > 0:
            PointsEntry.objects.create(
                member=inviter,
                delta=points,
                reason=PointsEntry.Reason.INVITE_EARN,
                ref=f"{INVITE_REF_PREFIX}{order.no}",
                note=f"好友订单 {order.no}",
                created_at=order.completed_at or now,
            )


# --- 分销 -------------------------------------------------------------------------------------


def _commissions(writer: _Writer, now: datetime) -> tuple[int, int]:
    """The first promoter's customers' orders, one for each commission state, and withdrawals."""
    promoter = Promoter.objects.filter(status=PromoterStatus.APPROVED).order_by("pk").first()
    if promoter is None:
        return 0, 0
    attributions = list(Attribution.objects.filter(promoter=promoter).order_by("pk"))
    if not attributions:
        return 0, 0
    program = DistributionProgram.current()
    rates = dict(ProductCommission.objects.values_list("product_id", "rate"))
    rated = list(
        Sku.objects.filter(product_id__in=list(rates), is_active=True, stock__gte=5)
        .select_related("product")
        .order_by("pk")
    )
    other = list(
        Sku.objects.filter(is_active=True, price__gte=8000, stock__gte=5)
        .select_related("product")
        .order_by("price", "pk")[:4]
    )
    skus = rated + other
    if not skus:
        return 0, 0
    clicked = _ago(now, 26, hour=9)
    Attribution.objects.filter(pk__in=[a.pk for a in attributions]).update(first_clicked_at=clicked)
    # (days ago, order status): available (past the after-sales window), frozen, reversed, pending.
    plans = (
        (24, OrderStatus.COMPLETED),
        (21, OrderStatus.COMPLETED),
        (18, OrderStatus.COMPLETED),
        (15, OrderStatus.COMPLETED),
        (7, OrderStatus.COMPLETED),
        (3, OrderStatus.SHIPPED),
        (1, OrderStatus.PAID),
        (5, OrderStatus.CANCELLED),
        (0, OrderStatus.PENDING_PAYMENT),
    )
    rows = []
    for index, (days, status) in enumerate(plans):
        attribution = attributions[index % len(attributions)]
        sku = skus[index % len(skus)]
        created = now - timedelta(minutes=3) if status == OrderStatus.PENDING_PAYMENT else _ago(now, days, hour=21)
        order, line = writer.write(
            _Buy(
                member_id=attribution.member_id,
                sku=sku,
                qty=2 if sku.price < 10000 else 1,
                unit_price=sku.price,
                created=created,
                status=status,
                full_reduction=True,
            )
        )
        rate = rates.get(sku.product_id, program.default_rate)
        amount = apply_rate(line.paid_amount, rate)
        state, held, available_at = CommissionStatus.FROZEN, amount, None
        if status == OrderStatus.CANCELLED:
            state, held = CommissionStatus.REVERSED, 0
        elif status == OrderStatus.PENDING_PAYMENT:
            state = CommissionStatus.PENDING
        elif order.completed_at is not None:
            available_at = order.completed_at + timedelta(days=program.settle_days)
            state = CommissionStatus.AVAILABLE if available_at <= now else CommissionStatus.FROZEN
        rows.append(
            Commission(
                promoter=promoter,
                order=order,
                sku=sku,
                line=line,
                attribution=attribution,
                title=line.title,
                qty=line.qty,
                base_amount=line.paid_amount,
                rate=rate,
                amount=amount,
                held_amount=held,
                status=state,
                available_at=available_at,
                created_at=created,
            )
        )
    Commission.objects.bulk_create(rows)
    available = sum(r.held_amount for r in rows if r.status == CommissionStatus.AVAILABLE)
    paid, waiting = available // 2 // 100 * 100, available // 4 // 100 * 100
    withdrawals = 0
    owner = _owner()
    unfrozen = [r.available_at for r in rows if r.status == CommissionStatus.AVAILABLE and r.available_at]
    last_available = max(unfrozen, default=None)
    if last_available is not None and min(paid, waiting) >= program.min_withdrawal:
        asked = last_available + timedelta(hours=3)
        Withdrawal.objects.create(
            promoter=promoter,
            amount=paid,
            status=WithdrawalStatus.PAID,
            requested_at=min(asked, now - timedelta(hours=2)),
            reviewed_at=min(asked + timedelta(hours=20), now - timedelta(hours=1)),
            reviewed_by=owner,
            payout_reference=f"WX{writer.rng.randrange(10**16):016d}",
            note="微信转账",
        )
        Withdrawal.objects.create(promoter=promoter, amount=waiting, requested_at=now - timedelta(minutes=40))
        withdrawals = 2
    return len(rows), withdrawals


# --- 秒杀 / 限量发售 ---------------------------------------------------------------------------


def _past_slots(writer: _Writer, shoppers: list[Member], now: datetime) -> int:
    """Yesterday's slots, ended: 9.9 lead products, units sold, what was left back on the shelf."""
    settings = FlashSettings.load()
    leads = demo_marketing._lead_skus(6)
    if not leads:
        return 0
    yesterday = timezone.localdate(now) - timedelta(days=1)
    purchases = 0
    for index, clock in enumerate(settings.slot_times or []):
        hour, minute = (int(part) for part in str(clock).split(":"))
        starts = datetime(yesterday.year, yesterday.month, yesterday.day, hour, minute, tzinfo=SHANGHAI)
        ends = starts + timedelta(minutes=settings.slot_minutes)
        if ends >= now or FlashSlot.objects.filter(kind=FlashSlotKind.SLOT, starts_at=starts).exists():
            continue
        slot = FlashSlot.objects.create(
            kind=FlashSlotKind.SLOT,
            starts_at=starts,
            ends_at=ends,
            status=FlashSlotStatus.ENDED,
            published_at=starts - timedelta(hours=20),
            ended_at=ends,
            created_at=starts - timedelta(hours=22),
        )
        for position in range(3):
            sku = leads[(index * 3 + position) % len(leads)]
            if sku.price <= demo_marketing.FLASH_PRICE or slot.items.filter(sku=sku).exists():
                continue
            quota = min(demo_marketing.FLASH_QUOTA, sku.stock // 4)
            wanted = min(quota, len(shoppers) // 2, writer.rng.randint(6, 24))
            if wanted < 1:
                continue
            item = FlashItem.objects.create(
                slot=slot,
                sku=sku,
                flash_price=demo_marketing.FLASH_PRICE,
                quota=quota,
                sort_order=position,
                created_at=slot.created_at,
            )
            sold = 0
            for buyer in writer.rng.sample(shoppers, wanted):
                at = starts + timedelta(seconds=writer.rng.randint(2, 40 * 60))
                purchases += _flash_buy(writer, item, buyer, 1, at)
                sold += 1
            # The slot is over: what was not sold went back to the shelf (``closed``).
            FlashItem.objects.filter(pk=item.pk).update(sold=sold, returned=quota - sold, closed=True)
    return purchases


def _flash_buy(writer: _Writer, item: FlashItem, buyer: Member, qty: int, at: datetime) -> int:
    order, _line = writer.write(
        _Buy(
            member_id=buyer.pk,
            sku=item.sku,
            qty=qty,
            unit_price=item.flash_price,
            created=at,
            status=_status_by_age(writer.now - at),
            deal=(FLASH_KIND, item.pk),
        )
    )
    FlashPurchase.objects.create(
        item=item, member=buyer, order=order, qty=qty, status=FlashPurchaseStatus.PAID, created_at=at
    )
    return 1


def _flash(writer: _Writer, shoppers: list[Member], now: datetime) -> int:
    """Units sold in what is selling now (the limited release, any slot already running) and in
    yesterday's slots."""
    items = list(
        FlashItem.objects.filter(
            slot__status=FlashSlotStatus.PUBLISHED, slot__starts_at__lte=now, slot__ends_at__gt=now
        )
        .select_related("slot", "sku__product")
        .order_by("slot__starts_at", "pk")
    )
    purchases = 0
    for item in items:
        slot: FlashSlot = item.slot
        opened = max(slot.starts_at, now - timedelta(hours=2))
        buyers = writer.rng.sample(
            shoppers, min(len(shoppers), 8, max(0, item.quota - item.sold) // item.per_order_limit)
        )
        sold = 0
        for index, buyer in enumerate(buyers):
            qty = min(item.per_order_limit, item.per_shopper_limit, 1 + index % 2)
            at = opened + (now - timedelta(minutes=1) - opened) * (index + 1) / (len(buyers) + 1)
            purchases += _flash_buy(writer, item, buyer, qty, at)
            sold += qty
        FlashItem.objects.filter(pk=item.pk).update(sold=F("sold") + sold)
        # The Redis gate was primed at publishing: rewrite it from these rows once they are committed.
        transaction.on_commit(partial(gate_rebuild, item.pk))
    return purchases + _past_slots(writer, shoppers, now)
