"""Outages a test can cause without touching the shared servers: its own Redis, a cuttable proxy.

* :class:`PrivateRedis` — a ``redis-server`` on a free port with no persistence, started by the
  test, killed (SIGKILL, like a crash) and started again empty, like the outside fault test's
  private Redis;
* :class:`FaultProxy` — a TCP proxy (threads) in front of the real MariaDB or Redis: ``cut()``
  drops every open connection and refuses new ones until ``restore()``, so the server itself
  keeps running for everybody else.

Every wait here is bounded and waits on a condition (the port answers), never a fixed sleep.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

START_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


def wait_until(condition: object, *, timeout: float = START_TIMEOUT, what: str = "condition") -> None:
    """Poll ``condition()`` until true; fail after ``timeout`` seconds (a bounded wait, not a sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(0.01)


class PrivateRedis:
    """A throw-away ``redis-server`` (no RDB, no AOF) owned by one test."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - a fixed local binary and arguments
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: _answers(self.port), what=f"redis-server on {self.port}")

    def kill(self) -> None:
        """SIGKILL, as a crash: its data is gone, its clients' sockets die."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=START_TIMEOUT)
            self.process = None
        wait_until(lambda: not _answers(self.port), what=f"port {self.port} closed")

    def restart(self) -> None:
        self.kill()
        self.start()


class FaultProxy:
    """A TCP proxy to ``127.0.0.1:upstream_port`` that the test can cut and restore."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self._down = threading.Event()
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if self._down.is_set():  # cut: the client sees the server hang up at once
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def cut(self) -> None:
        """Drop every connection through the proxy and hang up on new ones."""
        self._down.set()
        with self._lock:
            ends, self._open = self._open, []
        for end in ends:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()

    def restore(self) -> None:
        self._down.clear()

    def close(self) -> None:
        self._closed.set()
        self.cut()
        self.listener.close()
