"""Shopper after-sales (P04): a request per line and quantity, reviewed by the merchant, refunded
through ``refund_create`` so stock, coupons, points, invite points and commissions reverse exactly
as a console refund does.

States::

    待审核 ─同意→ 已同意 ─退款→ 退款中 → 已退款                    (仅退款)
    待审核 ─同意→ 待退货 ─寄回→ 已寄回 ─确认收货→ 已收货 ─退款→ 退款中 → 已退款   (退货退款)
    待审核 / 已寄回 ─拒绝→ 已拒绝;  待审核 / 待退货 ─撤销→ 已撤销;  待退货 超时 → 已关闭

Every write takes the order's row lock first (as ``refund_create`` does), so the steps of one
order run one at a time and in one lock order. While a request is open its ``open_line`` holds the
line id; the unique index on it refuses a second open request for the line even from two
processes at once, and the quantity check under the line's lock keeps a request within what is
left to refund. The money itself is bounded again by ``refund_create``.

Timeouts (``after_sales_timeouts_due``, run by beat): a request the merchant leaves for 48 hours
is approved; a return not sent within 7 days of approval is closed. Each step re-reads the row
under its lock, so running the sweep twice does nothing twice.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from mall.errors import ApplicationError, PermissionDenied
from mall.money import format_yuan
from mall.services.audit import audit_record
from members.models import Member
from members.services.messages import message_send
from members.services.tiers import green_channel_auto_approves
from orders.errors import (
    AfterSaleKindInvalid,
    AfterSaleLineInvalid,
    AfterSaleNotAllowed,
    AfterSaleNotFound,
    AfterSaleOpenExists,
    AfterSalePhotoInvalid,
    AfterSalePhotosTooMany,
    AfterSaleQtyExceeds,
    AfterSaleRejectReasonRequired,
    AfterSaleReturnInfoRequired,
    AfterSaleStatusInvalid,
    OrderNotFound,
)
from orders.models import (
    AFTER_SALE_FINAL,
    AfterSale,
    AfterSaleKind,
    AfterSalePhoto,
    AfterSaleReason,
    AfterSaleStatus,
    Order,
    OrderLine,
    OrderStatus,
    Refund,
)
from orders.services.refunds import refund_create, refund_line_amount

logger = logging.getLogger(__name__)
Actor = AbstractBaseUser | AnonymousUser | None
S = AfterSaleStatus

HANDLE_PERMISSION = "orders.handle_aftersale"
MESSAGE_KIND = "after_sale"
MAX_PHOTOS = 6
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}

# Which request an order allows in each of its states: refund only until the goods are received,
# return and refund after.
KIND_FOR_ORDER_STATUS = {
    OrderStatus.PAID: AfterSaleKind.REFUND_ONLY,
    OrderStatus.SHIPPED: AfterSaleKind.REFUND_ONLY,
    OrderStatus.DELIVERED: AfterSaleKind.RETURN_REFUND,
    OrderStatus.COMPLETED: AfterSaleKind.RETURN_REFUND,
}


def after_sale_link(no: str) -> str:
    """The mini-program page of a request (messages link to it)."""
    return f"/package-order/after-sale-detail/index?no={no}"


def after_sale_no_new() -> str:
    """``AS`` + local time to the second + 8 random digits (22 characters)."""
    return "AS" + timezone.localtime().strftime("%y%m%d%H%M%S") + f"{secrets.randbelow(10**8):08d}"


def after_sale_line_amount(*, line: OrderLine, qty: int) -> int:
    """What ``qty`` more units of ``line`` refund, the same split ``refund_create`` uses."""
    if line.refunded_qty + qty == line.qty:
        return line.paid_amount - line.refunded_amount
    return refund_line_amount(
        paid_amount=line.paid_amount, qty=line.qty, already_refunded_qty=line.refunded_qty, refund_qty=qty
    )


def _require_staff(actor: Actor) -> None:
    if actor is not None and not (isinstance(actor, User) and actor.has_perm(HANDLE_PERMISSION)):
        raise PermissionDenied()


def _step(after_sale: AfterSale, status: str, note: str = "", *, now: datetime | None = None) -> list[str]:
    """Move to ``status`` and note it in the history; returns the fields to save."""
    now = now or timezone.now()
    after_sale.status = status
    after_sale.status_changed_at = now
    after_sale.history = [*after_sale.history, {"status": status, "at": now.isoformat(), "note": note[:200]}]
    fields = ["status", "status_changed_at", "history"]
    if status in AFTER_SALE_FINAL:
        after_sale.open_line = None
        after_sale.closed_at = now
        fields += ["open_line", "closed_at"]
    return fields


def _tell(after_sale: AfterSale, title: str, body: str = "") -> None:
    message_send(
        member_id=after_sale.member_id,
        kind=MESSAGE_KIND,
        title=title,
        body=body,
        link=after_sale_link(after_sale.no),
    )


def _lock(after_sale_id: int, *, member: Member | None = None) -> tuple[Order, AfterSale]:
    """The order's row lock, then the request's (the order first, as every order write does)."""
    qs = AfterSale.objects.filter(pk=after_sale_id)
    if member is not None:
        qs = qs.filter(member=member)
    order_id = qs.values_list("order_id", flat=True).first()
    if order_id is None:
        raise AfterSaleNotFound(details={"after_sale_id": after_sale_id})
    order = Order.objects.select_for_update().get(pk=order_id)
    after_sale = AfterSale.objects.select_for_update().select_related("line").get(pk=after_sale_id)
    return order, after_sale


# --- photos -------------------------------------------------------------------------------


def after_sale_photo_upload(*, member: Member, upload: UploadedFile) -> AfterSalePhoto:
    """Store one photo through the default storage after checking its size and real format."""
    max_bytes = settings.AFTER_SALES_PHOTO_MAX_BYTES
    if not upload.size or upload.size > max_bytes:
        raise AfterSalePhotoInvalid(details={"size": upload.size, "max_bytes": max_bytes})
    try:
        with Image.open(upload) as image:
            image_format = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise AfterSalePhotoInvalid(details={"reason": "not_an_image"}) from exc
    if image_format not in PHOTO_FORMATS:
        raise AfterSalePhotoInvalid(details={"format": image_format, "allowed": sorted(PHOTO_FORMATS)})
    upload.seek(0)
    # The stored name is ours, never the shopper's file name.
    upload.name = f"{secrets.token_hex(12)}.{PHOTO_FORMATS[image_format]}"
    return AfterSalePhoto.objects.create(member=member, image=upload)


def after_sale_photos_purge(*, older_than: timedelta = timedelta(days=1), now: datetime | None = None) -> int:
    """Delete photos uploaded but never attached to a request (an abandoned form), files included."""
    before = (now or timezone.now()) - older_than
    purged = 0
    for photo in AfterSalePhoto.objects.filter(after_sale__isnull=True, created_at__lt=before).order_by("pk")[:500]:
        photo.image.delete(save=False)
        photo.delete()
        purged += 1
    return purged


# --- the shopper's request ----------------------------------------------------------------


@dataclass(frozen=True)
class AfterSaleLineOption:
    """What the shopper may still ask for on one line (the apply form)."""

    line: OrderLine
    kind: str
    max_qty: int
    open_after_sale_no: str


def after_sale_options_for_order(*, order: Order) -> list[AfterSaleLineOption]:
    """Per line of ``order`` (lines prefetched): the kind allowed, how many units, an open request."""
    kind = KIND_FOR_ORDER_STATUS.get(OrderStatus(order.status)) if not order.ship_hold else None
    open_by_line = dict(AfterSale.objects.filter(order=order, open_line__isnull=False).values_list("line_id", "no"))
    options = []
    for line in order.lines.all():
        remaining = line.qty - line.refunded_qty
        options.append(
            AfterSaleLineOption(
                line=line,
                kind=str(kind) if kind and remaining > 0 else "",
                max_qty=remaining if kind else 0,
                open_after_sale_no=open_by_line.get(line.pk, ""),
            )
        )
    return options


def after_sale_request(
    *,
    member: Member,
    order_id: int,
    line_id: int,
    qty: int,
    kind: str,
    reason: str,
    description: str = "",
    photo_ids: Sequence[int] = (),
) -> AfterSale:
    """The shopper asks for ``qty`` units of one line back (仅退款 or 退货退款)."""
    if reason not in AfterSaleReason.values:
        raise AfterSaleLineInvalid(_("请选择售后原因。"), details={"reason": reason})
    photo_ids = list(photo_ids)
    if len(photo_ids) > MAX_PHOTOS:
        raise AfterSalePhotosTooMany(details={"max": MAX_PHOTOS})
    if len(set(photo_ids)) != len(photo_ids):
        raise AfterSalePhotoInvalid(_("图片重复。"))
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id, member=member).first()
        if order is None:
            raise OrderNotFound(details={"order_id": order_id})
        allowed = KIND_FOR_ORDER_STATUS.get(OrderStatus(order.status))
        if allowed is None or order.ship_hold:
            raise AfterSaleNotAllowed(details={"order_status": order.status})
        if kind != allowed:
            raise AfterSaleKindInvalid(details={"allowed": str(allowed)})
        line = OrderLine.objects.select_for_update().filter(pk=line_id, order=order).first()
        if line is None:
            raise AfterSaleLineInvalid(details={"line_id": line_id})
        remaining = line.qty - line.refunded_qty
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1 or qty > remaining:
            raise AfterSaleQtyExceeds(details={"requested": qty, "refundable_qty": remaining})
        if AfterSale.objects.filter(open_line=line.pk).exists():
            raise AfterSaleOpenExists(details={"line_id": line.pk})
        photos = list(
            AfterSalePhoto.objects.select_for_update().filter(pk__in=photo_ids, member=member, after_sale__isnull=True)
        )
        if len(photos) != len(photo_ids):
            raise AfterSalePhotoInvalid(_("图片不存在或已被使用，请重新上传。"))
        now = timezone.now()
        after_sale = AfterSale(
            no=after_sale_no_new(),
            order=order,
            line=line,
            member=member,
            kind=kind,
            qty=qty,
            amount=after_sale_line_amount(line=line, qty=qty),
            reason=reason,
            description=description.strip()[:300],
            open_line=line.pk,
            status_changed_at=now,
            history=[{"status": S.PENDING, "at": now.isoformat(), "note": ""}],
        )
        try:
            with transaction.atomic():
                after_sale.save()
        except IntegrityError as exc:  # another open request won the unique index
            raise AfterSaleOpenExists(details={"line_id": line.pk}) from exc
        AfterSalePhoto.objects.filter(pk__in=photo_ids).update(after_sale=after_sale)
        _tell(
            after_sale,
            _("售后申请已提交"),
            _("%(title)s × %(qty)d，等待商家审核。") % {"title": line.title, "qty": qty},
        )
        if (
            settings.AFTER_SALES_AUTO_APPROVE_UNSHIPPED
            and order.status == OrderStatus.PAID
            and kind == AfterSaleKind.REFUND_ONLY
        ):
            _approve(order, after_sale, actor=None, note=_("未发货订单自动同意"))
        elif green_channel_auto_approves(tier=member.tier, amount=after_sale.amount):
            # F16 售后绿色通道: the tier's requests up to the merchant's amount are approved at once.
            _approve(order, after_sale, actor=None, note=_("会员售后绿色通道自动同意"))
    return AfterSale.objects.get(pk=after_sale.pk)


def after_sale_cancel(*, member: Member, after_sale_id: int) -> AfterSale:
    """The shopper withdraws a request that is waiting for review or for the return."""
    with transaction.atomic():
        _order, after_sale = _lock(after_sale_id, member=member)
        if after_sale.status == S.CANCELLED:
            return after_sale
        if after_sale.status not in (S.PENDING, S.AWAITING_RETURN):
            raise AfterSaleStatusInvalid(details={"status": after_sale.status})
        after_sale.save(update_fields=_step(after_sale, S.CANCELLED, _("买家撤销")))
        _tell(after_sale, _("售后申请已撤销"))
    return after_sale


def after_sale_return_ship(*, member: Member, after_sale_id: int, carrier: str, tracking_no: str) -> AfterSale:
    """The shopper sent the goods back: the carrier and tracking number the merchant will check."""
    carrier, tracking_no = carrier.strip(), tracking_no.strip()
    if not carrier or not tracking_no:
        raise AfterSaleReturnInfoRequired()
    with transaction.atomic():
        _order, after_sale = _lock(after_sale_id, member=member)
        if after_sale.status != S.AWAITING_RETURN:
            raise AfterSaleStatusInvalid(details={"status": after_sale.status})
        after_sale.return_carrier, after_sale.return_tracking_no = carrier[:30], tracking_no[:64]
        fields = _step(after_sale, S.RETURNED, f"{carrier} {tracking_no}")
        after_sale.save(update_fields=[*fields, "return_carrier", "return_tracking_no"])
        _tell(after_sale, _("退货已寄回"), _("商家收货后将为您退款。"))
    return after_sale


# --- the merchant's review ----------------------------------------------------------------


def _approve(order: Order, after_sale: AfterSale, *, actor: Actor, note: str) -> None:
    """Inside the caller's locks: 同意, then refund at once (仅退款) or wait for the goods."""
    if after_sale.kind == AfterSaleKind.REFUND_ONLY:
        after_sale.save(update_fields=_step(after_sale, S.APPROVED, note))
        audit_record(actor=actor, action="after_sale.approve", target=after_sale, data={"note": note})
        _refund(order, after_sale, actor=actor)
    else:
        after_sale.save(update_fields=_step(after_sale, S.AWAITING_RETURN, note))
        audit_record(actor=actor, action="after_sale.approve", target=after_sale, data={"note": note})
        days = settings.AFTER_SALES_RETURN_DAYS
        _tell(
            after_sale,
            _("售后申请已同意，请寄回商品"),
            _("请在 %(days)d 天内寄回并填写运单号，逾期申请将关闭。") % {"days": days},
        )


