"""Catalogue test fixtures: a staff actor, API clients, media in a temporary folder, and
``make_product`` which builds products through the real services."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from mall.models import Category, Product
from mall.services.catalogue import SkuInput, product_create
from mall.tests.factories import CategoryFactory, StaffUserFactory
from members.models import Member


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Uploaded and generated pictures go to a temporary folder, never the project's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def warm_offers(db: Any) -> None:
    """Cards and pages read their offers (F11, F03, F05) from the pricing rules and the deal
    offers index, which quotes and pages keep warm in production; query-count tests measure
    the catalogue's own queries."""
    from marketing.selectors.product_offers import product_offers_warm

    product_offers_warm()


@pytest.fixture
def actor(db: Any) -> User:
    return StaffUserFactory.create(username="merchant")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def shopper_client(db: Any) -> APIClient:
    """A client signed in as a shopper (the benchmark calls the API this way)."""
    member = Member.objects.create(openid="test-shopper", nickname="小王")
    token = RefreshToken()
    token["member_id"] = member.id
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.access_token}")
    return client


@pytest.fixture
def category(db: Any) -> Category:
    return CategoryFactory.create(name="美妆")


MakeProduct = Callable[..., Product]


@pytest.fixture
def make_product(actor: User, category: Category) -> MakeProduct:
    counter = iter(range(1, 10_000))

    def make(
        *,
        title: str | None = None,
        prices: Sequence[int] = (5900,),
        stock: int = 10,
        spec_name: str = "规格",
        **kwargs: Any,
    ) -> Product:
        n = next(counter)
        skus = [
            SkuInput(code=f"P{n}-{i}", specs={spec_name: f"款{i}"}, price=price, stock=stock)
            for i, price in enumerate(prices, 1)
        ]
        kwargs.setdefault("category_id", category.pk)
        return product_create(actor=actor, title=title or f"商品{n}", skus=skus, spec_names=[spec_name], **kwargs)

    return make
