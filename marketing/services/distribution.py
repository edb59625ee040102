"""Distribution (F06): applications, the merchant's review, attribution clicks, commission and
withdrawals.

* **Attribution**: the shopper's client reports a promoter link it opened (``attribution_click``);
  the latest click within ``attribution_days`` names the promoter of an order, read once at
  placement (``commission_take``, from ``order_benefits_take``). A promoter never earns on
  their own orders.
* **Commission** is one row per paid order line: ``apply_rate(line paid amount, rate)``, round half
  up to the fen, on what was actually paid after every discount (not shipping). The rate is the
  product's own, else the programme's default, fixed at placement.
* **Settlement from state** (``commissions_settle``): what a row holds is its amount spread over
  the line's units in proportion to the units' paid amounts (``allocate`` twice, the way refunds
  split money), less the refunded units; its state follows the order (pending → frozen → available
  ``settle_days`` after completion; reversed when nothing is left). It is called wherever the
  order's state changes and by the hourly beat for rows whose window has closed; running it
  twice changes nothing.
* **Withdrawals** lock the promoter row, then read the derived balance (available commission
  less withdrawals requested or paid), then insert: two requests cannot both spend one balance.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.services.events import event_record
from mall.errors import PermissionDenied
from mall.models import Product, Sku
from mall.money import allocate, apply_rate, format_yuan
from mall.services.audit import audit_record
from marketing.errors import (
    AttributionSelf,
    DistributionClosed,
    PromoterAlreadyApproved,
    PromoterApplicationInvalid,
    PromoterDisabled,
    PromoterNotApproved,
    PromoterNotFound,
    PromoterStatusInvalid,
    RulesInvalid,
    WithdrawalBelowMinimum,
    WithdrawalExceedsBalance,
    WithdrawalNotFound,
    WithdrawalReviewInvalid,
    WithdrawalStatusInvalid,
)
from marketing.models import (
    Attribution,
    Commission,
    CommissionStatus,
    DistributionProgram,
    ProductCommission,
    Promoter,
    PromoterStatus,
    Withdrawal,
    WithdrawalStatus,
)
from marketing.selectors.checkout_pricing import CheckoutQuote
from marketing.selectors.distribution import promoter_withdrawable
from marketing.services.coupons import Actor, require_staff
from members.errors import PhoneInvalid
from members.models import Member
from members.services.messages import message_send
from members.services.profile import phone_normalize
from orders.models import Order, OrderLine, OrderStatus

logger = logging.getLogger(__name__)

PAY_PERMISSION = "marketing.pay_withdrawal"
RATE_CEILING = Decimal("0.5")
REAL_NAME_MAX = 30
REASON_MAX = 200
NOTE_MAX = 200
REFERENCE_MAX = 64


def _raise(errors: dict[str, str]) -> None:
    if errors:
        first_key, first = next(iter(errors.items()))
        raise RulesInvalid(first, details={"field": first_key, "errors": errors})


def _staff_user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


# --- the programme and product rates (merchant side) ----------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DistributionProgramData:
    is_active: bool = True
    default_rate: Decimal = Decimal("0.1")
    min_rate: Decimal = Decimal("0.05")
    max_rate: Decimal = Decimal("0.15")
    attribution_days: int = 7
    settle_days: int = 7
    min_withdrawal: int = 1000


def distribution_program_validate(*, data: DistributionProgramData) -> None:
    errors: dict[str, str] = {}
    if not (Decimal(0) <= data.min_rate <= data.max_rate <= RATE_CEILING):
        errors["max_rate"] = _("佣金比例范围须在 0 到 0.5 之间，且最低不高于最高。")
    elif not data.min_rate <= data.default_rate <= data.max_rate:
        errors["default_rate"] = _("默认佣金比例须在最低和最高佣金比例之间。")
    if not 1 <= data.attribution_days <= 365:
        errors["attribution_days"] = _("归属有效期须在 1 到 365 天之间。")
    if not 0 <= data.settle_days <= 365:
        errors["settle_days"] = _("售后期须在 0 到 365 天之间。")
    if data.min_withdrawal < 1:
        errors["min_withdrawal"] = _("最低提现金额至少 0.01 元。")
    _raise(errors)


def _program_snapshot(program: DistributionProgram) -> dict[str, Any]:
    data = {field: getattr(program, field) for field in DistributionProgramData.__dataclass_fields__}
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in data.items()}


@transaction.atomic
def distribution_program_update(*, actor: Actor, data: DistributionProgramData) -> DistributionProgram:
    """Change F06's rules (audited). Commission already created keeps its rate; rows frozen keep
    the unfreeze time they were given at completion."""
    require_staff(actor)
    distribution_program_validate(data=data)
    DistributionProgram.load()
    program = DistributionProgram.objects.select_for_update().get(pk=1)
    before = _program_snapshot(program)
    for key, value in asdict(data).items():
        setattr(program, key, value)
    program.updated_by = _staff_user(actor)
    program.save()
    audit_record(
        actor=actor,
        action="distribution_program.update",
        target=program,
        data={"before": before, "after": _program_snapshot(program)},
    )
    return program


def product_commission_validate(*, rate: Decimal, program: DistributionProgram | None = None) -> None:
    program = program or DistributionProgram.current()
    if not program.min_rate <= rate <= program.max_rate:
        _raise(
            {
                "rate": _("佣金比例须在 %(low)s 到 %(high)s 之间。")
                % {"low": f"{program.min_rate:.1%}", "high": f"{program.max_rate:.1%}"}
            }
        )


@transaction.atomic
def product_commission_set(*, actor: Actor, product_id: int, rate: Decimal | None) -> ProductCommission | None:
    """Set a product's own rate, or with ``None`` let it pay the default again (audited)."""
    require_staff(actor)
    if not Product.objects.filter(pk=product_id).exists():
        _raise({"product": _("商品不存在。")})
    before = ProductCommission.objects.filter(product_id=product_id).values_list("rate", flat=True).first()
    if rate is None:
        ProductCommission.objects.filter(product_id=product_id).delete()
        row = None
    else:
        product_commission_validate(rate=rate)
        row, _created = ProductCommission.objects.update_or_create(product_id=product_id, defaults={"rate": rate})
    audit_record(
        actor=actor,
        action="product_commission.set",
        target_type="mall.product",
        target_id=product_id,
        data={"before": None if before is None else f"{before:.3f}", "after": None if rate is None else f"{rate:.3f}"},
    )
    return row


