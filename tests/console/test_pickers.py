"""SKU pickers name the product, spec and price and can be searched, wherever a SKU is chosen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from mall.console.pickers import SkuChoiceField, sku_label
from mall.models import Sku
from orders.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db

LABEL = "玻尿酸精华 30ml · ¥129.00 · DY001-01"


@pytest.fixture
def serum() -> Sku:
    sku = SkuFactory.create(code="DY001-01", price=12900, specs={"容量": "30ml"})
    sku.product.title = "玻尿酸精华"
    sku.product.save(update_fields=["title"])
    return sku


def test_sku_label_and_field(serum: Sku) -> None:
    assert sku_label(serum) == LABEL
    field = SkuChoiceField(show_stock=True)
    with translation.override("zh-hans"):
        assert field.label_from_instance(serum) == f"{LABEL} · 库存 10"
    with translation.override("en"):
        assert field.label_from_instance(serum) == f"{LABEL} · Stock 10"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/marketing/promotion/add/?type=full_gift",
        "/admin/marketing/coupontemplate/add/",
        "/admin/marketing/bargaincampaign/add/",
        "/console/marketing/price-check/",
    ],
)
def test_pickers_show_names_and_are_searchable(
    owner: User, console_client: Callable[[User], Client], serum: Sku, url: str
) -> None:
    html = console_client(owner).get(url).content.decode()
    assert LABEL in html, url
    assert "unfold-admin-autocomplete" in html  # Select2: type to search
    assert "select2/i18n/zh-CN.js" in html and 'lang="zh-CN"' in html  # its messages in Chinese
    assert ">DY001-01<" not in html  # no bare codes
