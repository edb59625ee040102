"""Django's MySQL backend (MariaDB) whose health check looks at the socket instead of pinging.

With persistent connections and ``CONN_HEALTH_CHECKS`` Django checks a reused connection once
per request, before its first query, with ``ping()``: a round trip to the server on every request
that touches the database (issue 12: with the server on the same two cores, about a tenth of
the checkout preview's CPU, server and client together). Between requests a healthy
connection has nothing to read: the server only sends in answer to a query. So anything
readable on an idle connection — the end of the stream from a server that restarted or closed
it (``wait_timeout``, ``KILL``), an error packet it sent before closing — means it is not
usable, and Django closes it and connects again, as after a failed ping. A connection whose
socket cannot be polled is pinged as before.
"""

from __future__ import annotations

import select

import MySQLdb
from django.db.backends.mysql.base import DatabaseWrapper as MySQLDatabaseWrapper

_SIGNALS = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL


class DatabaseWrapper(MySQLDatabaseWrapper):
    def is_usable(self) -> bool:
        try:
            fd = self.connection.fileno()
        except (MySQLdb.Error, OSError, ValueError):  # closed, or no socket: the driver's own check
            return bool(super().is_usable())
        poller = select.poll()
        poller.register(fd, _SIGNALS)
        return not poller.poll(0)
