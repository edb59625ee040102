"""POST /api/v1/events/batch: validated per event, queued in one round trip, throttled, anonymous or signed in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings
from rest_framework.test import APIClient

from analytics.models import BehaviourEvent, DeviceLink
from analytics.services import ingest
from analytics.services.ingest import events_drain
from mall.api.throttling import FixedWindowRateThrottle
from members.models import Member

URL = "/api/v1/events/batch"
ANON = "anon-7f3a9c21"


def view(page: str = "pages/home/index", **props: Any) -> dict[str, Any]:
    return {"name": "page_view", "session": "sess-1", "ts": None, "props": {"page": page, **props}}


def batch(*events: dict[str, Any], anon: str = ANON) -> dict[str, Any]:
    return {"anon_id": anon, "events": [{k: v for k, v in e.items() if v is not None} for e in events]}


@pytest.mark.django_db
def test_anonymous_batch_is_queued_and_drained(redis_client: Any) -> None:
    answer = APIClient().post(URL, batch(view(dwell_ms=3000), view("pages/product/index", product_id=5)), format="json")
    assert answer.status_code == 202
    assert answer.json() == {"accepted": 2, "rejected": []}
    # the request only queued: one stream entry, no row yet
    assert redis_client.xlen(settings.ANALYTICS_STREAM) == 1
    assert not BehaviourEvent.objects.exists()

    assert events_drain(consumer="t") == 2
    rows = list(BehaviourEvent.objects.order_by("seq").values("name", "page", "dwell_ms", "product_id", "anon_id"))
    assert rows == [
        {"name": "page_view", "page": "pages/home/index", "dwell_ms": 3000, "product_id": None, "anon_id": ANON},
        {"name": "page_view", "page": "pages/product/index", "dwell_ms": None, "product_id": 5, "anon_id": ANON},
    ]
    assert redis_client.xlen(settings.ANALYTICS_STREAM) == 0


@pytest.mark.django_db
def test_bad_events_are_reported_by_index_and_the_rest_kept(redis_client: Any) -> None:
    events = [
        view(),
        {"name": "nope", "session": "s", "props": {}},
        view(dwell_ms="long"),
        {"name": "search", "session": "s", "props": {"page": "pages/category/index", "query": "茶"}},
        {"name": "page_view", "props": {"page": "x"}},
    ]
    answer = APIClient().post(URL, {"anon_id": ANON, "events": events}, format="json")
    assert answer.status_code == 202
    assert answer.json() == {
        "accepted": 2,
        "rejected": [
            {"index": 1, "code": "unknown_event"},
            {"index": 2, "code": "not_integer:dwell_ms"},
            {"index": 4, "code": "bad_session"},
        ],
    }
    events_drain(consumer="t")
    assert sorted(BehaviourEvent.objects.values_list("name", flat=True)) == ["page_view", "search"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"anon_id": ANON, "events": [view()] * 51}, "events_batch_too_large"),
        ({"anon_id": ANON, "events": []}, "events_batch_invalid"),
        ({"anon_id": ANON, "events": "x"}, "events_batch_invalid"),
        ({"anon_id": "short", "events": [view()]}, "events_batch_invalid"),
        ({"events": [view()]}, "events_batch_invalid"),
        ([1, 2], "events_batch_invalid"),
    ],
)
def test_bad_batches_are_refused_with_a_code(redis_client: Any, body: Any, code: str) -> None:
    answer = APIClient().post(URL, body, format="json")
    assert answer.status_code == 400
    assert answer.json()["code"] == code
    assert redis_client.xlen(settings.ANALYTICS_STREAM) == 0


@pytest.mark.django_db
def test_signing_in_joins_the_device_and_its_earlier_events(redis_client: Any, member: Member) -> None:
    from members.tests.fixtures import client_for

    APIClient().post(URL, batch(view(), view("pages/product/index")), format="json")
    events_drain(consumer="t")
    assert set(BehaviourEvent.objects.values_list("member_id", flat=True)) == {None}

    client_for(member).post(URL, batch(view("pages/cart/index")), format="json")
    events_drain(consumer="t")
    assert DeviceLink.objects.get(anon_id=ANON).member_id == member.pk
    assert list(BehaviourEvent.objects.values_list("member_id", flat=True)) == [member.pk] * 3

    # after signing out the device's events still belong to the shopper who signed in on it
    APIClient().post(URL, batch(view("pages/member/index")), format="json")
    events_drain(consumer="t")
    assert BehaviourEvent.objects.filter(member_id=member.pk).count() == 4


@pytest.mark.django_db
def test_embedded_mode_stores_in_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "get_redis", lambda: None)
    answer = APIClient().post(URL, batch(view(), view("pages/cart/index")), format="json")
    assert answer.status_code == 202
    assert BehaviourEvent.objects.count() == 2
    assert events_drain(consumer="t") == 0


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 12, 6, 10, 0, 30, tzinfo=UTC), tick=False)
def test_batches_are_throttled_per_device_address(redis_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rates = {**FixedWindowRateThrottle.THROTTLE_RATES, "events.ip": "2/min"}
    monkeypatch.setattr(FixedWindowRateThrottle, "THROTTLE_RATES", rates)
    answers = [APIClient().post(URL, batch(view()), format="json") for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 429]
    assert answers[2].json()["code"] == "rate_limited"
