"""The guard's configuration for the hot path: block lists and settings, held in memory by version.

The flash-sale purchase endpoint asks the guard 2,000 times a second, so it must not read
the database. Every service that changes a block entry or the guard settings calls
:func:`guard_config_bump`, which writes a new random version into the cache (Redis in
production): the next check anywhere misses and loads the configuration again (two
queries), so a merchant's block takes effect at the next request in every process. The
bump happens immediately and again after commit, so a check made while the change was
still uncommitted cannot keep the old configuration under the new version.

A warm check costs one cache read (the version, held 0.2 s per process) and no query; the
configuration is also re-read after ``CONFIG_TTL`` seconds, and expiry dates of block entries
are compared with the clock at each check, not at load time.

Redis unreachable: the process keeps the configuration it holds (or loads it from the
database once and keeps it), so block lists keep refusing; a change made during the outage
reaches the other processes when Redis is back (or after ``CONFIG_TTL``).
"""

from __future__ import annotations

import ipaddress
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mall.cache import cache_read, cache_version, cache_write
from members.models import GUARDED_ACTIONS, BlockEntry, BlockKind, GuardSettings, Member

VERSION_KEY = "members:guard:version"
CONFIG_KEY = "members:guard:config:{version}"
CONFIG_TTL = 300

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class GuardLimits:
    """:class:`~members.models.GuardSettings` as plain values."""

    captcha_modes: Mapping[str, str]
    other_captcha: str
    velocity_limit: int
    velocity_window_seconds: int
    accounts_per_ip: int
    accounts_per_ip_window_seconds: int
    accounts_per_device: int
    accounts_per_device_window_seconds: int

    @classmethod
    def of(cls, row: GuardSettings) -> GuardLimits:
        return cls(
            captcha_modes={action: row.captcha_mode(action) for action in GUARDED_ACTIONS},
            other_captcha=row.other_captcha,
            velocity_limit=row.velocity_limit,
            velocity_window_seconds=row.velocity_window_seconds,
            accounts_per_ip=row.accounts_per_ip,
            accounts_per_ip_window_seconds=row.accounts_per_ip_window_seconds,
            accounts_per_device=row.accounts_per_device,
            accounts_per_device_window_seconds=row.accounts_per_device_window_seconds,
        )

    def captcha_mode(self, action: str) -> str:
        return self.captcha_modes.get(action, self.other_captcha)


def _live(expires_at: float | None, now: float) -> bool:
    return expires_at is None or now < expires_at


@dataclass(frozen=True)
class GuardConfig:
    """Block lists (value -> expiry as a Unix time, None = for good) and limits of one version."""

    version: str
    limits: GuardLimits
    addresses: Mapping[str, float | None]
    networks: tuple[tuple[Network, float | None], ...]
    devices: Mapping[str, float | None]
    # Blocked shoppers (``Member.is_blocked``): endpoints that answer before loading the shopper
    # (the flash sale's purchase) still refuse them.
    members: frozenset[int] = frozenset()

    def member_blocked(self, member_id: int) -> bool:
        return member_id in self.members

    def ip_blocked(self, ip: str, *, now: float) -> bool:
        if not ip:
            return False
        if ip in self.addresses and _live(self.addresses[ip], now):
            return True
        if not self.networks:
            return False
        address = ipaddress.ip_address(ip)
        return any(address in network and _live(expires, now) for network, expires in self.networks)

    def device_blocked(self, device_id: str, *, now: float) -> bool:
        return bool(device_id) and device_id in self.devices and _live(self.devices[device_id], now)


# The version read from the cache is held this long in the process, so a burst of guarded
# requests (2,000 a second at a flash sale) does not read it on every one; a change made in
# this process drops it at once, other processes see it within this time.
VERSION_HOLD_SECONDS = 0.2
_held_version: tuple[float, str] | None = None


# One thread of the process re-reads the version when the hold lapses; the others keep the held
# one meanwhile, so hundreds of threads at a flash sale do not all open cache connections at once.
_refresh_lock = threading.Lock()


def guard_config_version() -> str:
    global _held_version
    held = _held_version
    if held is not None and time.monotonic() - held[0] < VERSION_HOLD_SECONDS:
        return held[1]
    if held is not None and not _refresh_lock.acquire(blocking=False):
        return held[1]  # another thread is refreshing: keep using the held one
    try:
        # Redis unreachable: the version held last (its configuration stays in use, see mall.cache).
        version = cache_version(VERSION_KEY, held=held[1] if held is not None else "")
        _held_version = (time.monotonic(), version)
        return version
    finally:
        if held is not None:
            _refresh_lock.release()


def guard_config_forget() -> None:
    """Drop the held version (tests: the cache is cleared between them)."""
    global _held_version
    _held_version = None


def _bump() -> None:
    global _held_version
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    _held_version = None


def guard_config_bump() -> None:
    """Invalidate the held configuration now and once more when the transaction commits."""
    _bump()
    transaction.on_commit(_bump)


def _timestamp(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


def guard_config_load(*, version: str = "", now: datetime | None = None) -> GuardConfig:
    """Read the settings, the live block entries and the blocked shoppers (three queries)."""
    now = now or timezone.now()
    addresses: dict[str, float | None] = {}
    networks: list[tuple[Network, float | None]] = []
    devices: dict[str, float | None] = {}
    rows = BlockEntry.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).values_list(
        "kind", "value", "expires_at"
    )
    for kind, value, expires_at in rows:
        expires = _timestamp(expires_at)
        if kind == BlockKind.DEVICE:
            devices[value] = expires
            continue
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:  # saved through the service, so only a hand-edited row gets here
            continue
        if network.num_addresses == 1:
            addresses[str(network.network_address)] = expires
        else:
            networks.append((network, expires))
    return GuardConfig(
        version=version,
        limits=GuardLimits.of(GuardSettings.current()),
        addresses=addresses,
        networks=tuple(networks),
        devices=devices,
        members=frozenset(Member.objects.filter(is_blocked=True).values_list("pk", flat=True)),
    )


# The configuration of the current version, kept in this process (as the pricing rules are):
# the version key, one small cache read, still decides.
_process_config: dict[str, tuple[float, GuardConfig]] = {}


def guard_config() -> GuardConfig:
    """The configuration for a check: from memory or the cache under the current version."""
    version = guard_config_version()
    held = _process_config.get(version)
    if held is not None and time.monotonic() - held[0] < CONFIG_TTL:
        return held[1]
    key = CONFIG_KEY.format(version=version)
    config = cache_read(key)
    if not isinstance(config, GuardConfig):
        config = guard_config_load(version=version)
        cache_write(key, config, timeout=CONFIG_TTL)
    _process_config.clear()
    _process_config[version] = (time.monotonic(), config)
    return config
