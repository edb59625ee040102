"""粉丝专属价 (F24): a live room's price per SKU, only through the room's share link, only for followers.

The share link carries a token signed by the server (``django.core.signing``, salt
``live-share``, valid ``SHARE_TOKEN_DAYS``) naming the room; the mini-program keeps it from the
page query and sends it with the order as the deal's ``params.token``. The deal handler
(``kind = live_fan``, ``ref`` = the fan price's id) checks, at preview and again at placement,
that the token is genuine and names this price's room, that the shopper follows the room, and
that the quota has room; the price comes from our row, never from the client.

Quota (optional). ``sold`` grows only through ``UPDATE … SET sold = sold + n WHERE quota IS NULL
OR sold + n <= quota`` (and a CHECK ``sold <= quota``), the last step of the order's placement;
a cancelled or expired order gives its units back once (``LiveFanPurchase.released_at`` claimed
by a conditional UPDATE under the order's lock).
"""

from __future__ import annotations

from datetime import datetime

from django.core import signing
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.services.events import event_record
from mall.models import Sku
from mall.money import format_yuan
from mall.services.audit import audit_record
from marketing.errors import (
    DealUnavailable,
    LiveFanOnly,
    LiveFanPriceNotFound,
    LiveFanPriceSoldOut,
    LiveInvalid,
    LiveRoomNotFound,
    LiveShareTokenInvalid,
)
from marketing.models import LiveFanPrice, LiveFanPurchase, LiveFollow, LiveRoom
from marketing.models.live import LiveRoomStatus
from marketing.pricing import FanPrice
from marketing.services.coupons import Actor, require_staff
from marketing.services.deals import DealHandler, DealPricing, DealRequest, deal_handler
from members.models import Member
from orders.models import Order

DEAL_KIND = "live_fan"
SHARE_SALT = "live-share"
SHARE_TOKEN_DAYS = 7
SHARE_PAGE = "/package-live/room/index"
MAX_QTY_PER_ORDER = 5


# --- the share link ------------------------------------------------------------------------------


def live_share_token(*, room: LiveRoom) -> str:
    """A signed, timestamped token naming the room (the share link's ``share`` parameter)."""
    return signing.dumps({"r": room.pk}, salt=SHARE_SALT, compress=True)


def live_share_path(*, room: LiveRoom) -> str:
    return f"{SHARE_PAGE}?room_id={room.pk}&share={live_share_token(room=room)}"


def live_share_room_id(token: str) -> int:
    """The room a share token names; ``live_share_token_invalid`` when forged, garbled or expired."""
    try:
        payload = signing.loads(token or "", salt=SHARE_SALT, max_age=SHARE_TOKEN_DAYS * 86400)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise LiveShareTokenInvalid() from exc
    room_id = payload.get("r") if isinstance(payload, dict) else None
    if not isinstance(room_id, int):
        raise LiveShareTokenInvalid()
    return room_id


def live_share_valid_for(*, token: str | None, room_id: int) -> bool:
    if not token:
        return False
    try:
        return live_share_room_id(token) == room_id
    except LiveShareTokenInvalid:
        return False


# --- merchant: fan prices -------------------------------------------------------------------------


FAN_FIELDS = ("sku_id", "price", "quota", "is_active")


@transaction.atomic
def live_fan_price_save(
    *, actor: Actor, room_id: int, sku_id: int, price: int, quota: int | None, is_active: bool = True
) -> LiveFanPrice:
    """Set (or change) the room's fan price for a SKU; below the shelf price, quota never under sold."""
    require_staff(actor)
    room = LiveRoom.objects.filter(pk=room_id).first()
    if room is None:
        raise LiveRoomNotFound(details={"room_id": room_id})
    sku = Sku.objects.select_related("product").filter(pk=sku_id).first()
    if sku is None:
        raise LiveInvalid(_("SKU 不存在。"), details={"field": "sku"})
    if not 1 <= price < sku.price:
        raise LiveInvalid(
            _("粉丝价须低于售价 ¥%(price)s。") % {"price": format_yuan(sku.price)}, details={"field": "price"}
        )
    fan = LiveFanPrice.objects.select_for_update().filter(room=room, sku=sku).first()
    before = {field: getattr(fan, field) for field in FAN_FIELDS} if fan else None
    if fan is not None and quota is not None and quota < fan.sold:
        raise LiveInvalid(_("限量不能少于已售的 %(n)d 件。") % {"n": fan.sold}, details={"field": "quota"})
    if fan is None:
        fan = LiveFanPrice(room=room, sku=sku)
    fan.price, fan.quota, fan.is_active = price, quota, is_active
    fan.save()
    audit_record(
        actor=actor,
        action="live.fan_price_save",
        target=room,
        data={"before": before, "after": {field: getattr(fan, field) for field in FAN_FIELDS}},
    )
    return fan


