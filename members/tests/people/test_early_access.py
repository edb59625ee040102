"""新品优先购: an open window hides the product from the shop's lists and shows it to its segment."""

from __future__ import annotations

import datetime as dt

import pytest
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
