"""新品优先购: an open window hides the product from the shop's lists and shows it to its segment."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from mall.selectors.catalogue import product_list
from members.models import EarlyAccess, Member, Segment
from members.tests.factories import MemberFactory
from members.tests.fixtures import client_for
from orders.tests.factories import ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db
GOLD = {"op": "all", "conditions": [{"field": "tier", "operator": "in", "value": ["gold"]}]}


def test_window_hides_from_lists_and_shows_to_the_segment():
    cache.clear()
    segment = Segment.objects.create(name="金卡", rules=GOLD)
    early = SkuFactory.create(product=ProductFactory.create(title="新款精华")).product
    plain = SkuFactory.create().product
    now = timezone.now()
    EarlyAccess.objects.create(product=early, segment=segment, starts_at=now - dt.timedelta(hours=1),
                               launch_at=now + dt.timedelta(days=2))  # fmt: skip
    assert set(product_list().values_list("pk", flat=True)) == {plain.pk}
    gold = MemberFactory.create(tier=Member.Tier.GOLD)
    normal = MemberFactory.create(tier=Member.Tier.NORMAL)
    response = client_for(gold).get("/api/v1/me/early-access")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [early.pk] and results[0]["title"] == "新款精华"
    assert results[0]["launch_at"]
    assert client_for(normal).get("/api/v1/me/early-access").json() == {"results": []}
    assert APIClient().get("/api/v1/me/early-access").status_code == 401
    # After the launch it is an ordinary product, and no longer "early".
    EarlyAccess.objects.update(launch_at=now - dt.timedelta(minutes=1))
    assert set(product_list().values_list("pk", flat=True)) == {plain.pk, early.pk}
    assert client_for(gold).get("/api/v1/me/early-access").json() == {"results": []}


def _home_ids(client: APIClient) -> set[int]:
    body = client.get("/api/v1/home").json()
    return {card["id"] for card in body["hot"] + body["new"]} | {b["product_id"] for b in body["banners"]}


def test_window_hides_from_the_home_screen_and_the_product_page_outside_the_segment():
    cache.clear()
    segment = Segment.objects.create(name="金卡", rules=GOLD)
    early = SkuFactory.create(product=ProductFactory.create(title="新款精华", sales_count=999)).product
    plain = SkuFactory.create().product
    gold = MemberFactory.create(tier=Member.Tier.GOLD)
    normal = MemberFactory.create(tier=Member.Tier.NORMAL)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        # The shared home entry is cached before the window: it holds the product …
        assert early.pk in _home_ids(client_for(normal))
        EarlyAccess.objects.create(product=early, segment=segment, starts_at=start + dt.timedelta(minutes=5),
                                   launch_at=start + dt.timedelta(days=2))  # fmt: skip
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        # … and expires when the window opens: nobody's home lists show it, not even the segment's
        # (the one cached payload is shared), anonymous included.
        assert _home_ids(APIClient()) == {plain.pk}
        assert _home_ids(client_for(gold)) == {plain.pk}
        assert _home_ids(client_for(normal)) == {plain.pk}
        # The product page: the segment's shopper sees it, everyone else gets the missing product's 404.
        page = client_for(gold).get(f"/api/v1/products/{early.pk}")
        assert (page.status_code, page.json()["title"]) == (200, "新款精华")
        for client in (client_for(normal), APIClient()):
            refused = client.get(f"/api/v1/products/{early.pk}")
            assert refused.status_code == 404
            assert refused.json()["code"] == client.get("/api/v1/products/999999999").json()["code"] == "not_found"
        assert client_for(normal).get(f"/api/v1/products/{plain.pk}").status_code == 200
    with time_machine.travel(start + dt.timedelta(days=2, seconds=1), tick=False):
        # Launched: an ordinary product for everyone, whatever was cached.
        assert early.pk in _home_ids(client_for(normal))
        assert client_for(normal).get(f"/api/v1/products/{early.pk}").status_code == 200
        assert APIClient().get(f"/api/v1/products/{early.pk}").status_code == 200
