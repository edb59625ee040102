"""The mini-program's flash-sale endpoints: slot list (one request, pinned queries), states and
countdowns on a frozen clock, purchase (201 / replay / refusals), releases and reservations."""

from __future__ import annotations

import datetime as dt
import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from marketing.models import FlashReservation
from marketing.services.flash_sales import flash_item_add_quota, flash_reservations_notify
from marketing.tests.flash import FLASH_PRICE, address_of, buy, counts, first_item, make_slot, shelf_sku, staff_user
from members.models import Member, Message
from members.tests.factories import MemberFactory
from members.tests.fixtures import client_for
from orders.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


SH = ZoneInfo("Asia/Shanghai")
NOON = dt.datetime(2026, 12, 1, 12, 0, tzinfo=SH)


def _day_plan(now: dt.datetime) -> list[Any]:
    """10:00 (ended), 15:00 (upcoming) today and 10:00 tomorrow, each with items."""
    today = now.replace(hour=0, minute=0)
    slots = []
    for offset, hour, quota in ((0, 10, 5), (0, 15, 5), (1, 10, 3)):
        starts = today + timedelta(days=offset, hours=hour)
        published_at = starts - timedelta(hours=1)  # the merchant published it an hour before
        slots.append(
            make_slot(
                items=[(shelf_sku(), quota), (shelf_sku(), quota)],
                starts_in=timedelta(hours=1),
                minutes=120,
                now=published_at,
            )
        )
    return slots


def test_today_and_tomorrow_in_one_request_with_server_time_and_pinned_queries(
    anon: APIClient, django_assert_max_num_queries: Any
) -> None:
    with time_machine.travel(NOON, tick=False):
        morning, afternoon, tomorrow = _day_plan(NOON)
        with django_assert_max_num_queries(3):
            body = anon.get("/api/v1/flash/slots").json()
        with django_assert_max_num_queries(0):  # cached for a second
            anon.get("/api/v1/flash/slots")

    assert body["server_time"]["timestamp_ms"] == int(NOON.timestamp() * 1000)
    today, next_day = body["days"]
    assert (today["title"], next_day["title"]) == ("今天", "明天")
    assert [s["id"] for s in today["slots"]] == [morning.pk, afternoon.pk]
    assert [s["id"] for s in next_day["slots"]] == [tomorrow.pk]
    ended, upcoming = today["slots"]
    assert (ended["state"], ended["state_label"], ended["countdown_ms"]) == ("ended", "已结束", 0)
    assert (upcoming["state"], upcoming["state_label"]) == ("upcoming", "即将开始")
    assert upcoming["countdown_ms"] == 3 * 3600 * 1000
    assert upcoming["title"] == "15:00"
    item = upcoming["items"][0]
    assert (item["flash_price"], item["quota"], item["remaining"], item["sold_percent"]) == (FLASH_PRICE, 5, 5, 0)
    assert item["state"] == "upcoming" and item["price"] == 5900 and item["title"].startswith("面霜")


def test_many_slots_cost_no_more_queries(anon: APIClient, django_assert_max_num_queries: Any) -> None:
    with time_machine.travel(NOON, tick=False):
        for hour in range(13, 23):
            make_slot(
                items=[(shelf_sku(), 2) for _ in range(3)], starts_in=timedelta(hours=hour - 12), minutes=30, now=NOON
            )
        with django_assert_max_num_queries(3):
            body = anon.get("/api/v1/flash/slots").json()
    assert sum(len(s["items"]) for s in body["days"][0]["slots"]) == 30


