"""Replies read straight off the socket (``mall.redis_wire``) are the replies redis-py reads."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest
from redis.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import InvalidResponse, NoScriptError, ResponseError

from mall.api import throttling
from mall.redis_wire import _INCOMPLETE, _parse, read_replies

COMMANDS: list[tuple[Any, ...]] = [
    ("SET", "wire:k", "12"),
    ("GET", "wire:k"),
    ("GET", "wire:missing"),
    ("INCR", "wire:k"),
    ("EXPIRE", "wire:k", 60, "NX"),
    ("PING",),
    ("ECHO", "line\r\nbreak 好"),
    ("EVAL", "return {1, 'a', {2, 'b'}, false, ''}", 0),
    ("EVAL", "return redis.error_reply('NOPE not here')", 0),
    ("EVALSHA", "0" * 40, 0),
    ("EXISTS", "wire:k"),
]


def _fresh(redis_client: Any) -> Any:
    pool = redis_client.connection_pool
    return pool.connection_class(**pool.connection_kwargs)


def _same(value: Any) -> Any:
    if isinstance(value, Exception):
        return (type(value), str(value))
    return value


def test_the_replies_of_a_batch_are_read_as_redis_py_reads_them(redis_client: Any) -> None:
    if throttling.counting_connection(redis_client) is None:
        pytest.skip("fakeredis: no socket to read")
    connection = _fresh(redis_client)
    packed = b"".join(b"".join(Connection().pack_command(*command)) for command in COMMANDS)
    connection.send_packed_command([packed])
    direct = read_replies(connection, len(COMMANDS))
    redis_client.delete("wire:k")
    connection.send_packed_command([packed])
    expected = []
    for _ in COMMANDS:
        try:
            expected.append(connection.read_response())
        except ResponseError as exc:
            expected.append(exc)
    assert [_same(v) for v in direct] == [_same(v) for v in expected]
    assert isinstance(direct[9], NoScriptError)  # redis-py's own class: the caller loads the script again
    connection.send_packed_command(Connection().pack_command("PING"))
    assert read_replies(connection, 1) == ["PONG"]  # in step after the error replies
    connection.disconnect()


def test_raw_replies_are_bytes_as_redis_py_gives_them_undecoded(redis_client: Any) -> None:
    """The throttles read cached pickles with their windows: bytes, on a decoding connection too."""
    if throttling.counting_connection(redis_client) is None:
        pytest.skip("fakeredis: no socket to read")
    connection = _fresh(redis_client)
    pickle_like = b"\x80\x05\x95\xff\x00"  # not UTF-8
    redis_client.set("wire:raw", pickle_like)
    packed = b"".join(
        b"".join(Connection().pack_command(*command))
        for command in (("INCR", "wire:n"), ("GET", "wire:raw"), ("GET", "wire:missing"))
    )
    connection.send_packed_command([packed])
    raw = read_replies(connection, 3, raw=True)
    connection.send_packed_command([packed])
    expected = [connection.read_response(disable_decoding=True) for _ in range(3)]
    assert raw[1:] == expected[1:] == [pickle_like, None]
    assert raw[0] + 1 == expected[0]
    redis_client.delete("wire:raw", "wire:n")
    connection.disconnect()


def test_a_reply_cut_anywhere_waits_for_the_rest() -> None:
    whole = b"*3\r\n$8\r\nsold_out\r\n:0\r\n$0\r\n\r\n"
    for cut in range(len(whole)):
        assert _parse(whole[:cut], 0, True, ResponseError) == (_INCOMPLETE, 0)
    assert _parse(whole, 0, True, ResponseError) == (["sold_out", 0, ""], len(whole))


class _Ends:
    """A connection whose server is the other end of a socket pair."""

    class _Encoder:
        decode_responses = True

    class _Parser:
        parse_error = staticmethod(ResponseError)

    def __init__(self) -> None:
        self._sock, self.server = socket.socketpair()
        self.encoder, self._parser = self._Encoder(), self._Parser()
        self.disconnected = False

    def disconnect(self) -> None:
        self.disconnected = True
        self._sock.close()


def test_a_server_that_hangs_up_midway_is_a_connection_error_and_a_dropped_connection() -> None:
    ends = _Ends()
    ends.server.sendall(b":1\r\n:")
    ends.server.close()
    with pytest.raises(RedisConnectionError):
        read_replies(ends, 2)
    assert ends.disconnected


def test_more_bytes_than_replies_is_a_protocol_error_and_a_dropped_connection() -> None:
    ends = _Ends()
    ends.server.sendall(b":1\r\n:2\r\n")
    with pytest.raises(InvalidResponse):
        read_replies(ends, 1)
    assert ends.disconnected
    ends.server.close()


def test_replies_split_over_several_reads_are_put_together() -> None:
    ends = _Ends()
    ends.server.sendall(b":1\r\n*2\r\n$3\r\nab")
    later = threading.Timer(0.05, lambda: ends.server.sendall(b"c\r\n_\r\n"))
    later.start()
    assert read_replies(ends, 2) == [1, ["abc", None]]
    later.join()
    ends.server.close()
    ends._sock.close()
