"""Catalogue selectors: subtree lookup and the versioned cache."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

from mall.selectors.catalogue import (
    CACHE_VERSION_KEY,
    catalogue_cache_bump,
    category_descendant_ids,
    category_tree,
    product_list,
)
from mall.services.catalogue import category_create, category_move
from mall.tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_descendant_ids_walk_the_whole_subtree() -> None:
    root = CategoryFactory.create()
    child = CategoryFactory.create(parent=root)
    grandchild = CategoryFactory.create(parent=child)
    other = CategoryFactory.create()

    assert category_descendant_ids(category_id=root.pk) == {root.pk, child.pk, grandchild.pk}
    assert category_descendant_ids(category_id=other.pk) == {other.pk}
    assert category_descendant_ids(category_id=other.pk + 100) == set()


def test_a_move_through_the_service_shows_at_once_in_cached_reads(actor: User) -> None:
    beauty = category_create(actor=actor, name="美妆")
    snacks = category_create(actor=actor, name="零食")
    nuts = category_create(actor=actor, name="坚果", parent_id=beauty.pk)
    assert nuts.pk in category_descendant_ids(category_id=beauty.pk)
    assert [c["name"] for c in category_tree()[0]["children"]] == ["坚果"]

    category_move(actor=actor, category_id=nuts.pk, parent_id=snacks.pk)

    assert nuts.pk not in category_descendant_ids(category_id=beauty.pk)
    assert nuts.pk in category_descendant_ids(category_id=snacks.pk)
    assert [c["name"] for c in category_tree()[1]["children"]] == ["坚果"]


def test_cache_entries_older_than_the_version_are_rebuilt(django_assert_num_queries: Any) -> None:
    CategoryFactory.create(name="美妆")
    category_tree()
    with django_assert_num_queries(0):
        category_tree()
    CategoryFactory.create(name="零食")  # written behind the services' back: still cached…
    assert len(category_tree()) == 1

    catalogue_cache_bump()  # …until the version moves

    with django_assert_num_queries(1):
        assert len(category_tree()) == 2


def test_cache_survives_losing_its_version_key() -> None:
    CategoryFactory.create(name="美妆")
    category_tree()
    cache.delete(CACHE_VERSION_KEY)  # evicted: entries built under the old version must not be served
    CategoryFactory.create(name="零食")

    assert len(category_tree()) == 2


def test_product_list_is_a_lazy_queryset_of_on_shelf_products() -> None:
    shown = ProductFactory.create(title="在售")
    ProductFactory.create(title="下架", is_on_shelf=False)

    qs = product_list(sort="new")

    assert list(qs) == [shown]
