"""助力砍价 bargain (F05): campaigns (merchant side), starting, helping, buying through the deal seam.

* ``bargain_campaign_create`` / ``_update`` refuse a configuration whose floor cannot be reached
  exactly within the helper range with cuts inside the cut range
  (``marketing.services.bargain_plans``), with a message that says what to change.
* ``bargain_start`` draws the shopper's cut plan from a fresh seed and stores both.
* ``bargain_help``: one help per friend per bargain (unique key), never the initiator, only new
  shoppers when the campaign says so, and farming limits — helps per friend per day in the
  campaign (counted under the friend's member row lock), helps per network address and per
  device on one bargain (counted under the bargain's row lock, which every help takes). The
  n-th help applies the n-th planned cut; the last one lands exactly on the floor.
* Buying: ``deal={"kind": "bargain", "ref": bargain_id}`` prices the line at the current price
  (:class:`BargainDeal`); ``take`` closes the bargain for buying with a guarded UPDATE (so it
  is bought once, and never at a price a friend's help has just undercut) and takes one unit
  of the campaign's quantity; ``release`` reopens it when the unpaid order is cancelled
  before the deadline; ``paid`` marks it bought.
* At the deadline (task + minute sweeper) an open bargain closes. An order placed before the
  deadline may still be paid within its own 15 minutes.

Locks: a help takes the helper's member row, then the bargain row; buying takes the
initiator's member row (``order_place``), then the bargain row, then the campaign row.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.services.events import event_record
from mall.models import Sku
from mall.money import format_yuan
from mall.services.audit import audit_record
from marketing.errors import (
    BargainAlreadyHelped,
    BargainCampaignNotFound,
    BargainCampaignNotOpen,
    BargainClosed,
    BargainHelperNewOnly,
    BargainHelpLimited,
    BargainLimitReached,
    BargainNotFound,
    BargainPriceChanged,
    BargainSelfHelp,
    BargainSoldOut,
    DealInvalid,
    DealNotFound,
    PurchaseLimitExceeded,
    RulesInvalid,
)
from marketing.models import OPEN_BARGAIN_STATUSES, Bargain, BargainCampaign, BargainHelp, BargainStatus
from marketing.models.bargains import HELPERS_MAX
from marketing.pricing import BargainPrice
from marketing.selectors.bargains import DEAL_KIND, campaign_is_open, campaign_sold_out
from marketing.selectors.pricing_fetch import member_is_new
from marketing.selectors.pricing_rules import pricing_rules_bump
from marketing.services.bargain_plans import (
    PROBLEM_NO_COUNT,
    PROBLEM_TOO_LITTLE,
    PROBLEM_TOO_MUCH,
    PlanConfig,
    plan_for_seed,
    plan_problem,
)
from marketing.services.coupons import Actor, require_staff
from marketing.services.deals import DealHandler, DealPricing, DealRequest, deal_handler
from members.models import Member
from members.services.abuse import RequestContext, abuse_check
from members.services.messages import message_send
from orders.models import Order

logger = logging.getLogger(__name__)

DURATION_MIN_MINUTES = 10
DURATION_MAX_MINUTES = 30 * 24 * 60
DEVICE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# The guard's actions (F45) for starting a bargain and for a friend's help.
BARGAIN_GUARD_ACTION = "bargain"
HELP_GUARD_ACTION = "help"
MESSAGE_REACHED = "bargain_reached"
MESSAGE_EXPIRED = "bargain_expired"


def bargain_link(bargain_id: int) -> str:
    """The mini-program page of a bargain (messages link to it)."""
    return f"/package-social/bargain/index?id={bargain_id}"


# --- campaigns (merchant side) ------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BargainCampaignData:
    """Everything the merchant sets on a bargain campaign; money in fen."""

    name: str
    sku_id: int
    start_price: int
    starts_at: datetime
    ends_at: datetime
    floor_price: int = 0
    helpers_min: int = 10
    helpers_max: int = 20
    cut_min: int = 100
    cut_max: int = 1000
    duration_minutes: int = 24 * 60
    total_quantity: int | None = None
    per_member_limit: int = 1
    helper_new_only: bool = False
    helps_per_helper_per_day: int = 3
    helps_per_ip: int = 3
    is_active: bool = True
    free_shipping: bool = False  # 包邮: the bargain's order pays no shipping

    def plan_config(self) -> PlanConfig:
        return PlanConfig(
            total=self.start_price - self.floor_price,
            helpers_min=self.helpers_min,
            helpers_max=self.helpers_max,
            cut_min=self.cut_min,
            cut_max=self.cut_max,
        )


def _plan_message(data: BargainCampaignData, problem: str) -> tuple[str, str]:
    """The field and the Chinese explanation of why no cut plan reaches the floor."""
    total = data.start_price - data.floor_price
    if problem == PROBLEM_TOO_LITTLE:
        return "cut_min", _(
            "最少 %(n)d 人、每刀至少 ¥%(cut)s，合计 ¥%(sum)s，超过了需砍的 ¥%(total)s："
            "请降低每刀最少金额或最少帮砍人数。"
        ) % {
            "n": data.helpers_min,
            "cut": format_yuan(data.cut_min),
            "sum": format_yuan(data.helpers_min * data.cut_min),
            "total": format_yuan(total),
        }
    if problem == PROBLEM_TOO_MUCH:
        return "cut_max", _(
            "最多 %(n)d 人、每刀最多 ¥%(cut)s，合计 ¥%(sum)s，砍不到底价（需砍 ¥%(total)s）："
            "请提高每刀最多金额或最多帮砍人数。"
        ) % {
            "n": data.helpers_max,
            "cut": format_yuan(data.cut_max),
            "sum": format_yuan(data.helpers_max * data.cut_max),
            "total": format_yuan(total),
        }
    if problem == PROBLEM_NO_COUNT:
        return "helpers_max", _(
            "在 %(lo)d–%(hi)d 人中没有一个人数能正好砍掉 ¥%(total)s：请放宽每刀金额范围或帮砍人数范围。"
        ) % {"lo": data.helpers_min, "hi": data.helpers_max, "total": format_yuan(total)}
    return "cut_min", _("砍价规则无法砍到底价。")


def bargain_campaign_validate(*, data: BargainCampaignData, campaign: BargainCampaign | None = None) -> None:
    """Refuse a campaign the shop could not honour (Chinese, per field), above all one whose
    floor cannot be reached exactly within the helper range and the cut range."""
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = _("请填写活动名称。")
    sku = Sku.objects.filter(pk=data.sku_id).first()
    if sku is None:
        errors["sku"] = _("SKU 不存在。")
    if data.start_price < 1:
        errors["start_price"] = _("起砍价必须大于 0。")
    elif sku is not None and data.start_price > sku.price:
        errors["start_price"] = _("起砍价不能高于售价 ¥%(price)s。") % {"price": format_yuan(sku.price)}
    if data.floor_price >= data.start_price:
        errors["floor_price"] = _("底价必须低于起砍价。")
    if data.cut_min < 1:
        errors["cut_min"] = _("每刀最少金额必须大于 0。")
    elif data.cut_max < data.cut_min:
        errors["cut_max"] = _("每刀最多金额不能小于每刀最少金额。")
    if data.helpers_min < 1:
        errors["helpers_min"] = _("最少帮砍人数至少为 1。")
    elif data.helpers_max < data.helpers_min:
        errors["helpers_max"] = _("最多帮砍人数不能小于最少帮砍人数。")
    elif data.helpers_max > HELPERS_MAX:
        errors["helpers_max"] = _("最多帮砍人数不能超过 %(n)d。") % {"n": HELPERS_MAX}
    if not errors:
        problem = plan_problem(data.plan_config())
        if problem is not None:
            key, message = _plan_message(data, problem)
            errors[key] = message
    if not DURATION_MIN_MINUTES <= data.duration_minutes <= DURATION_MAX_MINUTES:
        errors["duration_minutes"] = _("砍价时限应在 10 分钟到 30 天之间。")
    if data.starts_at is None or data.ends_at is None:
        errors["ends_at"] = _("请填写活动开始和结束时间。")
    elif data.ends_at <= data.starts_at:
        errors["ends_at"] = _("结束时间必须晚于开始时间。")
    sold = campaign.sold_count if campaign is not None else 0
    if data.total_quantity is not None and data.total_quantity < max(sold, 1):
        errors["total_quantity"] = _("活动库存不能少于已下单的 %(n)d 件。") % {"n": max(sold, 1)}
    if data.per_member_limit < 1:
        errors["per_member_limit"] = _("每人可发起次数至少为 1。")
    if data.helps_per_helper_per_day < 1:
        errors["helps_per_helper_per_day"] = _("每人每天可帮砍次数至少为 1。")
    if data.helps_per_ip < 1:
        errors["helps_per_ip"] = _("同一 IP 帮砍次数至少为 1。")
    if sku is not None and "ends_at" not in errors and data.is_active:
        overlapping = BargainCampaign.objects.filter(
            sku=sku, is_active=True, ended_at__isnull=True, starts_at__lt=data.ends_at, ends_at__gt=data.starts_at
        ).exclude(pk=campaign.pk if campaign is not None else 0)
        if overlapping.exists():
            errors["starts_at"] = _("该 SKU 在这段时间已有启用的砍价活动。")
    if errors:
        first_key, first = next(iter(errors.items()))
        raise RulesInvalid(first, details={"field": first_key, "errors": errors})


def _campaign_fields(data: BargainCampaignData) -> dict[str, Any]:
    fields = asdict(data)
    fields["name"] = data.name.strip()[:60]
    return fields


def _audit_data(data: BargainCampaignData) -> dict[str, Any]:
    payload = asdict(data)
    payload["starts_at"] = data.starts_at.isoformat()
    payload["ends_at"] = data.ends_at.isoformat()
    return payload


@transaction.atomic
def bargain_campaign_create(*, actor: Actor, data: BargainCampaignData) -> BargainCampaign:
    require_staff(actor)
    bargain_campaign_validate(data=data)
    campaign = BargainCampaign.objects.create(**_campaign_fields(data))
    audit_record(actor=actor, action="bargain.create", target=campaign, data=_audit_data(data))
    pricing_rules_bump()  # product cards, pages and the marketing centre show campaigns
    return campaign


@transaction.atomic
def bargain_campaign_update(*, actor: Actor, campaign_id: int, data: BargainCampaignData) -> BargainCampaign:
    """Edit a campaign; bargains already started keep their plan, prices and deadline."""
    require_staff(actor)
    campaign = BargainCampaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise BargainCampaignNotFound()
    if data.sku_id != campaign.sku_id and campaign.bargains.exists():
        raise RulesInvalid(_("活动已有人发起砍价，不能更换商品。"), details={"field": "sku"})
    bargain_campaign_validate(data=data, campaign=campaign)
    for key, value in _campaign_fields(data).items():
        setattr(campaign, key, value)
    campaign.save()
    audit_record(actor=actor, action="bargain.update", target=campaign, data=_audit_data(data))
    pricing_rules_bump()  # product cards, pages and the marketing centre show campaigns
    return campaign


@transaction.atomic
def bargain_campaign_end(*, actor: Actor, campaign_id: int, now: datetime | None = None) -> int:
    """End a campaign early: open bargains close at once (an unpaid order keeps its 15 minutes).

    Returns how many bargains were closed. The bargain rows are updated before the campaign
    row, the order buying takes them in.
    """
    require_staff(actor)
    now = now or timezone.now()
    if not BargainCampaign.objects.filter(pk=campaign_id).exists():
        raise BargainCampaignNotFound()
    closed = Bargain.objects.filter(campaign_id=campaign_id, status__in=OPEN_BARGAIN_STATUSES).update(
        status=BargainStatus.EXPIRED, closed_at=now
    )
    campaign = BargainCampaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.ended_at is None:
        campaign.ended_at, campaign.is_active = now, False
        campaign.save(update_fields=["ended_at", "is_active", "updated_at"])
    audit_record(
        actor=actor, action="bargain.end", target=campaign, data={"at": now.isoformat(), "bargains_closed": closed}
    )
    pricing_rules_bump()  # product cards, pages and the marketing centre show campaigns
    return closed


# --- starting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartResult:
    bargain: Bargain
    created: bool


@transaction.atomic
def bargain_start(
    *, member: Member, campaign_id: int, context: RequestContext, now: datetime | None = None
) -> StartResult:
    """Start a bargain (its cut plan drawn and stored); the shopper's open one comes back instead.

    The guard's ``bargain`` action first (F45): starts are what help farms are built on."""
    abuse_check(action=BARGAIN_GUARD_ACTION, member=member, context=context)
    now = now or timezone.now()
    # One shopper's starts queue here, so the limit below cannot be passed by a double tap.
    list(Member.objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True))
    campaign = BargainCampaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        raise BargainCampaignNotFound()
    mine = Bargain.objects.filter(campaign=campaign, member=member)
    current = mine.filter(status__in=[*OPEN_BARGAIN_STATUSES, BargainStatus.ORDERED], expires_at__gt=now).first()
    if current is not None:
        return StartResult(current, created=False)
    if not campaign_is_open(campaign, now):
        raise BargainCampaignNotOpen(details={"campaign_id": campaign.pk})
    if campaign_sold_out(campaign):
        raise BargainSoldOut(details={"campaign_id": campaign.pk})
    if mine.count() >= campaign.per_member_limit:
        raise BargainLimitReached(details={"limit": campaign.per_member_limit})
    config = PlanConfig(
        total=campaign.start_price - campaign.floor_price,
        helpers_min=campaign.helpers_min,
        helpers_max=campaign.helpers_max,
        cut_min=campaign.cut_min,
        cut_max=campaign.cut_max,
    )
    seed = secrets.token_hex(16)
    try:
        plan = plan_for_seed(config, seed)
    except ValueError as exc:  # only if the campaign row was edited around the service
        raise BargainCampaignNotOpen(details={"campaign_id": campaign.pk, "plan": str(exc)}) from exc
    bargain = Bargain.objects.create(
        campaign=campaign,
        member=member,
        start_price=campaign.start_price,
        floor_price=campaign.floor_price,
        current_price=campaign.start_price,
        plan=list(plan),
        seed=seed,
        expires_at=min(now + timedelta(minutes=campaign.duration_minutes), campaign.ends_at),
    )
    event_record(
        name="bargain_started",
        member_id=member.pk,
        props={
            "bargain_id": bargain.pk,
            "campaign_id": campaign.pk,
            "start_price": bargain.start_price,
            "floor_price": bargain.floor_price,
            "helpers_planned": len(plan),
        },
    )
    _schedule_expiry(bargain.pk, bargain.expires_at)
    return StartResult(bargain, created=True)


