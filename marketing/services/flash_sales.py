"""Flash-sale slots and limited releases, merchant side and lifecycle (F02, F12, F30).

The merchant plans daily slots (:func:`flash_slots_generate` from :class:`FlashSettings`, or
one at a time), puts 1–3 items in each while it is a draft, and publishes it. Publishing
carves every item's quota out of ``Sku.stock`` with a guarded UPDATE (all or nothing: a shelf
short of units refuses the whole slot) and, after commit, warms the Redis gate and schedules
the end. While it runs the merchant may pause/resume it, extend it, or add units to an item
(carved the same way; the shoppers who reserved it are told, first come first served). When the
slot ends (:func:`flash_slot_end`: a task at ``ends_at`` and the minute sweeper, idempotent)
each item's available units go back to the shelf and the item is closed.

Lock order, everywhere: slot row → item row → SKU row (orders lock their member and order rows
before an item row), so none of these can deadlock with another.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.models import Sku
from mall.selectors.catalogue import catalogue_cache_bump
from mall.services.audit import audit_record
from marketing.errors import (
    FlashEnded,
    FlashInvalid,
    FlashItemNotFound,
    FlashReservationNotNeeded,
    FlashShelfShort,
    FlashSlotNotFound,
    FlashStateInvalid,
)
from marketing.models import (
    MAX_ITEMS_PER_SLOT,
    FlashItem,
    FlashReservation,
    FlashSettings,
    FlashSlot,
    FlashSlotKind,
    FlashSlotStatus,
)
from marketing.selectors.pricing_rules import pricing_rules_bump
from marketing.services.coupons import Actor, require_staff
from marketing.services.flash_gate import gate_peek, gate_rebuild, gate_update
from members.models import Member

logger = logging.getLogger(__name__)

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
SLOT_MINUTES_RANGE = (5, 720)
GENERATE_DAYS_MAX = 31
RESTOCK_MESSAGE_KIND = "flash_restock"
RUNNING = (FlashSlotStatus.PUBLISHED, FlashSlotStatus.PAUSED)


def _invalid(errors: dict[str, str]) -> None:
    if errors:
        first_key, first = next(iter(errors.items()))
        raise FlashInvalid(first, details={"field": first_key, "errors": errors})


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# --- the daily plan -----------------------------------------------------------------------


def slot_times_parse(values: Sequence[str]) -> list[time]:
    """``["10:00", "15:00"]`` → sorted times; FlashInvalid for a bad or repeated entry."""
    parsed: list[time] = []
    for raw in values:
        match = _TIME.match(str(raw).strip())
        if match is None:
            _invalid({"slot_times": _("场次时间“%(value)s”格式不对，应写成 10:00。") % {"value": str(raw)[:10]}})
            raise AssertionError("unreachable")  # pragma: no cover
        parsed.append(time(int(match.group(1)), int(match.group(2))))
    if not parsed:
        _invalid({"slot_times": _("至少设置一个场次。")})
    if len(set(parsed)) != len(parsed):
        _invalid({"slot_times": _("场次时间不能重复。")})
    return sorted(parsed)


def _plan_validate(times: list[time], minutes: int) -> None:
    low, high = SLOT_MINUTES_RANGE
    if not low <= minutes <= high:
        _invalid({"slot_minutes": _("每场时长须在 %(low)d 到 %(high)d 分钟之间。") % {"low": low, "high": high}})
    starts = [t.hour * 60 + t.minute for t in times]
    for first, second in zip(starts, [*starts[1:], 24 * 60], strict=True):
        if first + minutes > second:
            _invalid({"slot_minutes": _("场次之间不能重叠，最后一场须在当天结束。")})


@dataclass(frozen=True, kw_only=True)
class FlashSettingsData:
    slot_times: tuple[str, ...]
    slot_minutes: int
    per_shopper_limit: int = 1


def flash_settings_validate(*, data: FlashSettingsData) -> list[time]:
    """FlashInvalid (per field, Chinese) for a plan that cannot run; returns the sorted times."""
    times = slot_times_parse(data.slot_times)
    _plan_validate(times, data.slot_minutes)
    if data.per_shopper_limit < 1:
        _invalid({"per_shopper_limit": _("每人限购至少为 1。")})
    return times


@transaction.atomic
def flash_settings_update(*, actor: Actor, data: FlashSettingsData) -> FlashSettings:
    """The merchant's daily slot plan (default 10:00 / 15:00 / 20:00, two hours each)."""
    require_staff(actor)
    times = flash_settings_validate(data=data)
    settings_row = FlashSettings.load()
    before = {"slot_times": settings_row.slot_times, "slot_minutes": settings_row.slot_minutes}
    settings_row.slot_times = [t.strftime("%H:%M") for t in times]
    settings_row.slot_minutes = data.slot_minutes
    settings_row.per_shopper_limit = data.per_shopper_limit
    settings_row.save()
    audit_record(
        actor=actor,
        action="flash.settings_update",
        target=settings_row,
        data={"before": before, "after": {**asdict(data), "slot_times": settings_row.slot_times}},
    )
    return settings_row