# --- the deal ------------------------------------------------------------------------------------


def _fan_price(ref: int) -> LiveFanPrice:
    fan = LiveFanPrice.objects.select_related("room", "sku").filter(pk=ref, is_active=True).first()
    if fan is None or not fan.room.shown or fan.room.status == LiveRoomStatus.ENDED:
        raise LiveFanPriceNotFound(details={"fan_price_id": ref})
    return fan


def fan_price_rule_id(room_id: int) -> str:
    """The engine rule's id; analytics reads ``live:<room id>`` as the room (Tool.LIVE)."""
    return f"live:{room_id}"


def live_fan_check(*, fan: LiveFanPrice, member: Member, token: str | None, qty: int) -> None:
    """The price is open to this shopper through this link for ``qty`` units, or a clear refusal."""
    if not live_share_valid_for(token=token, room_id=fan.room_id):
        raise LiveShareTokenInvalid(details={"room_id": fan.room_id})
    if not LiveFollow.objects.filter(room_id=fan.room_id, member_id=member.pk).exists():
        raise LiveFanOnly(details={"room_id": fan.room_id})
    if qty > MAX_QTY_PER_ORDER:
        raise LiveInvalid(
            _("粉丝专属价每单最多 %(n)d 件。") % {"n": MAX_QTY_PER_ORDER}, details={"max_qty": MAX_QTY_PER_ORDER}
        )
    if fan.quota is not None and fan.sold + qty > fan.quota:
        raise LiveFanPriceSoldOut(details={"left": fan.left})


def _take(fan_id: int, qty: int) -> bool:
    return bool(
        LiveFanPrice.objects.filter(pk=fan_id, is_active=True)
        .filter(Q(quota__isnull=True) | Q(sold__lte=F("quota") - qty))
        .update(sold=F("sold") + qty)
    )


@deal_handler
class LiveFanDeal(DealHandler):
    """粉丝专属价 (``deal.ref`` = LiveFanPrice id, ``deal.params.token`` = the share token)."""

    kind = DEAL_KIND

    def specs(self, *, deal: DealRequest, member: Member, sku: Sku, qty: int, at: datetime) -> DealPricing:
        fan = _fan_price(deal.ref)
        if sku.pk != fan.sku_id:
            raise LiveFanPriceNotFound(_("该商品没有这个粉丝专属价。"), details={"sku_id": sku.pk})
        live_fan_check(fan=fan, member=member, token=str(deal.params.get("token") or ""), qty=qty)
        spec = FanPrice(id=fan_price_rule_id(fan.room_id), sku=sku.code, price=fan.price)
        name = _("粉丝专属价 · %(room)s") % {"room": fan.room.name}
        return DealPricing(specs=(spec,), names={spec.id: name})

    def take(self, *, deal: DealRequest, order: Order, sku: Sku, qty: int) -> int:
        fan = _fan_price(deal.ref)
        if not _take(fan.pk, qty):
            raise LiveFanPriceSoldOut(details={"fan_price_id": fan.pk})
        LiveFanPurchase.objects.create(fan_price=fan, order=order, qty=qty)
        event_record(
            name="live_fan_ordered",
            member_id=order.member_id,
            props={"room_id": fan.room_id, "fan_price_id": fan.pk, "order_no": order.no, "qty": qty},
        )
        return fan.pk

    def release(self, *, order: Order) -> None:
        purchase = LiveFanPurchase.objects.filter(order=order, released_at__isnull=True).first()
        if purchase is None:
            return
        if LiveFanPurchase.objects.filter(pk=purchase.pk, released_at__isnull=True).update(released_at=timezone.now()):
            LiveFanPrice.objects.filter(pk=purchase.fan_price_id, sold__gte=purchase.qty).update(
                sold=F("sold") - purchase.qty
            )

    def retake(self, *, order: Order) -> None:
        """A late payment revives a cancelled order: its units again, or a refund (``deal_unavailable``)."""
        purchase = LiveFanPurchase.objects.filter(order=order, released_at__isnull=False).first()
        if purchase is None:
            return
        if not _take(purchase.fan_price_id, purchase.qty):
            raise DealUnavailable(details={"fan_price_id": purchase.fan_price_id})
        LiveFanPurchase.objects.filter(pk=purchase.pk).update(released_at=None)
