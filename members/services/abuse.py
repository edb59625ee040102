"""The guard in front of scarce things (F45) and the merchant's block lists and settings.

The services that take something scarce (an order with a flash or release unit, a group
seat, a bargain purchase, stepped-price units or coupons; a claimed coupon; a bargain started
or helped) call :func:`abuse_check` themselves, with the :class:`RequestContext` the view
built from the request (``members.api.abuse.request_context``)::

    abuse_check(action="purchase", member=member, context=context)

so no route can reach the scarce thing without passing it. It refuses, in this order:

1. a blocked account, IP address (or network) or device → ``AccessBlocked`` (403
   ``access_blocked``; which list matched is logged, not told);
2. a shopper or an IP address over the action's rate (``<action>.shopper`` / ``<action>.ip``
   of ``THROTTLE_ACTIONS``) → ``ActionRateLimited`` (429 ``rate_limited``, the code the
   views' own throttles answer with; a view whose ``throttle_action`` counted them already
   says so in ``RequestContext.rate_counted``, and they are not counted twice);
3. when the merchant asks for the slider on this action — always, or only when a risk
   signal fires — and no pass came with the request → ``CaptchaRequired`` (403
   ``captcha_required``, ``details.action``): the client shows the slider
   (``POST /api/v1/captcha``) and retries with the pass in ``X-Captcha-Pass``;
4. a pass that is forged or another shopper's / action's (``captcha_pass_invalid``),
   expired (``captcha_pass_expired``) or already used (``captcha_pass_used``).

Risk signals, counted in Redis in fixed windows (one pipelined round trip; the Django cache
when there is no Redis): one shopper repeating the action too often (velocity), one IP
address used by too many shoppers, one device used by too many shoppers. Thresholds and
windows come from :class:`~members.models.GuardSettings`.

With Redis unreachable the check still answers (never a 500): the block lists come from the
configuration the process holds (``members.selectors.abuse``); the action rates and the risk
signals are counted in the process (each process sees its share of the traffic, so they act
later but still act); a request that needs the slider gets 503 ``service_unavailable``
(``Retry-After``), because neither a puzzle nor a pass's single use can be kept without the
shared store — the guard fails closed for those, open for none.

Sign-up is guarded too (:func:`signup_check`): blocked addresses and devices cannot make
accounts, and an address or device that made more new accounts than the merchant's
``accounts_per_ip`` / ``accounts_per_device`` in their windows still gets its account, but no
invite binding and no new-user pack, which is what such farms are after.

Cost per call with the configuration in memory: one cache read (the configuration version,
held 0.2 s per process), at most one Redis round trip (the rates and, in "risk" mode, the
risk counters, pipelined), and no database query.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from mall.cache import cache_outage_warn, local_windows
from mall.errors import NotFound, PermissionDenied
from mall.redis import get_redis
from mall.services.audit import audit_record
from members.errors import (
    AccessBlocked,
    ActionRateLimited,
    BlockEntryExists,
    BlockValueInvalid,
    CaptchaRequired,
    GuardSettingsInvalid,
)
from members.models import BlockEntry, BlockKind, CaptchaMode, GuardSettings
from members.selectors.abuse import GuardConfig, GuardLimits, guard_config, guard_config_bump
from members.services.captcha import captcha_pass_consume

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None

SIGNAL_VELOCITY = "velocity"
SIGNAL_ACCOUNTS_PER_IP = "accounts_per_ip"
SIGNAL_ACCOUNTS_PER_DEVICE = "accounts_per_device"
_KEY_PREFIX = "duoying:guard"


# --- the check --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RequestContext:
    """What the guard needs to know of the request: the client's address (``client_ip``), the
    device id it sent (``X-Device-Id``) and the slider pass (``X-Captcha-Pass``). The view builds
    it and hands it to the service, which asks the guard before it takes anything scarce."""

    ip: str
    device_id: str = ""
    captcha_pass: str = ""
    # The action whose per-shopper and per-IP rates the view's own throttles already counted
    # for this request (``throttle_action``, before the body was read): not counted twice.
    rate_counted: str = ""


class GuardedShopper(Protocol):
    """What the check reads of a shopper: a Member, or the token's shopper before it is loaded."""

    pk: Any
    is_blocked: bool


def _refuse_blocked(*, config: GuardConfig, context: RequestContext, what: str, now: float) -> None:
    if config.ip_blocked(context.ip, now=now):
        logger.info("guard: blocked ip %s refused (%s)", context.ip, what)
        raise AccessBlocked()
    if config.device_blocked(context.device_id, now=now):
        logger.info("guard: blocked device %s refused (%s)", context.device_id, what)
        raise AccessBlocked()


