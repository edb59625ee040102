"""One adapter per tool kind: how the campaign studio pauses, resumes, extends, ends, restocks
and describes a tool it links to, without the tools knowing about campaigns.

Pausing and resuming are state flips the campaign may do on its own (the budget guard pauses a
spent campaign with no staff member at hand); extending, ending and adding stock go through
each tool's own service with the staff actor, so the tool's validation, locks and caches hold.
Every flip bumps the pricing-rules version (and a flash slot's gate after commit), so the next
quote and product page follow at once.

``extend`` returns the shoppers to tell (F30: those who joined, reserved, hold an unfinished
group or bargain, or an unused coupon bound to the old end).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.money import format_yuan
from marketing.errors import CampaignInvalid, CampaignToolUnsupported
from marketing.models import (
    OPEN_BARGAIN_STATUSES,
    Bargain,
    BargainCampaign,
    CampaignToolKind,
    Coupon,
    CouponStatus,
    CouponTemplate,
    FlashItem,
    FlashReservation,
    FlashSlot,
    FlashSlotStatus,
    GroupBuyCampaign,
    GroupBuyMember,
    GroupStatus,
    Promotion,
)
from marketing.selectors.campaigns import campaign_state_label, campaign_window_text
from marketing.selectors.flash_sales import STATE_ENDED, STATE_LIVE, STATE_UPCOMING
from marketing.selectors.flash_sales import state_label as flash_state_label
from marketing.selectors.pricing_rules import pricing_rules_bump
from marketing.services.bargains import bargain_campaign_end
from marketing.services.coupons import Actor
from marketing.services.flash_sales import (
    flash_item_add_quota,
    flash_slot_extend,
    flash_slot_finish,
    flash_slot_publish,
    flash_slot_set_paused,
)
from marketing.services.group_buys import group_buy_campaign_end

MAX_UNITS = 1_000_000


@dataclass(frozen=True)
class ToolView:
    """What the console and the API show of one linked tool."""

    kind: str
    object_id: int
    name: str
    state: str
    window: str
    stock: str
    starts_at: datetime | None
    ends_at: datetime | None
    admin_path: str
    can_add_stock: bool
    missing: bool = False


def _invalid(field: str, message: str) -> CampaignInvalid:
    return CampaignInvalid(message, details={"field": field, "errors": {field: message}})


def _check_later(*, old_end: datetime, ends_at: datetime, now: datetime) -> None:
    if ends_at <= old_end or ends_at <= now:
        raise _invalid("ends_at", _("新的结束时间须晚于原结束时间和当前时间。"))


def _check_units(units: int) -> None:
    if not 1 <= units <= MAX_UNITS:
        raise _invalid("units", _("追加数量须为正整数。"))


class ToolAdapter(ABC):
    kind: ClassVar[str]
    model: ClassVar[type[models.Model]]
    can_add_stock: ClassVar[bool] = False
    # rows the ``is_active`` switch may not touch (a campaign ended early stays ended)
    pausable: ClassVar[dict[str, Any]] = {}

    def exists(self, object_id: int) -> bool:
        return self.model._default_manager.filter(pk=object_id).exists()

    @abstractmethod
    def describe(self, ids: Iterable[int], *, now: datetime) -> dict[int, ToolView]: ...

    def set_paused(self, *, object_id: int, paused: bool) -> bool:
        """Flip ``is_active`` with a guarded UPDATE; True only for the call that changed it."""
        rows = self.model._default_manager.filter(pk=object_id, is_active=paused, **self.pausable)
        changed = rows.update(is_active=not paused)
        if changed:
            pricing_rules_bump()
        return bool(changed)

    def publish(self, *, actor: Actor, object_id: int) -> None:
        """A draft campaign goes live: its tools go live too (resume by default)."""
        self.set_paused(object_id=object_id, paused=False)

    @abstractmethod
    def extend(self, *, actor: Actor, object_id: int, ends_at: datetime, now: datetime) -> list[int]: ...

    @abstractmethod
    def end(self, *, actor: Actor, object_id: int, now: datetime) -> None: ...

    def add_stock(self, *, actor: Actor, object_id: int, units: int, item_id: int | None = None) -> str:
        raise CampaignToolUnsupported(details={"kind": self.kind, "adjustment": "add_stock"})


class PromotionAdapter(ToolAdapter):
    kind = CampaignToolKind.PROMOTION
    model = Promotion

    def describe(self, ids: Iterable[int], *, now: datetime) -> dict[int, ToolView]:
        return {
            p.pk: ToolView(
                kind=self.kind,
                object_id=p.pk,
                name=p.name,
                state=campaign_state_label(starts_at=p.starts_at, ends_at=p.ends_at, is_active=p.is_active, now=now),
                window=campaign_window_text(p.starts_at, p.ends_at),
                stock=_("不限量"),
                starts_at=p.starts_at,
                ends_at=p.ends_at,
                admin_path=f"/admin/marketing/promotion/{p.pk}/change/",
                can_add_stock=False,
            )
            for p in Promotion.objects.filter(pk__in=list(ids))
        }

    def extend(self, *, actor: Actor, object_id: int, ends_at: datetime, now: datetime) -> list[int]:
        promotion = Promotion.objects.select_for_update().get(pk=object_id)
        _check_later(old_end=promotion.ends_at, ends_at=ends_at, now=now)
        Promotion.objects.filter(pk=object_id).update(ends_at=ends_at, updated_at=now)
        pricing_rules_bump()
        return []  # a price rule has no participants to tell: the new end shows on the product

    def end(self, *, actor: Actor, object_id: int, now: datetime) -> None:
        Promotion.objects.filter(pk=object_id).update(is_active=False, updated_at=now)
        # Only a started promotion's end moves to now (one not started keeps its window, switched off).
        Promotion.objects.filter(pk=object_id, ends_at__gt=now, starts_at__lt=now).update(ends_at=now)
        pricing_rules_bump()


class CouponAdapter(ToolAdapter):
    """A coupon template: pausing stops claiming (issued coupons stay usable until they expire)."""

    kind = CampaignToolKind.COUPON
    model = CouponTemplate
    can_add_stock = True

    def describe(self, ids: Iterable[int], *, now: datetime) -> dict[int, ToolView]:
        views = {}
        for t in CouponTemplate.objects.filter(pk__in=list(ids)):
            until = t.valid_until
            if until is not None:
                state = _("已结束") if until <= now else (_("进行中") if t.is_active else _("已暂停"))
            else:
                state = _("进行中") if t.is_active else _("已暂停")
            total = _("不限量") if t.total_quantity is None else str(t.total_quantity)
            views[t.pk] = ToolView(
                kind=self.kind,
                object_id=t.pk,
                name=t.name,
                state=state,
                window=campaign_window_text(t.valid_from or t.created_at, until) if until else _("领取后生效"),
                stock=_("已领 %(issued)d / 共 %(total)s") % {"issued": t.issued_count, "total": total},
                starts_at=t.valid_from,
                ends_at=until,
                admin_path=f"/admin/marketing/coupontemplate/{t.pk}/change/",
                can_add_stock=t.total_quantity is not None,
            )
        return views

    def extend(self, *, actor: Actor, object_id: int, ends_at: datetime, now: datetime) -> list[int]:
        template = CouponTemplate.objects.select_for_update().get(pk=object_id)
        if template.valid_until is None:
            raise CampaignToolUnsupported(
                _("“%(name)s”按领取后天数生效，没有统一的结束时间可延长。") % {"name": template.name},
                details={"kind": self.kind, "adjustment": "extend"},
            )
        old_end = template.valid_until
        _check_later(old_end=old_end, ends_at=ends_at, now=now)
        CouponTemplate.objects.filter(pk=object_id).update(valid_until=ends_at, updated_at=now)
        # Coupons issued with the campaign's end move with it; their holders are told.
        bound = Coupon.objects.filter(template_id=object_id, status=CouponStatus.UNUSED, valid_until=old_end)
        holders = sorted(set(bound.values_list("member_id", flat=True)))
        bound.update(valid_until=ends_at)
        pricing_rules_bump()
        return holders

    def end(self, *, actor: Actor, object_id: int, now: datetime) -> None:
        CouponTemplate.objects.filter(pk=object_id).update(is_active=False, updated_at=now)
        pricing_rules_bump()

    def add_stock(self, *, actor: Actor, object_id: int, units: int, item_id: int | None = None) -> str:
        _check_units(units)
        if not CouponTemplate.objects.filter(pk=object_id, total_quantity__isnull=False).update(
            total_quantity=F("total_quantity") + units
        ):
            raise CampaignToolUnsupported(
                _("该优惠券不限量，无需追加。"), details={"kind": self.kind, "adjustment": "add_stock"}
            )
        pricing_rules_bump()
        total = CouponTemplate.objects.filter(pk=object_id).values_list("total_quantity", flat=True).get()
        return _("发放总量增至 %(total)d 张") % {"total": total}


class FlashAdapter(ToolAdapter):
    kind = CampaignToolKind.FLASH
    model = FlashSlot
    can_add_stock = True

    def describe(self, ids: Iterable[int], *, now: datetime) -> dict[int, ToolView]:
        views = {}
        for slot in FlashSlot.objects.filter(pk__in=list(ids)).prefetch_related("items"):
            items = list(slot.items.all())
            sold, quota = sum(i.sold for i in items), sum(i.quota for i in items)
            if slot.status == FlashSlotStatus.DRAFT:
                state = _("草稿")
            elif slot.status == FlashSlotStatus.PAUSED:
                state = _("已暂停")
            elif slot.status == FlashSlotStatus.ENDED or now >= slot.ends_at:
                state = flash_state_label(STATE_ENDED, slot.kind)
            else:
                state = flash_state_label(STATE_UPCOMING if now < slot.starts_at else STATE_LIVE, slot.kind)
            views[slot.pk] = ToolView(
                kind=self.kind,
                object_id=slot.pk,
                name=str(slot),
                state=state,
                window=campaign_window_text(slot.starts_at, slot.ends_at),
                stock=_("已售 %(sold)d / 共 %(quota)d 件") % {"sold": sold, "quota": quota},
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                admin_path=f"/console/marketing/flash/{slot.pk}/",
                can_add_stock=slot.status in (FlashSlotStatus.PUBLISHED, FlashSlotStatus.PAUSED),
            )
        return views

    def set_paused(self, *, object_id: int, paused: bool) -> bool:
        return flash_slot_set_paused(slot_id=object_id, paused=paused)

    def publish(self, *, actor: Actor, object_id: int) -> None:
        if FlashSlot.objects.filter(pk=object_id, status=FlashSlotStatus.DRAFT).exists():
            flash_slot_publish(actor=actor, slot_id=object_id)
        else:
            self.set_paused(object_id=object_id, paused=False)

    def extend(self, *, actor: Actor, object_id: int, ends_at: datetime, now: datetime) -> list[int]:
        flash_slot_extend(actor=actor, slot_id=object_id, ends_at=ends_at, now=now)
        reservers = FlashReservation.objects.filter(item__slot_id=object_id).values_list("member_id", flat=True)
        return sorted(set(reservers))

    def end(self, *, actor: Actor, object_id: int, now: datetime) -> None:
        """A started slot finishes now; one that has not started yet is paused so it never opens
        (the flash service refuses to finish a slot before its start)."""
        running = FlashSlot.objects.filter(pk=object_id, status__in=(FlashSlotStatus.PUBLISHED, FlashSlotStatus.PAUSED))
        if running.filter(starts_at__lt=now).exists():
            flash_slot_finish(actor=actor, slot_id=object_id, now=now)
        elif running.exists():
            self.set_paused(object_id=object_id, paused=True)

    def add_stock(self, *, actor: Actor, object_id: int, units: int, item_id: int | None = None) -> str:
        _check_units(units)
        item_ids = list(FlashItem.objects.filter(slot_id=object_id).values_list("pk", flat=True))
        if item_id is None and len(item_ids) == 1:
            item_id = item_ids[0]
        if item_id not in item_ids:
            raise _invalid("item_id", _("请选择要追加库存的秒杀商品。"))
        item = flash_item_add_quota(actor=actor, item_id=int(item_id), units=units)
        return _("秒杀库存增至 %(quota)d 件") % {"quota": item.quota}


class GroupBuyAdapter(ToolAdapter):
    kind = CampaignToolKind.GROUP_BUY
    model = GroupBuyCampaign
    pausable: ClassVar[dict[str, Any]] = {"ended_at__isnull": True}

    def describe(self, ids: Iterable[int], *, now: datetime) -> dict[int, ToolView]:
        return {
            c.pk: ToolView(
                kind=self.kind,
                object_id=c.pk,
                name=c.name,
                state=campaign_state_label(
                    starts_at=c.starts_at, ends_at=c.ends_at, is_active=c.is_active, ended_at=c.ended_at, now=now
                ),
                window=campaign_window_text(c.starts_at, c.ends_at),
                stock=_("%(size)d 人团") % {"size": c.group_size},
                starts_at=c.starts_at,
                ends_at=c.ends_at,
                admin_path=f"/admin/marketing/groupbuycampaign/{c.pk}/change/",
                can_add_stock=False,
            )
            for c in GroupBuyCampaign.objects.filter(pk__in=list(ids))
        }

    def extend(self, *, actor: Actor, object_id: int, ends_at: datetime, now: datetime) -> list[int]:
        campaign = GroupBuyCampaign.objects.select_for_update().get(pk=object_id)
        if campaign.ended_at is not None:
            raise _invalid("ends_at", _("拼团已提前结束，不能延长。"))
        _check_later(old_end=campaign.ends_at, ends_at=ends_at, now=now)
        GroupBuyCampaign.objects.filter(pk=object_id).update(ends_at=ends_at, updated_at=now)
        pricing_rules_bump()
        members = GroupBuyMember.objects.filter(group__campaign_id=object_id, group__status=GroupStatus.OPEN)
        return sorted(set(members.values_list("member_id", flat=True)))

    def end(self, *, actor: Actor, object_id: int, now: datetime) -> None:
        group_buy_campaign_end(actor=actor, campaign_id=object_id, now=now)


class BargainAdapter(ToolAdapter):
    kind = CampaignToolKind.BARGAIN
    model = BargainCampaign
    pausable: ClassVar[dict[str, Any]] = {"ended_at__isnull": True}
    can_add_stock = True

    def describe(self, ids: Iterable[int], *, now: datetime) -> dict[int, ToolView]:
        views = {}
        for c in BargainCampaign.objects.filter(pk__in=list(ids)):
            total = _("不限量") if c.total_quantity is None else str(c.total_quantity)
            views[c.pk] = ToolView(
                kind=self.kind,
                object_id=c.pk,
                name=c.name,
                state=campaign_state_label(
                    starts_at=c.starts_at, ends_at=c.ends_at, is_active=c.is_active, ended_at=c.ended_at, now=now
                ),
                window=campaign_window_text(c.starts_at, c.ends_at),
                stock=_("已下单 %(sold)d / 共 %(total)s 件，底价 ¥%(floor)s")
                % {"sold": c.sold_count, "total": total, "floor": format_yuan(c.floor_price)},
                starts_at=c.starts_at,
                ends_at=c.ends_at,
                admin_path=f"/admin/marketing/bargaincampaign/{c.pk}/change/",
                can_add_stock=c.total_quantity is not None and c.ended_at is None,
            )
        return views

    def extend(self, *, actor: Actor, object_id: int, ends_at: datetime, now: datetime) -> list[int]:
        campaign = BargainCampaign.objects.select_for_update().get(pk=object_id)
        if campaign.ended_at is not None:
            raise _invalid("ends_at", _("砍价已提前结束，不能延长。"))
        _check_later(old_end=campaign.ends_at, ends_at=ends_at, now=now)
        BargainCampaign.objects.filter(pk=object_id).update(ends_at=ends_at, updated_at=now)
        pricing_rules_bump()
        holders = Bargain.objects.filter(campaign_id=object_id, status__in=OPEN_BARGAIN_STATUSES)
        return sorted(set(holders.values_list("member_id", flat=True)))

    def end(self, *, actor: Actor, object_id: int, now: datetime) -> None:
        bargain_campaign_end(actor=actor, campaign_id=object_id, now=now)

    def add_stock(self, *, actor: Actor, object_id: int, units: int, item_id: int | None = None) -> str:
        _check_units(units)
        if not BargainCampaign.objects.filter(pk=object_id, total_quantity__isnull=False, ended_at__isnull=True).update(
            total_quantity=F("total_quantity") + units, updated_at=timezone.now()
        ):
            raise CampaignToolUnsupported(
                _("该砍价活动不限量或已结束，无需追加。"), details={"kind": self.kind, "adjustment": "add_stock"}
            )
        pricing_rules_bump()
        total = BargainCampaign.objects.filter(pk=object_id).values_list("total_quantity", flat=True).get()
        return _("活动库存增至 %(total)d 件") % {"total": total}


ADAPTERS: dict[str, ToolAdapter] = {
    adapter.kind: adapter
    for adapter in (PromotionAdapter(), CouponAdapter(), FlashAdapter(), GroupBuyAdapter(), BargainAdapter())
}


def adapter_for(kind: str) -> ToolAdapter:
    adapter = ADAPTERS.get(kind)
    if adapter is None:
        raise _invalid("kind", _("不支持的营销工具类型。"))
    return adapter