@transaction.atomic
def flash_slots_generate(
    *,
    actor: Actor,
    first_day: date,
    days: int,
    slot_times: Sequence[str] | None = None,
    slot_minutes: int | None = None,
    skip_overlapping: bool = False,
) -> list[FlashSlot]:
    """Draft slots for ``days`` days from ``first_day`` at the plan's times (Asia/Shanghai).

    A slot that already exists at the same start is kept, so running it twice adds nothing. A
    new slot that would overlap another refuses the whole run, or with ``skip_overlapping`` is
    left out (the audit entry lists its start): the demo shop's seed, run again beside slots
    others placed, makes the ones there is room for.
    """
    require_staff(actor)
    plan = FlashSettings.load()
    times = slot_times_parse(slot_times if slot_times is not None else plan.slot_times)
    minutes = slot_minutes if slot_minutes is not None else plan.slot_minutes
    _plan_validate(times, minutes)
    if not 1 <= days <= GENERATE_DAYS_MAX:
        _invalid({"days": _("一次最多生成 %(n)d 天。") % {"n": GENERATE_DAYS_MAX}})
    zone = timezone.get_current_timezone()
    created: list[FlashSlot] = []
    skipped: list[str] = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for at in times:
            starts_at = datetime.combine(day, at, tzinfo=zone)
            if FlashSlot.objects.filter(kind=FlashSlotKind.SLOT, starts_at=starts_at).exists():
                continue
            slot = FlashSlot(
                kind=FlashSlotKind.SLOT, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes)
            )
            try:
                _slot_window_validate(slot)  # a planned slot can only be refused for an overlap
            except FlashInvalid:
                if not skip_overlapping:
                    raise
                skipped.append(starts_at.isoformat())
                continue
            slot.save()
            created.append(slot)
    audit_record(
        actor=actor,
        action="flash.slots_generate",
        target_type="marketing.flashslot",
        data={
            "first_day": first_day.isoformat(),
            "days": days,
            "times": [t.strftime("%H:%M") for t in times],
            "minutes": minutes,
            "created": [s.pk for s in created],
            **({"skipped": skipped} if skipped else {}),
        },
    )
    return created


# --- slots and items (drafts) -------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class FlashSlotData:
    starts_at: datetime
    ends_at: datetime
    title: str = ""
    kind: str = FlashSlotKind.SLOT


@dataclass(frozen=True, kw_only=True)
class FlashItemData:
    """One item of a slot; money in fen."""

    sku_id: int
    flash_price: int
    quota: int
    per_shopper_limit: int = 1
    per_order_limit: int = 1
    sort_order: int = 0
    free_shipping: bool = False  # 包邮: orders at the flash price pay no shipping


def _slot_window_validate(slot: FlashSlot) -> None:
    errors: dict[str, str] = {}
    if slot.kind not in FlashSlotKind.values:
        errors["kind"] = _("未知的活动类型。")
    if timezone.is_naive(slot.starts_at) or timezone.is_naive(slot.ends_at):
        errors["starts_at"] = _("时间须带时区。")
    elif slot.ends_at <= slot.starts_at:
        errors["ends_at"] = _("结束时间必须晚于开始时间。")
    elif slot.kind == FlashSlotKind.SLOT:
        overlapping = (
            FlashSlot.objects.filter(kind=FlashSlotKind.SLOT, starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at)
            .exclude(pk=slot.pk)
            .first()
        )
        if overlapping is not None:
            errors["starts_at"] = _("与场次“%(slot)s”时间重叠。") % {"slot": str(overlapping)}
    _invalid(errors)


