"""Reporting reads on a real replica: two private MariaDB servers started by this test.

The shared MariaDB cannot be restarted with a binary log, so the test starts its own pair on
loopback (free ports, a temporary directory): a primary (``log-bin``, ``server-id=1``) and a
replica (``server-id=2``, ``CHANGE MASTER TO`` … ``START SLAVE``), points Django's ``default``
and ``replica`` aliases at them for its own scope, and checks:

* a row written through the ORM reaches the replica (bounded poll), and the dashboard's
  reporting selector reads it there;
* with the replica's SQL thread stopped, a new row is on the primary only and the dashboard
  does not see it — the read really went to the replica — until replication resumes;
* writes go to the primary always (even for an object read from the replica), the replica's
  connection refuses writes, migrations never run on it; without ``DATABASE_REPLICA_URL``
  reporting reads use ``default``.

Skipped (with the reason) when the MariaDB server binaries are not installed.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import MySQLdb
import pytest
from django.db import DatabaseError, connections, router

from mall.db_router import DEFAULT, REPLICA, reporting_alias
from mall.selectors.dashboard import dashboard_today
from mall.settings.base import replica_database
from members.models import Member
from orders.models import Order

MARIADBD = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin:/usr/local/sbin")
INSTALL_DB = shutil.which("mariadb-install-db")
DB_NAME = "duoying_replica_check"

pytestmark = pytest.mark.skipif(
    not (MARIADBD and INSTALL_DB),
    reason="needs the MariaDB server binaries (mariadbd, mariadb-install-db) to start a primary and a replica",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _poll(check: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def sql(self, statement: str, params: tuple[Any, ...] = (), *, db: str = "") -> list[tuple[Any, ...]]:
        conn = MySQLdb.connect(host="127.0.0.1", port=self.port, user="root", passwd="", db=db, charset="utf8mb4")
        try:
            cursor = conn.cursor()
            cursor.execute(statement, params or None)
            rows = list(cursor.fetchall())
            conn.commit()
            return rows
        finally:
            conn.close()

    def answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited: {self.log.read_text(errors='replace')[-2000:]}")
        try:
            self.sql("SELECT 1")
        except MySQLdb.OperationalError:
            return False
        return True

    def url(self) -> str:
        return f"mysql://root@127.0.0.1:{self.port}/{DB_NAME}"


def _install(base: Path, name: str) -> None:
    """``mariadb-install-db`` for one data directory, one at a time, once more after a failure: two
    run side by side failed now and then (exit 1) on a loaded machine, and the log says why."""
    assert INSTALL_DB
    log = base / f"{name}-install.log"
    for _attempt in range(2):
        shutil.rmtree(base / name, ignore_errors=True)
        with log.open("w") as out:
            done = subprocess.run(  # noqa: S603 - the installed MariaDB binary, arguments of this test
                [
                    INSTALL_DB,
                    "--no-defaults",
                    f"--datadir={base / name}",
                    "--auth-root-authentication-method=normal",
                    "--skip-test-db",
                    "--user=root",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=120,
                check=False,
            )
        if done.returncode == 0:
            return
    raise AssertionError(f"mariadb-install-db failed for {name}: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def mariadb_pair() -> Iterator[tuple[Server, Server]]:
    assert MARIADBD and INSTALL_DB
    base = Path(tempfile.mkdtemp(prefix="duoying_replica_"))
    servers: list[Server] = []
    try:
        for name in ("primary", "replica"):
            _install(base, name)
        for server_id, name in ((1, "primary"), (2, "replica")):
            port = _free_port()
            log = base / f"{name}.log"
            args = [
                MARIADBD,
                "--no-defaults",
                f"--datadir={base / name}",
                f"--port={port}",
                "--bind-address=127.0.0.1",
                f"--socket={base / name}.sock",
                f"--pid-file={base / name}.pid",
                "--user=root",
                "--skip-name-resolve",
                f"--server-id={server_id}",
                "--innodb-buffer-pool-size=32M",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_unicode_ci",
            ]
            if name == "primary":
                args += [f"--log-bin={base / 'binlog'}", "--binlog-format=ROW"]
            else:
                args += ["--relay-log=" + str(base / "relay"), "--skip-slave-start"]
            with log.open("wb") as out:
                process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603 - as above
            servers.append(Server(name=name, port=port, process=process, log=log))
        for server in servers:
            _poll(server.answers, seconds=20, what=f"{server.name} to accept connections")
        primary, replica = servers
        replica.sql(
            f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={primary.port}, "
            "MASTER_USER='root', MASTER_PASSWORD='', MASTER_USE_GTID=no"
        )
        replica.sql("START SLAVE")
        primary.sql(f"CREATE DATABASE {DB_NAME} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        _poll(
            lambda: bool(replica.sql(f"SHOW DATABASES LIKE '{DB_NAME}'")),
            seconds=10,
            what="the database to replicate",
        )
        yield primary, replica
    finally:
        for server in servers:
            server.process.terminate()
        for server in servers:
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(timeout=5)
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def django_databases(config: dict[str, dict[str, Any]]) -> Iterator[None]:
    """Django's aliases point at ``config`` inside the block (this thread), as set up before after it."""
    local: Any = connections._connections  # type: ignore[attr-defined]  # the handler's per-thread store
    saved_settings = connections.settings
    aliases = set(saved_settings) | set(config)
    saved = {alias: getattr(local, alias, None) for alias in aliases}
    for alias in aliases:
        if saved[alias] is not None:
            delattr(local, alias)
    connections.__dict__["settings"] = connections.configure_settings(config)
    try:
        yield
    finally:
        for alias in config:
            conn = getattr(local, alias, None)
            if conn is not None:
                conn.close()
                delattr(local, alias)
        connections.__dict__["settings"] = saved_settings
        for alias, conn in saved.items():
            if conn is not None:
                setattr(local, alias, conn)


