"""Parallel test runs (pytest -n N) give each worker a Redis database of its own: every test
flushes its Redis database first, which would otherwise wipe a neighbour's state mid-test."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from mall.tests.parallel import redis_url_for_worker, worker_number


def test_workers_take_the_databases_below_the_runs_own() -> None:
    urls = [redis_url_for_worker("redis://127.0.0.1:6379/15", worker) for worker in range(3)]
    assert urls == ["redis://127.0.0.1:6379/14", "redis://127.0.0.1:6379/13", "redis://127.0.0.1:6379/12"]


def test_the_numbers_wrap_round_and_the_rest_of_the_address_stays() -> None:
    assert redis_url_for_worker("redis://:secret@cache.local:6380/0?ssl_cert_reqs=none", 1) == (
        "redis://:secret@cache.local:6380/14?ssl_cert_reqs=none"
    )
    assert redis_url_for_worker("redis://127.0.0.1:6379", 0) == "redis://127.0.0.1:6379/15"


def test_more_workers_than_databases_is_refused() -> None:
    assert redis_url_for_worker("redis://127.0.0.1:6379/3", 14) == "redis://127.0.0.1:6379/4"
    with pytest.raises(ImproperlyConfigured):
        redis_url_for_worker("redis://127.0.0.1:6379/3", 15)


def test_only_xdist_workers_are_numbered() -> None:
    assert [worker_number(name) for name in ("gw0", "gw12", "", "master", "gwx")] == [0, 12, None, None, None]