def _slot_audit(slot: FlashSlot) -> dict[str, Any]:
    return {
        "kind": slot.kind,
        "title": slot.title,
        "starts_at": _iso(slot.starts_at),
        "ends_at": _iso(slot.ends_at),
        "status": slot.status,
    }


def _lock_slot(slot_id: int) -> FlashSlot:
    slot = FlashSlot.objects.select_for_update().filter(pk=slot_id).first()
    if slot is None:
        raise FlashSlotNotFound(details={"slot_id": slot_id})
    return slot


def _require_draft(slot: FlashSlot) -> None:
    if slot.status != FlashSlotStatus.DRAFT:
        raise FlashStateInvalid(
            _("场次已发布，只能暂停、延长或追加库存。"), details={"slot_id": slot.pk, "status": slot.status}
        )


@transaction.atomic
def flash_slot_create(*, actor: Actor, data: FlashSlotData) -> FlashSlot:
    require_staff(actor)
    slot = FlashSlot(kind=data.kind, title=data.title.strip()[:60], starts_at=data.starts_at, ends_at=data.ends_at)
    _slot_window_validate(slot)
    slot.save()
    audit_record(actor=actor, action="flash.slot_create", target=slot, data=_slot_audit(slot))
    return slot


@transaction.atomic
def flash_slot_update(*, actor: Actor, slot_id: int, data: FlashSlotData) -> FlashSlot:
    """A draft's window and title (a published slot moves only by :func:`flash_slot_extend`)."""
    require_staff(actor)
    slot = _lock_slot(slot_id)
    _require_draft(slot)
    if data.kind != slot.kind:
        _invalid({"kind": _("活动类型创建后不能修改。")})
    before = _slot_audit(slot)
    slot.title, slot.starts_at, slot.ends_at = data.title.strip()[:60], data.starts_at, data.ends_at
    _slot_window_validate(slot)
    slot.save()
    audit_record(
        actor=actor, action="flash.slot_update", target=slot, data={"before": before, "after": _slot_audit(slot)}
    )
    return slot


def flash_item_validate(*, slot: FlashSlot, data: FlashItemData, item_id: int | None = None) -> Sku:
    """FlashInvalid with a Chinese message per field; returns the SKU."""
    errors: dict[str, str] = {}
    sku = Sku.objects.select_related("product").filter(pk=data.sku_id).first()
    if sku is None:
        errors["sku"] = _("所选 SKU 不存在。")
    elif not sku.is_active or not sku.product.is_on_shelf:
        errors["sku"] = _("所选 SKU 未启用或商品未上架。")
    elif not 1 <= data.flash_price <= sku.price:
        errors["flash_price"] = _("秒杀价须大于 0 且不高于售价。")
    if data.quota < 1:
        errors["quota"] = _("秒杀库存至少为 1。")
    if data.per_shopper_limit < 1:
        errors["per_shopper_limit"] = _("每人限购至少为 1。")
    if not 1 <= data.per_order_limit <= max(data.per_shopper_limit, 1):
        errors["per_order_limit"] = _("每单限购须在 1 到每人限购之间。")
    siblings = FlashItem.objects.filter(slot=slot).exclude(pk=item_id or 0)
    if siblings.filter(sku_id=data.sku_id).exists():
        errors["sku"] = _("该 SKU 已在本场次中。")
    most = MAX_ITEMS_PER_SLOT if slot.kind == FlashSlotKind.SLOT else 1
    if item_id is None and siblings.count() >= most:
        errors["slot"] = _("每个场次最多 %(n)d 个商品。") % {"n": most}
    _invalid(errors)
    assert sku is not None  # noqa: S101 - checked above
    return sku