def _schedule_expiry(bargain_id: int, eta: datetime) -> None:
    from marketing.tasks import bargain_expire_task  # tasks import this module

    transaction.on_commit(
        lambda: bargain_expire_task.apply_async(kwargs={"bargain_id": bargain_id}, eta=eta), robust=True
    )


# --- helping --------------------------------------------------------------------------------


def clean_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def clean_device_id(value: str | None) -> str:
    value = (value or "").strip()
    return value if DEVICE_ID.match(value) else ""


def _day_start(now: datetime) -> datetime:
    """Midnight of the shop's day (Asia/Shanghai) containing ``now``."""
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def bargain_help(
    *, helper: Member, share_token: str, context: RequestContext, now: datetime | None = None
) -> BargainHelp:
    """A friend helps: the next planned cut comes off the price (once per friend, farming-limited).

    The shop's guard (``help``) first, then the campaign's own limits per address and device."""
    abuse_check(action=HELP_GUARD_ACTION, member=helper, context=context)
    now = now or timezone.now()
    ip, device_id = clean_ip(context.ip), clean_device_id(context.device_id)
    with transaction.atomic():
        # The helper's own helps queue on their member row (the per-day count below holds).
        list(Member.objects.select_for_update().filter(pk=helper.pk).values_list("pk", flat=True))
        bargain_id = Bargain.objects.filter(share_token=share_token[:64]).values_list("pk", flat=True).first()
        if bargain_id is None:
            raise BargainNotFound()
        bargain = Bargain.objects.select_for_update().get(pk=bargain_id)
        campaign = BargainCampaign.objects.get(pk=bargain.campaign_id)
        _check_help(bargain=bargain, campaign=campaign, helper=helper, ip=ip, device_id=device_id, now=now)
        seq = bargain.helps_count + 1
        cut = int(bargain.plan[seq - 1])
        price_after = bargain.current_price - cut
        try:
            with transaction.atomic():
                help_row = BargainHelp.objects.create(
                    bargain=bargain,
                    helper=helper,
                    seq=seq,
                    cut=cut,
                    price_after=price_after,
                    ip=ip,
                    device_id=device_id,
                )
        except IntegrityError as exc:  # the unique (bargain, helper) key behind the check
            raise BargainAlreadyHelped() from exc
        bargain.current_price, bargain.helps_count = price_after, seq
        fields = ["current_price", "helps_count"]
        if price_after == bargain.floor_price:
            bargain.status, bargain.reached_at = BargainStatus.REACHED, now
            fields += ["status", "reached_at"]
        bargain.save(update_fields=fields)
        event_record(
            name="bargain_helped",
            member_id=helper.pk,
            props={
                "bargain_id": bargain.pk,
                "campaign_id": campaign.pk,
                "initiator_id": bargain.member_id,
                "seq": seq,
                "cut": cut,
                "price_after": price_after,
            },
        )
        if bargain.status == BargainStatus.REACHED:
            _reached(bargain, campaign)
    return help_row


