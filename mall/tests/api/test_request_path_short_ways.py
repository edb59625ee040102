"""The shopper's request path's short ways (issue 12), each proven to answer as the long way did:
the throttle windows written straight to one connection per thread, the JSON-only content
negotiation, the API's locale without URL prefixes, and the client address worked out once."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.utils.encoders import JSONEncoder as DRFEncoder

from mall.api import clients, throttling
from mall.api.throttling import FixedWindowRateThrottle
from mall.models import Product
from mall.services.catalogue import SkuInput, product_update
from mall.tests.conftest import MakeProduct
from marketing.selectors.product_offers import OFFERS_VERSION_KEY
from members.models import Member
from members.tests.fixtures import client_for

pytestmark = pytest.mark.django_db

FROZEN = "2026-06-18 10:00:05 +0800"


@pytest.fixture
def shopper_client(member: Member) -> APIClient:
    return client_for(member)


# --- throttle windows ---------------------------------------------------------------------------


def test_the_packed_window_counts_equal_a_pipeline_and_set_the_expiry(redis_client: Any) -> None:
    if throttling.counting_connection(redis_client) is None:
        pytest.skip("a client the packed path does not speak to (fakeredis): the pipeline counts")
    keys = [("test_a:1", 61), ("test_b:1", 3601)]
    assert throttling.window_counts(redis_client, keys) == [1, 1]
    assert throttling.window_counts(redis_client, keys) == [2, 2]
    pipe = redis_client.pipeline(transaction=False)
    for key, _timeout in keys:
        pipe.incr(f"duoying:{key}")
    assert pipe.execute() == [3, 3]  # the same counters a pipeline sees
    assert 0 < redis_client.ttl("duoying:test_a:1") <= 61
    assert 3000 < redis_client.ttl("duoying:test_b:1") <= 3601
    redis_client.expire("duoying:test_a:1", 500)
    throttling.window_counts(redis_client, keys)
    assert redis_client.ttl("duoying:test_a:1") > 61  # EXPIRE NX: a window's end never moves


def test_a_connection_redis_dropped_is_replaced_on_the_next_count(redis_client: Any) -> None:
    connection = throttling.counting_connection(redis_client)
    if connection is None:
        pytest.skip("a client the packed path does not speak to (fakeredis)")
    assert throttling.window_counts(redis_client, [("test_drop:1", 61)]) == [1]
    assert redis_client.client_kill_filter(_id=_own_client_id(connection)) == 1  # as a Redis restart would
    assert throttling.window_counts(redis_client, [("test_drop:1", 61)]) == [2]


def _own_client_id(connection: Any) -> int:
    connection.send_command("CLIENT", "ID")
    return int(connection.read_response())


def test_a_count_that_fails_leaves_no_half_read_connection(redis_client: Any) -> None:
    connection = throttling.counting_connection(redis_client)
    if connection is None:
        pytest.skip("a client the packed path does not speak to (fakeredis)")
    redis_client.set("duoying:test_text:1", "not a number")
    with pytest.raises(throttling.RedisError):
        throttling.window_counts(redis_client, [("test_text:1", 61), ("test_after:1", 61)])
    assert throttling.window_counts(redis_client, [("test_after:1", 61)]) == [2]  # the reply in between was dropped


def test_cache_entries_ride_along_with_the_window_counts(redis_client: Any) -> None:
    """A view's ``throttle_cache_reads`` come back raw with the counts, as the cache would decode them."""
    from django.core.cache import cache

    if throttling.counting_connection(redis_client) is None:
        pytest.skip("a client the packed path does not speak to (fakeredis)")
    cache.set("test:text", "v1")
    cache.set("test:number", 42)
    names = ["test:text", "test:number", "test:absent"]
    reads = [cache.make_key(k) for k in names]
    counts, values = throttling.window_counts_and_reads(redis_client, [("test_r:1", 61)], reads)
    assert counts == [1]
    assert throttling.window_counts(redis_client, [("test_r:1", 61)]) == [2]  # nothing left unread
    request = type("Request", (), {})()
    request.__dict__[throttling._READ_ATTR] = dict(zip(names, values, strict=True))
    assert throttling.throttle_cache_read(request, "test:text") == cache.get("test:text") == "v1"
    assert throttling.throttle_cache_read(request, "test:number") == 42
    assert throttling.throttle_cache_read(request, "test:absent") is None
    assert throttling.throttle_cache_read(request, "test:never-asked") is None
    assert throttling.throttle_cache_read(type("Request", (), {})(), "test:text") is None


@time_machine.travel(FROZEN, tick=False)
def test_the_limit_still_answers_429_through_the_packed_counts(
    redis_client: Any, member: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FixedWindowRateThrottle, "THROTTLE_RATES", {"shopper": "2/min", "ip": "100/min"})
    client = client_for(member)
    assert [client.get("/api/v1/ping").status_code for _ in range(3)] == [200, 200, 429]


