"""Reads of 拼团 for the mini-program, each in a fixed number of queries (pinned in tests).

A group's page — "还差 N 人成团", the members' avatars and nicknames, the prices, whether the
viewer can join and with which deal — is one call: the group with its campaign and product
(one query), the campaign's items with their SKUs (one), the seats with their shoppers (one),
and for a signed-in viewer who is not in the group, at most two more (new-shopper and
participation checks, only when the campaign needs them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Min, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.money import format_yuan
from marketing.errors import GroupNotFound
from marketing.models import (
    GroupBuyCampaign,
    GroupBuyGroup,
    GroupBuyItem,
    GroupBuyMember,
    GroupMemberStatus,
    GroupStatus,
)
from marketing.selectors.marketing_centre import MAX_PER_STATE, UPCOMING_DAYS, Entry, centre_source
from marketing.selectors.pricing_fetch import member_is_new
from members.models import Member
from orders.selectors.cart import product_image_url

DEAL_KIND = "group"
OPEN_GROUPS_SHOWN = 5
PAID_STATUSES = (GroupMemberStatus.PAID, GroupMemberStatus.REFUNDED)


def share_path(token: str) -> str:
    """What a WeChat share card opens (the friend's landing page)."""
    return f"/package-social/group/index?token={token}"


def campaign_is_open(campaign: GroupBuyCampaign, at: datetime) -> bool:
    """May a new group be opened now?"""
    return campaign.is_active and campaign.ended_at is None and campaign.starts_at <= at < campaign.ends_at


def participations(*, campaign_id: int, member_id: int) -> int:
    """Groups of this campaign the shopper is in (paying or paid); failed and cancelled ones do not count."""
    return (
        GroupBuyMember.objects.filter(
            member_id=member_id,
            group__campaign_id=campaign_id,
            status__in=[GroupMemberStatus.PENDING, GroupMemberStatus.PAID],
        )
        .exclude(group__status__in=[GroupStatus.FAILED, GroupStatus.CANCELLED])
        .count()
    )


def join_refusal(
    *, group: GroupBuyGroup, member: Member | None, at: datetime, seats: list[GroupBuyMember] | None = None
) -> str:
    """Why ``member`` cannot join ``group`` now (an error code), or "".

    ``group.campaign`` must be loaded; ``seats`` are the group's seats when already fetched
    (the group page), otherwise the check asks the database; ``member=None`` checks the group.
    """
    if group.status != GroupStatus.OPEN or group.expires_at is None or group.expires_at <= at:
        return "group_closed"
    if group.seats_taken >= group.size:
        return "group_full"
    if member is None:
        return ""
    if seats is not None:
        joined = any(seat.member_id == member.pk for seat in seats)
    else:
        joined = GroupBuyMember.objects.filter(group=group, member=member).exists()
    if joined:
        return "group_already_joined"
    campaign = group.campaign
    if campaign.join_new_only and not member_is_new(member=member):
        return "group_join_new_only"
    limit = campaign.per_member_limit
    if limit is not None and participations(campaign_id=campaign.pk, member_id=member.pk) >= limit:
        return "group_limit_reached"
    return ""


def _items() -> Prefetch:
    return Prefetch("items", queryset=GroupBuyItem.objects.select_related("sku").order_by("pk"))


def _running(at: datetime) -> QuerySet[GroupBuyCampaign]:
    return GroupBuyCampaign.objects.filter(
        is_active=True, ended_at__isnull=True, starts_at__lte=at, ends_at__gt=at, product__is_on_shelf=True
    )


def group_buy_campaigns_running(*, product_id: int | None = None, at: datetime | None = None) -> list[GroupBuyCampaign]:
    """Campaigns a shopper can open a group in now (of one product, or all): two queries."""
    at = at or timezone.now()
    campaigns = _running(at).select_related("product").prefetch_related(_items()).order_by("ends_at", "pk")
    if product_id is not None:
        campaigns = campaigns.filter(product_id=product_id)
    return list(campaigns[:50])


def item_rows(campaign: GroupBuyCampaign) -> list[dict[str, Any]]:
    """The campaign's SKUs with list, group and leader prices (``items`` prefetched)."""
    return [
        {
            "sku_id": item.sku_id,
            "specs": item.sku.specs,
            "list_price": item.sku.price,
            "group_price": item.price,
            "leader_price": item.leader_price,
            "saving": item.sku.price - item.price,
        }
        for item in campaign.items.all()
    ]


def campaign_card(campaign: GroupBuyCampaign) -> dict[str, Any]:
    """What a list shows per campaign (``product`` selected, ``items`` prefetched)."""
    items = item_rows(campaign)
    lowest = min((i["leader_price"] or i["group_price"] for i in items), default=0)
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "product_id": campaign.product_id,
        "title": campaign.product.title,
        "image": product_image_url(campaign.product),
        "group_size": campaign.group_size,
        "duration_minutes": campaign.duration_minutes,
        "lowest_price": lowest,
        "list_price": min((i["list_price"] for i in items), default=0),
        "free_shipping": campaign.free_shipping,
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "items": items,
    }