@transaction.atomic
def flash_item_add(*, actor: Actor, slot_id: int, data: FlashItemData) -> FlashItem:
    require_staff(actor)
    slot = _lock_slot(slot_id)
    _require_draft(slot)
    flash_item_validate(slot=slot, data=data)
    item = FlashItem.objects.create(slot=slot, **asdict(data))
    audit_record(actor=actor, action="flash.item_add", target=item, data={"slot_id": slot.pk, **asdict(data)})
    return item


@transaction.atomic
def flash_item_update(*, actor: Actor, item_id: int, data: FlashItemData) -> FlashItem:
    require_staff(actor)
    item = FlashItem.objects.filter(pk=item_id).first()
    if item is None:
        raise FlashItemNotFound(details={"flash_item_id": item_id})
    slot = _lock_slot(item.slot_id)
    _require_draft(slot)
    flash_item_validate(slot=slot, data=data, item_id=item.pk)
    before = {k: getattr(item, k) for k in asdict(data)}
    FlashItem.objects.filter(pk=item.pk).update(**asdict(data))
    item.refresh_from_db()
    audit_record(actor=actor, action="flash.item_update", target=item, data={"before": before, "after": asdict(data)})
    return item


@transaction.atomic
def flash_item_remove(*, actor: Actor, item_id: int) -> None:
    require_staff(actor)
    item = FlashItem.objects.filter(pk=item_id).first()
    if item is None:
        raise FlashItemNotFound(details={"flash_item_id": item_id})
    slot = _lock_slot(item.slot_id)
    _require_draft(slot)
    audit_record(actor=actor, action="flash.item_remove", target=item, data={"slot_id": slot.pk, "sku_id": item.sku_id})
    item.delete()


@transaction.atomic
def flash_slot_delete(*, actor: Actor, slot_id: int) -> None:
    """Only a draft may go (nothing was carved from the shelf, nobody bought)."""
    require_staff(actor)
    slot = _lock_slot(slot_id)
    _require_draft(slot)
    audit_record(actor=actor, action="flash.slot_delete", target=slot, data=_slot_audit(slot))
    slot.delete()


# --- publishing and running ---------------------------------------------------------------


def _after_commit_warm(slot: FlashSlot) -> None:
    """After commit: the gate of every item from the database, the end task, fresh catalogue pages."""
    item_ids = list(slot.items.values_list("pk", flat=True))
    slot_id, ends_at = slot.pk, slot.ends_at

    def warm() -> None:
        for item_id in item_ids:
            gate_rebuild(item_id)
        catalogue_cache_bump()

    pricing_rules_bump()  # product badges and the marketing centre follow the rules' version
    transaction.on_commit(warm, robust=True)
    _schedule_end(slot_id, ends_at)


def _schedule_end(slot_id: int, ends_at: datetime) -> None:
    from marketing.tasks import flash_slot_end_task  # tasks import this module

    transaction.on_commit(
        lambda: flash_slot_end_task.apply_async(kwargs={"slot_id": slot_id}, eta=ends_at), robust=True
    )


def _after_commit_sync(slot: FlashSlot) -> None:
    """After commit of a rule change: each warm gate follows; catalogue pages refresh."""
    items = list(FlashItem.objects.select_related("slot").filter(slot=slot))

    def sync() -> None:
        for item in items:
            gate_update(item=item)
        catalogue_cache_bump()

    pricing_rules_bump()
    transaction.on_commit(sync, robust=True)


