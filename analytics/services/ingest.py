"""Behaviour-event ingest (F37): the request only queues; a drain bulk-inserts.

``events_batch_accept`` checks a batch from the mini-program against the catalogue, keeps the
events that fit (reporting the indexes of the others) and queues them as ONE entry on a Redis
stream (one round trip, ``XADD``). ``events_drain`` (run by the beat job
``analytics-drain-events``) reads entries through a consumer group, inserts their rows with one
multi-row INSERT per chunk, then acknowledges and deletes the entries.

Exactly once: each row carries its stream entry id and its index in the entry, unique together
(``analytics_behaviour_once``), and rows are inserted ignoring that conflict. A drain that dies
after inserting but before acknowledging leaves its entries pending; the next drain claims them
(``XAUTOCLAIM`` once they are idle ``reclaim_idle_ms``) and inserts them again to no effect —
no duplicates, and nothing is acknowledged before its rows are committed, so nothing is lost.

Embedded mode (no ``REDIS_URL``) and a Redis outage: the batch is inserted directly in the
request (same rows, a random batch key), which is what an embedded shop's traffic affords.

Anonymous devices and shoppers: every batch names the device's anonymous id. A batch sent
signed in links that id to the shopper (:class:`~analytics.models.DeviceLink`, first sign-in
wins) and gives the device's earlier anonymous rows the shopper; later anonymous rows of a linked
device get the shopper when they are stored.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from redis.exceptions import RedisError, ResponseError

from analytics.catalogue import MAX_BATCH, event_problem
from analytics.errors import EventBatchInvalid, EventBatchTooLarge
from analytics.models import BehaviourEvent, DeviceLink
from mall.redis import get_redis

logger = logging.getLogger(__name__)

GROUP = "drain"
# Client clocks are trusted within this much of the server's (else the time of receipt counts).
CLOCK_PAST = timedelta(days=2)
CLOCK_FUTURE = timedelta(minutes=5)
INSERT_CHUNK = 1000


@dataclass(frozen=True)
class BatchOutcome:
    accepted: int
    rejected: list[dict[str, Any]] = field(default_factory=list)
    queued: bool = True


def _identifier(value: Any, *, code: str) -> str:
    if not isinstance(value, str) or not 8 <= len(value) <= 64 or not value.isascii() or not value.isprintable():
        raise EventBatchInvalid(details={"field": code})
    return value


def events_batch_accept(
    *, anon_id: Any, events: Any, member_id: int | None = None, now: datetime | None = None
) -> BatchOutcome:
    """Validate a batch and queue the events that fit (see the module docstring)."""
    anon = _identifier(anon_id, code="anon_id")
    if not isinstance(events, list) or not events:
        raise EventBatchInvalid(details={"field": "events"})
    if len(events) > MAX_BATCH:
        raise EventBatchTooLarge(details={"max": MAX_BATCH, "sent": len(events)})
    kept: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        problem = _event_problem(event)
        if problem:
            rejected.append({"index": index, "code": problem})
        else:
            kept.append(
                {"n": event["name"], "p": event.get("props") or {}, "t": event.get("ts"), "s": event["session"]}
            )
    received = now or timezone.now()
    if not kept:
        return BatchOutcome(accepted=0, rejected=rejected, queued=False)
    entry = {"a": anon, "m": member_id, "r": int(received.timestamp() * 1000), "e": kept}
    data = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    client = get_redis()
    if client is not None:
        try:
            client.xadd(settings.ANALYTICS_STREAM, {"d": data})
            return BatchOutcome(accepted=len(kept), rejected=rejected, queued=True)
        except RedisError:
            logger.warning("analytics: Redis unavailable, storing an event batch directly")
    events_store(entries=[(f"d-{uuid.uuid4().hex}", entry)])
    return BatchOutcome(accepted=len(kept), rejected=rejected, queued=False)


def _event_problem(event: Any) -> str | None:
    if not isinstance(event, dict):
        return "not_an_object"
    session = event.get("session")
    if not isinstance(session, str) or not 1 <= len(session) <= 64 or not session.isascii():
        return "bad_session"
    ts = event.get("ts")
    if ts is not None and (isinstance(ts, bool) or not isinstance(ts, int) or ts < 0):
        return "bad_ts"
    if set(event) - {"name", "props", "ts", "session"}:
        return "unknown_field"
    return event_problem(event.get("name"), event.get("props") or {})


def _occurred(ts: int | None, received: datetime) -> datetime:
    if ts is None:
        return received
    try:
        moment = datetime.fromtimestamp(ts / 1000, tz=received.tzinfo)
    except (OverflowError, OSError, ValueError):
        return received
    return moment if received - CLOCK_PAST <= moment <= received + CLOCK_FUTURE else received


INSERT_COLUMNS = (
    "day",
    "hour",
    "occurred_at",
    "name",
    "anon_id",
    "member_id",
    "session",
    "page",
    "product_id",
    "tool",
    "campaign_id",
    "dwell_ms",
    "reason",
    "props",
    "batch_key",
    "seq",
)


def _rows(batch_key: str, entry: dict[str, Any], links: dict[str, int]) -> list[tuple[Any, ...]]:
    """The entry's rows as INSERT_COLUMNS tuples (plain values: no model instances on the hot path)."""
    local_tz = timezone.get_current_timezone()
    received = datetime.fromtimestamp(entry["r"] / 1000, tz=local_tz)
    anon = entry["a"]
    member_id = entry.get("m") or links.get(anon)
    adapt = connection.ops.adapt_datetimefield_value
    rows = []
    for seq, event in enumerate(entry["e"]):
        props = dict(event["p"])
        occurred = _occurred(event.get("t"), received).astimezone(local_tz)
        rows.append(
            (
                occurred.date(),
                occurred.hour,
                adapt(occurred),
                event["n"],
                anon,
                member_id,
                event["s"],
                props.pop("page", ""),
                props.pop("product_id", None),
                props.pop("tool", ""),
                props.pop("campaign_id", None),
                props.pop("dwell_ms", None),
                props.pop("reason", ""),
                json.dumps(props, ensure_ascii=False, separators=(",", ":")),
                batch_key,
                seq,
            )
        )
    return rows


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """Multi-row INSERT that skips rows already stored (the unique batch key and index)."""
    table = connection.ops.quote_name(BehaviourEvent._meta.db_table)
    verb = "INSERT IGNORE INTO" if connection.vendor == "mysql" else "INSERT OR IGNORE INTO"
    placeholders = ", ".join(["%s"] * len(INSERT_COLUMNS))
    sql = f"{verb} {table} ({', '.join(INSERT_COLUMNS)}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_CHUNK):
            cursor.executemany(sql, rows[start : start + INSERT_CHUNK])