def _refund(order: Order, after_sale: AfterSale, *, actor: Actor) -> None:
    """Refund the request's units through the one refund path (its checks, reversals and audit).

    The staff member's decision is audited on the request; the refund itself runs as the
    system, since what it returns is bounded by the request and by what was paid.
    """
    refund = refund_create(
        order_id=order.pk,
        lines=[(after_sale.line_id, after_sale.qty)],
        reason=_("售后 %(no)s") % {"no": after_sale.no},
        actor=None,
    )
    after_sale.refund = refund
    if refund.status == Refund.Status.SUCCEEDED:
        fields = _step(after_sale, S.REFUNDED)
        _tell(after_sale, _("退款成功"), _("%(amount)s 元已原路退回。") % {"amount": format_yuan(refund.amount)})
    elif refund.status == Refund.Status.FAILED:
        back = S.APPROVED if after_sale.kind == AfterSaleKind.REFUND_ONLY else S.RECEIVED
        fields = _step(after_sale, back, _("退款失败，等待商家处理"))
    else:
        fields = _step(after_sale, S.REFUNDING)
        _tell(after_sale, _("退款处理中"), _("%(amount)s 元将原路退回。") % {"amount": format_yuan(refund.amount)})
    after_sale.save(update_fields=[*fields, "refund"])
    audit_record(
        actor=actor,
        action="after_sale.refund",
        target=after_sale,
        data={"refund_id": refund.pk, "amount": refund.amount, "status": refund.status},
    )


