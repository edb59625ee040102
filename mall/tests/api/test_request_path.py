"""The shopper's request path (issue 12): what a request costs before and after it does its work.

Pinned here: the queries of ping, the home screen and a product page for a signed-in shopper
(none once warm: the token names the shopper and the pages are cached whole), the Redis round
trips of the throttles (one for all of them), the middleware split (the console keeps its
sessions and CSRF; the API runs without them) and the cached pages following a merchant's
change at once.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from mall.api import throttling
from mall.models import Product
from mall.services.catalogue import SkuInput, product_update
from mall.tests.conftest import MakeProduct
from marketing.services.promotions import PromotionData, promotion_create
from members.models import Member
from members.services.members import member_staff_update

pytestmark = pytest.mark.django_db


def _client(member: Member) -> APIClient:
    token = RefreshToken()
    token["member_id"] = member.pk
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.access_token}")
    return client


@pytest.fixture
def shopper() -> Member:
    return Member.objects.create(openid="path-shopper", nickname="小李")


def _card(body: dict[str, Any], product: Product) -> dict[str, Any]:
    return next(card for card in body["hot"] if card["id"] == product.pk)


# --- queries ----------------------------------------------------------------------------


def test_ping_home_and_product_page_answer_a_shopper_without_a_query_once_warm(
    shopper: Member, make_product: MakeProduct, django_assert_num_queries: Any, warm_offers: None
) -> None:
    product = make_product(title="保温杯", prices=(5900,))
    client = _client(shopper)
    with django_assert_num_queries(0):  # the token names the shopper; the row is never read
        assert client.get("/api/v1/ping").json() == {"ok": True}
    assert client.get("/api/v1/home").status_code == 200  # builds the cached answers
    assert client.get(f"/api/v1/products/{product.pk}").status_code == 200
    with django_assert_num_queries(0):
        home = client.get("/api/v1/home")
    with django_assert_num_queries(0):
        page = client.get(f"/api/v1/products/{product.pk}")
    assert _card(home.json(), product)["min_price"] == 5900
    assert set(home.json()["marketing_center"]) == {"ongoing", "upcoming"}
    assert page.json()["title"] == "保温杯"


def test_a_view_that_uses_the_shopper_reads_the_row_once(shopper: Member) -> None:
    client = _client(shopper)
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/me").json()
    assert body["nickname"] == "小李"
    # the row is read by mall.rows.row_by_pk's written-out SELECT (issue 12), or by the ORM
    table = Member._meta.db_table
    reads = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and f"FROM `{table}` " in q["sql"]
    ]
    assert len(reads) == 1  # read on first use by the view, then held for the request


def test_a_blocked_shopper_is_refused_even_where_the_row_is_not_read(shopper: Member, actor: User) -> None:
    client = _client(shopper)
    assert client.get("/api/v1/ping").status_code == 200
    member_staff_update(member_id=shopper.pk, actor=actor, is_blocked=True)
    refused = client.get("/api/v1/ping", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 401
    assert refused.json()["message"] == "账号已被封禁。"


def test_a_deleted_shopper_is_refused_where_the_row_is_read(shopper: Member) -> None:
    client = _client(shopper)
    shopper.delete()
    refused = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 401
    assert refused.json()["message"] == "会员不存在。"


# --- throttles ----------------------------------------------------------------------------


def test_every_throttle_of_a_request_is_counted_in_one_redis_round_trip(
    shopper: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    real = throttling.window_counts

    def counting(client: Any, keys: list[tuple[str, int]]) -> list[int]:
        calls.append([key for key, _timeout in keys])
        return real(client, keys)

    monkeypatch.setattr(throttling, "window_counts", counting)
    assert _client(shopper).get("/api/v1/ping").status_code == 200
    assert len(calls) == 1
    assert sorted(key.split("_")[1] for key in calls[0]) == ["ip", "shopper"]


# --- middleware split -----------------------------------------------------------------------


def test_the_api_runs_without_sessions_or_csrf(shopper: Member) -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"] = "whatever"  # a browser's console cookie does not make it a console request
    token = RefreshToken()
    token["member_id"] = shopper.pk
    response = client.post(
        "/api/v1/cart/items",
        {"sku_id": 424242, "qty": 1},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token.access_token}",
    )
    # the SKU is unknown: the service answered, no CSRF refusal came first
    assert (response.status_code, response.json()["code"]) == (400, "sku_not_found")
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_the_console_keeps_csrf_sessions_and_messages(actor: User) -> None:
    strict = Client(enforce_csrf_checks=True)
    page = strict.get("/admin/login/")
    assert page.status_code == 200 and "csrftoken" in page.cookies
    refused = strict.post("/admin/login/", {"username": actor.username, "password": "x"})
    assert refused.status_code == 403  # no CSRF token: Django's CSRF middleware still guards the console

    client = Client()
    client.force_login(actor)
    assert client.get("/admin/").status_code == 200  # the session signs the staff user in
    assert client.session.get("_auth_user_id") == str(actor.pk)


# --- cached pages follow the merchant -------------------------------------------------------


def test_a_price_edit_shows_on_the_next_home_and_product_page(
    api_client: APIClient, make_product: MakeProduct, actor: User
) -> None:
    product = make_product(title="保温杯", prices=(5900,))
    Product.objects.filter(pk=product.pk).update(sales_count=10_000)  # first among the hot
    product_update(actor=actor, product_id=product.pk, fields={"title": "保温杯"})
    assert _card(api_client.get("/api/v1/home").json(), product)["min_price"] == 5900
    assert api_client.get(f"/api/v1/products/{product.pk}").json()["min_price"] == 5900

    sku = product.skus.get()
    product_update(
        actor=actor,
        product_id=product.pk,
        skus=[SkuInput(id=sku.pk, code=sku.code, specs=sku.specs, price=4900)],
    )

    assert _card(api_client.get("/api/v1/home").json(), product)["min_price"] == 4900
    assert api_client.get(f"/api/v1/products/{product.pk}").json()["skus"][0]["price"] == 4900


def test_a_new_promotion_shows_on_the_next_home(
    api_client: APIClient, make_product: MakeProduct, actor: User, category: Any
) -> None:
    make_product(title="保温杯")
    before = api_client.get("/api/v1/home").json()["marketing_center"]
    assert before["ongoing"] == []
    now = timezone.now()
    promotion_create(
        actor=actor,
        data=PromotionData(
            type="full_reduction",
            name="满100减10",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=3),
            rules={"tiers": [{"threshold": "100.00", "off": "10.00"}]},
            category_ids=(category.pk,),
        ),
    )
    after = api_client.get("/api/v1/home").json()["marketing_center"]
    assert [entry["title"] for entry in after["ongoing"]] == ["满100减10"]


# --- gunicorn settings ---------------------------------------------------------------------


def test_gunicorn_conf_reads_its_overrides_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    path = Path(__file__).resolve().parents[3] / "gunicorn.conf.py"
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "8")
    monkeypatch.setenv("GUNICORN_WORKER_CLASS", "gthread")
    namespace: dict[str, Any] = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - the repo's own config file
    assert (namespace["workers"], namespace["threads"], namespace["worker_class"]) == (3, 8, "gthread")
    for name in ("GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_WORKER_CLASS"):
        monkeypatch.delenv(name)
    defaults: dict[str, Any] = {}
    exec(compile(path.read_text(), str(path), "exec"), defaults)  # noqa: S102
    assert defaults["workers"] == 2 * (os.cpu_count() or 1)  # two sync workers per core (measured, issue 12)
    assert (defaults["threads"], defaults["worker_class"]) == (1, "sync")
    assert defaults["bind"] == "127.0.0.1:8000" and defaults["preload_app"] is False


def test_an_expired_page_answers_while_one_request_rebuilds_it_but_never_after_a_change(
    api_client: APIClient, make_product: MakeProduct, actor: User, django_assert_num_queries: Any, warm_offers: None
) -> None:
    from django.core.cache import cache

    from mall.selectors.catalogue import DETAIL_TTL_SECONDS, STALE_GRACE_SECONDS, _early_access_ids

    product = make_product(title="保温杯", prices=(5900,))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api_client.get(f"/api/v1/products/{product.pk}")
    late = start + timedelta(seconds=DETAIL_TTL_SECONDS + STALE_GRACE_SECONDS / 2)
    cache.add(f"catalogue:product:{product.pk}:rebuild", 1, 60)  # another request is rebuilding it
    with time_machine.travel(late, tick=False):
        _early_access_ids()  # the 新品优先购 set is its own (list-lived) entry: refreshed first, apart
    with time_machine.travel(late, tick=False), django_assert_num_queries(0):
        assert api_client.get(f"/api/v1/products/{product.pk}").json()["min_price"] == 5900

    sku = product.skus.get()
    product_update(
        actor=actor, product_id=product.pk, skus=[SkuInput(id=sku.pk, code=sku.code, specs=sku.specs, price=4900)]
    )
    with time_machine.travel(late, tick=False):  # a new version: rebuilt even while "being rebuilt"
        assert api_client.get(f"/api/v1/products/{product.pk}").json()["min_price"] == 4900