@dataclass(frozen=True)
class CampaignDetail:
    campaign: GroupBuyCampaign
    open_groups: list[GroupBuyGroup]
    my_participations: int
    is_open: bool


def group_buy_campaign_detail(
    *, campaign_id: int, member: Member | None, at: datetime | None = None
) -> CampaignDetail | None:
    """A campaign with its items, a few groups still open to join (leaders' avatars) and how many
    times the viewer took part: at most four queries."""
    at = at or timezone.now()
    campaign = (
        GroupBuyCampaign.objects.select_related("product").prefetch_related(_items()).filter(pk=campaign_id).first()
    )
    if campaign is None:
        return None
    groups: list[GroupBuyGroup] = []
    if campaign.show_open_groups:
        groups = list(
            GroupBuyGroup.objects.filter(campaign=campaign, status=GroupStatus.OPEN, expires_at__gt=at)
            .select_related("leader")
            .order_by("expires_at", "pk")[:OPEN_GROUPS_SHOWN]
        )
    mine = participations(campaign_id=campaign.pk, member_id=member.pk) if member is not None else 0
    return CampaignDetail(
        campaign=campaign, open_groups=groups, my_participations=mine, is_open=campaign_is_open(campaign, at)
    )


def open_group_row(group: GroupBuyGroup) -> dict[str, Any]:
    return {
        "id": group.pk,
        "share_token": group.share_token,
        "leader": {"nickname": group.leader.nickname, "avatar_url": group.leader.avatar_url},
        "seats_left": group.seats_left,
        "expires_at": group.expires_at,
    }


# --- a group's page ------------------------------------------------------------------------------


def _group_queryset() -> QuerySet[GroupBuyGroup]:
    seats = GroupBuyMember.objects.select_related("member").order_by("-is_leader", "pk")
    return GroupBuyGroup.objects.select_related("campaign__product").prefetch_related(
        Prefetch("campaign__items", queryset=GroupBuyItem.objects.select_related("sku").order_by("pk")),
        Prefetch("members", queryset=seats),
    )


def group_get_by_token(*, token: str) -> GroupBuyGroup:
    """The group a share link names (anyone holding the link may see it); three queries."""
    group = _group_queryset().filter(share_token=token[:64]).first()
    if group is None:
        raise GroupNotFound()
    return group


def group_get_for_member(*, member: Member, group_id: int) -> GroupBuyGroup:
    """A group the shopper is in; anyone else's answers "not found" (its link is the way in)."""
    group = _group_queryset().filter(pk=group_id).first()
    if group is None or not any(seat.member_id == member.pk for seat in group.members.all()):
        raise GroupNotFound()
    return group


def _status_text(group: GroupBuyGroup) -> str:
    """F47's hint for the group's state ("还差 2 人成团")."""
    if group.status == GroupStatus.OPEN:
        return _("还差 %(n)d 人成团") % {"n": group.seats_left}
    if group.status == GroupStatus.PENDING:
        return _("团长支付后开团")
    if group.status == GroupStatus.COMPLETED:
        return _("拼团成功")
    if group.status == GroupStatus.FAILED:
        return _("拼团未成功，已支付的款项原路退回")
    return _("团长未支付，该团已取消")