def _check_help(
    *, bargain: Bargain, campaign: BargainCampaign, helper: Member, ip: str | None, device_id: str, now: datetime
) -> None:
    if bargain.member_id == helper.pk:
        raise BargainSelfHelp()
    if bargain.status != BargainStatus.ONGOING or bargain.expires_at <= now or campaign.ended_at is not None:
        raise BargainClosed(details={"status": bargain.status})
    if bargain.helps_count >= len(bargain.plan):  # the floor is reached with the last planned cut
        raise BargainClosed(details={"status": BargainStatus.REACHED})
    if BargainHelp.objects.filter(bargain=bargain, helper=helper).exists():
        raise BargainAlreadyHelped()
    if campaign.helper_new_only and not member_is_new(member=helper):
        raise BargainHelperNewOnly()
    today = BargainHelp.objects.filter(
        helper=helper, bargain__campaign_id=campaign.pk, created_at__gte=_day_start(now)
    ).count()
    if today >= campaign.helps_per_helper_per_day:
        raise BargainHelpLimited(
            _("您今天的帮砍次数已用完，明天再来吧。"),
            details={"limit": "per_day", "max": campaign.helps_per_helper_per_day},
        )
    if ip is not None and BargainHelp.objects.filter(bargain=bargain, ip=ip).count() >= campaign.helps_per_ip:
        raise BargainHelpLimited(
            _("同一网络下帮砍的人太多了，请换个网络再试。"), details={"limit": "per_ip", "max": campaign.helps_per_ip}
        )
    if device_id and BargainHelp.objects.filter(bargain=bargain, device_id=device_id).exists():
        raise BargainHelpLimited(_("这台设备已经帮砍过了。"), details={"limit": "per_device", "max": 1})


