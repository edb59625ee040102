"""The MariaDB backend's health check (issue 12): a poll of the socket instead of a ping, and it
still sees a connection the server closed."""

from __future__ import annotations

import time

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db


def test_a_connection_the_server_closed_is_not_usable_and_an_idle_one_is() -> None:
    if connection.vendor != "mysql":
        pytest.skip("the MariaDB backend only")
    own = connections.create_connection("default")  # not the test's connection: this one gets killed
    try:
        own.ensure_connection()
        with own.cursor() as cursor:
            cursor.execute("SELECT CONNECTION_ID()")
            (thread_id,) = cursor.fetchone()
        assert own.is_usable()  # answered, nothing left to read: usable without a round trip
        with connection.cursor() as cursor:
            cursor.execute(f"KILL CONNECTION {int(thread_id)}")  # as a server restart or wait_timeout would
        for _ in range(50):
            if not own.is_usable():
                break
            time.sleep(0.02)
        assert not own.is_usable()
        own.health_check_done = False  # type: ignore[attr-defined] # a new request: its first query checks it
        with own.cursor() as cursor:
            cursor.execute("SELECT CONNECTION_ID()")
            assert cursor.fetchone()[0] != thread_id  # connected again
    finally:
        own.close()
