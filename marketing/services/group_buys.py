"""拼团 group buy (F03): campaigns (merchant side), the deal handler, and every group's outcome.

A shopper opens a group by placing and paying an order through the deal seam
(``deal={"kind": "group", "ref": campaign_id}``); friends join with the group's share token
(``"params": {"share_token": …}``). Each step of an order's life reaches :class:`GroupDeal`:

* ``take`` (placement, last before commit): a new group for the leader, or a seat in an open
  group spent with a guarded ``UPDATE … SET seats_taken = seats_taken + 1 WHERE seats_taken <
  size AND status = 'open' AND expires_at > now`` — the (N+1)-th shopper's order is refused
  before it exists. The order is held from shipping (``Order.ship_hold``).
* ``release`` (the unpaid order is cancelled or expires): the seat is given back; a leader who
  never paid cancels the group.
* ``paid`` (the payment's transaction): under the group's row lock the payment is counted
  exactly once; the leader's payment opens the group (its countdown starts) and the N-th
  payment completes it, releasing every member's order for shipping. A payment that finds
  the group failed (or past its deadline, which fails it there and then) is refunded.
* ``retake`` (a late payment revives a cancelled order): the seat again, or refused and refunded.

At the deadline (a task at ``expires_at`` and the minute sweeper, both idempotent) a group
still short fails — or completes anyway with 虚拟成团. A failed group is settled member by
member, each in its own transaction: paid orders are refunded in full through the payment
provider (``refund_create(actor=None)``) and the shopper told; unpaid orders are cancelled.

Locks are taken in one order everywhere: the order row, then the group row, then seat rows.
The failure step locks only the group; the refunds lock each order afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.services.events import event_record
from mall.errors import ApplicationError, PermissionDenied
from mall.models import Product, Sku
from mall.money import format_yuan
from mall.services.audit import audit_record
from marketing.errors import (
    DealInvalid,
    DealNotFound,
    GroupAlreadyJoined,
    GroupBuyCampaignNotFound,
    GroupBuyNotOpen,
    GroupClosed,
    GroupFull,
    GroupJoinNewOnly,
    GroupLimitReached,
    GroupNotClosable,
    GroupNotFound,
    GroupPaymentRequired,
    PurchaseLimitExceeded,
    RulesInvalid,
)
from marketing.models import (
    GroupBuyCampaign,
    GroupBuyGroup,
    GroupBuyItem,
    GroupBuyMember,
    GroupMemberStatus,
    GroupOutcome,
    GroupStatus,
)
from marketing.models.group_buys import GROUP_SIZE_MAX, GROUP_SIZE_MIN
from marketing.pricing import GroupPrice
from marketing.selectors.group_buys import DEAL_KIND, campaign_is_open, join_refusal, participations
from marketing.selectors.pricing_rules import pricing_rules_bump
from marketing.services.coupons import Actor, require_staff
from marketing.services.deals import DealHandler, DealPricing, DealRequest, deal_handler
from members.models import Member
from members.services.audience import audience_check
from members.services.messages import message_send
from orders.models import Order, OrderStatus

logger = logging.getLogger(__name__)

GROUP_HOLD = "group_forming"
DURATION_MIN_MINUTES = 10
DURATION_MAX_MINUTES = 7 * 24 * 60
SHARE_TOKEN_MAX_LENGTH = 64
REFUND_REASON = "拼团未成功，自动全额退款"
CANCEL_REASON = "group_failed"
MESSAGE_COMPLETED = "group_completed"
MESSAGE_FAILED = "group_failed"
CLOSE_PERMISSION = "marketing.close_groupbuygroup"


def group_link(group_id: int) -> str:
    """The mini-program page of a group (messages link to it)."""
    return f"/package-social/group/index?id={group_id}"


# --- campaigns (merchant side) ------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GroupBuyItemData:
    sku_id: int
    price: int
    leader_price: int | None = None


@dataclass(frozen=True, kw_only=True)
class GroupBuyCampaignData:
    """Everything the merchant sets on a campaign; money in fen."""

    name: str
    product_id: int
    starts_at: datetime
    ends_at: datetime
    items: tuple[GroupBuyItemData, ...] = field(default_factory=tuple)
    group_size: int = 3
    duration_minutes: int = 24 * 60
    auto_complete: bool = False
    max_qty_per_order: int = 1
    per_member_limit: int | None = 1
    join_new_only: bool = False
    show_open_groups: bool = True
    is_active: bool = True
    free_shipping: bool = False  # 包邮: the group's orders pay no shipping


def group_buy_campaign_validate(*, data: GroupBuyCampaignData, campaign_id: int | None = None) -> None:
    """Refuse a campaign the shop could not honour, with a Chinese message per field."""
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = _("请填写活动名称。")
    if not GROUP_SIZE_MIN <= data.group_size <= GROUP_SIZE_MAX:
        errors["group_size"] = _("成团人数应为 %(lo)d–%(hi)d 人。") % {"lo": GROUP_SIZE_MIN, "hi": GROUP_SIZE_MAX}
    if not DURATION_MIN_MINUTES <= data.duration_minutes <= DURATION_MAX_MINUTES:
        errors["duration_minutes"] = _("成团时限应在 10 分钟到 7 天之间。")
    if data.starts_at is None or data.ends_at is None:
        errors["ends_at"] = _("请填写活动开始和结束时间。")
    elif data.ends_at <= data.starts_at:
        errors["ends_at"] = _("结束时间必须晚于开始时间。")
    if not 1 <= data.max_qty_per_order <= 99:
        errors["max_qty_per_order"] = _("每单限购件数应为 1–99。")
    if data.per_member_limit is not None and data.per_member_limit < 1:
        errors["per_member_limit"] = _("每人限参团次数至少为 1，或留空不限。")
    product = Product.objects.filter(pk=data.product_id).first()
    if product is None:
        errors["product"] = _("商品不存在。")
    errors.update(_items_problems(data.items, product))
    if product is not None and "ends_at" not in errors and data.is_active:
        overlapping = GroupBuyCampaign.objects.filter(
            product=product,
            is_active=True,
            ended_at__isnull=True,
            starts_at__lt=data.ends_at,
            ends_at__gt=data.starts_at,
        ).exclude(pk=campaign_id or 0)
        if overlapping.exists():
            errors["starts_at"] = _("该商品在这段时间已有启用的拼团活动。")
    if errors:
        first_key, first = next(iter(errors.items()))
        raise RulesInvalid(first, details={"field": first_key, "errors": errors})


def _items_problems(items: Sequence[GroupBuyItemData], product: Product | None) -> dict[str, str]:
    if not items:
        return {"items": _("请至少为一个 SKU 设置拼团价。")}
    sku_ids = [item.sku_id for item in items]
    if len(set(sku_ids)) != len(sku_ids):
        return {"items": _("同一个 SKU 只能设置一次拼团价。")}
    skus = Sku.objects.in_bulk(sku_ids)
    for item in items:
        sku = skus.get(item.sku_id)
        if sku is None or (product is not None and sku.product_id != product.pk):
            return {"items": _("所选 SKU 不属于该商品。")}
        if not 1 <= item.price < sku.price:
            return {
                "items": _("%(code)s 的拼团价应大于 0 且低于售价 ¥%(price)s。")
                % {
                    "code": sku.code,
                    "price": format_yuan(sku.price),
                }
            }
        if item.leader_price is not None and not 1 <= item.leader_price <= item.price:
            return {"items": _("%(code)s 的团长价应大于 0 且不高于拼团价。") % {"code": sku.code}}
    return {}


def _campaign_fields(data: GroupBuyCampaignData) -> dict[str, Any]:
    fields = asdict(data)
    fields.pop("items")
    fields["name"] = data.name.strip()[:60]
    return fields


def _items_set(campaign: GroupBuyCampaign, items: Sequence[GroupBuyItemData]) -> None:
    wanted = {item.sku_id: item for item in items}
    campaign.items.exclude(sku_id__in=wanted).delete()
    for sku_id, item in sorted(wanted.items()):
        GroupBuyItem.objects.update_or_create(
            campaign=campaign, sku_id=sku_id, defaults={"price": item.price, "leader_price": item.leader_price}
        )


def _audit_data(data: GroupBuyCampaignData) -> dict[str, Any]:
    payload = asdict(data)
    payload["starts_at"] = data.starts_at.isoformat()
    payload["ends_at"] = data.ends_at.isoformat()
    payload["items"] = [asdict(item) for item in data.items]
    return payload


@transaction.atomic
def group_buy_campaign_create(*, actor: Actor, data: GroupBuyCampaignData) -> GroupBuyCampaign:
    require_staff(actor)
    group_buy_campaign_validate(data=data)
    campaign = GroupBuyCampaign.objects.create(**_campaign_fields(data))
    _items_set(campaign, data.items)
    audit_record(actor=actor, action="group_buy.create", target=campaign, data=_audit_data(data))
    pricing_rules_bump()  # product cards, pages and the marketing centre show campaigns
    return campaign


@transaction.atomic
def group_buy_campaign_update(*, actor: Actor, campaign_id: int, data: GroupBuyCampaignData) -> GroupBuyCampaign:
    """Edit a campaign. Groups already open keep their size and deadline; new orders get the new prices."""
    require_staff(actor)
    campaign = GroupBuyCampaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise GroupBuyCampaignNotFound()
    if data.product_id != campaign.product_id and campaign.groups.exists():
        raise RulesInvalid(_("活动已有人开团，不能更换商品。"), details={"field": "product"})
    group_buy_campaign_validate(data=data, campaign_id=campaign.pk)
    for key, value in _campaign_fields(data).items():
        setattr(campaign, key, value)
    campaign.save()
    _items_set(campaign, data.items)
    audit_record(actor=actor, action="group_buy.update", target=campaign, data=_audit_data(data))
    pricing_rules_bump()  # product cards, pages and the marketing centre show campaigns
    return campaign


@transaction.atomic
def group_buy_campaign_end(*, actor: Actor, campaign_id: int, now: datetime | None = None) -> GroupBuyCampaign:
    """End a campaign early: no new group opens; groups already open run to their deadline
    (the merchant may close each one with :func:`group_close`)."""
    require_staff(actor)
    now = now or timezone.now()
    campaign = GroupBuyCampaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise GroupBuyCampaignNotFound()
    if campaign.ended_at is None:
        campaign.ended_at = now
        campaign.is_active = False
        campaign.save(update_fields=["ended_at", "is_active", "updated_at"])
        open_groups = campaign.groups.filter(status=GroupStatus.OPEN).count()
        audit_record(
            actor=actor,
            action="group_buy.end",
            target=campaign,
            data={"at": now.isoformat(), "open_groups": open_groups},
        )
        pricing_rules_bump()  # product cards, pages and the marketing centre show campaigns
    return campaign


# --- who may open and join -----------------------------------------------------------------


def _check_limit(campaign: GroupBuyCampaign, member_id: int) -> None:
    limit = campaign.per_member_limit
    if limit is not None and participations(campaign_id=campaign.pk, member_id=member_id) >= limit:
        raise GroupLimitReached(details={"campaign_id": campaign.pk, "limit": limit})


JOIN_REFUSALS: dict[str, type[ApplicationError]] = {
    "group_closed": GroupClosed,
    "group_full": GroupFull,
    "group_already_joined": GroupAlreadyJoined,
    "group_join_new_only": GroupJoinNewOnly,
    "group_limit_reached": GroupLimitReached,
}


def group_join_refusal(*, group: GroupBuyGroup, member: Member | None, at: datetime) -> ApplicationError | None:
    """The error to raise when ``member`` cannot join ``group`` now, or None."""
    code = join_refusal(group=group, member=member, at=at)
    return JOIN_REFUSALS[code](details={"group_id": group.pk}) if code else None


def _share_token(deal: DealRequest) -> str | None:
    unknown = set(deal.params) - {"share_token"}
    if unknown:
        raise DealInvalid(details={"params": sorted(str(k) for k in unknown)[:5]})
    token = deal.params.get("share_token")
    if token is None:
        return None
    if not isinstance(token, str) or not 0 < len(token) <= SHARE_TOKEN_MAX_LENGTH:
        raise DealInvalid(details={"share_token": "a string of at most 64 characters"})
    return token


def _group_by_token(token: str, campaign_id: int) -> GroupBuyGroup:
    group = GroupBuyGroup.objects.select_related("campaign").filter(share_token=token).first()
    if group is None or group.campaign_id != campaign_id:
        raise GroupNotFound()
    return group


# --- the deal handler -----------------------------------------------------------------------


@deal_handler
class GroupDeal(DealHandler):
    """Orders that open or join a group (``deal.ref`` = campaign id, ``params.share_token`` to join)."""

    kind = DEAL_KIND
    guard_action = "group"

    def specs(self, *, deal: DealRequest, member: Member, sku: Sku, qty: int, at: datetime) -> DealPricing:
        token = _share_token(deal)
        campaign = GroupBuyCampaign.objects.filter(pk=deal.ref).first()
        if campaign is None:
            raise DealNotFound(details={"kind": DEAL_KIND, "ref": deal.ref})
        item = GroupBuyItem.objects.filter(campaign=campaign, sku=sku).first()
        if item is None:
            raise DealNotFound(_("该 SKU 不参加这个拼团活动。"), details={"sku_id": sku.pk})
        if qty > campaign.max_qty_per_order:
            raise PurchaseLimitExceeded(details={"max_qty_per_order": campaign.max_qty_per_order})
        audience_check(member=member, audience=campaign.audience, details={"campaign_id": campaign.pk})
        if token is None:
            if not campaign_is_open(campaign, at):
                raise GroupBuyNotOpen(details={"campaign_id": campaign.pk})
            _check_limit(campaign, member.pk)
            price = item.leader_price if item.leader_price is not None else item.price
        else:
            group = _group_by_token(token, campaign.pk)
            refusal = group_join_refusal(group=group, member=member, at=at)
            if refusal is not None:
                raise refusal
            price = item.price
        spec = GroupPrice(id=f"group:{campaign.pk}", sku=sku.code, price=price)
        return DealPricing(specs=(spec,), names={spec.id: campaign.name}, free_shipping=campaign.free_shipping)

    def take(self, *, deal: DealRequest, order: Order, sku: Sku, qty: int) -> int:
        if order.payable_amount <= 0:
            # A failed group is refunded through the payment provider, so there must be a payment.
            raise GroupPaymentRequired()
        now = timezone.now()
        token = _share_token(deal)
        campaign = GroupBuyCampaign.objects.get(pk=deal.ref)
        # order_place holds the shopper's member row: their placements queue, so this count holds.
        _check_limit(campaign, order.member_id)
        if token is None:
            if not campaign_is_open(campaign, now):
                raise GroupBuyNotOpen(details={"campaign_id": campaign.pk})
            group = GroupBuyGroup.objects.create(
                campaign=campaign, leader_id=order.member_id, size=campaign.group_size, seats_taken=1
            )
            GroupBuyMember.objects.create(group=group, member_id=order.member_id, order=order, is_leader=True)
        else:
            group = _group_by_token(token, campaign.pk)
            if GroupBuyMember.objects.filter(group=group, member_id=order.member_id).exists():
                raise GroupAlreadyJoined()
            seat = GroupBuyGroup.objects.filter(
                pk=group.pk, status=GroupStatus.OPEN, seats_taken__lt=F("size"), expires_at__gt=now
            ).update(seats_taken=F("seats_taken") + 1)
            if not seat:
                group.refresh_from_db()
                refusal = group_join_refusal(group=group, member=None, at=now)
                raise refusal or GroupClosed()
            try:
                with transaction.atomic():
                    GroupBuyMember.objects.create(group=group, member_id=order.member_id, order=order)
            except IntegrityError as exc:  # the unique (group, member) key behind the check above
                raise GroupAlreadyJoined() from exc
        Order.objects.filter(pk=order.pk).update(ship_hold=GROUP_HOLD)
        order.ship_hold = GROUP_HOLD
        return group.pk

    def release(self, *, order: Order) -> None:
        seat = GroupBuyMember.objects.filter(order=order).first()
        if seat is None:
            return
        group = GroupBuyGroup.objects.select_for_update().get(pk=seat.group_id)
        if seat.status != GroupMemberStatus.PENDING:
            return  # a paid seat's order is never cancelled; refunds settle it instead
        seat.delete()
        GroupBuyGroup.objects.filter(pk=group.pk, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)
        if seat.is_leader and group.status == GroupStatus.PENDING:
            GroupBuyGroup.objects.filter(pk=group.pk).update(
                status=GroupStatus.CANCELLED, outcome=GroupOutcome.LEADER_UNPAID, failed_at=timezone.now()
            )

    def paid(self, *, order: Order) -> None:
        seat = GroupBuyMember.objects.filter(order=order).first()
        if seat is None:
            logger.error("group order %s paid without a seat", order.no)
            return
        now = timezone.now()
        group = _lock_group(seat.group_id)
        assert group is not None  # noqa: S101 - the seat's foreign key (PROTECT)
        seat = GroupBuyMember.objects.select_for_update().get(pk=seat.pk)
        if seat.status != GroupMemberStatus.PENDING:
            return
        _decide_if_due(group, now)
        seat.status = GroupMemberStatus.PAID
        seat.paid_at = order.paid_at or now
        seat.save(update_fields=["status", "paid_at"])
        group.paid_count += 1
        group.save(update_fields=["paid_count"])
        props = {"group_id": group.pk, "campaign_id": group.campaign_id, "order_no": order.no}
        if group.status == GroupStatus.PENDING:
            _open(group, now)
        elif group.status == GroupStatus.OPEN:
            event_record(name="group_joined", member_id=order.member_id, props={**props, "paid": group.paid_count})
            if group.paid_count >= group.size:
                _complete(group, outcome=GroupOutcome.FULL, now=now)
        elif group.status == GroupStatus.COMPLETED:
            # Completed without this member (虚拟成团 or by the merchant): the order ships like the others.
            Order.objects.filter(pk=order.pk).update(ship_hold="")
            _tell_completed(group, seat.member_id)
            event_record(name="group_joined", member_id=order.member_id, props={**props, "late": True})
        else:
            # The group failed while this payment was on its way: it goes back like the others'.
            event_record(name="group_paid_after_failure", member_id=order.member_id, props=props)
            _settle_after_commit(group.pk)

    def retake(self, *, order: Order) -> None:
        now = timezone.now()
        group = _lock_group(order.deal_ref or 0)
        if group is None:
            raise GroupClosed()
        _decide_if_due(group, now)
        if GroupBuyMember.objects.filter(group=group, member_id=order.member_id).exists():
            raise GroupAlreadyJoined()
        if group.leader_id == order.member_id and group.status == GroupStatus.CANCELLED:
            if not campaign_is_open(group.campaign, now):
                raise GroupBuyNotOpen()
            group.status, group.outcome, group.failed_at, group.seats_taken = GroupStatus.PENDING, "", None, 1
            group.save(update_fields=["status", "outcome", "failed_at", "seats_taken"])
            GroupBuyMember.objects.create(group=group, member_id=order.member_id, order=order, is_leader=True)
        else:
            refusal = group_join_refusal(group=group, member=None, at=now)
            if refusal is not None:
                raise refusal
            group.seats_taken += 1
            group.save(update_fields=["seats_taken"])
            GroupBuyMember.objects.create(group=group, member_id=order.member_id, order=order)
        Order.objects.filter(pk=order.pk).update(ship_hold=GROUP_HOLD)


# --- outcomes (all under the group's row lock) ------------------------------------------------


def _lock_group(group_id: int) -> GroupBuyGroup | None:
    """The group's row lock alone (a join would lock the campaign row too and queue every
    payment of the campaign behind it); the campaign is read afterwards without a lock."""
    group = GroupBuyGroup.objects.select_for_update().filter(pk=group_id).first()
    if group is not None:
        group.campaign = GroupBuyCampaign.objects.get(pk=group.campaign_id)
    return group


def _open(group: GroupBuyGroup, now: datetime) -> None:
    """The leader paid: the group is joinable and its countdown starts."""
    group.status = GroupStatus.OPEN
    group.opened_at = now
    group.expires_at = now + timedelta(minutes=group.campaign.duration_minutes)
    group.save(update_fields=["status", "opened_at", "expires_at"])
    event_record(
        name="group_opened",
        member_id=group.leader_id,
        props={"group_id": group.pk, "campaign_id": group.campaign_id, "size": group.size},
    )
    _schedule_expiry(group.pk, group.expires_at)


def _schedule_expiry(group_id: int, eta: datetime) -> None:
    from marketing.tasks import group_expire_task  # tasks import this module

    transaction.on_commit(lambda: group_expire_task.apply_async(kwargs={"group_id": group_id}, eta=eta), robust=True)


def _settle_after_commit(group_id: int) -> None:
    from marketing.tasks import group_settle_task

    transaction.on_commit(lambda: group_settle_task.delay(group_id=group_id), robust=True)


def _complete(group: GroupBuyGroup, *, outcome: str, now: datetime) -> None:
    """Every paid member's order may ship now; the members are told."""
    group.status, group.outcome, group.completed_at = GroupStatus.COMPLETED, outcome, now
    group.save(update_fields=["status", "outcome", "completed_at"])
    seats = list(GroupBuyMember.objects.filter(group=group, status=GroupMemberStatus.PAID).order_by("pk"))
    Order.objects.filter(pk__in=[s.order_id for s in seats], ship_hold=GROUP_HOLD).update(ship_hold="")
    for seat in seats:
        _tell_completed(group, seat.member_id)
    event_record(
        name="group_completed",
        member_id=group.leader_id,
        props={
            "group_id": group.pk,
            "campaign_id": group.campaign_id,
            "size": group.size,
            "paid": group.paid_count,
            "outcome": outcome,
        },
    )


