"""The flash-sale gate: one atomic Redis Lua call in front of the database per purchase attempt.

Per item four keys share one hash tag (``flash:{<id>}:…``, one Redis Cluster slot):

* ``state`` (hash): ``status`` (on / paused / ended / draft / missing), ``start_ms``, ``end_ms``,
  ``avail`` (units the gate may still hand out), ``limit`` (per shopper), ``per_order``, ``sku``,
  and what the database had when the gate was last built from it: ``base`` (the newest
  purchase id) and ``seq`` (the item's ``gate_seq``);
* ``buyers`` (hash): shopper id → units they hold through the gate (0 once given back: the
  shopper was seen, so a retry of theirs may still have an order to replay);
* ``inflight`` (sorted set): admissions not yet written to the database, as
  ``token:member:qty:lease``, scored by the end of their **lease** (Redis time + ``LEASE_MS``);
  the purchase row keeps the token, so the reconciler tells an admission still in flight from
  one already committed;
* ``leases`` (hash): ``member:lease`` → that Idempotency-Key's admission in flight.

The admit script checks, by **Redis server time** (one clock for every app server): the slot is
open, the shopper is under their limit, units are left; then it takes the units, records the
shopper and the admission. Refusals (sold out, limit, not started, ended) are answered here
and never reach the database. An admitted request goes on to ``order_place``, where the guarded
UPDATE of the item row stays the final truth; when no order comes of it the admission is handed
back (:func:`gate_undo`) — unless the database itself said "sold out", in which case the gate
was counting a unit that does not exist and keeps it (the gate heals itself).

A request that dies inside a purchase (a worker killed with ``kill -9``) cannot hand its
admission back. Its **lease** does: each admit first hands back admissions whose lease ran out,
and an admission made with the same Idempotency-Key as one still in flight replaces it, so
the shopper's same-key retry succeeds at once instead of being refused its own unit. A lease
that runs out under a request still alive is harmless: when that request commits, its settle
counts the purchase again (below).

Every committed purchase **settles** by its id (:func:`gate_settle`): its admission leaves the
in-flight set, or — when nothing in this gate counted it (the gate was rebuilt, or the lease
handed back, before it committed; or Redis was away at its admission) — it is counted then,
unless the gate was built from a database that already had it (id ≤ ``base``). Releases,
retakes and added quota compare the item's ``gate_seq`` with ``seq`` the same way, so a
rebuild during a sale counts every change exactly once.

Recovery: a missing ``state`` (Redis restarted or flushed) makes the next call rebuild the
item from the database under a ``SET NX`` lock (:func:`gate_rebuild`), writing while the item
row is still locked; calls that do not get the lock go the database way for that request
(correct, only slower). ``manage.py flash_reconcile`` compares and repairs
(:func:`gate_reconcile`: one script under the row lock; admissions past their lease are
reported as lost and dropped). Without Redis at all (the embedded default) — or while Redis is
down — :func:`gate_admit` answers refusals from one read of the item row and the guarded
updates decide the rest: the sale goes on, only without the fast refusals; callbacks that
cannot reach Redis are logged and the next rebuild or reconcile puts the gate right.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, Max, Sum, When
from django.utils import timezone
from redis.exceptions import RedisError

from mall.errors import ApplicationError
from mall.redis import LUA_SCRIPTS, get_redis, lua_script, slot_key
from marketing.errors import (
    DealInvalid,
    FlashEnded,
    FlashItemNotFound,
    FlashLimitReached,
    FlashNotStarted,
    FlashOrderLimitExceeded,
    FlashPaused,
    FlashSoldOut,
)
from marketing.models import ACTIVE_PURCHASE, FlashItem, FlashPurchase, FlashSlotStatus

logger = logging.getLogger(__name__)

# How long a rebuild may hold its lock, how long a refused unknown id is remembered.
REBUILD_LOCK_MS = 5_000
MISSING_TTL_SECONDS = 60
# An admission's lease: past it, the admission is handed back by the next call through the
# gate (its request died — a killed worker — or overran; an overrunning request that still
# commits is counted again by its settle, so a short lease is safe).
LEASE_MS = 10_000
# Expired admissions one admit call hands back at most (the rest by the calls after it).
RECLAIM_BATCH = 50
# The state outlives the slot by a day, so late retries are still answered from Redis.
KEEP_AFTER_END = timedelta(days=1)

# Set on a refusal when the gate knows the shopper never got through (see refusal_may_replay).
NO_PRIOR_ORDER = "no_prior_order"

STATUS_ON, STATUS_PAUSED, STATUS_ENDED, STATUS_DRAFT, STATUS_MISSING = "on", "paused", "ended", "draft", "missing"
RULE_FIELDS = ("status", "start_ms", "end_ms", "limit", "per_order", "sku")

# Hand one in-flight admission back (its units to the pool, the shopper's count down, its
# lease forgotten); nothing when it is no longer in flight. Entry: token:member:qty[:lease].
_RECLAIM_FN = """
local function reclaim(e)
  if redis.call('ZREM', KEYS[3], e) == 0 then return 0 end
  local m, q, k = string.match(e, '^[^:]+:([^:]+):([^:]+):?(.*)$')
  redis.call('HINCRBY', KEYS[1], 'avail', tonumber(q))
  if redis.call('HINCRBY', KEYS[2], m, -tonumber(q)) < 0 then redis.call('HSET', KEYS[2], m, 0) end
  if k ~= '' and redis.call('HGET', KEYS[4], m .. ':' .. k) == e then redis.call('HDEL', KEYS[4], m .. ':' .. k) end
  return 1
