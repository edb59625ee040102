"""The API's segment-indexed resolver finds exactly what Django's plain resolver finds (issue 12)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import Resolver404, URLResolver, reverse
from django.urls.resolvers import RoutePattern

from mall import urls as root_urls
from mall.url_index import SegmentIndexedResolver, _flat

SAMPLES = {"int": "7", "str": "abc", "slug": "abc-1", "uuid": str(uuid.UUID(int=7)), "path": "a/b"}


def _sample_paths(patterns: list, prefix: str = "") -> list[str]:
    paths = []
    for pattern in patterns:
        route = str(pattern.pattern)
        if not isinstance(pattern.pattern, RoutePattern):
            continue
        filled = prefix + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)
        if isinstance(pattern, URLResolver):
            paths.extend(_sample_paths(pattern.url_patterns, filled))
        else:
            paths.append(filled)
    return paths


def _same(a, b) -> bool:
    return (a.func, a.args, a.kwargs, a.url_name, a.route) == (b.func, b.args, b.kwargs, b.url_name, b.route)


def test_every_api_route_resolves_to_the_same_view_as_plain_django() -> None:
    plain = URLResolver(RoutePattern(""), root_urls.api_v1)
    indexed = SegmentIndexedResolver(root_urls.api_v1)
    paths = _sample_paths(_flat(root_urls.api_v1))
    assert len(paths) > 100  # every app's routes, not an empty walk
    for path in [*paths, *(p + "/x" for p in paths), "ping/", "unknown", "orders/abc"]:
        try:
            expected = plain.resolve(path)
        except Resolver404:
            with pytest.raises(Resolver404):
                indexed.resolve(path)
            continue
        assert _same(indexed.resolve(path), expected), path


def test_the_root_urlconf_resolves_and_reverses_api_routes() -> None:
    assert reverse("ping") == "/api/v1/ping"
    assert reverse("product-detail", kwargs={"product_id": 3}) == "/api/v1/products/3"
    from django.urls import resolve

    match = resolve("/api/v1/products/3")
    assert match.url_name == "product-detail" and match.kwargs == {"product_id": 3}
    assert match.route == "api/v1/products/<int:product_id>"
    assert resolve("/api/v1/no-such-thing").func.__name__ == "api_not_found"