def _tell_completed(group: GroupBuyGroup, member_id: int) -> None:
    message_send(
        member_id=member_id,
        kind=MESSAGE_COMPLETED,
        title=str(_("拼团成功")),
        body=str(_("您参加的「%(name)s」已成团，我们会尽快发货。") % {"name": group.campaign.name}),
        link=group_link(group.pk),
    )


def _fail(group: GroupBuyGroup, *, outcome: str, now: datetime) -> None:
    group.status, group.outcome, group.failed_at = GroupStatus.FAILED, outcome, now
    group.save(update_fields=["status", "outcome", "failed_at"])
    event_record(
        name="group_failed",
        member_id=group.leader_id,
        props={
            "group_id": group.pk,
            "campaign_id": group.campaign_id,
            "size": group.size,
            "paid": group.paid_count,
            "outcome": outcome,
        },
    )


def _decide_if_due(group: GroupBuyGroup, now: datetime) -> None:
    """An open group past its deadline: 虚拟成团 completes it, otherwise it fails."""
    if group.status != GroupStatus.OPEN or group.expires_at is None or group.expires_at > now:
        return
    if group.campaign.auto_complete:
        _complete(group, outcome=GroupOutcome.VIRTUAL, now=now)
    else:
        _fail(group, outcome=GroupOutcome.EXPIRED, now=now)