def _replica_members(replica: Server) -> int:
    return int(replica.sql("SELECT COUNT(*) FROM members_member", db=DB_NAME)[0][0])


def _replica_nickname(replica: Server, member_id: int) -> str:
    return str(replica.sql("SELECT nickname FROM members_member WHERE id = %s", (member_id,), db=DB_NAME)[0][0])


def test_without_a_replica_reporting_reads_use_the_primary() -> None:
    assert REPLICA not in connections.settings
    assert reporting_alias() == DEFAULT
    assert router.db_for_read(Member) == DEFAULT
    assert router.db_for_write(Member) == DEFAULT


def test_reporting_reads_hit_the_replica_and_writes_stay_on_the_primary(
    mariadb_pair: tuple[Server, Server], django_db_blocker: Any
) -> None:
    primary, replica = mariadb_pair
    default = replica_database(primary.url(), {"OPTIONS": {"charset": "utf8mb4", "isolation_level": "read committed"}})
    default["OPTIONS"].pop("init_command")
    default.pop("TEST")
    config = {DEFAULT: default, REPLICA: replica_database(replica.url(), default)}
    assert config[REPLICA]["OPTIONS"]["init_command"] == "SET SESSION TRANSACTION READ ONLY"

    with django_db_blocker.unblock(), django_databases(config):
        assert reporting_alias() == REPLICA
        assert router.db_for_read(Member) == DEFAULT  # ordinary reads stay on the primary
        assert router.db_for_write(Member) == DEFAULT
        assert router.allow_migrate(REPLICA, "members") is False
        assert router.allow_migrate(DEFAULT, "members") is True

        # The schema the dashboard reads, made on the primary; the replica gets it by replication.
        with connections[DEFAULT].schema_editor() as editor:
            editor.execute("SET FOREIGN_KEY_CHECKS=0")
            editor.create_model(Member)
            editor.create_model(Order)
        first = Member.objects.create(openid="replica-1", nickname="第一位")
        _poll(lambda: _replica_members(replica) == 1, seconds=10, what="the first member to replicate")
        assert dashboard_today().new_members == 1

        # Replication paused: the primary has a second member, the replica (and the report) not yet.
        replica.sql("STOP SLAVE SQL_THREAD")
        Member.objects.create(openid="replica-2", nickname="第二位")
        assert Member.objects.count() == 2  # the primary
        assert Member.objects.using(REPLICA).count() == 1
        assert dashboard_today().new_members == 1  # the report read the replica
        replica.sql("START SLAVE SQL_THREAD")
        _poll(lambda: dashboard_today().new_members == 2, seconds=10, what="the report to catch up")

        # An object read from the replica is saved to the primary.
        from_replica = Member.objects.using(REPLICA).get(pk=first.pk)
        assert from_replica._state.db == REPLICA
        from_replica.nickname = "改过"
        from_replica.save(update_fields=["nickname"])
        assert Member.objects.get(pk=first.pk).nickname == "改过"
        _poll(
            lambda: _replica_nickname(replica, first.pk) == "改过",
            seconds=10,
            what="the change to replicate",
        )

        # The replica's own connection is read-only: a write sent there by hand fails.
        with pytest.raises(DatabaseError):
            Member.objects.using(REPLICA).create(openid="replica-3", nickname="写错库")
        assert Member.objects.count() == 2
        assert _replica_members(replica) == 2
    # Outside the block Django is back on the test database, without a replica.
    assert reporting_alias() == DEFAULT
