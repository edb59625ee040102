"""Project-wide pytest fixtures: the API client, shoppers with tokens, staff users, Redis."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

pytest_plugins = ["members.tests.fixtures"]


def pytest_configure(config: pytest.Config) -> None:
    """A parallel run's worker counts on a Redis database of its own (mall.tests.parallel)."""
    from mall.tests.parallel import redis_url_for_worker, worker_number

    worker = worker_number(os.environ.get("PYTEST_XDIST_WORKER", ""))
    if worker is not None and settings.REDIS_URL:
        settings.REDIS_URL = redis_url_for_worker(settings.REDIS_URL, worker)
        settings.CACHES["default"]["LOCATION"] = settings.REDIS_URL


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Race tests open a database connection per thread (50 at a time): in a parallel run they
    share one worker (``--dist loadgroup``), so they never together pass MariaDB's
    ``max_connections`` (151 by default) and refuse each other's threads."""
    for item in items:
        if item.get_closest_marker("race") is not None:
            item.add_marker(pytest.mark.xdist_group("race"))


@pytest.fixture(autouse=True)
def _block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the outside world; only loopback (MariaDB, Redis, live servers) is allowed."""
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            raise RuntimeError(f"network access blocked in tests: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    from django.core.cache import cache

    from marketing.selectors.campaign_tool_maps import campaign_tool_maps_hold_drop
    from marketing.services.flash_purchase import flash_item_sku_cache_clear
    from members.selectors.abuse import guard_config_forget

    cache.clear()
    flash_item_sku_cache_clear()  # row ids come back after a rollback; held ones must not
    guard_config_forget()  # the guard's version held in memory belongs to the cleared cache
    campaign_tool_maps_hold_drop()  # so do the campaign tool maps held in memory
    yield


@pytest.fixture(autouse=True)
def _warm_guard(request: pytest.FixtureRequest, _clear_cache: None) -> None:
    """Every shopper token is checked against the guard's blocked shoppers, a configuration each
    process keeps warm in production (members.selectors.abuse): tests that reach the database
    start with it loaded, so query counts measure the endpoint's own queries."""
    if request.node.get_closest_marker("django_db") is None:
        names = set(request.fixturenames)
        if "transactional_db" in names or "live_server" in names:
            request.getfixturevalue("transactional_db")
        elif "db" in names:
            request.getfixturevalue("db")
        else:
            return
    from members.selectors.abuse import guard_config

    guard_config()


@pytest.fixture
def redis_client() -> Iterator[Any]:
    """The real Redis when REDIS_URL is set (always in CI); fakeredis only as a local fallback."""
    from mall import redis as mall_redis

    if settings.REDIS_URL:
        client = mall_redis.get_redis()
        client.flushdb()
        yield client
        client.flushdb()
        return
    if getattr(settings, "REQUIRE_SERVICES", False):
        pytest.fail("REQUIRE_SERVICES=1 but no REDIS_URL")
    import fakeredis

    client = fakeredis.FakeRedis(decode_responses=True)
    mall_redis.set_client(client)
    yield client
    mall_redis.set_client(None)