# --- applications and review ---------------------------------------------------------------------


@transaction.atomic
def promoter_apply(
    *, member: Member, real_name: str, phone: str, reason: str = "", now: datetime | None = None
) -> Promoter:
    """The shopper's application; a pending one is updated, a rejected one is submitted again."""
    now = now or timezone.now()
    if not DistributionProgram.current().is_active:
        raise DistributionClosed()
    real_name, reason = (real_name or "").strip(), (reason or "").strip()
    if not 2 <= len(real_name) <= REAL_NAME_MAX:
        raise PromoterApplicationInvalid(_("请填写 2 到 30 个字的真实姓名。"), details={"field": "real_name"})
    if len(reason) > REASON_MAX:
        raise PromoterApplicationInvalid(_("申请理由最多 200 个字。"), details={"field": "reason"})
    try:
        phone = phone_normalize(phone or "")
    except PhoneInvalid as exc:
        raise PromoterApplicationInvalid(_("请填写正确的手机号。"), details={"field": "phone"}) from exc
    # One shopper's applications queue on their member row (a double tap makes one row).
    Member.objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True).first()
    promoter = Promoter.objects.select_for_update().filter(member_id=member.pk).first()
    fields = {"real_name": real_name, "phone": phone, "reason": reason, "applied_at": now}
    if promoter is None:
        promoter = Promoter.objects.create(member=member, **fields)
    elif promoter.status == PromoterStatus.APPROVED:
        raise PromoterAlreadyApproved()
    elif promoter.status == PromoterStatus.DISABLED:
        raise PromoterDisabled()
    else:
        for key, value in fields.items():
            setattr(promoter, key, value)
        promoter.status = PromoterStatus.APPLIED
        promoter.reviewed_at, promoter.reviewed_by, promoter.review_note = None, None, ""
        promoter.save()
    event_record(name="promoter_applied", member_id=member.pk, props={"promoter_id": promoter.pk})
    return promoter