def after_sale_approve(*, after_sale_id: int, actor: Actor) -> AfterSale:
    """同意 a pending request (``actor`` None: the 48-hour timeout)."""
    _require_staff(actor)
    with transaction.atomic():
        order, after_sale = _lock(after_sale_id)
        if after_sale.status != S.PENDING:
            raise AfterSaleStatusInvalid(details={"status": after_sale.status})
        _approve(
            order, after_sale, actor=actor, note=_("商家同意") if actor is not None else _("商家超时未处理，自动同意")
        )
    return AfterSale.objects.get(pk=after_sale_id)


def after_sale_reject(*, after_sale_id: int, actor: Actor, reason: str) -> AfterSale:
    """拒绝 a pending request, or a return that came back not as described; the reason is shown."""
    _require_staff(actor)
    reason = reason.strip()
    if not reason:
        raise AfterSaleRejectReasonRequired()
    with transaction.atomic():
        _order, after_sale = _lock(after_sale_id)
        if after_sale.status not in (S.PENDING, S.RETURNED):
            raise AfterSaleStatusInvalid(details={"status": after_sale.status})
        after_sale.reject_reason = reason[:200]
        after_sale.save(update_fields=[*_step(after_sale, S.REJECTED, reason), "reject_reason"])
        audit_record(actor=actor, action="after_sale.reject", target=after_sale, data={"reason": reason[:200]})
        _tell(after_sale, _("售后申请被拒绝"), reason)
    return after_sale


