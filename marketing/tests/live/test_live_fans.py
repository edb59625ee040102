"""粉丝专属价 through the real checkout: the signed share link, followers only, our price, the quota,
cancellation giving units back once, and the order counted under the room (Tool.LIVE)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import responses
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.models import OrderTouch, Tool
from marketing.errors import LiveInvalid
from marketing.models import LiveFanPrice, LiveFanPurchase, LiveRoom
from marketing.selectors.live import live_room_report
from marketing.services.live_fans import live_fan_price_save, live_share_token
from marketing.tests.conftest import pay
from marketing.tests.flash import shelf_sku
from marketing.tests.live.helpers import synced_room
from members.models import Member
from members.tests.factories import AddressFactory
from members.tests.fixtures import client_for
from orders.models import Order
from orders.services.orders import order_cancel

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(wechat_api: responses.RequestsMock) -> LiveRoom:
    return synced_room(wechat_api, roomid=700, name="周五上新专场", live_status=101, start=timezone.now())


def _body(sku_id: int, fan_id: int, token: str, *, address_id: int | None = None, qty: int = 1, **extra: Any) -> Any:
    body: dict[str, Any] = {
        "items": [{"sku_id": sku_id, "qty": qty}],
        "deal": {"kind": "live_fan", "ref": fan_id, "params": {"token": token}},
        **extra,
    }
    if address_id is not None:
        body["address_id"] = address_id
    return body


def _follow(client: APIClient, room: LiveRoom) -> None:
    assert client.post(f"/api/v1/live/rooms/{room.pk}/follow").status_code == 200


def test_follower_through_the_share_link_pays_the_fan_price(room: LiveRoom, staff: User, member: Member) -> None:
    sku = shelf_sku(price=9900)
    fan = live_fan_price_save(actor=staff, room_id=room.pk, sku_id=sku.pk, price=6900, quota=5)
    client = client_for(member)
    _follow(client, room)
    token = client.post(f"/api/v1/live/rooms/{room.pk}/share").json()["token"]

    preview = client.post("/api/v1/checkout/preview", _body(sku.pk, fan.pk, token), format="json")
    assert preview.status_code == 200, preview.json()
    [line] = preview.json()["lines"]
    assert line["unit_price"] == 6900
    assert any(a["name"] == "粉丝专属价 · 周五上新专场" for a in preview.json()["applied"])

    address = AddressFactory.create(member=member)
    placed = client.post(
        "/api/v1/orders",
        _body(sku.pk, fan.pk, token, address_id=address.pk, qty=2, src=f"live:{room.pk}"),
        format="json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    assert placed.status_code == 201, placed.json()
    order = Order.objects.get(no=placed.json()["no"])
    assert (order.deal_kind, order.deal_ref, order.src) == ("live_fan", fan.pk, f"live:{room.pk}")
    assert order.goods_amount == 9900 * 2 and order.lines.get().unit_price == 6900
    assert LiveFanPrice.objects.get(pk=fan.pk).sold == 2

    pay(order)
    touch = OrderTouch.objects.get(order=order, tool=Tool.LIVE, refund_key=0)
    assert (touch.object_id, touch.object_name, touch.gmv) == (room.pk, "周五上新专场", order.payable_amount)
    assert touch.discount == (9900 - 6900) * 2
    report = live_room_report(room_id=room.pk)
    assert (report.total.orders, report.total.gmv, [o.pk for o in report.orders]) == (
        1,
        order.payable_amount,
        [order.pk],
    )


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("no_token", 400, "live_share_token_invalid"),
        ("forged", 400, "live_share_token_invalid"),
        ("other_room", 400, "live_share_token_invalid"),
        ("not_following", 409, "live_fan_only"),
        ("too_many", 400, "live_invalid"),
        ("sold_out", 409, "live_fan_price_sold_out"),
        ("switched_off", 404, "live_fan_price_not_found"),
        ("wrong_sku", 404, "live_fan_price_not_found"),
    ],
)
def test_fan_price_refusals(
    wechat_api: responses.RequestsMock, room: LiveRoom, staff: User, member: Member, case: str, status: int, code: str
) -> None:
    sku = shelf_sku(price=9900)
    fan = live_fan_price_save(actor=staff, room_id=room.pk, sku_id=sku.pk, price=6900, quota=1)
    client = client_for(member)
    if case != "not_following":
        _follow(client, room)
    token = live_share_token(room=room)
    sku_id, qty = sku.pk, 1
    if case == "no_token":
        token = ""
    elif case == "forged":
        token = token[:-3] + "abc"
    elif case == "other_room":
        other = synced_room(wechat_api, roomid=701, live_status=101, start=timezone.now())
        token = live_share_token(room=other)
    elif case == "too_many":
        fan.quota = None
        fan.save()
        qty = 6
    elif case == "sold_out":
        LiveFanPrice.objects.filter(pk=fan.pk).update(sold=1)
    elif case == "switched_off":
        live_fan_price_save(actor=staff, room_id=room.pk, sku_id=sku.pk, price=6900, quota=1, is_active=False)
    elif case == "wrong_sku":
        sku_id = shelf_sku(price=9900).pk

    answer = client.post("/api/v1/checkout/preview", _body(sku_id, fan.pk, token, qty=qty), format="json")

    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert answer.json()["message"]


def test_cancelled_order_gives_its_units_back_once(room: LiveRoom, staff: User, member: Member) -> None:
    sku = shelf_sku(price=9900)
    fan = live_fan_price_save(actor=staff, room_id=room.pk, sku_id=sku.pk, price=6900, quota=3)
    client = client_for(member)
    _follow(client, room)
    address = AddressFactory.create(member=member)
    placed = client.post(
        "/api/v1/orders",
        _body(sku.pk, fan.pk, live_share_token(room=room), address_id=address.pk, qty=3),
        format="json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    assert placed.status_code == 201, placed.json()
    order = Order.objects.get(no=placed.json()["no"])
    assert LiveFanPrice.objects.get(pk=fan.pk).sold == 3

    assert order_cancel(order_id=order.pk, reason="test")
    assert not order_cancel(order_id=order.pk, reason="test")
    assert LiveFanPrice.objects.get(pk=fan.pk).sold == 0
    assert LiveFanPurchase.objects.get(order=order).released_at is not None


def test_fan_price_must_be_below_the_shelf_and_quota_never_under_sold(room: LiveRoom, staff: User) -> None:
    sku = shelf_sku(price=9900)
    with pytest.raises(LiveInvalid) as raised:
        live_fan_price_save(actor=staff, room_id=room.pk, sku_id=sku.pk, price=9900, quota=None)
    assert str(raised.value.message) == "粉丝价须低于售价 ¥99.00。"
    fan = live_fan_price_save(actor=staff, room_id=room.pk, sku_id=sku.pk, price=6900, quota=10)
    LiveFanPrice.objects.filter(pk=fan.pk).update(sold=4)
    with pytest.raises(LiveInvalid):
        live_fan_price_save(actor=staff, room_id=room.pk, sku_id=sku.pk, price=6900, quota=3)


def test_an_order_sent_from_the_room_is_the_rooms(room: LiveRoom, member: Member) -> None:
    """Any order with ``src = live:<room>`` (the plugin's custom_params) is attributed to the room."""
    sku = shelf_sku(price=5900)
    address = AddressFactory.create(member=member)
    placed = client_for(member).post(
        "/api/v1/orders",
        {"items": [{"sku_id": sku.pk, "qty": 1}], "address_id": address.pk, "src": f"live:{room.pk}"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    assert placed.status_code == 201, placed.json()
    order = pay(Order.objects.get(no=placed.json()["no"]))
    touch = OrderTouch.objects.get(order=order, tool=Tool.LIVE)
    assert (touch.object_id, touch.object_name) == (room.pk, "周五上新专场")