end
local function forget_lease(field, e)
  if field ~= '' and redis.call('HGET', KEYS[4], field) == e then redis.call('HDEL', KEYS[4], field) end
end
"""

# KEYS: state, buyers, inflight, leases. ARGV: member, qty, inflight entry, sku, peek (1 = check
# only), lease field (member:key hash, '' = none), lease length in ms.
# Reply: {code, seen, extra}; seen = 1 when the shopper went through this gate before.
# The state is read once (a handed-back admission changes only ``avail``, read again then): at
# a sale's peak nearly every call is a refusal, and each Redis call in it is CPU of the one
# thread Redis answers everything on (issue 12: 7.2 → 5.7 µs a refusal, INFO commandstats).
_ADMIT = (
    _RECLAIM_FN
    + """
local s = redis.call('HMGET', KEYS[1], 'status', 'start_ms', 'end_ms', 'avail', 'limit', 'per_order', 'sku')
if not s[1] and redis.call('EXISTS', KEYS[1]) == 0 then return {'cold', 0, ''} end
if s[1] == 'missing' or s[1] == 'draft' then
  if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return {s[1], 1, ''} end
  return {s[1], 0, ''}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local moved = 0
for _, e in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, RECLAIM_BATCH)) do
  moved = moved + reclaim(e)
end
if ARGV[5] ~= '1' and ARGV[6] ~= '' then
  local prev = redis.call('HGET', KEYS[4], ARGV[6])
  if prev then moved = moved + reclaim(prev) end
