"""The API's JSON parser: bounded in size and nesting, so no body can crash a worker.

DRF's ``JSONParser`` reads the whole stream (Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only
guards ``request.body`` and forms) and lets the JSON decoder recurse once per level: 10 KB of
``[[[[…`` raises ``RecursionError``, a 500. Here a body over the upload limit is refused with
413 ``request_too_large`` before it is decoded, and one nested deeper than ``max_depth`` with
400 ``request_too_deep``; both in the API's ``{"code", "message", "details"}`` shape.
"""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
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