def _lock_promoter(promoter_id: int) -> Promoter:
    promoter = Promoter.objects.select_for_update().filter(pk=promoter_id).first()
    if promoter is None:
        raise PromoterNotFound(details={"promoter_id": promoter_id})
    return promoter


def _review(
    *,
    actor: Actor,
    promoter_id: int,
    source: tuple[str, ...],
    target: str,
    action: str,
    event: str,
    note: str,
    now: datetime | None,
) -> Promoter:
    require_staff(actor)
    now = now or timezone.now()
    promoter = _lock_promoter(promoter_id)
    if promoter.status not in source:
        raise PromoterStatusInvalid(details={"status": promoter.status})
    before = promoter.status
    promoter.status = target
    promoter.reviewed_at, promoter.reviewed_by = now, _staff_user(actor)
    promoter.review_note = (note or "").strip()[:NOTE_MAX]
    if target == PromoterStatus.APPROVED and promoter.approved_at is None:
        promoter.approved_at = now
    promoter.save()
    audit_record(
        actor=actor,
        action=action,
        target=promoter,
        data={"member_id": promoter.member_id, "before": before, "after": target, "note": promoter.review_note},
    )
    event_record(
        name=event,
        member_id=promoter.member_id,
        props={"promoter_id": promoter.pk, "status": target},
    )
    title, body = _review_message(promoter)
    message_send(member_id=promoter.member_id, kind=event, title=title, body=body)
    return promoter


def _review_message(promoter: Promoter) -> tuple[str, str]:
    """What the shopper is told about the merchant's decision (in-app, and pushed if mapped)."""
    note = promoter.review_note
    if promoter.status == PromoterStatus.APPROVED:
        return str(_("推广员申请已通过")), str(
            _("您的推广码是 %(code)s，分享商品给好友下单即可获得佣金。") % {"code": promoter.code}
        )
    if promoter.status == PromoterStatus.REJECTED:
        return str(_("推广员申请未通过")), str(_("原因：%(note)s。您可以修改资料后重新申请。") % {"note": note})
    return str(_("推广员资格已停用")), str(_("原因：%(note)s。已获得的佣金不受影响。") % {"note": note})


@transaction.atomic
def promoter_approve(*, actor: Actor, promoter_id: int, note: str = "", now: datetime | None = None) -> Promoter:
    """Approve a pending application: the shopper's code starts attributing orders."""
    return _review(
        actor=actor,
        promoter_id=promoter_id,
        source=(PromoterStatus.APPLIED,),
        target=PromoterStatus.APPROVED,
        action="promoter.approve",
        event="promoter_approved",
        note=note,
        now=now,
    )


@transaction.atomic
def promoter_reject(*, actor: Actor, promoter_id: int, note: str, now: datetime | None = None) -> Promoter:
    """Reject a pending application with a reason the shopper sees; they may apply again."""
    if not (note or "").strip():
        raise PromoterApplicationInvalid(_("请填写拒绝原因。"), details={"field": "note"})
    return _review(
        actor=actor,
        promoter_id=promoter_id,
        source=(PromoterStatus.APPLIED,),
        target=PromoterStatus.REJECTED,
        action="promoter.reject",
        event="promoter_rejected",
        note=note,
        now=now,
    )


