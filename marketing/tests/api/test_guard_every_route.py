"""Every route that can take something scarce answers the guard the same way (F45).

The routes are read from the URL conf: any API view whose write method calls a service that
takes a flash or release unit, a group seat, a bargain, stepped-price units or a coupon must
have a row in ``CASES`` (a new route without one fails ``test_every_scarce_route_is_in_the_table``),
and those services must ask the guard themselves. Then, for each row: a blocked shopper, a
blocked IP address (a network), a blocked device and a shopper over the action's rate are
refused with one code each, nothing scarce is taken, and when the merchant asks for the
slider "always" it is demanded (and a solved pass lets the request through).
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db.models import Sum
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from mall.api.throttling import FixedWindowRateThrottle
from mall.models import Sku
from marketing.models import (
    Bargain,
    BargainHelp,
    Coupon,
    FlashItem,
    FlashPurchase,
    FlashSlotKind,
    GroupBuyGroup,
    LiveLotteryEntry,
    StepCounter,
    WheelDraw,
)
from marketing.services.bargains import bargain_start
from marketing.services.coupons import coupon_claim
from marketing.tests.conftest import pay
from marketing.tests.flash import first_item, make_slot, shelf_sku
from marketing.tests.live.helpers import open_lottery
from marketing.tests.wheel.helpers import live_wheel, paid_order, staff_user
from members.models import BlockKind, CheckInRule, Member, PointsEntry, PointsMallItem, TierRule
from members.services.abuse import GuardSettingsData, block_entry_create, guard_settings_update
from members.services.points import points_grant
from members.services.tiers import tier_rules
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT, client_for
from members.tests.services.test_captcha import solve
from orders.models import Order

pytestmark = pytest.mark.django_db

# The services that take something scarce; each asks the guard (abuse_check) itself, or
# through order placement, which does.
SCARCE_SERVICES = {
    "order_place",
    "order_place_or_replay",
    "flash_purchase",
    "coupon_claim",
    "bargain_start",
    "bargain_help",
    "points_mall_redeem",
    "tier_buy_with_points",
    "checkin_do",
    "checkin_makeup",
    "wheel_draw",
    "live_lottery_enter",
}
GUARD_CALLS = {"abuse_check", "order_place_or_replay"}
WRITE_METHODS = ("post", "put", "patch", "delete")


@dataclass(frozen=True)
class Request:
    url: str
    body: dict[str, Any] | None = None


@dataclass(frozen=True)
class Case:
    """One way to take something scarce: the URL pattern's name, the guard's action and how
    to build the shop for it (``build(member, fixtures)`` → the request that takes it)."""

    route: str
    action: str
    build: Callable[[Member, Any], Request]


def _order(member: Member, sku_id: int, *, deal: dict[str, Any] | None = None, coupons: Any = ()) -> Request:
    address = AddressFactory.create(member=member)
    body: dict[str, Any] = {"items": [{"sku_id": sku_id, "qty": 1}], "address_id": address.pk}
    if deal is not None:
        body["deal"] = deal
    if coupons:
        body["coupon_ids"] = list(coupons)
    return Request("/api/v1/orders", body)


def _flash_item(kind: str = FlashSlotKind.SLOT) -> FlashItem:
    return first_item(make_slot(items=[(shelf_sku(), 5)], kind=kind, minutes=600))


def _flash_route(member: Member, shop: Any) -> Request:
    item = _flash_item()
    address = AddressFactory.create(member=member)
    return Request(f"/api/v1/flash/items/{item.pk}/purchase", {"address_id": address.pk})


def _flash_order(member: Member, shop: Any) -> Request:
    item = _flash_item()
    return _order(member, item.sku_id, deal={"kind": "flash", "ref": item.pk})


def _release_order(member: Member, shop: Any) -> Request:
    item = _flash_item(FlashSlotKind.RELEASE)
    return _order(member, item.sku_id, deal={"kind": "flash", "ref": item.pk})


def _group_open(member: Member, shop: Any) -> Request:
    campaign = shop.make_group_campaign(shop.cream)
    return _order(member, shop.cream.pk, deal={"kind": "group", "ref": campaign.pk})


def _group_join(member: Member, shop: Any) -> Request:
    campaign = shop.make_group_campaign(shop.cream)
    leader = MemberFactory.create()
    opened = _order(leader, shop.cream.pk, deal={"kind": "group", "ref": campaign.pk})
    response = client_for(leader).post(opened.url, opened.body, format="json", HTTP_IDEMPOTENCY_KEY="lead")
    assert response.status_code == 201, response.json()
    pay(Order.objects.get(no=response.json()["no"]))  # the group opens when its leader has paid
    token = GroupBuyGroup.objects.get(campaign=campaign).share_token
    return _order(member, shop.cream.pk, deal={"kind": "group", "ref": campaign.pk, "params": {"share_token": token}})


def _bargain_buy(member: Member, shop: Any) -> Request:
    campaign = shop.make_bargain_campaign(shop.cream)
    bargain = bargain_start(member=member, campaign_id=campaign.pk, context=SHOPPER_CONTEXT).bargain
    return _order(member, shop.cream.pk, deal={"kind": "bargain", "ref": bargain.pk})


def _bargain_start(member: Member, shop: Any) -> Request:
    campaign = shop.make_bargain_campaign(shop.cream)
    return Request(f"/api/v1/bargains/campaigns/{campaign.pk}/start")


def _bargain_help(member: Member, shop: Any) -> Request:
    campaign = shop.make_bargain_campaign(shop.cream)
    bargain = bargain_start(member=MemberFactory.create(), campaign_id=campaign.pk, context=SHOPPER_CONTEXT).bargain
    return Request(f"/api/v1/bargains/share/{bargain.share_token}/help")


def _stepped_order(member: Member, shop: Any) -> Request:
    shop.make_promotion(
        type="stepped_price", name="新品阶梯价", rules={"sku": "LIP-01", "steps": [{"upto": 100, "rate": "0.5"}]}
    )
    return _order(member, shop.lipstick.pk)


def _coupon_order(member: Member, shop: Any) -> Request:
    coupon = coupon_claim(member=member, template_id=shop.make_template().pk, context=SHOPPER_CONTEXT)
    return _order(member, shop.lipstick.pk, coupons=[coupon.pk])


def _coupon_claim(member: Member, shop: Any) -> Request:
    return Request("/api/v1/coupons/claim", {"template_id": shop.make_template().pk})


def _points_mall_redeem(member: Member, shop: Any) -> Request:
    points_grant(member_id=member.pk, delta=5000, reason=PointsEntry.Reason.GRANT, ref=uuid.uuid4().hex)
    template = shop.make_template(channel="system", per_user_limit=50)
    item = PointsMallItem.objects.create(
        name="积分券", points=100, coupon_template=template, stock=50, per_member_limit=50
    )
    return Request(f"/api/v1/points-mall/items/{item.pk}/redeem", {"ref": uuid.uuid4().hex})


def _points_mall_order(member: Member, shop: Any) -> Request:
    points_grant(member_id=member.pk, delta=5000, reason=PointsEntry.Reason.GRANT, ref=uuid.uuid4().hex)
    item = PointsMallItem.objects.create(
        name="积分换面霜", kind="goods", sku=shop.cream, points=100, cash=100, stock=50, per_member_limit=50
    )
    return _order(member, shop.cream.pk, deal={"kind": "points_mall", "ref": item.pk})


def _tier_buy(member: Member, shop: Any) -> Request:
    points_grant(member_id=member.pk, delta=5000, reason=PointsEntry.Reason.GRANT, ref=uuid.uuid4().hex)
    tier_rules()
    TierRule.objects.filter(tier="silver").update(points_price=1000)
    return Request("/api/v1/me/tier/buy", {"ref": uuid.uuid4().hex})


def _checkin(member: Member, shop: Any) -> Request:
    return Request("/api/v1/me/checkin")


def _checkin_makeup(member: Member, shop: Any) -> Request:
    points_grant(member_id=member.pk, delta=5000, reason=PointsEntry.Reason.GRANT, ref=uuid.uuid4().hex)
    CheckInRule.objects.update_or_create(pk=1, defaults={"makeup_days": 3, "makeup_cost": 20})
    return Request("/api/v1/me/checkin/makeup", {"day": (timezone.localdate() - timedelta(days=1)).isoformat()})


def _wheel_draw(member: Member, shop: Any) -> Request:
    live_wheel(staff_user())
    paid_order(member, 9900)
    return Request("/api/v1/wheel/draw")


def _live_lottery_enter(member: Member, shop: Any) -> Request:
    lottery = open_lottery()
    return Request(f"/api/v1/live/lotteries/{lottery.pk}/entries", {"keyword": lottery.keyword})


CASES = [
    Case("flash-purchase", "purchase", _flash_route),
    Case("orders", "purchase", _flash_order),
    Case("orders", "purchase", _release_order),
    Case("orders", "group", _group_open),
    Case("orders", "group", _group_join),
    Case("orders", "purchase", _bargain_buy),
    Case("orders", "order", _stepped_order),
    Case("orders", "order", _coupon_order),
    Case("coupon-claim", "claim", _coupon_claim),
    Case("bargain-start", "bargain", _bargain_start),
    Case("bargain-help", "help", _bargain_help),
    Case("points-mall-redeem", "claim", _points_mall_redeem),
    Case("orders", "purchase", _points_mall_order),
    Case("me-tier-buy", "claim", _tier_buy),
    Case("me-checkin", "claim", _checkin),
    Case("me-checkin-makeup", "claim", _checkin_makeup),
    Case("wheel-draw", "wheel", _wheel_draw),
    Case("live-lottery-entries", "live_lottery", _live_lottery_enter),
]
IDS = [f"{case.route}:{case.build.__name__.strip('_')}" for case in CASES]


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name or "", getattr(entry.callback, "view_class", None)


def _names_called(function: Any) -> set[str]:
    return set(inspect.unwrap(function).__code__.co_names)


def scarce_routes() -> dict[str, str]:
    """URL pattern name → path of every API view whose write methods call a scarce service."""
    found = {}
    for path, name, view_class in _walk(get_resolver().url_patterns):
        if not path.startswith("api/v1/") or view_class is None:
            continue
        for method in WRITE_METHODS:
            handler = getattr(view_class, method, None)
            if handler is not None and _names_called(handler) & SCARCE_SERVICES:
                found[name] = path
    return found


def test_every_scarce_route_is_in_the_table() -> None:
    routes = scarce_routes()
    assert set(routes) == {case.route for case in CASES}, routes
    assert len(routes) >= 5


def test_every_scarce_service_asks_the_guard_itself() -> None:
    from marketing.services import bargains, coupons, flash_purchase, live_lottery, wheel
    from members.services import checkin, points_mall, tiers
    from orders.services import orders

    services: dict[str, Callable[..., Any]] = {
        "order_place": orders.order_place,
        "order_place_or_replay": orders.order_place_or_replay,
        "flash_purchase": flash_purchase.flash_purchase,
        "coupon_claim": coupons.coupon_claim,
        "bargain_start": bargains.bargain_start,
        "bargain_help": bargains.bargain_help,
        "points_mall_redeem": points_mall.points_mall_redeem,
        "tier_buy_with_points": tiers.tier_buy_with_points,
        "checkin_do": checkin.checkin_do,
        "checkin_makeup": checkin.checkin_makeup,
        "wheel_draw": wheel.wheel_draw,
        "live_lottery_enter": live_lottery.live_lottery_enter,
    }
    assert set(services) == SCARCE_SERVICES
    for name, service in services.items():
        assert _names_called(service) & GUARD_CALLS, name
        assert inspect.signature(inspect.unwrap(service)).parameters["context"].default is inspect.Parameter.empty


# --- the shop each case is built in ----------------------------------------------------------


@dataclass
class Shop:
    cream: Sku
    lipstick: Sku
    make_group_campaign: Callable[..., Any]
    make_bargain_campaign: Callable[..., Any]
    make_promotion: Callable[..., Any]
    make_template: Callable[..., Any]


@pytest.fixture
def shop_for_cases(
    shop: Any,
    cream: Sku,
    lipstick: Sku,
    make_group_campaign: Callable[..., Any],
    make_bargain_campaign: Callable[..., Any],
    make_promotion: Callable[..., Any],
    make_template: Callable[..., Any],
) -> Shop:
    return Shop(cream, lipstick, make_group_campaign, make_bargain_campaign, make_promotion, make_template)


def taken() -> tuple[Any, ...]:
    """Everything scarce the shop holds, in one tuple: a refusal must leave it as it was."""
    return (
        Order.objects.count(),
        Coupon.objects.count(),
        Bargain.objects.count(),
        BargainHelp.objects.count(),
        FlashPurchase.objects.count(),
        FlashItem.objects.aggregate(n=Sum("locked"))["n"],
        StepCounter.objects.aggregate(n=Sum("sold"))["n"],
        GroupBuyGroup.objects.count(),
        PointsEntry.objects.count(),
        WheelDraw.objects.count(),
        LiveLotteryEntry.objects.count(),
    )


def _send(client: APIClient, request: Request, **headers: Any) -> Any:
    return client.post(request.url, request.body or {}, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex, **headers)


@pytest.fixture
def guard(staff: User) -> Callable[..., None]:
    def set_to(**fields: Any) -> None:
        guard_settings_update(actor=staff, data=GuardSettingsData(**fields))

    return set_to


OFF = {f"{a}_captcha": "off" for a in ("purchase", "claim", "reserve", "help", "order", "other")}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_blocked_shopper_is_refused(case: Case, member: Member, shop_for_cases: Shop, guard: Any) -> None:
    guard(**OFF)
    request = case.build(member, shop_for_cases)
    client = client_for(member)
    Member.objects.filter(pk=member.pk).update(is_blocked=True)
    before = taken()
    refused = _send(client, request)
    assert (refused.status_code, refused.json()["code"]) == (401, "authentication_failed")
    assert refused.json()["message"] == "账号已被封禁。"
    assert taken() == before


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize(
    ("kind", "value", "headers"),
    [
        (BlockKind.IP, "10.77.0.0/24", {"REMOTE_ADDR": "10.77.0.9"}),
        (BlockKind.IP, "203.0.113.5", {"REMOTE_ADDR": "203.0.113.5"}),
        (BlockKind.DEVICE, "bot-device-1", {"HTTP_X_DEVICE_ID": "bot-device-1"}),
    ],
    ids=["network", "address", "device"],
)
def test_a_blocked_address_network_or_device_is_refused(
    case: Case,
    kind: str,
    value: str,
    headers: dict[str, str],
    member: Member,
    staff: User,
    shop_for_cases: Shop,
    guard: Any,
) -> None:
    guard(**OFF)
    request = case.build(member, shop_for_cases)
    block_entry_create(actor=staff, kind=kind, value=value)
    before = taken()
    refused = _send(client_for(member), request, **headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "access_blocked"), refused.json()
    assert taken() == before
    placed = _send(client_for(member), request, REMOTE_ADDR="10.78.0.1", HTTP_X_DEVICE_ID="phone-ok")
    assert placed.status_code == 201, placed.json()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_shopper_over_the_actions_rate_is_refused(
    case: Case, member: Member, shop_for_cases: Shop, guard: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    guard(**OFF)
    with time_machine.travel(timezone.now().replace(second=1, microsecond=0), tick=False):  # one window
        request = case.build(member, shop_for_cases)
        rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], f"{case.action}.shopper": "1/min"}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}  # the guard's
        monkeypatch.setattr(FixedWindowRateThrottle, "THROTTLE_RATES", rates)  # and the views' own throttles
        client = client_for(member)
        first = _send(client, request)
        assert first.status_code == 201, first.json()
        before = taken()
        refused = _send(client, request)
    assert (refused.status_code, refused.json()["code"]) == (429, "rate_limited"), refused.json()
    assert refused.json()["details"]["action"] == case.action
    assert 0 < refused.json()["details"]["retry_after"] <= 60
    assert taken() == before


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_slider_is_demanded_when_the_merchant_says_always(
    case: Case, member: Member, shop_for_cases: Shop, guard: Any
) -> None:
    guard(**OFF)
    request = case.build(member, shop_for_cases)
    guard(**{name: "always" for name in OFF})
    client = client_for(member)
    before = taken()
    required = _send(client, request)
    assert (required.status_code, required.json()["code"]) == (403, "captcha_required"), required.json()
    assert required.json()["details"] == {"action": case.action}
    assert taken() == before
    placed = _send(client, request, HTTP_X_CAPTCHA_PASS=solve(member, case.action))
    assert placed.status_code == 201, placed.json()
    assert taken() != before


def test_a_service_called_without_a_view_still_asks_the_guard(
    member: Member, staff: User, shop_for_cases: Shop
) -> None:
    """The guard is in the services: a caller that skips the API (a task, a console view, a
    new route) gets the same refusal for the same context."""
    from marketing.services.deals import DealRequest
    from marketing.services.flash_purchase import flash_purchase
    from members.errors import AccessBlocked
    from members.services.abuse import RequestContext
    from orders.services.orders import order_place

    item = _flash_item()
    address = AddressFactory.create(member=member)
    template = shop_for_cases.make_template()
    block_entry_create(actor=staff, kind=BlockKind.DEVICE, value="bot-device-2")
    blocked = RequestContext(ip="10.1.2.3", device_id="bot-device-2")
    before = taken()
    with pytest.raises(AccessBlocked):
        flash_purchase(
            member=member, item_id=item.pk, qty=1, address_id=address.pk, idempotency_key="a", context=blocked
        )
    with pytest.raises(AccessBlocked):
        order_place(
            member=member,
            items=[(item.sku_id, 1)],
            address_id=address.pk,
            idempotency_key="b",
            deal=DealRequest(kind="flash", ref=item.pk),
            context=blocked,
        )
    with pytest.raises(AccessBlocked):
        coupon_claim(member=member, template_id=template.pk, context=blocked)
    assert taken() == before