def _link_devices(signed_in: dict[str, int]) -> None:
    """First sign-in on a device wins; its earlier anonymous rows get the shopper."""
    known = set(DeviceLink.objects.filter(anon_id__in=list(signed_in)).values_list("anon_id", flat=True))
    for anon, member_id in signed_in.items():
        if anon in known:
            continue
        try:
            with transaction.atomic():
                DeviceLink.objects.create(anon_id=anon, member_id=member_id)
        except IntegrityError:
            continue  # linked meanwhile (another drain) or the shopper is gone
        BehaviourEvent.objects.filter(anon_id=anon, member_id__isnull=True).update(member_id=member_id)


def events_store(*, entries: list[tuple[str, dict[str, Any]]]) -> int:
    """Insert the rows of queue entries (batch key, entry); rows already stored are skipped."""
    signed_in = {entry["a"]: entry["m"] for _key, entry in entries if entry.get("m")}
    anonymous = {entry["a"] for _key, entry in entries if not entry.get("m")} - set(signed_in)
    with transaction.atomic():
        if signed_in:
            _link_devices(signed_in)
        links = dict(DeviceLink.objects.filter(anon_id__in=list(anonymous)).values_list("anon_id", "member_id"))
        rows = [row for key, entry in entries for row in _rows(key, entry, links)]
        _insert(rows)
    return len(rows)


def _ensure_group(client: Any, stream: str) -> None:
    try:
        client.xgroup_create(stream, GROUP, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def events_drain(
    *, consumer: str = "worker", chunk: int = 200, max_entries: int | None = None, reclaim_idle_ms: int = 60_000
) -> int:
    """Move queued entries into the table (see the module docstring); returns the rows handled."""
    client = get_redis()
    if client is None:
        return 0
    stream = settings.ANALYTICS_STREAM
    _ensure_group(client, stream)
    handled = entries_done = 0
    while max_entries is None or entries_done < max_entries:
        count = chunk if max_entries is None else min(chunk, max_entries - entries_done)
        # entries another drain took and never acknowledged (it died), then new ones
        batch = client.xautoclaim(stream, GROUP, consumer, min_idle_time=reclaim_idle_ms, start_id="0-0", count=count)[
            1
        ]
        if not batch:
            answer = client.xreadgroup(GROUP, consumer, {stream: ">"}, count=count)
            batch = answer[0][1] if answer else []
        batch = [(entry_id, fields) for entry_id, fields in batch if fields]
        if not batch:
            break
        handled += events_store(entries=[(entry_id, json.loads(fields["d"])) for entry_id, fields in batch])
        _acknowledge(client, stream, [entry_id for entry_id, _fields in batch])
        entries_done += len(batch)
    return handled


def _acknowledge(client: Any, stream: str, ids: list[str]) -> None:
    pipe = client.pipeline(transaction=False)
    pipe.xack(stream, GROUP, *ids)
    pipe.xdel(stream, *ids)
    pipe.execute()


def events_queue_length() -> int:
    client = get_redis()
    return int(client.xlen(settings.ANALYTICS_STREAM)) if client is not None else 0