@transaction.atomic
def promoter_disable(*, actor: Actor, promoter_id: int, note: str, now: datetime | None = None) -> Promoter:
    """Stop an approved promoter: their links attribute nothing more; commission earned stays."""
    if not (note or "").strip():
        raise PromoterApplicationInvalid(_("请填写停用原因。"), details={"field": "note"})
    return _review(
        actor=actor,
        promoter_id=promoter_id,
        source=(PromoterStatus.APPROVED,),
        target=PromoterStatus.DISABLED,
        action="promoter.disable",
        event="promoter_disabled",
        note=note,
        now=now,
    )


@transaction.atomic
def promoter_enable(*, actor: Actor, promoter_id: int, note: str = "", now: datetime | None = None) -> Promoter:
    """Let a disabled promoter earn again."""
    return _review(
        actor=actor,
        promoter_id=promoter_id,
        source=(PromoterStatus.DISABLED,),
        target=PromoterStatus.APPROVED,
        action="promoter.enable",
        event="promoter_enabled",
        note=note,
        now=now,
    )


# --- attribution -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClickResult:
    attribution: Attribution
    expires_at: datetime


@transaction.atomic
def attribution_click(
    *, member: Member, code: str, product_id: int | None = None, now: datetime | None = None
) -> ClickResult:
    """A shopper opened a promoter's link: this promoter now holds the shopper's next orders for
    ``attribution_days`` (until another promoter's link is opened)."""
    now = now or timezone.now()
    program = DistributionProgram.current()
    if not program.is_active:
        raise DistributionClosed()
    promoter = (
        Promoter.objects.select_related("member")
        .filter(code=(code or "").strip().upper()[:16], status=PromoterStatus.APPROVED)
        .first()
    )
    if promoter is None:
        raise PromoterNotFound()
    if promoter.member_id == member.pk:
        raise AttributionSelf()
    if product_id is not None and not Product.objects.filter(pk=product_id).exists():
        product_id = None
    attribution = _attribution_touch(member=member, promoter=promoter, product_id=product_id, now=now)
    event_record(
        name="attribution_clicked",
        member_id=member.pk,
        props={"promoter_id": promoter.pk, "code": promoter.code, "product_id": product_id},
    )
    return ClickResult(attribution=attribution, expires_at=now + timedelta(days=program.attribution_days))


def _attribution_touch(*, member: Member, promoter: Promoter, product_id: int | None, now: datetime) -> Attribution:
    pair = Attribution.objects.filter(member_id=member.pk, promoter_id=promoter.pk)
    changes: dict[str, Any] = {"last_clicked_at": now, "clicks": F("clicks") + 1}
    if product_id is not None:
        changes["product_id"] = product_id
    if not pair.update(**changes):
        try:
            with transaction.atomic():
                return Attribution.objects.create(
                    member=member, promoter=promoter, product_id=product_id, first_clicked_at=now, last_clicked_at=now
                )  # ``promoter`` came with its member (attribution_click)
        except IntegrityError:  # a concurrent first click of the same pair made the row
            pair.update(**changes)
    return pair.select_related("promoter__member").get()


def latest_attribution(*, member_id: int, at: datetime) -> Attribution | None:
    """The buyer's latest click up to ``at`` on an approved promoter other than themself. If it
    falls outside the programme's window, so does every earlier one: the window is checked on
    this row alone (the promoter an order placed at ``at`` belongs to, when it is within it), so
    the programme row is read only for buyers who have such a click.

    Every placement asks, and most buyers have no click: the lookup is written out once (issue
    12: the ORM's join, exclude and ordering compile was ~1 ms of a placement's CPU, a tenth of
    it), and the row with its promoter is loaded only when there is one."""
    with connection.cursor() as cursor:
        cursor.execute(
            _latest_attribution_sql(),
            [member_id, connection.ops.adapt_datetimefield_value(at), PromoterStatus.APPROVED.value, member_id],
        )
        found = cursor.fetchone()
    if found is None:
        return None
    return Attribution.objects.select_related("promoter").filter(pk=found[0]).first()