def group_view(group: GroupBuyGroup, *, viewer: Member | None, at: datetime | None = None) -> dict[str, Any]:
    """Everything the group page shows, from the prefetched group (no query unless the viewer
    is a signed-in outsider of a campaign with join limits)."""
    at = at or timezone.now()
    campaign = group.campaign
    seats = list(group.members.all())
    paid = [seat for seat in seats if seat.status in PAID_STATUSES]
    mine = next((seat for seat in seats if viewer is not None and seat.member_id == viewer.pk), None)
    refusal = join_refusal(group=group, member=viewer, at=at, seats=seats)
    remaining_seconds = 0
    if group.status == GroupStatus.OPEN and group.expires_at is not None:
        remaining_seconds = max(0, int((group.expires_at - at).total_seconds()))
    return {
        "id": group.pk,
        "status": group.status,
        "status_text": _status_text(group),
        "outcome": group.outcome,
        "size": group.size,
        "paid_count": group.paid_count,
        "seats_left": group.seats_left,
        "seats_available": max(0, group.size - group.seats_taken),
        "opened_at": group.opened_at,
        "expires_at": group.expires_at,
        "remaining_seconds": remaining_seconds,
        "completed_at": group.completed_at,
        "campaign": {
            "id": campaign.pk,
            "name": campaign.name,
            "product_id": campaign.product_id,
            "title": campaign.product.title,
            "image": product_image_url(campaign.product),
            "max_qty_per_order": campaign.max_qty_per_order,
            "join_new_only": campaign.join_new_only,
            "auto_complete": campaign.auto_complete,
            "free_shipping": campaign.free_shipping,
        },
        "items": item_rows(campaign),
        "members": [
            {
                "nickname": seat.member.nickname,
                "avatar_url": seat.member.avatar_url,
                "is_leader": seat.is_leader,
                "paid_at": seat.paid_at,
            }
            for seat in paid
        ],
        "share_token": group.share_token,
        "share_path": share_path(group.share_token),
        "mine": None
        if mine is None
        else {"status": mine.status, "is_leader": mine.is_leader, "order_id": mine.order_id},
        "can_join": not refusal,
        "join_refusal": refusal,
        "deal": {"kind": DEAL_KIND, "ref": campaign.pk, "params": {"share_token": group.share_token}},
    }


def group_list_for_member(*, member: Member) -> QuerySet[GroupBuyMember]:
    """The shopper's seats, newest first, with each group's paid members (paginate, then
    evaluate: one query for the page and one for the members, whatever the page size)."""
    paid_seats = (
        GroupBuyMember.objects.filter(status__in=PAID_STATUSES).select_related("member").order_by("-is_leader", "pk")
    )
    return (
        GroupBuyMember.objects.filter(member=member)
        .select_related("group__campaign__product", "order")
        .prefetch_related(Prefetch("group__members", queryset=paid_seats, to_attr="paid_seats"))
        .order_by("-pk")
    )


def my_group_row(seat: GroupBuyMember) -> dict[str, Any]:
    group = seat.group
    return {
        "group_id": group.pk,
        "status": group.status,
        "status_text": _status_text(group),
        "size": group.size,
        "seats_left": group.seats_left,
        "expires_at": group.expires_at,
        "campaign_name": group.campaign.name,
        "title": group.campaign.product.title,
        "image": product_image_url(group.campaign.product),
        "is_leader": seat.is_leader,
        "my_status": seat.status,
        "order_no": seat.order.no,
        "paid_amount": seat.order.payable_amount,
        "share_token": group.share_token,
        "avatars": [s.member.avatar_url for s in getattr(group, "paid_seats", [])],
    }


@centre_source
def group_buy_entries(now: datetime) -> list[Entry]:
    """The marketing centre's 拼团 entries (F46): running or starting within the week, one query."""
    rows = (
        GroupBuyCampaign.objects.filter(
            is_active=True,
            ended_at__isnull=True,
            ends_at__gt=now,
            starts_at__lt=now + timedelta(days=UPCOMING_DAYS),
            product__is_on_shelf=True,
        )
        .annotate(lowest=Min("items__price"))
        .order_by("starts_at", "pk")[: MAX_PER_STATE * 2]
    )
    return [
        {
            "type": "group_buy",
            "id": c.pk,
            "kind": "group_buy",
            "title": c.name,
            "subtitle": _("%(n)d 人团 ¥%(price)s 起") % {"n": c.group_size, "price": format_yuan(c.lowest or 0)},
            "start_at": timezone.localtime(c.starts_at).isoformat(),
            "end_at": timezone.localtime(c.ends_at).isoformat(),
            "product_id": c.product_id,
        }
        for c in rows
    ]