@transaction.atomic
def flash_slot_publish(*, actor: Actor, slot_id: int, now: datetime | None = None) -> FlashSlot:
    """Carve every item's quota from the shelf and open the slot to shoppers (at its start)."""
    require_staff(actor)
    now = now or timezone.now()
    slot = _lock_slot(slot_id)
    _require_draft(slot)
    items = list(slot.items.select_related("sku__product").order_by("sku_id"))
    errors: dict[str, str] = {}
    if not items:
        errors["items"] = _("场次里还没有商品。")
    if slot.ends_at <= now:
        errors["ends_at"] = _("场次已过结束时间，不能发布。")
    for item in items:
        if not item.sku.is_active or not item.sku.product.is_on_shelf:
            errors["items"] = _("“%(sku)s”未启用或商品未上架。") % {"sku": item.sku.code}
        clash = (
            FlashItem.objects.filter(
                sku_id=item.sku_id,
                slot__status__in=RUNNING,
                slot__starts_at__lt=slot.ends_at,
                slot__ends_at__gt=slot.starts_at,
            )
            .exclude(slot=slot)
            .first()
        )
        if clash is not None:
            errors["items"] = _("“%(sku)s”已在同一时段的另一个场次中。") % {"sku": item.sku.code}
    _invalid(errors)
    for item in items:  # SKU-id order: the project's one lock order for stock rows
        if not Sku.objects.filter(pk=item.sku_id, stock__gte=item.quota).update(stock=F("stock") - item.quota):
            shelf = Sku.objects.filter(pk=item.sku_id).values_list("stock", flat=True).first() or 0
            raise FlashShelfShort(
                _("“%(sku)s”库存只有 %(shelf)d 件，不够划出 %(quota)d 件秒杀库存。")
                % {"sku": item.sku.code, "shelf": shelf, "quota": item.quota},
                details={"sku_id": item.sku_id, "quota": item.quota, "stock": shelf},
            )
    slot.status, slot.published_at = FlashSlotStatus.PUBLISHED, now
    slot.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        action="flash.publish",
        target=slot,
        data={**_slot_audit(slot), "items": [{"sku_id": i.sku_id, "quota": i.quota} for i in items]},
    )
    _after_commit_warm(slot)
    return slot


def _set_status(*, actor: Actor, slot_id: int, want: str, allowed_from: str, action: str) -> FlashSlot:
    require_staff(actor)
    slot = _lock_slot(slot_id)
    if slot.status != allowed_from:
        raise FlashStateInvalid(details={"slot_id": slot.pk, "status": slot.status})
    slot.status = want
    slot.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=action, target=slot, data=_slot_audit(slot))
    _after_commit_sync(slot)
    return slot


@transaction.atomic
def flash_slot_pause(*, actor: Actor, slot_id: int) -> FlashSlot:
    """Stop selling at once (the gate refuses with ``flash_paused``); locked orders stay."""
    return _set_status(
        actor=actor,
        slot_id=slot_id,
        want=FlashSlotStatus.PAUSED,
        allowed_from=FlashSlotStatus.PUBLISHED,
        action="flash.pause",
    )


@transaction.atomic
def flash_slot_resume(*, actor: Actor, slot_id: int) -> FlashSlot:
    return _set_status(
        actor=actor,
        slot_id=slot_id,
        want=FlashSlotStatus.PUBLISHED,
        allowed_from=FlashSlotStatus.PAUSED,
        action="flash.resume",
    )


@transaction.atomic
def flash_slot_set_paused(*, slot_id: int, paused: bool) -> bool:
    """Pause or resume for the campaign that runs the slot (its service checks who asks and
    audits); a slot in another state is left alone. True when the slot changed."""
    want, allowed_from = (
        (FlashSlotStatus.PAUSED, FlashSlotStatus.PUBLISHED)
        if paused
        else (FlashSlotStatus.PUBLISHED, FlashSlotStatus.PAUSED)
    )
    slot = _lock_slot(slot_id)
    if slot.status != allowed_from:
        return False
    slot.status = want
    slot.save(update_fields=["status", "updated_at"])
    _after_commit_sync(slot)
    return True


@transaction.atomic
def flash_slot_extend(*, actor: Actor, slot_id: int, ends_at: datetime, now: datetime | None = None) -> FlashSlot:
    """Move a running slot's end later (F30: extend while running)."""
    require_staff(actor)
    now = now or timezone.now()
    slot = _lock_slot(slot_id)
    if slot.status not in RUNNING:
        raise FlashStateInvalid(details={"slot_id": slot.pk, "status": slot.status})
    if ends_at <= slot.ends_at or ends_at <= now:
        _invalid({"ends_at": _("新的结束时间须晚于原结束时间和当前时间。")})
    before = _iso(slot.ends_at)
    slot.ends_at = ends_at
    _slot_window_validate(slot)
    slot.save(update_fields=["ends_at", "updated_at"])
    audit_record(
        actor=actor, action="flash.extend", target=slot, data={"ends_at": [before, _iso(ends_at)], "title": str(slot)}
    )
    _after_commit_sync(slot)
    _schedule_end(slot.pk, ends_at)
    return slot


