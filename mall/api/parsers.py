"""The API's JSON parser: bounded in size and nesting, so no body can crash a worker.

DRF's ``JSONParser`` reads the whole stream (Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only
guards ``request.body`` and forms) and lets the JSON decoder recurse once per level: 10 KB of
``[[[[…`` raises ``RecursionError``, a 500. Here a body over the upload limit is refused with
413 ``request_too_large`` before it is decoded, and one nested deeper than ``max_depth`` with
400 ``request_too_deep``; both in the API's ``{"code", "message", "details"}`` shape.

:func:`json_body` is ``request.data`` for views on the hot path (issue 12): a short, plainly
valid body is decoded straight from the request, without DRF's parser selection and stream
handling; every other body goes through ``request.data`` and gets DRF's answers word for word.
"""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.utils import json

from mall.errors import RequestBodyTooDeep, RequestBodyTooLarge

# No request of the mini-program or the console nests beyond a handful of levels.
MAX_JSON_DEPTH = 32


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether containers nest deeper than ``limit`` (a top-level object is depth 1); no recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    """``JSONParser`` with a size limit (``DATA_UPLOAD_MAX_MEMORY_SIZE``) and a depth limit."""

    max_depth = MAX_JSON_DEPTH

    def parse(self, stream: IO[bytes] | None, media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        raw = self._read_bounded(stream)
        try:
            text = raw.decode(parser_context.get("encoding", settings.DEFAULT_CHARSET))
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        parse_constant = json.strict_constant if self.strict else None
        try:
            data = json.loads(text, parse_constant=parse_constant)
        except RecursionError as exc:
            raise RequestBodyTooDeep(details={"max_depth": self.max_depth}) from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        # nesting N deep takes N opening brackets: fewer in the whole body, no need to walk it
        if raw.count(b"[") + raw.count(b"{") > self.max_depth and json_depth_exceeds(data, self.max_depth):
            raise RequestBodyTooDeep(details={"max_depth": self.max_depth})
        return data

    @staticmethod
    def _read_bounded(stream: IO[bytes] | None) -> bytes:
        """Read at most the upload limit (plus one byte to tell "too large" from "just fits")."""
        if stream is None:
            return b""
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None:
            return stream.read()
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise RequestBodyTooLarge(details={"max_bytes": limit})
        return raw


# A body this short of the plain shapes below is decoded by ``json_body``; longer ones by DRF.
PLAIN_BODY_MAX = 4096
_PLAIN_VALUES = (int, str, bool, float, type(None))


def _plain_value(value: Any) -> bool:
    """A plain value, or a list of plain values or of flat objects (a checkout's lines)."""
    if type(value) in _PLAIN_VALUES:
        return True
    if type(value) is not list:
        return False
    return all(
        type(item) in _PLAIN_VALUES
        or (type(item) is dict and all(type(field) in _PLAIN_VALUES for field in item.values()))
        for item in value
    )


def json_body(request: Request) -> Any:
    """The request's JSON body, as ``request.data`` gives it. A plainly valid one
    (``Content-Type: application/json`` exactly, at most ``PLAIN_BODY_MAX`` bytes of UTF-8, an
    object whose values are plain, or lists of plain values or of flat objects: three levels at
    most, so within any depth limit) is decoded here with the same ``json.loads`` as
    :class:`BoundedJSONParser`: the value ``request.data`` would be, without DRF's parser
    selection and stream handling (issue 12: most of the body's cost in a flash sale's sold-out
    answer). Anything else is ``request.data``, so its refusals (415, 400 ``malformed_request``,
    413, ``request_too_deep``) are DRF's own, word for word."""
    data = plain_json_body(request)
    return request.data if data is None else data


_PLAIN_ATTR = "_plain_json_body"  # where the decoded body is kept on the Django request
_UNREAD = object()


def plain_json_body(request: Request) -> dict[str, Any] | None:
    """The body :func:`json_body` decodes itself, or None for any other (never a refusal: a
    view may look at the body before DRF's parsers judge it, e.g. in authentication); decoded
    once per request."""
    django_request = request._request
    held = django_request.__dict__.get(_PLAIN_ATTR, _UNREAD)
    if held is not _UNREAD:
        return held  # type: ignore[no-any-return]
    data = _plain_json_body(django_request)
    django_request.__dict__[_PLAIN_ATTR] = data
    return data


def _plain_json_body(django_request: Any) -> dict[str, Any] | None:
    meta = django_request.META
    if meta.get("CONTENT_TYPE") != "application/json":
        return None
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if not 0 < length <= (PLAIN_BODY_MAX if limit is None else min(PLAIN_BODY_MAX, limit)):
        return None
    try:
        data = json.loads(django_request.body.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError too: DRF refuses it later
        return None
    if type(data) is dict and all(_plain_value(value) for value in data.values()):
        return data
    return None
