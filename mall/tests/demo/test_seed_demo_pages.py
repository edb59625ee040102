"""``seed_demo`` publishes a home page and a 618 page (F26) built from the demo's rows, once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from mall.demo.pages import build_pages
from mall.models import Category, Product, Sku
from marketing.models import CampaignPage
from marketing.tests.flash import make_slot, shelf_sku

pytestmark = pytest.mark.django_db


def test_demo_pages_are_published_from_the_shop_and_built_once() -> None:
    User.objects.create_superuser(username="owner", password="x", email="owner@example.com")
    beauty = Category.objects.create(name="美妆")
    for n in range(3):
        product = Product.objects.create(category=beauty, title=f"面霜 {n}", min_price=5900, sales_count=10 - n)
        Sku.objects.create(product=product, code=f"DEMO-{n}", price=5900, stock=100)
    slot = make_slot(items=[(shelf_sku(code="DEMO-FLASH"), 5)])
    assert build_pages() == {"campaign pages": 2}
    assert build_pages() == {"campaign pages": 0}
    home = APIClient().get("/api/v1/pages/home").json()
    assert home["slug"] == "index" and home["is_home"] is True
    types = [b["type"] for b in home["blocks"]]
    assert types[:2] == ["nav_icons", "checkin_entry"] and "flash_sale" in types
    flash = next(b for b in home["blocks"] if b["type"] == "flash_sale")
    assert flash["data"]["slot"]["id"] == slot.pk
    grids = [b["data"]["products"] for b in home["blocks"] if b["type"] == "product_grid"]
    assert [p["title"] for p in grids[0]][:3] == ["面霜 0", "面霜 1", "面霜 2"]
    sale = APIClient().get("/api/v1/pages/618").json()
    assert sale["blocks"][0]["type"] == "countdown" and sale["blocks"][-1]["type"] == "rich_text"
    assert CampaignPage.objects.filter(published_version__isnull=False).count() == 2