@cache
def _latest_attribution_sql() -> str:
    quote = connection.ops.quote_name
    clicks, promoters = quote(Attribution._meta.db_table), quote(Promoter._meta.db_table)
    return (
        f"SELECT a.{quote('id')} FROM {clicks} a INNER JOIN {promoters} p ON a.{quote('promoter_id')} = p.{quote('id')}"  # noqa: S608 - names from model metadata, values bound
        f" WHERE a.{quote('member_id')} = %s AND a.{quote('last_clicked_at')} <= %s AND p.{quote('status')} = %s"
        f" AND NOT (p.{quote('member_id')} = %s)"
        f" ORDER BY a.{quote('last_clicked_at')} DESC, a.{quote('id')} DESC LIMIT 1"
    )


# --- commission: created at placement, settled from the order's state ---------------------------------


def commission_take(*, order: Order, quote: CheckoutQuote, now: datetime | None = None) -> list[Commission]:
    """At placement (inside ``order_benefits_take``): one row per paid line for the attributed promoter."""
    now = now or timezone.now()
    latest = latest_attribution(member_id=order.member_id, at=now)
    if latest is None:  # most buyers: no promoter's click, and no need to read the programme (issue 12)
        return []
    program = DistributionProgram.current()
    if not program.is_active or latest.last_clicked_at < now - timedelta(days=program.attribution_days):
        return []
    attribution = latest
    paid_lines = [line for line in quote.lines if not line.is_gift and line.paid_amount > 0]
    skus = {
        pk: (title, rate)
        for pk, title, rate in Sku.objects.filter(pk__in=[line.sku_id for line in paid_lines]).values_list(
            "pk", "product__title", "product__commission__rate"
        )
    }
    rows = []
    for line in paid_lines:
        title, product_rate = skus[line.sku_id]
        rate = program.default_rate if product_rate is None else Decimal(product_rate)
        amount = apply_rate(line.paid_amount, rate)
        if amount <= 0:
            continue
        rows.append(
            Commission(
                promoter=attribution.promoter,
                order=order,
                sku_id=line.sku_id,
                attribution=attribution,
                title=title[:120],
                qty=line.qty,
                base_amount=line.paid_amount,
                rate=rate,
                amount=amount,
                held_amount=amount,
                status=CommissionStatus.PENDING,
            )
        )
    if not rows:
        return []
    created = Commission.objects.bulk_create(rows)
    event_record(
        name="commission_created",
        member_id=attribution.promoter.member_id,
        props={
            "no": order.no,
            "promoter_id": attribution.promoter_id,
            "buyer_id": order.member_id,
            "amount": sum(row.amount for row in rows),
            "lines": [{"sku_id": row.sku_id, "base": row.base_amount, "rate": str(row.rate)} for row in rows],
        },
    )
    return created


def commission_unit_split(*, amount: int, base_amount: int, qty: int) -> list[int]:
    """The row's amount over the line's units, in proportion to what each unit was paid (the
    refunds' per-unit split of the line's paid amount)."""
    if qty <= 0:
        return []
    return allocate(amount, allocate(base_amount, [1] * qty))


def commission_target(
    *, row: Commission, order: Order, line: OrderLine | None, settle_days: int, now: datetime
) -> tuple[str, int, datetime | None]:
    """(status, held amount, unfreeze time) the row should have now, from the order's state."""
    if order.status == OrderStatus.CANCELLED:
        # Unpaid and cancelled, or paid late and never revived (the payment goes back).
        return CommissionStatus.REVERSED, 0, row.available_at
    if order.paid_at is None:
        return CommissionStatus.PENDING, row.amount, None
    refunded = line.refunded_qty if line is not None else 0
    held = sum(commission_unit_split(amount=row.amount, base_amount=row.base_amount, qty=row.qty)[refunded:])
    if held == 0:
        return CommissionStatus.REVERSED, 0, row.available_at
    if order.completed_at is None:
        return CommissionStatus.FROZEN, held, None
    available_at = row.available_at or order.completed_at + timedelta(days=settle_days)
    # Once available it stays so (a later refund only lowers what it holds).
    ready = row.status == CommissionStatus.AVAILABLE or now >= available_at
    return (CommissionStatus.AVAILABLE if ready else CommissionStatus.FROZEN), held, available_at