def _reached(bargain: Bargain, campaign: BargainCampaign) -> None:
    event_record(
        name="bargain_reached",
        member_id=bargain.member_id,
        props={"bargain_id": bargain.pk, "campaign_id": campaign.pk, "helpers": bargain.helps_count},
    )
    price = format_yuan(bargain.floor_price)
    body = (
        _("「%(name)s」已砍到 0 元，快去免费领取吧。") % {"name": campaign.name}
        if bargain.floor_price == 0
        else _("「%(name)s」已砍到底价 ¥%(price)s，快去下单吧。") % {"name": campaign.name, "price": price}
    )
    message_send(
        member_id=bargain.member_id,
        kind=MESSAGE_REACHED,
        title=str(_("砍价成功")),
        body=str(body),
        link=bargain_link(bargain.pk),
    )


# --- buying: the deal handler ------------------------------------------------------------------


def _own_bargain(deal: DealRequest, member_id: int) -> Bargain:
    if deal.params:
        raise DealInvalid(details={"params": sorted(str(k) for k in deal.params)[:5]})
    bargain = Bargain.objects.filter(pk=deal.ref, member_id=member_id).first()
    if bargain is None:
        raise DealNotFound(details={"kind": DEAL_KIND, "ref": deal.ref})
    return bargain


