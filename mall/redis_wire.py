"""Reading a known number of Redis replies straight off a connection's socket (issue 12).

A hot request that sends its commands packed by hand (the flash purchase: four rate windows'
INCR / EXPIRE NX and the gate's EVALSHA, nine replies) spent about a tenth of its CPU in
redis-py's reply reader: one ``read_response`` per reply, each with its own error handling,
buffer bookkeeping and parser dispatch. :func:`read_replies` reads the replies of one round trip
with a few ``recv`` calls and parses them in one pass. It knows the reply types those commands
give (integers, simple and bulk strings, arrays, nulls, booleans, doubles, errors, in RESP2 and
RESP3); anything else is a protocol error. Errors come back as exception objects in the list
(redis-py's own classes, e.g. ``NoScriptError``), so the caller reads every reply first and the
connection stays in step. Socket failures raise redis-py's ``TimeoutError`` /
``ConnectionError`` after disconnecting, as ``read_response`` does.

Only for a connection this thread owns and has written to itself (``counting_connection``):
the socket must hold nothing but the replies to the commands just sent.
"""

from __future__ import annotations

from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import InvalidResponse
from redis.exceptions import TimeoutError as RedisTimeoutError

_READ_SIZE = 65536
_INCOMPLETE: Any = object()


def can_read_directly(connection: Any) -> bool:
    """Whether :func:`read_replies` can read this connection (a connected plain socket)."""
    return getattr(connection, "_sock", None) is not None and hasattr(connection, "_parser")


def read_replies(connection: Any, count: int, *, raw: bool = False) -> list[Any]:
    """The next ``count`` replies on ``connection`` (error replies as exception objects).
    ``raw``: strings as bytes, whatever the connection decodes for others."""
    sock = connection._sock
    decode = connection.encoder.decode_responses and not raw
    parse_error = connection._parser.parse_error
    buffer = b""
    replies: list[Any] = []
    pos = 0
    try:
        while len(replies) < count:
            value, end = _parse(buffer, pos, decode, parse_error)
            if value is _INCOMPLETE:
                chunk = sock.recv(_READ_SIZE)
                if not chunk:
                    raise RedisConnectionError("Connection closed by server.")
                buffer = buffer[pos:] + chunk
                pos = 0
                continue
            replies.append(value)
            pos = end
        if pos != len(buffer):
            raise InvalidResponse("More data than the replies asked for")
    except TimeoutError as exc:  # socket.timeout
        connection.disconnect()
        raise RedisTimeoutError("Timeout reading from Redis") from exc
    except OSError as exc:
        connection.disconnect()
        raise RedisConnectionError(f"Error while reading from Redis: {exc.args}") from exc
    except BaseException:
        connection.disconnect()
        raise
    return replies


def _parse(buffer: bytes, pos: int, decode: bool, parse_error: Any) -> tuple[Any, int]:
    """One reply starting at ``pos``: (value, the position after it), or (_INCOMPLETE, pos)."""
    end = buffer.find(b"\r\n", pos)
    if end < 0:
        return _INCOMPLETE, pos
    kind, line, after = buffer[pos : pos + 1], buffer[pos + 1 : end], end + 2
    if kind == b":":
        return int(line), after
    if kind == b"$":
        length = int(line)
        if length < 0:
            return None, after
        if len(buffer) < after + length + 2:
            return _INCOMPLETE, pos
        data = buffer[after : after + length]
        return (data.decode() if decode else data), after + length + 2
    if kind == b"*":
        length = int(line)
        if length < 0:
            return None, after
        items = []
        for _ in range(length):
            item, after = _parse(buffer, after, decode, parse_error)
            if item is _INCOMPLETE:
                return _INCOMPLETE, pos
            items.append(item)
        return items, after
    if kind == b"+":
        return (line.decode() if decode else line), after
    if kind == b"-":
        return parse_error(line.decode(errors="replace")), after
    if kind == b"_":
        return None, after
    if kind == b"#":
        return line == b"t", after
    if kind == b",":
        return float(line), after
    raise InvalidResponse(f"Reply type {kind!r} not read here")