# --- content negotiation ------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", " application/json "])
def test_plain_accept_headers_get_json(accept: str | None) -> None:
    client = APIClient()
    response = (
        client.get("/api/v1/server-time") if accept is None else client.get("/api/v1/server-time", HTTP_ACCEPT=accept)
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("accept", ["", "text/html", "image/png"])
def test_other_accept_headers_are_negotiated_by_drf_as_before(accept: str) -> None:
    response = APIClient().get("/api/v1/server-time", HTTP_ACCEPT=accept)
    assert response.status_code == 406
    assert response.json()["code"] == "not_acceptable"


def test_a_json_accept_with_parameters_takes_the_long_way_and_keeps_them() -> None:
    response = APIClient().get("/api/v1/server-time", HTTP_ACCEPT="application/json; indent=2")
    assert response.status_code == 200
    assert response.content.decode().startswith('{\n  "')  # DRF's renderer read the indent


# --- the API's locale ---------------------------------------------------------------------------


def test_the_api_answers_in_the_asked_language_and_says_so(member: Member) -> None:
    client = client_for(member)
    english = client.get("/api/v1/orders/987654", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/v1/orders/987654", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english.status_code == chinese.status_code == 404
    assert english.json()["message"] != chinese.json()["message"]
    assert english["Content-Language"] == "en" and chinese["Content-Language"] == "zh-hans"
    assert "Accept-Language" in english["Vary"]


def test_the_console_keeps_django_s_locale_middleware() -> None:
    response = APIClient().get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"


# --- the client's address -----------------------------------------------------------------------


def test_the_client_address_is_worked_out_once_per_request(
    member: Member, monkeypatch: pytest.MonkeyPatch, redis_client: Any
) -> None:
    calls: list[str] = []
    real = clients._client_ip

    def counting(meta: Any) -> str:
        calls.append(meta.get("REMOTE_ADDR"))
        return real(meta)

    monkeypatch.setattr(clients, "_client_ip", counting)
    assert client_for(member).get("/api/v1/ping").status_code == 200
    assert calls == ["127.0.0.1"]  # asked by the shopper's and the IP throttle, worked out once


# --- cached pages held and rendered once per process ---------------------------------------------


def test_a_held_page_answers_the_same_json_as_the_payload_with_a_fresh_clock(
    shopper_client: APIClient, make_product: MakeProduct, warm_offers: None
) -> None:
    from mall.selectors.catalogue import home_screen_payload, product_detail_data

    product = make_product(title="保温杯", prices=(5900,))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = shopper_client.get(f"/api/v1/products/{product.pk}").json()
        home = shopper_client.get("/api/v1/home").json()
        assert home == json.loads(json.dumps(home_screen_payload(), cls=DRFEncoder))
        assert first == json.loads(json.dumps(product_detail_data(product_id=product.pk), cls=DRFEncoder))
    with time_machine.travel(start + timedelta(seconds=3), tick=False):
        later = shopper_client.get(f"/api/v1/products/{product.pk}").json()
        later_home = shopper_client.get("/api/v1/home").json()
    assert later["server_time"]["timestamp_ms"] - first["server_time"]["timestamp_ms"] == 3000
    assert later_home["server_time_ms"] - home["server_time_ms"] == 3000
    assert {k: v for k, v in later.items() if k != "server_time"} == {
        k: v for k, v in first.items() if k != "server_time"
    }


def test_a_held_page_costs_one_small_cache_read_and_follows_a_version_at_once(
    shopper_client: APIClient, make_product: MakeProduct, actor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.cache import cache

    product = make_product(title="保温杯", prices=(5900,))
    assert shopper_client.get(f"/api/v1/products/{product.pk}").json()["min_price"] == 5900
    fetched: list[Any] = []
    real_get, real_get_many = cache.get, cache.get_many

    def get(key: str, *args: Any, **kwargs: Any) -> Any:
        fetched.append(key)
        return real_get(key, *args, **kwargs)

    def get_many(keys: list[str], *args: Any, **kwargs: Any) -> Any:
        fetched.append(keys)
        return real_get_many(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get", get)
    monkeypatch.setattr(cache, "get_many", get_many)
    assert shopper_client.get(f"/api/v1/products/{product.pk}").json()["min_price"] == 5900
    catalogue_reads = [keys for keys in fetched if "catalogue" in str(keys)]
    assert catalogue_reads == [["catalogue:version", OFFERS_VERSION_KEY]]  # the page came from this process

    sku = product.skus.get()
    product_update(
        actor=actor, product_id=product.pk, skus=[SkuInput(id=sku.pk, code=sku.code, specs=sku.specs, price=4900)]
    )
    assert shopper_client.get(f"/api/v1/products/{product.pk}").json()["min_price"] == 4900


def test_a_page_another_process_rebuilt_under_new_versions_replaces_the_held_one(
    shopper_client: APIClient, make_product: MakeProduct
) -> None:
    from django.core.cache import cache

    from mall.selectors.catalogue import catalogue_cache_bump

    product = make_product(title="保温杯", prices=(5900,))
    assert shopper_client.get(f"/api/v1/products/{product.pk}").json()["title"] == "保温杯"
    Product.objects.filter(pk=product.pk).update(title="保温杯 大号")  # a change made elsewhere …
    catalogue_cache_bump()  # … and announced the way every catalogue service does
    cache.delete(f"catalogue:product:{product.pk}")
    assert shopper_client.get(f"/api/v1/products/{product.pk}").json()["title"] == "保温杯 大号"


def test_an_unknown_product_is_still_404(shopper_client: APIClient) -> None:
    response = shopper_client.get("/api/v1/products/987654")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