def _line_unit_price(order: Order, sku: Sku) -> int:
    price = order.lines.filter(sku=sku, is_gift=False).values_list("unit_price", flat=True).first()
    return int(price if price is not None else 0)


@deal_handler
class BargainDeal(DealHandler):
    """The initiator buys at the current price (``deal.ref`` = bargain id, one unit)."""

    kind = DEAL_KIND

    def specs(self, *, deal: DealRequest, member: Member, sku: Sku, qty: int, at: datetime) -> DealPricing:
        bargain = _own_bargain(deal, member.pk)
        campaign = BargainCampaign.objects.get(pk=bargain.campaign_id)
        if sku.pk != campaign.sku_id:
            raise DealNotFound(_("该商品不是这个砍价的商品。"), details={"sku_id": sku.pk})
        if qty != 1:
            raise PurchaseLimitExceeded(details={"max_qty": 1})
        if bargain.status not in OPEN_BARGAIN_STATUSES or bargain.expires_at <= at or campaign.ended_at is not None:
            raise BargainClosed(details={"status": bargain.status})
        if campaign_sold_out(campaign):
            raise BargainSoldOut()
        spec = BargainPrice(id=f"bargain:{bargain.pk}", sku=sku.code, price=bargain.current_price)
        return DealPricing(specs=(spec,), names={spec.id: campaign.name}, free_shipping=campaign.free_shipping)

    def take(self, *, deal: DealRequest, order: Order, sku: Sku, qty: int) -> int:
        now = timezone.now()
        bargain = _own_bargain(deal, order.member_id)
        unit_price = _line_unit_price(order, sku)
        # Bought once, and never dearer than the current price (a help may land after the preview).
        closed = Bargain.objects.filter(
            pk=bargain.pk, status__in=OPEN_BARGAIN_STATUSES, expires_at__gt=now, current_price__gte=unit_price
        ).update(status=BargainStatus.ORDERED, order=order)
        if not closed:
            bargain.refresh_from_db()
            if bargain.status in OPEN_BARGAIN_STATUSES and bargain.expires_at > now:
                raise BargainPriceChanged(details={"current_price": bargain.current_price})
            raise BargainClosed(details={"status": bargain.status})
        _quota_take(bargain.campaign_id, now)
        event_record(
            name="bargain_ordered",
            member_id=order.member_id,
            props={"bargain_id": bargain.pk, "order_no": order.no, "price": unit_price},
        )
        return bargain.pk

    def release(self, *, order: Order) -> None:
        bargain = Bargain.objects.select_for_update().filter(order=order, status=BargainStatus.ORDERED).first()
        if bargain is None:
            return
        now = timezone.now()
        BargainCampaign.objects.filter(pk=bargain.campaign_id, sold_count__gt=0).update(sold_count=F("sold_count") - 1)
        campaign = BargainCampaign.objects.get(pk=bargain.campaign_id)
        bargain.order = None
        if bargain.expires_at > now and campaign.ended_at is None:
            reached = bargain.current_price == bargain.floor_price
            bargain.status = BargainStatus.REACHED if reached else BargainStatus.ONGOING
        else:
            bargain.status, bargain.closed_at = BargainStatus.EXPIRED, now
        bargain.save(update_fields=["order", "status", "closed_at"])

    def paid(self, *, order: Order) -> None:
        bargain = Bargain.objects.select_for_update().filter(order=order, status=BargainStatus.ORDERED).first()
        if bargain is None:
            return
        bargain.status, bargain.bought_at = BargainStatus.BOUGHT, order.paid_at or timezone.now()
        bargain.save(update_fields=["status", "bought_at"])
        event_record(
            name="bargain_bought",
            member_id=order.member_id,
            props={
                "bargain_id": bargain.pk,
                "campaign_id": bargain.campaign_id,
                "order_no": order.no,
                "price": bargain.current_price,
                "helpers": bargain.helps_count,
            },
        )

    def retake(self, *, order: Order) -> None:
        """A late payment: the bargain must still be open and not cheaper now, else it is refunded."""
        now = timezone.now()
        line = order.lines.filter(is_gift=False).values_list("sku_id", "unit_price").first()
        unit_price = int(line[1]) if line else 0
        closed = Bargain.objects.filter(
            pk=order.deal_ref or 0,
            member_id=order.member_id,
            status__in=OPEN_BARGAIN_STATUSES,
            expires_at__gt=now,
            current_price__gte=unit_price,
        ).update(status=BargainStatus.ORDERED, order=order)
        if not closed:
            raise BargainClosed()
        campaign_id = Bargain.objects.filter(pk=order.deal_ref or 0).values_list("campaign_id", flat=True).get()
        _quota_take(campaign_id, now)