end
if moved > 0 then s[4] = redis.call('HGET', KEYS[1], 'avail') end
local held = redis.call('HGET', KEYS[2], ARGV[1])
local seen = 0
if held then seen = 1 end
if s[7] ~= ARGV[4] then return {'wrong_sku', seen, s[7] or ''} end
if s[1] ~= 'on' then return {s[1], seen, ''} end
if now < tonumber(s[2]) then return {'not_started', seen, s[2]} end
if now >= tonumber(s[3]) then return {'ended', seen, ''} end
local qty = tonumber(ARGV[2])
if qty > tonumber(s[6]) then return {'per_order', seen, s[6]} end
local h = tonumber(held or '0')
if h + qty > tonumber(s[5]) then return {'limit', seen, s[5]} end
local avail = tonumber(s[4])
if avail < qty then return {'sold_out', seen, ''} end
if ARGV[5] == '1' then return {'ok', seen, tostring(avail)} end
redis.call('HINCRBY', KEYS[1], 'avail', -qty)
redis.call('HINCRBY', KEYS[2], ARGV[1], qty)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[7]), ARGV[3])
if ARGV[6] ~= '' then redis.call('HSET', KEYS[4], ARGV[6], ARGV[3]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then
  for i = 3, 4 do
    if redis.call('PTTL', KEYS[i]) == -1 then redis.call('PEXPIRE', KEYS[i], ttl) end
  end
end
return {'ok', seen, tostring(avail - qty)}
""".replace("RECLAIM_BATCH", str(RECLAIM_BATCH))
)

# Hand an admission back once (the ZREM decides). ARGV: member, qty, entry, give the units back (1/0), lease field.
_UNDO = (
    _RECLAIM_FN
    + """
forget_lease(ARGV[5], ARGV[3])
if redis.call('ZREM', KEYS[3], ARGV[3]) == 0 then return 0 end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local qty = tonumber(ARGV[2])
if ARGV[4] == '1' then redis.call('HINCRBY', KEYS[1], 'avail', qty) end
if redis.call('HINCRBY', KEYS[2], ARGV[1], -qty) < 0 then redis.call('HSET', KEYS[2], ARGV[1], 0) end
return 1
"""
)

# A purchase committed. ARGV: entry ('' = taken without the gate), member, qty, purchase id, lease field.
# ``avail`` may go below 0 for a moment (a replaced admission that still committed, before its
# replacement is handed back): exact counts, and admit refuses while it is below ``qty``.
# 1: its admission was in flight here (already counted); 2: counted now — the gate was rebuilt
# (or its lease handed back, or Redis was away) before the purchase committed, so nothing
# counted it; 0: the gate is cold, or it was built from a database that had it (base).
_SETTLE = (
    _RECLAIM_FN
    + """
forget_lease(ARGV[5], ARGV[1])
if ARGV[1] ~= '' and redis.call('ZREM', KEYS[3], ARGV[1]) == 1 then return 1 end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if tonumber(ARGV[4]) <= tonumber(redis.call('HGET', KEYS[1], 'base') or '0') then return 0 end
redis.call('HINCRBY', KEYS[1], 'avail', -tonumber(ARGV[3]))
redis.call('HINCRBY', KEYS[2], ARGV[2], tonumber(ARGV[3]))
return 2
"""
)

# The reconciler, atomic against every other script. ARGV: dry (1/0), database available,
# last purchase id, the item's gate_seq, n, n x (member, units), then the tokens of in-flight admissions the
# database has committed. Admissions still in flight stay (and stay counted); committed ones
# and those past their lease leave; every shopper's count and the available units are set to
# what the database and the admissions still in flight say.
# Reply: {old avail, new avail, units in flight, lost admissions, member, old, new, ...}.
_SYNC = (
    _RECLAIM_FN
    + """
local old_avail = redis.call('HGET', KEYS[1], 'avail')
if not old_avail then return {'cold'} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local want = {}
local n = tonumber(ARGV[5])
for i = 0, n - 1 do want[ARGV[6 + 2 * i]] = tonumber(ARGV[7 + 2 * i]) end
local committed = {}
for i = 6 + 2 * n, #ARGV do committed[ARGV[i]] = true end
local flying, lost, drop = 0, 0, {}
local entries = redis.call('ZRANGE', KEYS[3], 0, -1, 'WITHSCORES')
for i = 1, #entries, 2 do
  local e = entries[i]
  local tok, m, q = string.match(e, '^([^:]+):([^:]+):([^:]+)')
  if committed[tok] then
    table.insert(drop, e)
  elseif tonumber(entries[i + 1]) <= now then
    table.insert(drop, e)
    lost = lost + 1
  else
    flying = flying + tonumber(q)
    want[m] = (want[m] or 0) + tonumber(q)
  end
end
local current = {}
local flat = redis.call('HGETALL', KEYS[2])
for i = 1, #flat, 2 do
  current[flat[i]] = tonumber(flat[i + 1])
  if want[flat[i]] == nil then want[flat[i]] = 0 end
end
local reply = {old_avail, tostring(tonumber(ARGV[2]) - flying), tostring(flying), tostring(lost)}
for m, units in pairs(want) do
  if (current[m] or 0) ~= units then
    table.insert(reply, m)
    table.insert(reply, tostring(current[m] or 0))
    table.insert(reply, tostring(units))
  end
end
if ARGV[1] == '1' then return reply end
for _, e in ipairs(drop) do
  redis.call('ZREM', KEYS[3], e)
  local m, k = string.match(e, '^[^:]+:([^:]+):[^:]+:?(.*)$')
  if k ~= '' then forget_lease(m .. ':' .. k, e) end
end
for i = 5, #reply, 3 do redis.call('HSET', KEYS[2], reply[i], reply[i + 2]) end
redis.call('HSET', KEYS[1], 'avail', reply[2])
if tonumber(ARGV[3]) > tonumber(redis.call('HGET', KEYS[1], 'base') or '0') then
  redis.call('HSET', KEYS[1], 'base', ARGV[3])
end
if tonumber(ARGV[4]) > tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') then
  redis.call('HSET', KEYS[1], 'seq', ARGV[4])
end
return reply
"""
)

# A committed order's units move (release: give back; retake: take again), only on a warm gate
# not built from a database that already had the move (its ``gate_seq`` at most ``seq``).
# ARGV: member, units delta for the shopper, units delta for avail, the move's gate_seq.
_MOVE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if tonumber(ARGV[4]) <= tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') then return 0 end
local d = tonumber(ARGV[3])
if d ~= 0 then
  if redis.call('HINCRBY', KEYS[1], 'avail', d) < 0 then redis.call('HSET', KEYS[1], 'avail', 0) end
end
if redis.call('HINCRBY', KEYS[2], ARGV[1], tonumber(ARGV[2])) < 0 then redis.call('HSET', KEYS[2], ARGV[1], 0) end
return 1
"""

# Merchant changes on a warm gate: rules (pairs of field, value), an avail delta (skipped when
# the gate was built from a database that had it: its gate_seq at most ``seq``), an expiry.
# ARGV: avail delta, expire-at (unix seconds, 0 = keep), the change's gate_seq, field, value, …
_RULES = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local d = tonumber(ARGV[1])
if d ~= 0 and tonumber(ARGV[3]) > tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') then
  redis.call('HINCRBY', KEYS[1], 'avail', d)
end
if #ARGV > 3 then redis.call('HSET', KEYS[1], unpack(ARGV, 4)) end
local at = tonumber(ARGV[2])
if at > 0 then
  redis.call('EXPIREAT', KEYS[1], at)
  redis.call('EXPIREAT', KEYS[2], at)
  redis.call('EXPIREAT', KEYS[3], at)
  redis.call('EXPIREAT', KEYS[4], at)
end
return 1
"""

_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _script(client: Any, name: str, source: str) -> Any:
    """A registered script (EVALSHA, re-sent by redis-py after a restart or flush)."""
    return lua_script(client, f"flash_gate.{name}", source)


@dataclass(frozen=True)
class GateKeys:
    state: str
    buyers: str
    inflight: str
    leases: str
    lock: str

    @property
    def data(self) -> list[str]:
        return [self.state, self.buyers, self.inflight, self.leases]


@lru_cache(maxsize=1024)
def gate_keys(item_id: int) -> GateKeys:
    """The item's keys, one hash tag (``flash:{<id>}:…``): one Redis Cluster slot for every
    script. Held per item (they never change): built on every purchase attempt."""
    return GateKeys(
        *(slot_key("flash", item_id, part) for part in ("state", "buyers", "inflight", "leases", "rebuild"))
    )


def lease_of(idempotency_key: str) -> str:
    """The lease name an Idempotency-Key gives its admissions (short, no ``:``)."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:16] if idempotency_key else ""


@dataclass(kw_only=True)
class GateTicket:
    """One admission. ``via_gate`` is False when Redis was not asked (none, down, being rebuilt).

    ``db_refused`` is set by the deal handler when the database found no unit for an admitted
    request: the gate was counting a unit that does not exist, so undo keeps it.
    """

    item_id: int
    member_id: int
    qty: int
    # The request's Idempotency-Key, hashed (``lease_of``): a retry with the same key replaces
    # this admission while it is still in flight.
    lease: str = ""
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    via_gate: bool = False
    db_refused: bool = False
    # (per-shopper limit, units held) as the handler's ``specs`` counted them under the
    # shopper's row lock, so ``take`` in the same transaction need not count again.
    checked: tuple[int, int] | None = None

    @property
    def entry(self) -> str:
        return f"{self.token}:{self.member_id}:{self.qty}:{self.lease}"

    @property
    def lease_field(self) -> str:
        return f"{self.member_id}:{self.lease}" if self.lease else ""


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _status_of(item: FlashItem) -> str:
    status = item.slot.status
    if status == FlashSlotStatus.DRAFT:
        return STATUS_DRAFT
    if status == FlashSlotStatus.ENDED or item.closed:
        return STATUS_ENDED
    return STATUS_PAUSED if status == FlashSlotStatus.PAUSED else STATUS_ON


def gate_rules(item: FlashItem) -> dict[str, str]:
    """The rule fields the gate keeps for ``item`` (needs ``slot`` loaded), as Redis strings."""
    return {
        "status": _status_of(item),
        "start_ms": str(_ms(item.slot.starts_at)),
        "end_ms": str(_ms(item.slot.ends_at)),
        "limit": str(item.per_shopper_limit),
        "per_order": str(item.per_order_limit),
        "sku": str(item.sku_id),
    }


def _expire_at(item: FlashItem) -> int:
    return int((item.slot.ends_at + KEEP_AFTER_END).timestamp())


@dataclass(frozen=True)
class DbGate:
    """What the database says the gate should hold for one item (read under its row lock)."""

    item: FlashItem
    holdings: dict[int, int]
    # The newest purchase of the item: the gate built from this read counts every purchase up
    # to it (purchases are inserted under the item row lock, so ids follow commit order).
    last_purchase: int = 0

    @property
    def avail(self) -> int:
        return 0 if self.item.closed else max(self.item.available, 0)


def _db_gate(item_id: int) -> DbGate | None:
    """The item row under its lock (waits for takes being committed) and each shopper's units."""
    item = FlashItem.objects.select_for_update().select_related("slot").filter(pk=item_id).first()
    if item is None:
        return None
    rows = (
        FlashPurchase.objects.filter(item_id=item_id)
        .values("member_id")
        .annotate(held=Sum(Case(When(status__in=ACTIVE_PURCHASE, then="qty"), default=0, output_field=IntegerField())))
    )
    last = FlashPurchase.objects.filter(item_id=item_id).aggregate(last=Max("id"))["last"]
    return DbGate(
        item=item, holdings={row["member_id"]: int(row["held"] or 0) for row in rows}, last_purchase=int(last or 0)
    )


def _unlock(client: Any, keys: GateKeys, token: str) -> None:
    try:
        _script(client, "unlock", _UNLOCK)([keys.lock], [token])
    except RedisError:  # the lock expires by itself
        logger.warning("flash gate: could not release the rebuild lock of %s", keys.lock)


def gate_rebuild(item_id: int) -> bool:
    """(Re)write the item's gate from the database; False if another process holds the lock.

    The write happens while the item row is still locked, so no purchase commits between the
    read and the write; the state remembers the newest purchase it counted (``base``), and a
    purchase committing afterwards is counted by its settle (see ``_SETTLE``): each shopper's
    units come out exact even with requests in flight across a Redis restart.

    The in-flight set is emptied: the database read counts every admission not yet written as
    still available, so handing those back later must not add them a second time (their undo
    finds no entry and does nothing).
    """
    client = get_redis()
    if client is None:
        return False
    keys = gate_keys(item_id)
    token = uuid.uuid4().hex
    try:
        if not client.set(keys.lock, token, nx=True, px=REBUILD_LOCK_MS):
            return False
    except RedisError:
        logger.warning("flash gate: Redis unavailable, item %s not rebuilt", item_id)
        return False
    try:
        with transaction.atomic():
            db = _db_gate(item_id)
            pipe = client.pipeline(transaction=True)
            pipe.delete(*keys.data)
            if db is None:
                pipe.hset(keys.state, mapping={"status": STATUS_MISSING})
                pipe.expire(keys.state, MISSING_TTL_SECONDS)
            else:
                state = {
                    **gate_rules(db.item),
                    "avail": str(db.avail),
                    "base": str(db.last_purchase),
                    "seq": str(db.item.gate_seq),
                }
                pipe.hset(keys.state, mapping=state)
                if db.holdings:
                    pipe.hset(keys.buyers, mapping={str(m): str(n) for m, n in db.holdings.items()})
                at = _expire_at(db.item)
                pipe.expireat(keys.state, at)
                pipe.expireat(keys.buyers, at)
            pipe.execute()
        logger.debug("flash gate: item %s written from the database", item_id)
        return True
    except RedisError:
        logger.warning("flash gate: Redis failed while rebuilding item %s", item_id)
        return False
    finally:
        _unlock(client, keys, token)


# --- the hot path ---------------------------------------------------------------------------


def _refusal(code: str, seen: bool, extra: str, ticket: GateTicket) -> ApplicationError:
    details: dict[str, Any] = {"flash_item_id": ticket.item_id}
    error: ApplicationError
    if code in (STATUS_MISSING, STATUS_DRAFT):
        error = FlashItemNotFound(details=details)
    elif code == "wrong_sku":
        error = DealInvalid(details={**details, "sku_id": int(extra) if extra.isdigit() else None})
    elif code == STATUS_PAUSED:
        error = FlashPaused(details=details)
    elif code == "not_started":
        error = FlashNotStarted(details={**details, "starts_at_ms": int(extra)})
    elif code == STATUS_ENDED:
        error = FlashEnded(details=details)
    elif code == "per_order":
        error = FlashOrderLimitExceeded(details={**details, "max": int(extra)})
    elif code == "limit":
        error = FlashLimitReached(details={**details, "limit": int(extra)})
    elif code == "sold_out":
        error = FlashSoldOut(details=details)
    else:  # pragma: no cover - the script has no other replies
        raise RuntimeError(f"flash gate: unexpected reply {code!r}")
    # A shopper the gate never let through has no order from this item a retry could replay.
    setattr(error, NO_PRIOR_ORDER, not seen)
    return error


def gate_admit(*, item_id: int, member_id: int, sku_id: int, qty: int, idempotency_key: str = "") -> GateTicket:
    """Admit one purchase attempt or raise the refusal (see the module docstring).

    With ``idempotency_key`` the admission is leased to that key: a retry with the same key
    replaces it at once (its request died, or the retry will replay its order).
    """
    ticket = GateTicket(item_id=item_id, member_id=member_id, qty=qty, lease=lease_of(idempotency_key))
    client = get_redis()
    if client is None:
        _db_peek(ticket, sku_id=sku_id)
        return ticket
    keys = gate_keys(item_id)
    admit = _script(client, "admit", _ADMIT)
    args = [member_id, qty, ticket.entry, sku_id, "0", ticket.lease_field, LEASE_MS]
    try:
        code, seen, extra = admit(keys.data, args)
        if code == "cold":
            logger.info("flash gate: item %s not in Redis (restart or flush?): rebuilding", item_id)
            if not gate_rebuild(item_id):
                _db_peek(ticket, sku_id=sku_id)  # someone else is rebuilding: this one goes the long way
                return ticket
            code, seen, extra = admit(keys.data, args)
    except RedisError:
        logger.warning("flash gate: Redis unavailable, item %s checked in the database", item_id)
        _db_peek(ticket, sku_id=sku_id)
        return ticket
    if code == "ok":
        ticket.via_gate = True
        return ticket
    raise _refusal(str(code), bool(int(seen)), str(extra), ticket)


def gate_precheck(*, item_id: int, member_id: int, sku_id: int, qty: int) -> None:
    """The gate's answer without taking anything, for a request not yet holding its shopper's
    row: raises the refusal when the shopper never went through (nothing to replay), else
    returns and the full path decides (cold gate, no Redis, a unit left, a retry to replay).
    Like every call through the gate it first hands back admissions whose lease ran out, so a
    dead request's unit is not refused to the next shopper as "sold out"."""
    client = get_redis()
    if client is None:
        return
    try:
        reply = _script(client, "admit", _ADMIT)(gate_keys(item_id).data, _precheck_args(member_id, sku_id, qty))
    except RedisError:
        return
    gate_precheck_reply(reply, item_id=item_id, member_id=member_id, qty=qty)


def _precheck_args(member_id: int, sku_id: int, qty: int) -> list[Any]:
    # The admit script in peek mode: no entry, no lease (it takes nothing).
    return [member_id, qty, "", sku_id, "1", "", 0]


def gate_precheck_reply(reply: Sequence[Any], *, item_id: int, member_id: int, qty: int) -> None:
    """Raise the refusal in a precheck's reply (see :func:`gate_precheck`), or return."""
    refused = gate_precheck_refusal(reply)
    if refused is not None:
        raise gate_refusal(*refused, item_id=item_id, member_id=member_id, qty=qty)


def gate_precheck_refusal(reply: Sequence[Any]) -> tuple[str, str] | None:
    """The refusal a precheck's reply answers now, as ``(code, extra)`` for :func:`gate_refusal`;
    None when the full path decides (a unit left, a cold gate, a shopper seen before)."""
    code, seen, extra = reply
    if code in ("ok", "cold") or int(seen):
        return None
    return str(code), str(extra)


def gate_refusal(code: str, extra: str, *, item_id: int, member_id: int, qty: int) -> ApplicationError:
    """The error of a precheck's refusal (the shopper never went through: nothing to replay).
    It depends on ``code``, ``extra`` and the item alone: every shopper refused alike gets it."""
    return _refusal(code, False, extra, GateTicket(item_id=item_id, member_id=member_id, qty=qty, token=""))


def gate_precheck_command(client: Any, *, item_id: int, member_id: int, sku_id: int, qty: int) -> bytes:
    """:func:`gate_precheck`'s script call as one packed ``EVALSHA`` (RESP), for a caller that
    sends it in the same Redis round trip as other commands: the purchase view, with its rate
    windows (issue 12: one round trip and no redis-py call per sold-out answer). The script is
    the registered one (``lua_script``); its reply goes to :func:`gate_precheck_reply`, an error
    reply (``NOSCRIPT`` after a Redis restart or flush) means: ask :func:`gate_precheck`, which
    loads it again."""
    if "flash_gate.admit" not in LUA_SCRIPTS:
        _script(client, "admit", _ADMIT)
    args = [str(arg).encode() for arg in (member_id, qty, sku_id)]
    return _precheck_head(item_id, LUA_SCRIPTS["flash_gate.admit"].sha) + (
        b"$%d\r\n%b\r\n$%d\r\n%b\r\n$0\r\n\r\n$%d\r\n%b\r\n$1\r\n1\r\n$0\r\n\r\n$1\r\n0\r\n"
        % (len(args[0]), args[0], len(args[1]), args[1], len(args[2]), args[2])
    )


@lru_cache(maxsize=1024)
def _precheck_head(item_id: int, sha: str) -> bytes:
    """A precheck's ``EVALSHA`` up to its keys (the same for every call on the item); the
    arguments follow, in :func:`_precheck_args`' order: member, qty, '', sku, '1', '', 0."""
    parts = [b"EVALSHA", sha.encode(), b"4", *(key.encode() for key in gate_keys(item_id).data)]
    return b"*%d\r\n" % (len(parts) + 7) + b"".join(b"$%d\r\n%b\r\n" % (len(part), part) for part in parts)


def _db_peek(ticket: GateTicket, *, sku_id: int) -> None:
    """The gate's checks on one read of the item row (no Redis): refusals before any transaction.

    The shopper's limit is left to the placement (it needs the shopper's row lock); the
    guarded UPDATE there decides the last unit.
    """
    item = FlashItem.objects.select_related("slot").filter(pk=ticket.item_id).first()
    if item is None:
        raise FlashItemNotFound(details={"flash_item_id": ticket.item_id})
    rules = gate_rules(item)
    now = _ms(timezone.now())
    code, extra = "", ""
    if rules["status"] in (STATUS_DRAFT, STATUS_MISSING):
        code = rules["status"]
    elif rules["sku"] != str(sku_id):
        code, extra = "wrong_sku", rules["sku"]
    elif rules["status"] != STATUS_ON:
        code = rules["status"]
    elif now < int(rules["start_ms"]):
        code, extra = "not_started", rules["start_ms"]
    elif now >= int(rules["end_ms"]):
        code = STATUS_ENDED
    elif ticket.qty > item.per_order_limit:
        code, extra = "per_order", str(item.per_order_limit)
    elif item.available < ticket.qty:
        code = "sold_out"
    if code:
        # Without the gate's record of shoppers, a retry may always have an order to replay.
        raise _refusal(code, True, extra, ticket)


def gate_undo(ticket: GateTicket) -> None:
    """No order came of the admission: give its units back (once), unless the database said none exist."""
    if not ticket.via_gate:
        return
    client = get_redis()
    if client is None:
        return
    keys = gate_keys(ticket.item_id)
    try:
        _script(client, "undo", _UNDO)(
            keys.data,
            [ticket.member_id, ticket.qty, ticket.entry, "0" if ticket.db_refused else "1", ticket.lease_field],
        )
    except RedisError:
        logger.warning("flash gate: could not hand back an admission of item %s (reconcile repairs it)", ticket.item_id)


def gate_settle(ticket: GateTicket, *, purchase_id: int) -> int:
    """After the purchase ``purchase_id`` committed: its admission is no longer in flight — or,
    when nothing in this gate counted it (the gate was rebuilt or the lease handed back before
    it committed, or it went the database way), it is counted now. Returns the script's
    answer (1 in flight, 2 counted now, 0 nothing to do), -1 when Redis is unreachable."""
    client = get_redis()
    if client is None:
        return 0
    entry = ticket.entry if ticket.via_gate else ""
    try:
        return int(
            _script(client, "settle", _SETTLE)(
                gate_keys(ticket.item_id).data,
                [entry, ticket.member_id, ticket.qty, purchase_id, ticket.lease_field if ticket.via_gate else ""],
            )
        )
    except RedisError:
        logger.warning("flash gate: could not settle a purchase of item %s (reconcile repairs it)", ticket.item_id)
        return -1


def gate_move(*, item_id: int, member_id: int, qty: int, to_pool: bool, seq: int, taken: bool = False) -> None:
    """After commit of a release (``taken=False``) or a retake (``taken=True``) of ``qty`` units.

    ``to_pool``: the units go back to (or come from) the gate's available units; a release
    after the slot closed sends them to the shelf instead, so only the shopper's count moves.
    ``seq``: the item's ``gate_seq`` the change wrote; a gate rebuilt after it already counts it.
    """
    client = get_redis()
    if client is None:
        return
    sign = 1 if taken else -1
    try:
        _script(client, "move", _MOVE)(
            gate_keys(item_id).data, [member_id, sign * qty, -sign * qty if to_pool else 0, seq]
        )
    except RedisError:
        logger.warning("flash gate: could not move %s units of item %s (reconcile repairs it)", qty, item_id)


def gate_update(*, item: FlashItem, avail_delta: int = 0) -> None:
    """After commit of a merchant change: rules, window and expiry follow the database; added
    quota becomes available (``avail_delta``, unless the gate was rebuilt from a database that
    already had it: ``item.gate_seq`` is the change's). A cold gate is left cold (the next call
    rebuilds it)."""
    client = get_redis()
    if client is None:
        return
    rules = gate_rules(item)
    pairs = [value for pair in rules.items() for value in pair]
    try:
        _script(client, "rules", _RULES)(
            gate_keys(item.pk).data, [avail_delta, _expire_at(item), item.gate_seq, *pairs]
        )
    except RedisError:
        logger.warning("flash gate: could not update item %s (reconcile repairs it)", item.pk)


def gate_peek(item_ids: list[int]) -> dict[int, int]:
    """Units each warm gate may still hand out (one round trip; cold or no Redis: left out)."""
    client = get_redis()
    if client is None or not item_ids:
        return {}
    try:
        pipe = client.pipeline(transaction=False)
        for item_id in item_ids:
            pipe.hget(gate_keys(item_id).state, "avail")
        values = pipe.execute()
    except RedisError:
        return {}
    return {item_id: max(int(v), 0) for item_id, v in zip(item_ids, values, strict=True) if v is not None}


# --- reconciling ----------------------------------------------------------------------------


@dataclass(kw_only=True)
class GateReport:
    """What :func:`gate_reconcile` found for one item and what it changed."""

    item_id: int
    cold: bool = False
    rebuilt: bool = False
    db_available: int = 0
    in_flight: int = 0
    expected_avail: int = 0
    redis_avail: int | None = None
    rules_fixed: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    buyers_fixed: dict[int, tuple[int, int]] = field(default_factory=dict)
    stale_admissions: int = 0
    repaired: bool = False
    skipped: str = ""

    @property
    def drifted(self) -> bool:
        return bool(
            self.cold
            or self.rules_fixed
            or self.buyers_fixed
            or self.stale_admissions
            or (self.redis_avail is not None and self.redis_avail != self.expected_avail)
        )

    def line(self) -> str:
        if self.skipped:
            return f"item {self.item_id}: skipped ({self.skipped})"
        if self.cold:
            return f"item {self.item_id}: not in Redis" + (" → rebuilt from the database" if self.rebuilt else "")
        parts = [
            f"item {self.item_id}: redis avail {self.redis_avail}, expected {self.expected_avail} "
            f"(db available {self.db_available}, in flight {self.in_flight})"
        ]
        for name, (old_rule, new_rule) in self.rules_fixed.items():
            parts.append(f"{name} {old_rule} → {new_rule}")
        for member_id, (old_units, new_units) in self.buyers_fixed.items():
            parts.append(f"shopper {member_id} holds {old_units} → {new_units}")
        if self.stale_admissions:
            parts.append(f"{self.stale_admissions} lost admissions dropped")
        if not self.drifted:
            parts.append("ok")
        elif self.repaired:
            parts.append("→ repaired")
        else:
            parts.append("→ drift (not repaired: dry run)")
        return "; ".join(parts)


def _entry_token(entry: str) -> str:
    return entry.split(":", 1)[0]


def gate_reconcile(*, item_id: int, repair: bool = True) -> GateReport:
    """Compare the item's gate with the database (under the item row lock) and repair the drift.

    Expected: ``avail = database available - units admitted but not yet written`` and each
    shopper's count = their active purchases + their admissions in flight. Admissions past
    their lease whose purchase never appeared are lost (their request died): dropped, and their
    units counted back. The comparison and the repair are one script run while the item row
    is locked, so no purchase commits in between and the admissions made meanwhile stay
    counted; the state then remembers the newest purchase it counted, like a rebuild.
    """
    report = GateReport(item_id=item_id)
    client = get_redis()
    if client is None:
        report.skipped = "no Redis"
        return report
    try:
        return _reconcile(client, report, repair=repair)
    except RedisError as exc:
        report.skipped = f"Redis unreachable ({type(exc).__name__})"
        return report


def _reconcile(client: Any, report: GateReport, *, repair: bool) -> GateReport:
    item_id = report.item_id
    keys = gate_keys(item_id)
    token = uuid.uuid4().hex
    if not client.set(keys.lock, token, nx=True, px=REBUILD_LOCK_MS):
        report.skipped = "a rebuild is running"
        return report
    try:
        with transaction.atomic():
            db = _db_gate(item_id)
            if db is None:
                report.skipped = "no such item"
                return report
            report.db_available = db.avail
            state = client.hgetall(keys.state)
            if not state or "avail" not in state:
                report.cold = True
            else:
                tokens = [_entry_token(e) for e in client.zrange(keys.inflight, 0, -1)]
                committed = list(
                    FlashPurchase.objects.filter(item_id=item_id, gate_token__in=tokens)
                    .exclude(gate_token="")
                    .values_list("gate_token", flat=True)
                )
                args: list[Any] = [
                    "0" if repair else "1",
                    db.avail,
                    db.last_purchase,
                    db.item.gate_seq,
                    len(db.holdings),
                ]
                for member_id, units in db.holdings.items():
                    args += [member_id, units]
                reply = _script(client, "sync", _SYNC)(keys.data, args + committed)
                _read_sync(report, reply)
                expected_rules = gate_rules(db.item)
                for name in RULE_FIELDS:
                    if state.get(name) != expected_rules[name]:
                        report.rules_fixed[name] = (state.get(name), expected_rules[name])
                if repair and report.rules_fixed:
                    gate_update(item=db.item)
                report.repaired = repair and report.drifted
    finally:
        _unlock(client, keys, token)
    if report.cold and repair:
        report.rebuilt = report.repaired = gate_rebuild(item_id)
    return report


def _read_sync(report: GateReport, reply: list[Any]) -> None:
    old_avail, new_avail, in_flight, lost, *changes = (str(v) for v in reply)
    report.redis_avail, report.expected_avail = int(old_avail), int(new_avail)
    report.in_flight, report.stale_admissions = int(in_flight), int(lost)
    for i in range(0, len(changes), 3):
        report.buyers_fixed[int(changes[i])] = (int(changes[i + 1]), int(changes[i + 2]))
    report.buyers_fixed = dict(sorted(report.buyers_fixed.items()))


def gate_state(item_id: int) -> Mapping[str, str]:
    """The raw state hash (tests and the console's diagnostics)."""
    client = get_redis()
    return client.hgetall(gate_keys(item_id).state) if client is not None else {}
