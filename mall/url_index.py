"""The API's routes tried by their first path segment, not one after another (issue 12).

Django's resolver tries every route in order and, for each miss inside an ``include``, builds
the list of what it tried; ``/api/v1/`` holds about 140 routes from five apps, so an order or
flash-sale request paid ~55–80 µs of CPU just to find its view (``ping``, first in the list,
~10 µs). :func:`segment_indexed` keeps the same routes in the same order, but a request only
tries those whose first segment is the request's own (``checkout`` for
``checkout/preview``) or not a fixed word (a converter or a regex, tried in every bucket at
its place in the order), so the first matching route is the one plain Django would find.
Reversing is untouched: it walks the full list as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import URLPattern, URLResolver
from django.urls.resolvers import RoutePattern

_DYNAMIC = None


def _flat(patterns: Sequence[Any]) -> list[Any]:
    """Includes mounted at ``""`` without a namespace or default kwargs, opened into their routes."""
    flat: list[Any] = []
    for pattern in patterns:
        if (
            isinstance(pattern, URLResolver)
            and isinstance(pattern.pattern, RoutePattern)
            and str(pattern.pattern) == ""
            and not pattern.namespace
            and not pattern.app_name
            and not pattern.default_kwargs
        ):
            flat.extend(_flat(pattern.url_patterns))
        else:
            flat.append(pattern)
    return flat


def _first_segment(pattern: Any) -> str | None:
    """The fixed first segment of a route (``"orders"`` for ``orders/<int:pk>``), or None."""
    if not isinstance(pattern.pattern, RoutePattern):
        return _DYNAMIC
    segment = str(pattern.pattern).split("/", 1)[0]
    return _DYNAMIC if "<" in segment else segment


class SegmentIndexedResolver(URLResolver):
    """A resolver over ``patterns`` (mounted at ``""``) that hands a path to the bucket of its
    first segment; each bucket is a plain resolver over the routes that may match there."""

    def __init__(self, patterns: Sequence[Any]) -> None:
        self._routes = _flat(patterns)
        super().__init__(RoutePattern(""), self._routes)
        self._buckets: dict[str, URLResolver] | None = None
        self._rest: URLResolver | None = None

    def _index(self) -> tuple[dict[str, URLResolver], URLResolver]:
        segments = {_first_segment(pattern) for pattern in self._routes} - {_DYNAMIC}
        buckets = {
            segment: URLResolver(
                RoutePattern(""), [p for p in self._routes if _first_segment(p) in (segment, _DYNAMIC)]
            )
            for segment in segments
            if segment is not None
        }
        rest = URLResolver(RoutePattern(""), [p for p in self._routes if _first_segment(p) is _DYNAMIC])
        # Built once per process; two threads building at once both build the same thing.
        self._buckets, self._rest = buckets, rest
        return buckets, rest

    def resolve(self, path: Any) -> Any:
        path = str(path)
        if self._buckets is None or self._rest is None:
            buckets, rest = self._index()
        else:
            buckets, rest = self._buckets, self._rest
        return buckets.get(path.split("/", 1)[0], rest).resolve(path)


def segment_indexed(patterns: Sequence[Any]) -> list[URLResolver | URLPattern]:
    """``patterns`` as one indexed resolver, for ``path("api/v1/", include(segment_indexed(…)))``."""
    return [SegmentIndexedResolver(patterns)]