def _quota_take(campaign_id: int, now: datetime) -> None:
    """One unit of the campaign's quantity, only while the campaign runs (guarded UPDATE)."""
    quota = BargainCampaign.objects.filter(pk=campaign_id, is_active=True, ended_at__isnull=True, ends_at__gt=now)
    campaign = BargainCampaign.objects.filter(pk=campaign_id).only("total_quantity").get()
    if campaign.total_quantity is not None:
        quota = quota.filter(sold_count__lt=F("total_quantity"))
    if not quota.update(sold_count=F("sold_count") + 1):
        raise BargainSoldOut(details={"campaign_id": campaign_id})


# --- the deadline --------------------------------------------------------------------------------


def bargain_expire(*, bargain_id: int, now: datetime | None = None) -> bool:
    """Close an open bargain whose deadline passed. True only for the call that closed it."""
    now = now or timezone.now()
    with transaction.atomic():
        bargain = Bargain.objects.select_for_update().filter(pk=bargain_id).first()
        if bargain is None or bargain.status not in OPEN_BARGAIN_STATUSES or bargain.expires_at > now:
            return False
        bargain.status, bargain.closed_at = BargainStatus.EXPIRED, now
        bargain.save(update_fields=["status", "closed_at"])
        name = BargainCampaign.objects.filter(pk=bargain.campaign_id).values_list("name", flat=True).get()
        event_record(
            name="bargain_expired",
            member_id=bargain.member_id,
            props={"bargain_id": bargain.pk, "helpers": bargain.helps_count, "price": bargain.current_price},
        )
        if bargain.helps_count:
            message_send(
                member_id=bargain.member_id,
                kind=MESSAGE_EXPIRED,
                title=str(_("砍价已结束")),
                body=str(_("您发起的「%(name)s」砍价已到期，感谢好友们的帮助。") % {"name": name}),
                link=bargain_link(bargain.pk),
            )
    return True


def bargain_expire_due(*, now: datetime | None = None) -> int:
    """Sweeper (every minute): close every open bargain past its deadline."""
    now = now or timezone.now()
    due = Bargain.objects.filter(status__in=OPEN_BARGAIN_STATUSES, expires_at__lte=now).order_by("pk")
    return sum(bargain_expire(bargain_id=pk, now=now) for pk in due.values_list("pk", flat=True))
