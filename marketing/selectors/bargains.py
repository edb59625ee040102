"""Reads of 助力砍价 for the mini-program, each in a fixed number of queries (pinned in tests).

A bargain's page — price now, "再砍 ¥X 即可免费拿" (F47), progress, the friends who helped with
their cuts, whether the viewer can help or buy — is the bargain with its campaign, SKU and
product (one query) and its helps with the helpers (one), plus one for a signed-in outsider
when the campaign takes only new shoppers' help. The cut plan itself is never shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.money import format_yuan
from marketing.errors import BargainNotFound
from marketing.models import OPEN_BARGAIN_STATUSES, Bargain, BargainCampaign, BargainHelp, BargainStatus
from marketing.selectors.marketing_centre import MAX_PER_STATE, UPCOMING_DAYS, Entry, centre_source
from marketing.selectors.pricing_fetch import member_is_new
from members.models import Member
from orders.selectors.cart import product_image_url

DEAL_KIND = "bargain"
HELPERS_SHOWN = 50


def share_path(token: str) -> str:
    """What a WeChat share card opens (the friend's help page)."""
    return f"/package-social/bargain/index?token={token}"


def campaign_is_open(campaign: BargainCampaign, at: datetime) -> bool:
    return campaign.is_active and campaign.ended_at is None and campaign.starts_at <= at < campaign.ends_at


def campaign_sold_out(campaign: BargainCampaign) -> bool:
    return campaign.total_quantity is not None and campaign.sold_count >= campaign.total_quantity


def bargain_campaigns_running(*, product_id: int | None = None, at: datetime | None = None) -> list[BargainCampaign]:
    """Campaigns a shopper can start a bargain in now (of one product, or all): one query."""
    at = at or timezone.now()
    campaigns = BargainCampaign.objects.filter(
        is_active=True, ended_at__isnull=True, starts_at__lte=at, ends_at__gt=at, sku__product__is_on_shelf=True
    ).select_related("sku__product")
    if product_id is not None:
        campaigns = campaigns.filter(sku__product_id=product_id)
    return list(campaigns.order_by("ends_at", "pk")[:50])


def campaign_card(campaign: BargainCampaign) -> dict[str, Any]:
    sku = campaign.sku
    remaining = None if campaign.total_quantity is None else max(0, campaign.total_quantity - campaign.sold_count)
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "product_id": sku.product_id,
        "sku_id": sku.pk,
        "specs": sku.specs,
        "title": sku.product.title,
        "image": product_image_url(sku.product),
        "list_price": sku.price,
        "start_price": campaign.start_price,
        "floor_price": campaign.floor_price,
        "helpers_min": campaign.helpers_min,
        "helpers_max": campaign.helpers_max,
        "duration_minutes": campaign.duration_minutes,
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "remaining_quantity": remaining,
        "sold_out": campaign_sold_out(campaign),
        "helper_new_only": campaign.helper_new_only,
        "free_shipping": campaign.free_shipping,
    }


@dataclass(frozen=True)
class CampaignDetail:
    campaign: BargainCampaign
    mine: Bargain | None
    is_open: bool


def bargain_campaign_detail(
    *, campaign_id: int, member: Member | None, at: datetime | None = None
) -> CampaignDetail | None:
    """A campaign and the viewer's bargain in it, if one is still open: two queries."""
    at = at or timezone.now()
    campaign = BargainCampaign.objects.select_related("sku__product").filter(pk=campaign_id).first()
    if campaign is None:
        return None
    mine = None
    if member is not None:
        mine = (
            Bargain.objects.filter(campaign=campaign, member=member)
            .exclude(status=BargainStatus.EXPIRED)
            .order_by("-pk")
            .first()
        )
    return CampaignDetail(campaign=campaign, mine=mine, is_open=campaign_is_open(campaign, at))


def _bargain_queryset() -> QuerySet[Bargain]:
    helps = BargainHelp.objects.select_related("helper").order_by("-seq")
    return Bargain.objects.select_related("campaign__sku__product", "member").prefetch_related(
        Prefetch("helps", queryset=helps)
    )


def bargain_get_by_token(*, token: str) -> Bargain:
    """The bargain a share link names (anyone holding the link); two queries."""
    bargain = _bargain_queryset().filter(share_token=token[:64]).first()
    if bargain is None:
        raise BargainNotFound()
    return bargain


def bargain_get_for_member(*, member: Member, bargain_id: int) -> Bargain:
    """The shopper's own bargain; anyone else's answers "not found"."""
    bargain = _bargain_queryset().filter(pk=bargain_id, member=member).first()
    if bargain is None:
        raise BargainNotFound()
    return bargain


def progress_text(bargain: Bargain) -> str:
    """F47: "再砍 ¥X 即可免费拿" / "再砍 ¥X 即可 ¥Y 拿到" / the bargain's end state."""
    if bargain.status == BargainStatus.BOUGHT:
        return _("已购买")
    if bargain.status == BargainStatus.EXPIRED:
        return _("砍价已结束")
    if bargain.remaining <= 0:
        return _("已砍到 0 元，快去免费领取") if bargain.floor_price == 0 else _("已砍到底价，快去下单")
    if bargain.floor_price == 0:
        return _("再砍 ¥%(x)s 即可免费拿") % {"x": format_yuan(bargain.remaining)}
    return _("再砍 ¥%(x)s 即可 ¥%(y)s 拿到") % {
        "x": format_yuan(bargain.remaining),
        "y": format_yuan(bargain.floor_price),
    }