@transaction.atomic
def commissions_settle(*, order_id: int, now: datetime | None = None) -> int:
    """Move the order's commission rows to what its state says; returns how many rows changed.

    Locks the order row first, then its commission rows (the same order everywhere).
    """
    now = now or timezone.now()
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        return 0
    rows = list(Commission.objects.select_for_update().select_related("promoter").filter(order_id=order_id))
    if not rows:
        return 0
    lines = {line.sku_id: line for line in OrderLine.objects.filter(order_id=order_id, is_gift=False)}
    settle_days = DistributionProgram.current().settle_days
    changed = 0
    for row in sorted(rows, key=lambda r: r.pk):
        line = lines.get(row.sku_id)
        status, held, available_at = commission_target(
            row=row, order=order, line=line, settle_days=settle_days, now=now
        )
        line_id = line.pk if line is not None else row.line_id
        if (row.status, row.held_amount, row.available_at, row.line_id) == (status, held, available_at, line_id):
            continue
        before = (row.status, row.held_amount)
        row.status, row.held_amount, row.available_at, row.line_id = status, held, available_at, line_id
        row.save(update_fields=["status", "held_amount", "available_at", "line", "updated_at"])
        if before != (status, held):
            changed += 1
            event_record(
                name="commission_settled",
                member_id=row.promoter.member_id,
                props={
                    "commission_id": row.pk,
                    "no": order.no,
                    "from": before[0],
                    "to": status,
                    "held_from": before[1],
                    "held_to": held,
                },
            )
    return changed


def commissions_release_due(*, now: datetime | None = None) -> int:
    """Beat: settle every order holding frozen rows whose after-sales window has closed (each in
    its own transaction; idempotent)."""
    now = now or timezone.now()
    order_ids = (
        Commission.objects.filter(status=CommissionStatus.FROZEN, available_at__lte=now)
        .order_by("order_id")
        .values_list("order_id", flat=True)
        .distinct()
    )
    return sum(commissions_settle(order_id=order_id, now=now) for order_id in list(order_ids))


# --- withdrawals ------------------------------------------------------------------------------------


@transaction.atomic
def withdrawal_request(*, member: Member, amount: int, request_key: str | None = None) -> Withdrawal:
    """The promoter asks for ``amount`` fen of their available commission.

    The promoter row is locked before the balance is read, so concurrent requests queue and
    each sees the ones before it: the balance is never overdrawn. A retried request with the
    same key returns the first withdrawal.
    """
    promoter = Promoter.objects.select_for_update().filter(member_id=member.pk).first()
    if promoter is None or promoter.status not in (PromoterStatus.APPROVED, PromoterStatus.DISABLED):
        raise PromoterNotApproved()
    key = (request_key or "").strip()[:64] or None
    if key is not None:
        existing = Withdrawal.objects.filter(promoter=promoter, request_key=key).first()
        if existing is not None:
            return existing
    minimum = DistributionProgram.current().min_withdrawal
    if amount < minimum:
        raise WithdrawalBelowMinimum(
            _("最低提现 %(min)s 元。") % {"min": format_yuan(minimum)}, details={"minimum": minimum}
        )
    available = promoter_withdrawable(promoter_id=promoter.pk)
    if amount > available:
        raise WithdrawalExceedsBalance(details={"available": available, "requested": amount})
    withdrawal = Withdrawal.objects.create(promoter=promoter, amount=amount, request_key=key)
    event_record(
        name="withdrawal_requested",
        member_id=member.pk,
        props={"withdrawal_id": withdrawal.pk, "promoter_id": promoter.pk, "amount": amount},
    )
    return withdrawal