@transaction.atomic
def flash_item_add_quota(*, actor: Actor, item_id: int, units: int) -> FlashItem:
    """Carve ``units`` more from the shelf into a running item; reservers are told after commit."""
    require_staff(actor)
    if not 1 <= units <= 1_000_000:
        _invalid({"units": _("追加数量须为正整数。")})
    item = FlashItem.objects.select_for_update().select_related("slot").filter(pk=item_id).first()
    if item is None:
        raise FlashItemNotFound(details={"flash_item_id": item_id})
    if item.slot.status not in RUNNING or item.closed:
        raise FlashStateInvalid(
            _("只能给进行中或暂停中的场次追加库存。"), details={"slot_id": item.slot_id, "status": item.slot.status}
        )
    if not Sku.objects.filter(pk=item.sku_id, stock__gte=units).update(stock=F("stock") - units):
        shelf = Sku.objects.filter(pk=item.sku_id).values_list("stock", flat=True).first() or 0
        raise FlashShelfShort(details={"sku_id": item.sku_id, "units": units, "stock": shelf})
    FlashItem.objects.filter(pk=item.pk).update(quota=F("quota") + units, gate_seq=F("gate_seq") + 1)
    item.refresh_from_db(fields=["quota", "locked", "sold"])
    audit_record(
        actor=actor,
        action="flash.add_quota",
        target=item,
        data={"units": units, "quota": item.quota, "sold": item.sold, "locked": item.locked},
    )
    item_pk = item.pk
    fresh = FlashItem.objects.select_related("slot").get(pk=item_pk)
    transaction.on_commit(lambda: gate_update(item=fresh, avail_delta=units), robust=True)

    def notify() -> None:
        from marketing.tasks import flash_reservations_notify_task

        flash_reservations_notify_task.delay(item_id=item_pk, units=units)

    transaction.on_commit(notify, robust=True)
    return item


# --- the end --------------------------------------------------------------------------------


def _item_close(item_id: int, *, carved: bool) -> int:
    """Close one item under its row lock; its available units go back to the shelf. Returns them."""
    item = FlashItem.objects.select_for_update().get(pk=item_id)
    if item.closed:
        return 0
    back = max(item.available, 0) if carved else 0
    if back:
        Sku.objects.filter(pk=item.sku_id).update(stock=F("stock") + back)
    FlashItem.objects.filter(pk=item.pk).update(quota=F("quota") - back, returned=F("returned") + back, closed=True)
    return back


@transaction.atomic
def flash_slot_end(*, slot_id: int, now: datetime | None = None) -> bool:
    """End a slot whose time is up: leftovers back to the shelf. True only for the call that did it.

    The end task (at ``ends_at``) and the sweeper both call this; the slot row lock and the
    status check make the second call a no-op, and a task that fires early (the slot was
    extended) does nothing.
    """
    now = now or timezone.now()
    slot = FlashSlot.objects.select_for_update().filter(pk=slot_id).first()
    if slot is None or slot.status == FlashSlotStatus.ENDED or slot.ends_at > now:
        return False
    carved = slot.status in RUNNING
    returned = {item_id: _item_close(item_id, carved=carved) for item_id in slot.items.values_list("pk", flat=True)}
    slot.status, slot.ended_at = FlashSlotStatus.ENDED, now
    slot.save(update_fields=["status", "ended_at", "updated_at"])
    if carved:
        audit_record(actor=None, action="flash.end", target=slot, data={**_slot_audit(slot), "returned": returned})
    _after_commit_sync(slot)
    return True


@transaction.atomic
def flash_slot_finish(*, actor: Actor, slot_id: int, now: datetime | None = None) -> FlashSlot:
    """The merchant ends a started slot now (an upcoming one is paused instead)."""
    require_staff(actor)
    now = now or timezone.now()
    slot = _lock_slot(slot_id)
    if slot.status not in RUNNING:
        raise FlashStateInvalid(details={"slot_id": slot.pk, "status": slot.status})
    if slot.starts_at >= now:
        raise FlashStateInvalid(_("场次尚未开始，请使用暂停。"), details={"slot_id": slot.pk})
    before = _iso(slot.ends_at)
    FlashSlot.objects.filter(pk=slot.pk).update(ends_at=now)
    audit_record(actor=actor, action="flash.finish", target=slot, data={"ends_at": [before, _iso(now)]})
    flash_slot_end(slot_id=slot.pk, now=now)
    slot.refresh_from_db()
    return slot