def after_sale_confirm_receipt(*, after_sale_id: int, actor: Actor) -> AfterSale:
    """The returned goods arrived: 已收货, then refund."""
    _require_staff(actor)
    with transaction.atomic():
        order, after_sale = _lock(after_sale_id)
        if after_sale.status != S.RETURNED:
            raise AfterSaleStatusInvalid(details={"status": after_sale.status})
        after_sale.save(update_fields=_step(after_sale, S.RECEIVED, _("商家已收到退货")))
        audit_record(actor=actor, action="after_sale.confirm_receipt", target=after_sale)
        _tell(after_sale, _("商家已收到退货"))
        _refund(order, after_sale, actor=actor)
    return AfterSale.objects.get(pk=after_sale_id)


def after_sale_refund_retry(*, after_sale_id: int, actor: Actor) -> AfterSale:
    """Refund again a request whose refund the provider refused (it waits in 已同意 / 已收货)."""
    _require_staff(actor)
    with transaction.atomic():
        order, after_sale = _lock(after_sale_id)
        ready = S.APPROVED if after_sale.kind == AfterSaleKind.REFUND_ONLY else S.RECEIVED
        if after_sale.status != ready:
            raise AfterSaleStatusInvalid(details={"status": after_sale.status})
        _refund(order, after_sale, actor=actor)
    return AfterSale.objects.get(pk=after_sale_id)