def group_expire(*, group_id: int, now: datetime | None = None) -> str:
    """The deadline task: decide a due group, then settle it if it failed. Safe to run twice."""
    now = now or timezone.now()
    with transaction.atomic():
        group = _lock_group(group_id)
        if group is None:
            return "missing"
        _decide_if_due(group, now)
        status = group.status
    if status == GroupStatus.FAILED:
        group_settle(group_id=group_id)
    return status


def group_close(*, actor: Actor, group_id: int, complete: bool, now: datetime | None = None) -> GroupBuyGroup:
    """The merchant closes an open group early: complete it (the paid members' orders ship) or
    fail it (every paid member refunded, unpaid orders cancelled). Audited."""
    require_staff(actor)
    if not isinstance(actor, User) or not actor.has_perm(CLOSE_PERMISSION):
        raise PermissionDenied()
    now = now or timezone.now()
    with transaction.atomic():
        group = _lock_group(group_id)
        if group is None:
            raise GroupNotFound()
        if group.status != GroupStatus.OPEN:
            raise GroupNotClosable(details={"status": group.status})
        if complete:
            _complete(group, outcome=GroupOutcome.STAFF_COMPLETED, now=now)
        else:
            _fail(group, outcome=GroupOutcome.STAFF_FAILED, now=now)
        audit_record(
            actor=actor,
            action="group_buy.group_complete" if complete else "group_buy.group_fail",
            target=group,
            data={"campaign_id": group.campaign_id, "paid": group.paid_count, "size": group.size},
        )
    if not complete:
        group_settle(group_id=group_id)
    return GroupBuyGroup.objects.get(pk=group_id)