def flash_slots_end_due(now: datetime | None = None) -> int:
    """Sweeper: end every slot past its end time; each in its own transaction."""
    now = now or timezone.now()
    due = FlashSlot.objects.filter(ends_at__lte=now).exclude(status=FlashSlotStatus.ENDED).order_by("pk")
    return sum(flash_slot_end(slot_id=slot_id, now=now) for slot_id in due.values_list("pk", flat=True))


# --- reservations (F12) ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReserveResult:
    reservation: FlashReservation
    created: bool


def _item_available(item: FlashItem) -> int:
    """The gate's count when it is warm (what shoppers are refused by), else the database's."""
    return gate_peek([item.pk]).get(item.pk, item.available)


def flash_reserve(*, member: Member, item_id: int, now: datetime | None = None) -> ReserveResult:
    """补货中，可预约: one reservation per shopper per item, only while the item is sold out."""
    now = now or timezone.now()
    item = FlashItem.objects.select_related("slot").filter(pk=item_id).first()
    if item is None or item.slot.status == FlashSlotStatus.DRAFT:
        raise FlashItemNotFound(details={"flash_item_id": item_id})
    if item.closed or item.slot.status == FlashSlotStatus.ENDED or item.slot.ends_at <= now:
        raise FlashEnded(details={"flash_item_id": item_id})
    existing = FlashReservation.objects.filter(item=item, member=member).first()
    if existing is not None:
        return ReserveResult(existing, created=False)
    if _item_available(item) > 0:
        raise FlashReservationNotNeeded(details={"flash_item_id": item_id})
    try:
        with transaction.atomic():
            reservation = FlashReservation.objects.create(item=item, member=member)
    except IntegrityError:  # a double tap: the unique (item, member) key let the other one in
        return ReserveResult(FlashReservation.objects.get(item=item, member=member), created=False)
    return ReserveResult(reservation, created=True)


def flash_reservation_cancel(*, member: Member, item_id: int) -> bool:
    return bool(FlashReservation.objects.filter(item_id=item_id, member=member, notified_at__isnull=True).delete()[0])


# How many reservers one restocked unit wakes: a few more than units, since not all will buy.
NOTIFY_PER_UNIT = 2


def flash_reservations_notify(*, item_id: int, units: int, now: datetime | None = None) -> int:
    """Tell the earliest waiting reservers (first come first served) that ``units`` are back.

    Each reservation is claimed with a guarded UPDATE (``notified_at IS NULL``) in its own
    transaction with its message, so a task run twice never tells anyone twice.
    """
    from members.services.messages import message_send

    now = now or timezone.now()
    item = FlashItem.objects.select_related("slot", "sku__product").filter(pk=item_id).first()
    if item is None or item.closed:
        return 0
    waiting = FlashReservation.objects.filter(item_id=item_id, notified_at__isnull=True).order_by("created_at", "id")
    told = 0
    for reservation_id, member_id in waiting.values_list("pk", "member_id")[: max(units, 0) * NOTIFY_PER_UNIT]:
        with transaction.atomic():
            if not FlashReservation.objects.filter(pk=reservation_id, notified_at__isnull=True).update(notified_at=now):
                continue
            message_send(
                member_id=member_id,
                kind=RESTOCK_MESSAGE_KIND,
                title=str(_("补货提醒")),
                body=str(_("您预约的“%(title)s”已补货，数量有限，先到先得。") % {"title": item.sku.product.title[:40]}),
                link=f"/pages/flash/item?id={item.pk}",
            )
        told += 1
    return told


def flash_items_running(*, now: datetime | None = None) -> list[int]:
    """Items whose gate matters now: running slots not past their end (reconcile, diagnostics)."""
    now = now or timezone.now()
    return list(
        FlashItem.objects.filter(Q(slot__status__in=RUNNING) & Q(slot__ends_at__gt=now), closed=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
