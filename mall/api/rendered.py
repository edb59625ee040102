"""JSON answers from a cached entry rendered once per process (issue 12: home, product page).

The home screen and the product page are the same for every shopper until a version moves or
an offer starts or ends, except for the server time their countdowns run on. This process keeps
each entry's JSON (``HeldEntry.rendered``, per language: it is rendered under the request's
active language) and answers with the fresh clock fields joined in front of it — the bytes
the API's renderer gives for the whole payload, with the clock first. Content negotiation
has run before the view (a refused ``Accept`` is still 406).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import translation

from mall.api.renderers import FastJSONRenderer
from mall.selectors.catalogue import HeldEntry

_renderer = FastJSONRenderer()


def held_json_response(entry: HeldEntry, fresh: dict[str, Any]) -> HttpResponse:
    """``{**fresh, **entry.value}`` as JSON, the entry's part rendered once (``entry.value`` is a dict)."""
    language = translation.get_language() or ""
    body = entry.rendered.get(language)
    if body is None:
        body = entry.rendered[language] = _renderer.render(entry.value)
    head = _renderer.render(fresh)
    content = head if body == b"{}" else head[:-1] + b"," + body[1:]
    return HttpResponse(content, content_type="application/json")