def abuse_check(*, action: str, member: GuardedShopper, context: RequestContext) -> None:
    """Let the request through, or raise the refusal the client must act on (see the module)."""
    now = time.time()
    config = guard_config()
    if member.is_blocked or config.member_blocked(member.pk):
        logger.info("guard: blocked member %s refused (%s)", member.pk, action)
        raise AccessBlocked()
    _refuse_blocked(config=config, context=context, what=f"{action}, member {member.pk}", now=now)
    mode = config.limits.captcha_mode(action)
    # One Redis round trip: the action's rates, and the risk counters when the mode asks.
    signals = guard_counts_record(
        action=action,
        member_id=member.pk,
        ip=context.ip,
        rated=context.rate_counted == action,
        device_id=context.device_id,
        limits=config.limits,
        now=now,
        risk=mode == CaptchaMode.RISK,
    )
    if mode == CaptchaMode.OFF:
        return
    if mode == CaptchaMode.RISK:
        if not signals:
            return
        logger.info("guard: %s for member %s on %s", ",".join(signals), member.pk, action)
    if not context.captcha_pass:
        raise CaptchaRequired(details={"action": action})
    captcha_pass_consume(member_id=member.pk, action=action, token=context.captcha_pass)


_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def action_rates(action: str) -> list[tuple[str, int, int]]:
    """The action's limits as (kind, requests, window seconds), from ``THROTTLE_ACTIONS``'s
    rates (``"20/min"``); an action without rates is not limited here."""
    rates = getattr(settings, "REST_FRAMEWORK", {}).get("DEFAULT_THROTTLE_RATES", {})
    found = []
    for kind in ("shopper", "ip"):
        rate = rates.get(f"{action}.{kind}")
        if not rate:
            continue
        count, _slash, period = str(rate).partition("/")
        found.append((kind, int(count), _PERIODS[period[:1]]))
    return found


RateKey = tuple[str, int, int, int]  # (key, limit, window seconds, window start)


