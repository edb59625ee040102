"""Which errors are outages (503 with Retry-After) and which stay bugs (500), and the local windows.

The end-to-end outages (a killed Redis, a cut MariaDB) are in
``marketing/tests/api/test_flash_outages.py``; here the classification itself, case by case.
"""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import BusyLoadingError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from mall.api.exception_handler import api_exception_handler, outage_of
from mall.cache import LocalWindows
from mall.errors import ServiceUnavailable


@pytest.mark.parametrize(
    ("exc", "service"),
    [
        (OperationalError(2003, "Can't connect to MySQL server on '127.0.0.1' (111)"), "database"),
        (OperationalError(2006, "Server has gone away"), "database"),
        (OperationalError(2013, "Lost connection to server during query"), "database"),
        (OperationalError(1205, "Lock wait timeout exceeded; try restarting transaction"), "database"),
        (OperationalError(1213, "Deadlock found when trying to get lock; try restarting transaction"), "database"),
        (OperationalError(1927, "Connection was killed"), "database"),
        (OperationalError("database is locked"), "database"),
        (InterfaceError(0, ""), "database"),
        (RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."), "redis"),
        (BusyLoadingError("Redis is loading the dataset in memory"), "redis"),
        (RedisTimeoutError("Timeout reading from socket"), "redis"),
        (KombuOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused."), "broker"),
        (OperationalError(1054, "Unknown column 'x' in 'field list'"), None),
        (ProgrammingError(1064, "You have an error in your SQL syntax"), None),
        (ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value"), None),
        (ValueError("a bug"), None),
    ],
)
def test_outages_are_told_from_bugs(exc: Exception, service: str | None) -> None:
    assert outage_of(exc) == service
    response = api_exception_handler(exc, {"view": None})
    if service is None:
        assert response is None  # DRF re-raises: a 500 with the traceback in the log
    else:
        assert response is not None
        assert (response.status_code, response["Retry-After"]) == (503, "3")
        assert response.data == {
            "code": "service_unavailable",
            "message": "服务暂时繁忙，请稍后再试。",
            "details": {"retry_after": 3},
        }


def test_a_service_raising_service_unavailable_gets_the_same_answer() -> None:
    response = api_exception_handler(ServiceUnavailable(details={"action": "purchase"}), {"view": None})
    assert response is not None
    assert (response.status_code, response["Retry-After"], response.data["details"]) == (
        503,
        "3",
        {"retry_after": 3, "action": "purchase"},
    )


def test_local_windows_count_per_key_and_forget_when_the_window_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr("mall.cache.time.monotonic", lambda: now[0])
    windows = LocalWindows()
    assert [windows.count("a", ttl=60) for _ in range(3)] == [1, 2, 3]
    assert windows.count("b", ttl=60) == 1
    assert [windows.distinct("ip", m, ttl=60) for m in ("1", "2", "1", "3")] == [1, 2, 2, 3]
    now[0] += 61
    assert windows.count("a", ttl=60) == 1
    assert windows.distinct("ip", "1", ttl=60) == 1


def test_local_windows_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LocalWindows, "MAX_KEYS", 10)
    windows = LocalWindows()
    for n in range(25):
        windows.count(f"k{n}", ttl=60)
    assert len(windows._windows) <= 10