# --- settling a failed group: refunds and cancellations, one order at a time ------------------


def group_settle(*, group_id: int) -> int:
    """Cancel the unpaid orders of a failed group and refund the paid ones; returns refunds made.

    Each order in its own transaction (order lock first), so one odd order does not hold up
    the others; anything left (an error) is retried by the sweeper.
    """
    if not GroupBuyGroup.objects.filter(pk=group_id, status=GroupStatus.FAILED).exists():
        return 0
    pending = GroupBuyMember.objects.filter(group_id=group_id, status=GroupMemberStatus.PENDING)
    for seat_id, order_id, member_id in pending.values_list("pk", "order_id", "member_id"):
        try:
            _cancel_pending_seat(group_id=group_id, order_id=order_id, member_id=member_id)
        except Exception:  # the sweeper retries; one order must not stop the rest
            logger.exception("cancelling order %s of failed group %s (seat %s)", order_id, group_id, seat_id)
    refunded = 0
    paid = GroupBuyMember.objects.filter(group_id=group_id, status=GroupMemberStatus.PAID).order_by("pk")
    for seat_id in paid.values_list("pk", flat=True):
        try:
            refunded += group_member_refund(seat_id=seat_id)
        except Exception:
            logger.exception("refunding seat %s of failed group %s", seat_id, group_id)
    return refunded