def _rate_keys(*, action: str, member_id: int, ip: str, now: float) -> list[RateKey]:
    keyed = []
    for kind, limit, window in action_rates(action):
        ident = member_id if kind == "shopper" else ip
        if ident == "":
            continue
        start = int(now // window) * window
        keyed.append((f"{_KEY_PREFIX}:rate:{action}:{kind}:{ident}:{start}", limit, window, start))
    return keyed


def _refuse_over_rate(*, action: str, keyed: list[RateKey], counts: list[int], now: float) -> None:
    over = [start + window - now for (_key, limit, window, start), n in zip(keyed, counts, strict=True) if n > limit]
    if over:
        raise ActionRateLimited(details={"action": action, "retry_after": math.ceil(max(over))})


def action_rate_check(*, action: str, member_id: int, ip: str, now: float) -> None:
    """Count one request against the action's per-shopper and per-IP rate (fixed windows);
    ``ActionRateLimited`` past either."""
    guard_counts_record(action=action, member_id=member_id, ip=ip, device_id="", limits=None, now=now, risk=False)


def guard_counts_record(
    *,
    action: str,
    member_id: int,
    ip: str,
    device_id: str,
    limits: GuardLimits | None,
    now: float,
    risk: bool,
    rated: bool = False,
) -> tuple[str, ...]:
    """Count this request, in one Redis round trip: against the action's rates (raises
    ``ActionRateLimited`` past one) unless the view's throttles counted them (``rated``) and,
    with ``risk``, in the risk counters, whose signals it returns. A Redis outage counts
    nothing and refuses nothing (logged): the rates are a brake, the scarce rows' guarded
    updates still hold, and the slider set to "always" stays."""
    keyed = [] if rated else _rate_keys(action=action, member_id=member_id, ip=ip, now=now)
    risk_keys = _risk_keys(action=action, member_id=member_id, ip=ip, device_id=device_id, limits=limits, now=now)
    if not risk or limits is None:
        risk_keys = None
    if not keyed and risk_keys is None:
        return ()
    redis = get_redis()
    try:
        if redis is None:
            counts = [_cache_count(key, window) for key, _limit, window, _start in keyed]
            _refuse_over_rate(action=action, keyed=keyed, counts=counts, now=now)
            if risk_keys is None or limits is None:
                return ()
            return _risk_signals(_risk_counts_cached(risk_keys, member_id, limits), limits)
        pipe = redis.pipeline(transaction=False)
        for key, _limit, window, _start in keyed:
            pipe.incr(key)
            pipe.expire(key, window + 1, nx=True)
        if risk_keys is not None and limits is not None:
            _risk_queue(pipe, risk_keys, member_id, limits)
        replies = pipe.execute()
    except RedisError as exc:  # counted in this process for the outage (mall.cache.LocalWindows)
        cache_outage_warn(f"guard counts ({action})", exc)
        return _counts_local(
            action=action, keyed=keyed, risk_keys=risk_keys, member_id=member_id, limits=limits, now=now
        )
    counts = [int(n) for n in replies[: 2 * len(keyed) : 2]]
    _refuse_over_rate(action=action, keyed=keyed, counts=counts, now=now)
    if risk_keys is None or limits is None:
        return ()
    return _risk_signals(_risk_replies(risk_keys, replies[2 * len(keyed) :]), limits)


def _counts_local(
    *,
    action: str,
    keyed: list[RateKey],
    risk_keys: RiskKeys | None,
    member_id: int,
    limits: GuardLimits | None,
    now: float,
) -> tuple[str, ...]:
    """``guard_counts_record`` while Redis is unreachable: each process counts what it sees."""
    counts = [local_windows.count(key, ttl=window + 1) for key, _limit, window, _start in keyed]
    _refuse_over_rate(action=action, keyed=keyed, counts=counts, now=now)
    if risk_keys is None or limits is None:
        return ()
    velocity_key, ip_key, device_key = risk_keys
    ip_window, device_window = limits.accounts_per_ip_window_seconds, limits.accounts_per_device_window_seconds
    local = (
        local_windows.count(velocity_key, ttl=limits.velocity_window_seconds + 1),
        local_windows.distinct(ip_key, str(member_id), ttl=ip_window + 1) if ip_key else 0,
        local_windows.distinct(device_key, str(member_id), ttl=device_window + 1) if device_key else 0,
    )
    return _risk_signals(local, limits)


def signup_check(*, context: RequestContext) -> bool:
    """At a first login, before the account is made: ``AccessBlocked`` for a blocked address or
    device; otherwise count the new account against the address and the device and say whether
    it may have sign-up rewards (False past the merchant's accounts-per-IP / per-device limits)."""
    now = time.time()
    config = guard_config()
    _refuse_blocked(config=config, context=context, what="signup", now=now)
    limits = config.limits
    counters = [
        (f"{_KEY_PREFIX}:signup:ip:{context.ip}", limits.accounts_per_ip, limits.accounts_per_ip_window_seconds),
        (
            f"{_KEY_PREFIX}:signup:d:{context.device_id}",
            limits.accounts_per_device,
            limits.accounts_per_device_window_seconds,
        ),
    ]
    counted = [
        (f"{key}:{int(now // window)}", limit, window) for key, limit, window in counters if not key.endswith(":")
    ]
    try:
        counts = [_cache_count(key, window) for key, _limit, window in counted]
    except RedisError:
        logger.warning("guard: sign-up not counted (Redis unavailable)")
        return True
    over = [key for (key, limit, _window), n in zip(counted, counts, strict=True) if n > limit]
    if over:
        logger.info("guard: too many new accounts from %s; no sign-up rewards", ", ".join(over))
    return not over


def _cache_count(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window + 1)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr: this call opens the window
        cache.add(key, 1, timeout=window + 1)
        return 1


def _cache_distinct(key: str, member_id: int, window: int) -> int:
    """Distinct shoppers under ``key`` with cache primitives: a marker per shopper (atomic add)
    and a counter raised only by the call that added the marker."""
    if cache.add(f"{key}:{member_id}", 1, timeout=window + 1):
        return _cache_count(key, window)
    return int(cache.get(key) or 1)


RiskKeys = tuple[str, str, str]  # (velocity, accounts of the IP, accounts of the device); "" = not counted


def _risk_keys(
    *, action: str, member_id: int, ip: str, device_id: str, limits: GuardLimits | None, now: float
) -> RiskKeys | None:
    if limits is None:
        return None
    velocity_key = f"{_KEY_PREFIX}:v:{action}:{member_id}:{int(now // limits.velocity_window_seconds)}"
    ip_key = f"{_KEY_PREFIX}:ip:{ip}:{int(now // limits.accounts_per_ip_window_seconds)}" if ip else ""
    device_window = limits.accounts_per_device_window_seconds
    device_key = f"{_KEY_PREFIX}:d:{device_id}:{int(now // device_window)}" if device_id else ""
    return velocity_key, ip_key, device_key


def _risk_queue(pipe: Any, keys: RiskKeys, member_id: int, limits: GuardLimits) -> None:
    velocity_key, ip_key, device_key = keys
    pipe.incr(velocity_key)
    pipe.expire(velocity_key, limits.velocity_window_seconds + 1)
    for key, window in (
        (ip_key, limits.accounts_per_ip_window_seconds),
        (device_key, limits.accounts_per_device_window_seconds),
    ):
        if key:
            pipe.sadd(key, member_id)
            pipe.expire(key, window + 1)
            pipe.scard(key)


def _risk_replies(keys: RiskKeys, replies: list[Any]) -> tuple[int, int, int]:
    _velocity_key, ip_key, device_key = keys
    counts = iter(replies[4::3])
    ip_accounts = int(next(counts)) if ip_key else 0
    device_accounts = int(next(counts)) if device_key else 0
    return int(replies[0]), ip_accounts, device_accounts


def _risk_counts_cached(keys: RiskKeys, member_id: int, limits: GuardLimits) -> tuple[int, int, int]:
    velocity_key, ip_key, device_key = keys
    velocity = _cache_count(velocity_key, limits.velocity_window_seconds)
    ip_window, device_window = limits.accounts_per_ip_window_seconds, limits.accounts_per_device_window_seconds
    ip_accounts = _cache_distinct(ip_key, member_id, ip_window) if ip_key else 0
    device_accounts = _cache_distinct(device_key, member_id, device_window) if device_key else 0
    return velocity, ip_accounts, device_accounts


def _risk_signals(counts: tuple[int, int, int], limits: GuardLimits) -> tuple[str, ...]:
    velocity, ip_accounts, device_accounts = counts
    signals = []
    if velocity > limits.velocity_limit:
        signals.append(SIGNAL_VELOCITY)
    if ip_accounts > limits.accounts_per_ip:
        signals.append(SIGNAL_ACCOUNTS_PER_IP)
    if device_accounts > limits.accounts_per_device:
        signals.append(SIGNAL_ACCOUNTS_PER_DEVICE)
    return tuple(signals)


def risk_signals_record(
    *, action: str, member_id: int, ip: str, device_id: str, limits: GuardLimits, now: float
) -> tuple[str, ...]:
    """Count this call in the risk counters alone and return the signals over their
    thresholds (empty: no risk seen)."""
    keys = _risk_keys(action=action, member_id=member_id, ip=ip, device_id=device_id, limits=limits, now=now)
    assert keys is not None  # noqa: S101 - limits are given
    redis = get_redis()
    if redis is None:
        return _risk_signals(_risk_counts_cached(keys, member_id, limits), limits)
    pipe = redis.pipeline(transaction=False)
    _risk_queue(pipe, keys, member_id, limits)
    try:
        replies = pipe.execute()
    except RedisError as exc:
        cache_outage_warn("risk signals", exc)
        return _counts_local(action=action, keyed=[], risk_keys=keys, member_id=member_id, limits=limits, now=now)
    return _risk_signals(_risk_replies(keys, replies), limits)


# --- block lists (merchant side) ----------------------------------------------------------


def _require_staff(actor: Actor) -> None:
    if actor is None or not getattr(actor, "is_staff", False) or not getattr(actor, "is_active", False):
        raise PermissionDenied()


def block_value_normalise(*, kind: str, value: str) -> str:
    """An IP address becomes ``a.b.c.d/32`` (or ``/128``), a network its CIDR (host bits
    cleared); a device id is kept as sent. BlockValueInvalid for anything else."""
    value = (value or "").strip()
    if kind == BlockKind.IP:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError as exc:
            raise BlockValueInvalid(details={"field": "value"}) from exc
        mapped = getattr(network.network_address, "ipv4_mapped", None)
        if mapped is not None and network.prefixlen == 128:
            network = ipaddress.ip_network(f"{mapped}/32")
        if network.prefixlen < (8 if network.version == 4 else 32):
            # Blocking a /4 by a typo would shut the shop for a province.
            raise BlockValueInvalid(_("网段过大，IPv4 至少 /8，IPv6 至少 /32。"), details={"field": "value"})
        return str(network)
    if kind == BlockKind.DEVICE:
        if not value or len(value) > 64 or not all(c.isalnum() or c in "._:-" for c in value) or not value.isascii():
            raise BlockValueInvalid(details={"field": "value"})
        return value
    raise BlockValueInvalid(details={"field": "kind"})


def _entry_audit(entry: BlockEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "value": entry.value,
        "note": entry.note,
        "expires_at": entry.expires_at.isoformat() if entry.expires_at else None,
    }


@transaction.atomic
def block_entry_create(
    *, actor: Actor, kind: str, value: str, note: str = "", expires_at: datetime | None = None
) -> BlockEntry:
    """Block an IP address, a network or a device id; effective at the next request."""
    _require_staff(actor)
    value = block_value_normalise(kind=kind, value=value)
    entry = BlockEntry(
        kind=kind,
        value=value,
        note=(note or "").strip()[:200],
        expires_at=expires_at,
        created_by=actor if isinstance(actor, User) else None,
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:
        raise BlockEntryExists(details={"kind": kind, "value": value}) from exc
    audit_record(actor=actor, action="block_entry.create", target=entry, data=_entry_audit(entry))
    guard_config_bump()
    return entry


@transaction.atomic
def block_entry_update(
    *, actor: Actor, entry_id: int, value: str, note: str = "", expires_at: datetime | None = None
) -> BlockEntry:
    """Change what one entry blocks, its note or its expiry (the kind stays)."""
    _require_staff(actor)
    entry = BlockEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    before = _entry_audit(entry)
    entry.value = block_value_normalise(kind=entry.kind, value=value)
    entry.note = (note or "").strip()[:200]
    entry.expires_at = expires_at
    if BlockEntry.objects.filter(kind=entry.kind, value=entry.value).exclude(pk=entry.pk).exists():
        raise BlockEntryExists(details={"kind": entry.kind, "value": entry.value})
    entry.save()
    audit_record(
        actor=actor, action="block_entry.update", target=entry, data={"before": before, "after": _entry_audit(entry)}
    )
    guard_config_bump()
    return entry


@transaction.atomic
def block_entry_delete(*, actor: Actor, entry_id: int) -> None:
    """Unblock: the entry is removed (the audit row keeps what it was)."""
    _require_staff(actor)
    entry = BlockEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    audit_record(actor=actor, action="block_entry.delete", target=entry, data=_entry_audit(entry))
    entry.delete()
    guard_config_bump()


# --- guard settings (merchant side) ---------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GuardSettingsData:
    purchase_captcha: str = CaptchaMode.RISK
    claim_captcha: str = CaptchaMode.RISK
    reserve_captcha: str = CaptchaMode.OFF
    help_captcha: str = CaptchaMode.RISK
    order_captcha: str = CaptchaMode.OFF
    other_captcha: str = CaptchaMode.RISK
    velocity_limit: int = 10
    velocity_window_seconds: int = 60
    accounts_per_ip: int = 5
    accounts_per_ip_window_seconds: int = 3600
    accounts_per_device: int = 2
    accounts_per_device_window_seconds: int = 86400


_MODE_FIELDS = (
    "purchase_captcha",
    "claim_captcha",
    "reserve_captcha",
    "help_captcha",
    "order_captcha",
    "other_captcha",
)
_WINDOW_MAX = 7 * 86400


def guard_settings_validate(*, data: GuardSettingsData) -> None:
    errors: dict[str, str] = {}
    for name in _MODE_FIELDS:
        if getattr(data, name) not in CaptchaMode.values:
            errors[name] = _("未知的验证方式。")
    for name in ("velocity_limit", "accounts_per_ip", "accounts_per_device"):
        if not 1 <= getattr(data, name) <= 1_000_000:
            errors[name] = _("上限须为 1 到 1000000 之间的整数。")
    for name in ("velocity_window_seconds", "accounts_per_ip_window_seconds", "accounts_per_device_window_seconds"):
        if not 1 <= getattr(data, name) <= _WINDOW_MAX:
            errors[name] = _("统计窗口须在 1 秒到 7 天之间。")
    if errors:
        first_key, first = next(iter(errors.items()))
        raise GuardSettingsInvalid(first, details={"field": first_key, "errors": errors})


def _settings_snapshot(row: GuardSettings) -> dict[str, Any]:
    return {name: getattr(row, name) for name in GuardSettingsData.__dataclass_fields__}


@transaction.atomic
def guard_settings_update(*, actor: Actor, data: GuardSettingsData) -> GuardSettings:
    """Change when the slider is asked for and where risk signals fire; effective at once."""
    _require_staff(actor)
    guard_settings_validate(data=data)
    GuardSettings.load()
    row = GuardSettings.objects.select_for_update().get(pk=1)
    before = _settings_snapshot(row)
    for key, value in asdict(data).items():
        setattr(row, key, value)
    row.updated_by = actor if isinstance(actor, User) else None
    row.save()
    audit_record(
        actor=actor,
        action="guard_settings.update",
        target=row,
        data={"before": before, "after": _settings_snapshot(row)},
    )
    guard_config_bump()
    return row