def after_sale_refund_settled(*, refund_id: int, succeeded: bool) -> None:
    """Called by the refund services when a refund settles; moves its request on (or back).

    Runs inside the refund's transaction, which already holds the order's lock.
    """
    after_sale = AfterSale.objects.select_for_update().filter(refund_id=refund_id, status=S.REFUNDING).first()
    if after_sale is None:  # not an after-sales refund, or settled before it was linked
        return
    if succeeded:
        after_sale.save(update_fields=_step(after_sale, S.REFUNDED))
        amount = Refund.objects.values_list("amount", flat=True).get(pk=refund_id)
        _tell(after_sale, _("退款成功"), _("%(amount)s 元已原路退回。") % {"amount": format_yuan(amount)})
    else:
        back = S.APPROVED if after_sale.kind == AfterSaleKind.REFUND_ONLY else S.RECEIVED
        after_sale.save(update_fields=_step(after_sale, back, _("退款失败，等待商家处理")))


# --- timeouts -----------------------------------------------------------------------------


def after_sale_timeout(*, after_sale_id: int, now: datetime | None = None) -> bool:
    """Apply the timeout due on one request, if it still is; True when something changed."""
    now = now or timezone.now()
    review_before = now - timedelta(hours=settings.AFTER_SALES_REVIEW_HOURS)
    return_before = now - timedelta(days=settings.AFTER_SALES_RETURN_DAYS)
    with transaction.atomic():
        try:
            order, after_sale = _lock(after_sale_id)
        except AfterSaleNotFound:
            return False
        if after_sale.status == S.PENDING and after_sale.status_changed_at <= review_before:
            _approve(order, after_sale, actor=None, note=_("商家超时未处理，自动同意"))
            return True
        if after_sale.status == S.AWAITING_RETURN and after_sale.status_changed_at <= return_before:
            after_sale.save(update_fields=_step(after_sale, S.CLOSED, _("超时未寄回，申请关闭"), now=now))
            audit_record(actor=None, action="after_sale.close", target=after_sale, data={"reason": "return_timeout"})
            _tell(after_sale, _("售后申请已关闭"), _("未在规定时间内寄回商品。"))
            return True
    return False


def after_sales_timeouts_due(*, now: datetime | None = None) -> int:
    """Every request whose review or return window has passed; returns how many moved."""
    now = now or timezone.now()
    review_before = now - timedelta(hours=settings.AFTER_SALES_REVIEW_HOURS)
    return_before = now - timedelta(days=settings.AFTER_SALES_RETURN_DAYS)
    due = list(
        AfterSale.objects.filter(status=S.PENDING, status_changed_at__lte=review_before).values_list("pk", flat=True)
    ) + list(
        AfterSale.objects.filter(status=S.AWAITING_RETURN, status_changed_at__lte=return_before).values_list(
            "pk", flat=True
        )
    )
    moved = 0
    for after_sale_id in sorted(due):
        try:
            moved += after_sale_timeout(after_sale_id=after_sale_id, now=now)
        except ApplicationError as exc:  # e.g. staff refunded the units from the console meanwhile
            logger.warning("after-sale %s timeout refused: %s", after_sale_id, exc.code)
    return moved