def _lock_withdrawal(*, actor: Actor, withdrawal_id: int) -> Withdrawal:
    if not (isinstance(actor, User) and actor.is_active and actor.is_staff and actor.has_perm(PAY_PERMISSION)):
        raise PermissionDenied()
    withdrawal = Withdrawal.objects.select_for_update().select_related("promoter").filter(pk=withdrawal_id).first()
    if withdrawal is None:
        raise WithdrawalNotFound(details={"withdrawal_id": withdrawal_id})
    if withdrawal.status != WithdrawalStatus.REQUESTED:
        raise WithdrawalStatusInvalid(details={"status": withdrawal.status})
    return withdrawal


@transaction.atomic
def withdrawal_pay(
    *, actor: Actor, withdrawal_id: int, payout_reference: str, note: str = "", now: datetime | None = None
) -> Withdrawal:
    """Finance records the payout made outside (bank or WeChat transfer) with its reference."""
    reference = (payout_reference or "").strip()
    if not reference or len(reference) > REFERENCE_MAX:
        raise WithdrawalReviewInvalid(_("请填写打款凭证号（最多 64 个字符）。"), details={"field": "payout_reference"})
    withdrawal = _lock_withdrawal(actor=actor, withdrawal_id=withdrawal_id)
    withdrawal.status = WithdrawalStatus.PAID
    withdrawal.payout_reference = reference
    withdrawal.note = (note or "").strip()[:NOTE_MAX]
    withdrawal.reviewed_at, withdrawal.reviewed_by = now or timezone.now(), _staff_user(actor)
    withdrawal.save(update_fields=["status", "payout_reference", "note", "reviewed_at", "reviewed_by"])
    audit_record(
        actor=actor,
        action="withdrawal.pay",
        target=withdrawal,
        data={"promoter_id": withdrawal.promoter_id, "amount": withdrawal.amount, "payout_reference": reference},
    )
    event_record(
        name="withdrawal_paid",
        member_id=withdrawal.promoter.member_id,
        props={"withdrawal_id": withdrawal.pk, "amount": withdrawal.amount},
    )
    message_send(
        member_id=withdrawal.promoter.member_id,
        kind="withdrawal_paid",
        title=str(_("佣金提现已打款")),
        body=str(
            _("%(amount)s 元已打款，凭证号 %(ref)s。") % {"amount": format_yuan(withdrawal.amount), "ref": reference}
        ),
    )
    return withdrawal


@transaction.atomic
def withdrawal_reject(*, actor: Actor, withdrawal_id: int, note: str, now: datetime | None = None) -> Withdrawal:
    """Finance refuses a withdrawal with a reason; its amount is available again at once."""
    note = (note or "").strip()
    if not note:
        raise WithdrawalReviewInvalid(_("请填写拒绝原因。"), details={"field": "note"})
    withdrawal = _lock_withdrawal(actor=actor, withdrawal_id=withdrawal_id)
    withdrawal.status = WithdrawalStatus.REJECTED
    withdrawal.note = note[:NOTE_MAX]
    withdrawal.reviewed_at, withdrawal.reviewed_by = now or timezone.now(), _staff_user(actor)
    withdrawal.save(update_fields=["status", "note", "reviewed_at", "reviewed_by"])
    audit_record(
        actor=actor,
        action="withdrawal.reject",
        target=withdrawal,
        data={"promoter_id": withdrawal.promoter_id, "amount": withdrawal.amount, "note": withdrawal.note},
    )
    event_record(
        name="withdrawal_rejected",
        member_id=withdrawal.promoter.member_id,
        props={"withdrawal_id": withdrawal.pk, "amount": withdrawal.amount},
    )
    message_send(
        member_id=withdrawal.promoter.member_id,
        kind="withdrawal_rejected",
        title=str(_("佣金提现未通过")),
        body=str(
            _("%(amount)s 元的提现未通过，原因：%(note)s。金额已退回可提现佣金。")
            % {"amount": format_yuan(withdrawal.amount), "note": withdrawal.note}
        ),
    )
    return withdrawal
