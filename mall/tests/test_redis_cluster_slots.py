"""Redis Cluster: every Lua script's keys land in one hash slot.

A script on Redis Cluster may only touch keys of one slot (else ``CROSSSLOT``). Keys are built
with ``mall.redis.slot_key`` (a hash tag in braces) and scripts run through
``mall.redis.lua_script``. Checked three ways:

* the slot is computed here (CRC16/XMODEM of the hash tag, as the cluster spec says) and agrees
  with redis-py's ``key_slot``;
* no project code evaluates or registers a script any other way (so the check below sees all);
* every flash-gate script is run against the real Redis and each call's KEYS share one slot.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from redis.commands.core import Script
from redis.crc import key_slot

from mall import redis as mall_redis
from mall.redis import get_redis, slot_key
from marketing.models import FlashItem
from marketing.services.flash_gate import (
    gate_admit,
    gate_keys,
    gate_move,
    gate_precheck,
    gate_rebuild,
    gate_reconcile,
    gate_settle,
    gate_undo,
    gate_update,
)
from marketing.tests.flash import first_item, make_slot, shelf_sku
from members.tests.factories import MemberFactory

ROOT = Path(__file__).resolve().parent.parent.parent


def crc16_xmodem(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def cluster_slot(key: str) -> int:
    """The cluster spec's HASH_SLOT: CRC16 of the first non-empty ``{…}`` tag (or the key) mod 16384."""
    raw = key.encode()
    start = raw.find(b"{")
    if start != -1:
        end = raw.find(b"}", start + 1)
        if end > start + 1:
            raw = raw[start + 1 : end]
    return crc16_xmodem(raw) % 16384


def test_slot_computation_matches_the_cluster_spec_and_redis_py() -> None:
    assert crc16_xmodem(b"123456789") == 0x31C3  # the spec's check value
    for key in ["flash:{42}:state", "foo{}{bar}", "foo{{bar}}zap", "{user1000}.following", "plain"]:
        assert cluster_slot(key) == key_slot(key.encode())
    assert cluster_slot("flash:{42}:state") == cluster_slot("other:{42}") == cluster_slot("42")


def test_slot_key_puts_the_tag_in_braces() -> None:
    assert slot_key("flash", 42, "state") == "flash:{42}:state"
    assert slot_key("throttle", "member:7", "purchase", 1) == "throttle:{member:7}:purchase:1"
    assert cluster_slot(slot_key("x", 7, "a")) == cluster_slot(slot_key("x", 7, "b", "c")) == cluster_slot("7")


def test_every_flash_gate_key_of_an_item_shares_one_slot() -> None:
    for item_id in (1, 42, 999_999):
        keys = gate_keys(item_id)
        slots = {cluster_slot(k) for k in [*keys.data, keys.lock]}
        assert slots == {cluster_slot(str(item_id))}
    assert cluster_slot(gate_keys(1).state) != cluster_slot(gate_keys(2).state)  # items spread over the cluster


# Ways to run Lua other than mall.redis.lua_script.
_DIRECT_LUA = re.compile(r"register_script\(|\.eval\(|\.evalsha\(|\.eval_ro\(|\bScript\(|\.fcall\(")


# Folders that hold no project code (or only tests, which may poke Redis directly).
_SKIP_DIRS = {".git", ".venv", "node_modules", "miniprogram", "var", "bench", "scripts", "tests", "__pycache__"}


def _project_sources() -> Iterator[Path]:
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".")]
        yield from (Path(folder) / name for name in files if name.endswith(".py"))


def test_no_code_runs_lua_except_through_lua_script() -> None:
    offenders = []
    sources = list(_project_sources())
    assert ROOT / "marketing" / "services" / "flash_gate.py" in sources
    for path in sources:
        rel = path.relative_to(ROOT)
        if rel == Path("mall/redis.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _DIRECT_LUA.search(line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == [], "run Lua through mall.redis.lua_script with slot_key keys:\n" + "\n".join(offenders)


@pytest.fixture
def recorded_scripts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Script, list[str]]]]:
    """The real Redis; every script call's KEYS, recorded at redis-py's Script."""
    if not settings.REDIS_URL:
        if getattr(settings, "REQUIRE_SERVICES", False):
            pytest.fail("REQUIRE_SERVICES=1 but no REDIS_URL")
        pytest.skip("needs a Redis server (REDIS_URL)")
    client = get_redis()
    client.flushdb()
    calls: list[tuple[Script, list[str]]] = []
    real_call = Script.__call__

    def recording(self: Script, keys: Any = None, args: Any = None, client: Any = None) -> Any:
        calls.append((self, [str(k) for k in keys or []]))
        return real_call(self, keys=keys, args=args, client=client)

    monkeypatch.setattr(Script, "__call__", recording)
    yield calls
    client.flushdb()


@pytest.mark.django_db(transaction=True)
def test_every_flash_gate_script_call_keeps_its_keys_in_one_slot(
    recorded_scripts: list[tuple[Script, list[str]]],
) -> None:
    item = first_item(make_slot(items=[(shelf_sku(stock=10), 10)], limit=5, per_order=5))
    member = MemberFactory.create()
    assert gate_rebuild(item.pk)
    gate_precheck(item_id=item.pk, member_id=member.pk, sku_id=item.sku_id, qty=1)
    undone = gate_admit(item_id=item.pk, member_id=member.pk, sku_id=item.sku_id, qty=1, idempotency_key="k-1")
    gate_undo(undone)
    kept = gate_admit(item_id=item.pk, member_id=member.pk, sku_id=item.sku_id, qty=1, idempotency_key="k-2")
    assert gate_settle(kept, purchase_id=10**9) == 1
    gate_move(item_id=item.pk, member_id=member.pk, qty=1, to_pool=True, seq=10**9)
    gate_update(item=FlashItem.objects.select_related("slot").get(pk=item.pk))
    assert gate_reconcile(item_id=item.pk).skipped == ""

    names = {id(script): name for name, script in mall_redis.LUA_SCRIPTS.items()}
    seen = {names[id(script)] for script, _ in recorded_scripts}
    flash_scripts = {name for name in mall_redis.LUA_SCRIPTS if name.startswith("flash_gate.")}
    assert seen == flash_scripts
    assert flash_scripts == {f"flash_gate.{n}" for n in ("admit", "undo", "settle", "move", "rules", "sync", "unlock")}
    for script, keys in recorded_scripts:
        assert keys, f"{names[id(script)]} ran without keys"
        assert len({cluster_slot(k) for k in keys}) == 1, (names[id(script)], keys)
        assert {cluster_slot(k) for k in keys} == {cluster_slot(str(item.pk))}