def test_states_move_with_the_clock_live_sold_out_ended(member: Member, anon: APIClient) -> None:
    with time_machine.travel(NOON, tick=False):
        slot = make_slot(items=[(shelf_sku(), 2)], starts_in=timedelta(hours=1), minutes=60, now=NOON)
    item = first_item(slot)
    for at, state, countdown in (
        (NOON, "upcoming", 3600_000),
        (NOON + timedelta(minutes=59, seconds=59), "upcoming", 1000),
        (NOON + timedelta(hours=1), "live", 3600_000),
        (NOON + timedelta(hours=1, minutes=30), "live", 1800_000),
        (NOON + timedelta(hours=2), "ended", 0),
    ):
        with time_machine.travel(at, tick=False):
            body = anon.get(f"/api/v1/flash/items/{item.pk}").json()
        assert (body["slot"]["state"], body["slot"]["countdown_ms"]) == (state, countdown), at
        assert body["server_time"]["timestamp_ms"] == int(at.timestamp() * 1000)

    from marketing.models import FlashItem

    FlashItem.objects.filter(pk=item.pk).update(sold=2)
    with time_machine.travel(NOON + timedelta(hours=1, minutes=5), tick=False):
        body = anon.get(f"/api/v1/flash/items/{item.pk}").json()
    assert (body["item"]["state"], body["item"]["state_label"], body["item"]["sold_percent"]) == (
        "sold_out",
        "已抢光",
        100,
    )
    assert body["slot"]["state"] == "sold_out"


def test_purchase_creates_the_order_replays_it_and_refuses_with_stable_codes(
    member: Member, other_member: Member, redis_client: Any
) -> None:
    item = first_item(make_slot(items=[(shelf_sku(), 1)]))
    client = client_for(member)
    body = {"address_id": address_of(member).pk}
    url = f"/api/v1/flash/items/{item.pk}/purchase"

    missing_key = client.post(url, body, format="json")
    assert (missing_key.status_code, missing_key.json()["code"]) == (400, "idempotency_key_required")
    placed = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert placed.status_code == 201, placed.json()
    order = placed.json()
    assert (order["deal_kind"], order["deal_ref"], order["lines"][0]["unit_price"]) == ("flash", item.pk, FLASH_PRICE)
    replay = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert (replay.status_code, replay.json()["no"], replay["Idempotent-Replayed"]) == (200, order["no"], "true")
    assert replay.json() == order  # the first answer, built from the rows it wrote, is the order as stored
    again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert (again.status_code, again.json()["code"]) == (409, "purchase_limit_exceeded")
    assert again.json()["details"]["limit"] == 1

    other = client_for(other_member)
    sold_out = other.post(url, {"address_id": address_of(other_member).pk}, format="json", HTTP_IDEMPOTENCY_KEY="x")
    assert (sold_out.status_code, sold_out.json()["code"], sold_out.json()["message"]) == (
        409,
        "flash_sold_out",
        "已抢光。",
    )
    unknown = client.post("/api/v1/flash/items/999999/purchase", body, format="json", HTTP_IDEMPOTENCY_KEY="k3")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "flash_item_not_found")
    anonymous = APIClient().post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k4")
    assert anonymous.status_code == 401
    too_many = client.post(url, {**body, "qty": 0}, format="json", HTTP_IDEMPOTENCY_KEY="k5")
    assert (too_many.status_code, too_many.json()["code"]) == (400, "invalid_input")
    assert counts(item) == (1, 1, 0, 0)


def test_a_purchase_carries_its_tracking_src_and_junk_is_dropped(
    member: Member, other_member: Member, redis_client: Any
) -> None:
    """A live room's 整点秒杀 is bought here, not through POST orders: the room's ``src`` must
    reach the order the same way, or the room's report misses its flash orders."""
    item = first_item(make_slot(items=[(shelf_sku(), 5)]))
    url = f"/api/v1/flash/items/{item.pk}/purchase"
    placed = client_for(member).post(
        url, {"address_id": address_of(member).pk, "src": "live:7"}, format="json", HTTP_IDEMPOTENCY_KEY="s1"
    )
    assert placed.status_code == 201, placed.json()
    junk = client_for(other_member).post(
        url, {"address_id": address_of(other_member).pk, "src": "<x>"}, format="json", HTTP_IDEMPOTENCY_KEY="s2"
    )
    assert junk.status_code == 201, junk.json()
    assert dict(Order.objects.filter(no__in=[placed.json()["no"], junk.json()["no"]]).values_list("no", "src")) == {
        placed.json()["no"]: "live:7",
        junk.json()["no"]: "",
    }