def _help_refusal(bargain: Bargain, viewer: Member | None, at: datetime) -> str:
    """Why the viewer cannot help now (an error code), or "" — from the prefetched helps."""
    if viewer is not None and bargain.member_id == viewer.pk:
        return "bargain_self_help"
    if bargain.status != BargainStatus.ONGOING or bargain.expires_at <= at or bargain.campaign.ended_at is not None:
        return "bargain_closed"
    if viewer is None:
        return ""
    if any(h.helper_id == viewer.pk for h in bargain.helps.all()):
        return "bargain_already_helped"
    if bargain.campaign.helper_new_only and not member_is_new(member=viewer):
        return "bargain_helper_new_only"
    return ""


def bargain_view(bargain: Bargain, *, viewer: Member | None, at: datetime | None = None) -> dict[str, Any]:
    """Everything the bargain page shows, from the prefetched bargain."""
    at = at or timezone.now()
    campaign = bargain.campaign
    helps = list(bargain.helps.all())
    total = bargain.start_price - bargain.floor_price
    cut = bargain.start_price - bargain.current_price
    is_owner = viewer is not None and viewer.pk == bargain.member_id
    open_for_buying = bargain.status in OPEN_BARGAIN_STATUSES and bargain.expires_at > at
    my_help = next((h for h in helps if viewer is not None and h.helper_id == viewer.pk), None)
    refusal = _help_refusal(bargain, viewer, at)
    return {
        "id": bargain.pk,
        "status": bargain.status,
        "progress_text": progress_text(bargain),
        "start_price": bargain.start_price,
        "floor_price": bargain.floor_price,
        "current_price": bargain.current_price,
        "cut_amount": cut,
        "remaining_amount": bargain.remaining,
        "progress_percent": (cut * 100) // total if total else 100,
        "helps_count": bargain.helps_count,
        "expires_at": bargain.expires_at,
        "remaining_seconds": max(0, int((bargain.expires_at - at).total_seconds())) if open_for_buying else 0,
        "initiator": {"nickname": bargain.member.nickname, "avatar_url": bargain.member.avatar_url},
        "campaign": campaign_card(campaign),
        "helpers": [
            {
                "nickname": h.helper.nickname,
                "avatar_url": h.helper.avatar_url,
                "cut": h.cut,
                "helped_at": h.created_at,
            }
            for h in helps[:HELPERS_SHOWN]
        ],
        "share_token": bargain.share_token,
        "share_path": share_path(bargain.share_token),
        "is_owner": is_owner,
        "my_cut": my_help.cut if my_help is not None else None,
        "can_help": not refusal,
        "help_refusal": refusal,
        "can_buy": is_owner and open_for_buying and not campaign_sold_out(campaign),
        "deal": {"kind": DEAL_KIND, "ref": bargain.pk, "params": {}} if is_owner else None,
        "sku_id": campaign.sku_id,
    }


def bargain_list_for_member(*, member: Member) -> QuerySet[Bargain]:
    """The shopper's bargains, newest first (one query per page)."""
    return Bargain.objects.filter(member=member).select_related("campaign__sku__product").order_by("-pk")


def my_bargain_row(bargain: Bargain) -> dict[str, Any]:
    product = bargain.campaign.sku.product
    return {
        "id": bargain.pk,
        "status": bargain.status,
        "progress_text": progress_text(bargain),
        "campaign_name": bargain.campaign.name,
        "title": product.title,
        "image": product_image_url(product),
        "start_price": bargain.start_price,
        "current_price": bargain.current_price,
        "floor_price": bargain.floor_price,
        "helps_count": bargain.helps_count,
        "expires_at": bargain.expires_at,
        "share_token": bargain.share_token,
    }


@centre_source
def bargain_entries(now: datetime) -> list[Entry]:
    """The marketing centre's 砍价 entries (F46): running or starting within the week, one query."""
    rows = (
        BargainCampaign.objects.filter(
            is_active=True,
            ended_at__isnull=True,
            ends_at__gt=now,
            starts_at__lt=now + timedelta(days=UPCOMING_DAYS),
            sku__product__is_on_shelf=True,
        )
        .select_related("sku")
        .order_by("starts_at", "pk")[: MAX_PER_STATE * 2]
    )
    entries = []
    for c in rows:
        if c.floor_price == 0:
            subtitle = _("¥%(start)s 砍到 0 元免费拿") % {"start": format_yuan(c.start_price)}
        else:
            subtitle = _("¥%(start)s 砍到 ¥%(floor)s") % {
                "start": format_yuan(c.start_price),
                "floor": format_yuan(c.floor_price),
            }
        entries.append(
            {
                "type": "bargain",
                "id": c.pk,
                "kind": "bargain",
                "title": c.name,
                "subtitle": subtitle,
                "start_at": timezone.localtime(c.starts_at).isoformat(),
                "end_at": timezone.localtime(c.ends_at).isoformat(),
                "product_id": c.sku.product_id,
            }
        )
    return entries
