"""Content negotiation with a short path for what every mini-program request asks.

The API answers JSON; a request with no ``Accept`` header, ``*/*`` or ``application/json``
(and no ``?format=`` / format suffix) gets the view's first renderer when that one is JSON —
the very choice DRF's :class:`DefaultContentNegotiation` makes for those headers, without
tokenising and ranking the header on every request (``make bench-api`` profiles showed the
ranking as a measurable part of a cheap request). Anything else goes through DRF unchanged,
so ``406 not_acceptable`` and the schema views' own renderers behave as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer

JSON = "application/json"
# Accept headers whose answer is the first renderer's own media type when that is JSON (no
# header at all counts as ``*/*``; an empty one is DRF's 406 and takes the long way).
PLAIN_ACCEPTS = frozenset({"*/*", JSON})


class FastContentNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self, request: Any, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderers = list(renderers)
        meta = request._request.META
        accept = meta.get("HTTP_ACCEPT")
        if (
            renderers
            and renderers[0].media_type == JSON
            and format_suffix is None
            and (accept is None or accept.strip() in PLAIN_ACCEPTS)
            and "format=" not in meta.get("QUERY_STRING", "")
        ):
            return renderers[0], JSON
        return super().select_renderer(request, renderers, format_suffix)  # type: ignore[no-any-return]