def test_a_sold_out_reply_reads_nothing_from_the_database(
    member: Member, other_member: Member, redis_client: Any, django_assert_num_queries: Any
) -> None:
    item = first_item(make_slot(items=[(shelf_sku(), 1)]))
    buy(member, item)
    client = client_for(other_member)
    body = {"address_id": address_of(other_member).pk}
    client.post(f"/api/v1/flash/items/{item.pk}/purchase", body, format="json", HTTP_IDEMPOTENCY_KEY="warm")
    with django_assert_num_queries(0):  # token, throttles, guard and gate: memory and Redis
        refused = client.post(f"/api/v1/flash/items/{item.pk}/purchase", body, format="json", HTTP_IDEMPOTENCY_KEY="z")
    assert refused.json()["code"] == "flash_sold_out"


def _round_trips(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the commands (or packed batches of them) sent to Redis: one per round trip."""
    from redis.connection import AbstractConnection

    sent = [0]
    real = AbstractConnection.send_packed_command

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        sent[0] += 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)
    return sent


def test_a_sold_out_reply_is_one_redis_round_trip_and_no_query(
    member: Member,
    other_member: Member,
    redis_client: Any,
    django_assert_num_queries: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 12: the four rate windows and the gate's answer go in one round trip (was two),
    the answer as before; the guard's version is held (its 0.2 s re-read is not per request)."""
    from mall.api import throttling
    from members.selectors import abuse as guard_selectors

    if throttling.counting_connection(redis_client) is None:
        pytest.skip("fakeredis: the windows and the gate go the redis-py way (two round trips)")
    item = first_item(make_slot(items=[(shelf_sku(), 1)]))
    buy(member, item)
    client = client_for(other_member)
    body = {"address_id": address_of(other_member).pk}
    url = f"/api/v1/flash/items/{item.pk}/purchase"
    client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="warm")
    monkeypatch.setattr(guard_selectors, "VERSION_HOLD_SECONDS", 3600)
    sent = _round_trips(monkeypatch)
    with django_assert_num_queries(0):
        refused = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="z")
    assert (refused.status_code, refused.json()) == (
        409,
        {"code": "flash_sold_out", "message": "已抢光。", "details": {"flash_item_id": item.pk}},
    )
    assert sent[0] == 1