def _cancel_pending_seat(*, group_id: int, order_id: int, member_id: int) -> None:
    from orders.services.orders import order_cancel  # orders imports the deal seam this module plugs into

    with transaction.atomic():
        if order_cancel(order_id=order_id, reason=CANCEL_REASON):
            name = GroupBuyGroup.objects.filter(pk=group_id).values_list("campaign__name", flat=True).first() or ""
            message_send(
                member_id=member_id,
                kind=MESSAGE_FAILED,
                title=str(_("拼团未成功")),
                body=str(_("您参加的「%(name)s」未能成团，待支付的订单已取消。") % {"name": name}),
                link=group_link(group_id),
            )


def group_member_refund(*, seat_id: int) -> int:
    """Refund one paid member of a failed group in full (once: 1 if this call refunded, else 0)."""
    from orders.services.refunds import refund_create

    with transaction.atomic():
        order_id = GroupBuyMember.objects.filter(pk=seat_id).values_list("order_id", flat=True).first()
        if order_id is None:
            return 0
        order = Order.objects.select_for_update().get(pk=order_id)
        seat = GroupBuyMember.objects.select_for_update().get(pk=seat_id)
        # A failed group never changes again: read without its lock.
        group = GroupBuyGroup.objects.select_related("campaign").get(pk=seat.group_id)
        if seat.status != GroupMemberStatus.PAID or group.status != GroupStatus.FAILED:
            return 0
        if order.refunded_amount >= order.payable_amount or order.status in (
            OrderStatus.REFUNDING,
            OrderStatus.REFUNDED,
        ):
            # Already refunded by hand (customer service): nothing more to send.
            seat.status = GroupMemberStatus.REFUNDED
            seat.refund = order.refunds.order_by("-pk").first()
            seat.save(update_fields=["status", "refund"])
            return 0
        refund = refund_create(order_id=order.pk, lines=None, reason=REFUND_REASON, actor=None)
        seat.status, seat.refund = GroupMemberStatus.REFUNDED, refund
        seat.save(update_fields=["status", "refund"])
        message_send(
            member_id=seat.member_id,
            kind=MESSAGE_FAILED,
            title=str(_("拼团未成功，已自动退款")),
            body=str(
                _("您参加的「%(name)s」未能成团，¥%(amount)s 已原路退回。")
                % {"name": group.campaign.name, "amount": format_yuan(refund.amount)}
            ),
            link=group_link(group.pk),
        )
        event_record(
            name="group_refunded",
            member_id=seat.member_id,
            props={"group_id": group.pk, "order_no": order.no, "refund_id": refund.pk, "amount": refund.amount},
        )
    return 1


def group_expire_due(*, now: datetime | None = None) -> int:
    """Sweeper (every minute): decide every due group and settle failed groups left unsettled."""
    now = now or timezone.now()
    due = GroupBuyGroup.objects.filter(status=GroupStatus.OPEN, expires_at__lte=now).order_by("pk")
    handled = 0
    for group_id in due.values_list("pk", flat=True):
        group_expire(group_id=group_id, now=now)
        handled += 1
    unsettled = (
        GroupBuyMember.objects.filter(
            group__status=GroupStatus.FAILED, status__in=[GroupMemberStatus.PENDING, GroupMemberStatus.PAID]
        )
        .values_list("group_id", flat=True)
        .distinct()
    )
    for group_id in sorted(set(unsettled)):
        group_settle(group_id=group_id)
    return handled