def test_the_batched_gate_answer_keeps_the_order_of_refusals_and_survives_a_script_flush(
    member: Member, other_member: Member, redis_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rate limit first, then the Idempotency-Key, the body, then the gate; a Redis that lost its
    scripts (restart, SCRIPT FLUSH) still answers (the gate loads the script again)."""
    item = first_item(make_slot(items=[(shelf_sku(), 1)]))
    buy(member, item)
    client = client_for(other_member)
    body = {"address_id": address_of(other_member).pk}
    url = f"/api/v1/flash/items/{item.pk}/purchase"
    missing_key = client.post(url, body, format="json")
    assert (missing_key.status_code, missing_key.json()["code"]) == (400, "idempotency_key_required")
    broken = client.post(url, "{not json", content_type="application/json", HTTP_IDEMPOTENCY_KEY="b")
    assert (broken.status_code, broken.json()["code"]) == (400, "malformed_request")
    unknown = client.post("/api/v1/flash/items/999999/purchase", body, format="json", HTTP_IDEMPOTENCY_KEY="u")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "flash_item_not_found")
    redis_client.script_flush()
    for key in ("f1", "f2"):
        refused = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert (refused.status_code, refused.json()["code"]) == (409, "flash_sold_out")
    from mall.api.throttling import FixedWindowRateThrottle

    rates = {**FixedWindowRateThrottle.THROTTLE_RATES, "purchase.shopper": "1/min"}
    monkeypatch.setattr(FixedWindowRateThrottle, "THROTTLE_RATES", rates)
    limited = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="r")
    assert (limited.status_code, limited.json()["code"]) == (429, "rate_limited")
    assert limited.json()["details"]["action"] == "purchase"


def test_not_started_and_ended_are_refused_before_any_order(member: Member, redis_client: Any) -> None:
    later = first_item(make_slot(items=[(shelf_sku(), 3)], starts_in=timedelta(hours=1)))
    client = client_for(member)
    body = {"address_id": address_of(member).pk}
    response = client.post(f"/api/v1/flash/items/{later.pk}/purchase", body, format="json", HTTP_IDEMPOTENCY_KEY="a")
    assert (response.status_code, response.json()["code"]) == (409, "flash_not_started")
    assert response.json()["details"]["starts_at_ms"] == int(later.slot.starts_at.timestamp() * 1000)


def test_releases_show_only_n_and_percent_and_take_reservations_when_sold_out(
    member: Member, other_member: Member, django_capture_on_commit_callbacks: Any
) -> None:
    sku = shelf_sku(stock=10)
    release = make_slot(items=[(sku, 2)], kind="release", minutes=7 * 24 * 60, title="新品首发")
    item = first_item(release)
    client = client_for(other_member)
    early = client.post(f"/api/v1/flash/items/{item.pk}/reservation")
    assert (early.status_code, early.json()["code"]) == (409, "flash_reservation_not_needed")

    buy(member, item)
    listed = client.get("/api/v1/flash/releases").json()["releases"][0]
    assert (listed["title"], listed["items"][0]["quota"], listed["items"][0]["sold_percent"]) == ("新品首发", 2, 50)
    buy(MemberFactory.create(), item)
    cache.clear()  # the list is kept for a second
    listed = client.get("/api/v1/flash/releases").json()["releases"][0]
    assert (listed["state"], listed["state_label"]) == ("sold_out", "补货中，可预约")

    reserved = client.post(f"/api/v1/flash/items/{item.pk}/reservation")
    assert reserved.status_code == 201, reserved.json()
    assert client.post(f"/api/v1/flash/items/{item.pk}/reservation").status_code == 200
    detail = client.get(f"/api/v1/flash/items/{item.pk}").json()["item"]
    assert (detail["reserved"], detail["can_reserve"]) == (True, False)
    assert FlashReservation.objects.filter(item=item).count() == 1
    assert client.delete(f"/api/v1/flash/items/{item.pk}/reservation").status_code == 204
    assert not FlashReservation.objects.filter(item=item).exists()


def test_a_restock_tells_the_earliest_reservers_once_in_app(member: Member) -> None:
    sku = shelf_sku(stock=10)
    item = first_item(make_slot(items=[(sku, 1)], kind="release", minutes=600))
    buy(member, item)
    waiting = [MemberFactory.create() for _ in range(5)]
    for shopper in waiting:
        assert client_for(shopper).post(f"/api/v1/flash/items/{item.pk}/reservation").status_code == 201

    flash_item_add_quota(actor=staff_user(), item_id=item.pk, units=1)
    assert flash_reservations_notify(item_id=item.pk, units=1) == 2  # two per unit, in order of reservation
    assert flash_reservations_notify(item_id=item.pk, units=1) == 2
    assert flash_reservations_notify(item_id=item.pk, units=5) == 1
    told = list(Message.objects.filter(kind="flash_restock").order_by("id").values_list("member_id", flat=True))
    assert told == [m.pk for m in waiting]
    message = Message.objects.filter(kind="flash_restock").first()
    assert message is not None and message.title == "补货提醒" and str(item.pk) in message.link
    assert client_for(waiting[0]).get("/api/v1/me/messages").json()["results"][0]["kind"] == "flash_restock"


def test_the_product_page_shows_the_badge_and_drops_it_when_the_slot_is_paused(anon: APIClient) -> None:
    from marketing.services.flash_sales import flash_slot_pause

    sku = shelf_sku()
    slot = make_slot(items=[(sku, 3)], starts_in=timedelta(minutes=-1))
    page = anon.get(f"/api/v1/products/{sku.product_id}").json()
    assert page["flash_sale"]["ref"] == first_item(slot).pk
    card = next(c for c in anon.get("/api/v1/products").json()["results"] if c["id"] == sku.product_id)
    assert card["flash_sale"]["state"] == "live"
    flash_slot_pause(actor=staff_user(), slot_id=slot.pk)
    assert anon.get(f"/api/v1/products/{sku.product_id}").json()["flash_sale"] is None


# --- the sold-out answer's short ways (issue 12) --------------------------------------------------


def test_the_precheck_command_is_the_scripts_call_packed_as_redis_py_would(redis_client: Any) -> None:
    from redis.connection import Connection

    from mall.redis import LUA_SCRIPTS
    from marketing.services.flash_gate import _precheck_args, gate_keys, gate_precheck_command

    packed = gate_precheck_command(redis_client, item_id=42, member_id=7001, sku_id=123456, qty=3)
    sha = LUA_SCRIPTS["flash_gate.admit"].sha
    command = ["EVALSHA", sha, 4, *gate_keys(42).data, *_precheck_args(7001, 123456, 3)]
    assert packed == b"".join(Connection().pack_command(*command))


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_ACCEPT_LANGUAGE": "en"}, {"HTTP_ACCEPT": "*/*"}, {"HTTP_ACCEPT": "application/json; indent=4"}],
)
def test_a_refusal_built_in_the_view_is_the_exception_handlers_answer(
    member: Member,
    other_member: Member,
    redis_client: Any,
    monkeypatch: pytest.MonkeyPatch,
    headers: dict[str, Any],
) -> None:
    """Status, headers (in order) and bytes as DRF's exception handler renders them."""
    from marketing.api import flash_sales as flash_api

    item = first_item(make_slot(items=[(shelf_sku(), 1)]))
    buy(member, item)
    client = client_for(other_member)
    url = f"/api/v1/flash/items/{item.pk}/purchase"
    body = {"address_id": address_of(other_member).pk}

    def answer() -> tuple[int, list[tuple[str, str]], bytes]:
        response = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k", **headers)
        return response.status_code, list(response.items()), response.content

    short, again = answer(), answer()  # rendered, then the rendered bytes again

    def raise_it(request: Any, *, code: str, extra: str, **ids: Any) -> Any:
        raise flash_api.gate_refusal(code, extra, **ids)

    monkeypatch.setattr(flash_api, "_refusal_response", raise_it)
    assert short == again == answer()
    assert short[0] == 409


def test_an_error_reply_in_the_round_trip_counts_the_windows_here_and_leaves_the_connection_in_step(
    member: Member, other_member: Member, redis_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A window Redis cannot count (here: a key that is not a number) is counted in the process,
    as the throttles do when Redis fails, and the next request's replies are its own."""
    from mall.api import throttling
    from marketing.api import flash_sales as flash_api

    counted_here: list[str] = []
    real_count = flash_api.local_windows.count

    def count(key: str, *, ttl: int) -> int:
        counted_here.append(key)
        return real_count(key, ttl=ttl)

    monkeypatch.setattr(flash_api.local_windows, "count", count)

    if throttling.counting_connection(redis_client) is None:
        pytest.skip("fakeredis: the windows and the gate go the redis-py way")
    item = first_item(make_slot(items=[(shelf_sku(), 1)]))
    buy(member, item)
    client = client_for(other_member)
    url = f"/api/v1/flash/items/{item.pk}/purchase"
    body = {"address_id": address_of(other_member).pk}
    now = time.time()
    with time_machine.travel(now, tick=False):
        redis_client.set(f"duoying:throttle_shopper_Member:{other_member.pk}:{int(now // 60) * 60}", "not a number")
        for key in ("e1", "e2"):
            refused = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
            assert (refused.status_code, refused.json()["code"]) == (409, "flash_sold_out")
    assert len(counted_here) == 8  # the four windows of each request, here
