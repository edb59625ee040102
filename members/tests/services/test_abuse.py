"""The guard (F45): block lists for accounts, IPs (single or CIDR) and devices, captcha modes,
risk signals, and a hot path that reads no database once the configuration is held."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from mall.errors import PermissionDenied
from mall.models import AuditLog
from members.errors import (
    AccessBlocked,
    ActionRateLimited,
    BlockEntryExists,
    BlockValueInvalid,
    CaptchaPassUsed,
    CaptchaRequired,
    GuardSettingsInvalid,
)
from members.models import BlockEntry, BlockKind, GuardSettings, Member
from members.selectors.abuse import guard_config
from members.services.abuse import (
    SIGNAL_ACCOUNTS_PER_DEVICE,
    SIGNAL_ACCOUNTS_PER_IP,
    SIGNAL_VELOCITY,
    GuardSettingsData,
    RequestContext,
    abuse_check,
    block_entry_create,
    block_entry_delete,
    block_entry_update,
    block_value_normalise,
    guard_settings_update,
    risk_signals_record,
)
from members.tests.factories import MemberFactory
from members.tests.services.test_captcha import solve

pytestmark = pytest.mark.django_db

FROZEN = "2026-06-18 10:00:05 +0800"


@pytest.fixture
def staff(db: Any) -> User:
    return User.objects.create_superuser(username="yunying", password="x")


def settings_with(staff: User, **fields: Any) -> GuardSettings:
    return guard_settings_update(actor=staff, data=GuardSettingsData(**fields))


def check(
    member: Member, *, ip: str = "10.0.0.1", device: str = "", captcha_pass: str = "", action: str = "claim"
) -> None:
    abuse_check(
        action=action, member=member, context=RequestContext(ip=ip, device_id=device, captcha_pass=captcha_pass)
    )


# --- block lists --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        ("ip", "1.2.3.4", "1.2.3.4/32"),
        ("ip", " 10.1.2.3/24 ", "10.1.2.0/24"),
        ("ip", "2001:db8::1", "2001:db8::1/128"),
        ("ip", "::ffff:1.2.3.4", "1.2.3.4/32"),
        ("device", "dev-ABC_123:x.y", "dev-ABC_123:x.y"),
    ],
)
def test_block_values_are_normalised(kind: str, value: str, stored: str) -> None:
    assert block_value_normalise(kind=kind, value=value) == stored


@pytest.mark.parametrize(
    ("kind", "value"),
    [("ip", "1.2.3"), ("ip", "10.0.0.0/4"), ("ip", ""), ("device", ""), ("device", "有中文"), ("device", "x" * 65)],
)
def test_bad_block_values_are_refused(kind: str, value: str) -> None:
    with pytest.raises(BlockValueInvalid):
        block_value_normalise(kind=kind, value=value)


def test_a_blocked_member_is_refused(member: Member) -> None:
    Member.objects.filter(pk=member.pk).update(is_blocked=True)
    member.refresh_from_db()
    with pytest.raises(AccessBlocked) as refused:
        check(member)
    assert (refused.value.code, refused.value.status) == ("access_blocked", 403)


@pytest.mark.parametrize(
    ("blocked", "caller", "refused"),
    [
        ("1.2.3.4", "1.2.3.4", True),
        ("1.2.3.4", "1.2.3.5", False),
        ("10.8.0.0/16", "10.8.200.7", True),
        ("10.8.0.0/16", "10.9.0.1", False),
        ("2001:db8::/48", "2001:db8:0:1::5", True),
    ],
)
def test_ip_addresses_and_networks_are_refused(
    staff: User, member: Member, blocked: str, caller: str, refused: bool
) -> None:
    block_entry_create(actor=staff, kind=BlockKind.IP, value=blocked, note="刷单")
    if refused:
        with pytest.raises(AccessBlocked):
            check(member, ip=caller)
    else:
        check(member, ip=caller)


def test_a_blocked_device_is_refused_whatever_the_ip(staff: User, member: Member) -> None:
    block_entry_create(actor=staff, kind=BlockKind.DEVICE, value="dev-1")
    with pytest.raises(AccessBlocked):
        check(member, ip="10.0.0.1", device="dev-1")
    check(member, ip="10.0.0.1", device="dev-2")


def test_blocks_take_effect_at_once_and_are_audited(staff: User, member: Member) -> None:
    check(member, ip="10.0.0.9")  # configuration now held in memory
    entry = block_entry_create(actor=staff, kind=BlockKind.IP, value="10.0.0.9", note="羊毛党")
    with pytest.raises(AccessBlocked):
        check(member, ip="10.0.0.9")

    entry = block_entry_update(actor=staff, entry_id=entry.pk, value="10.0.0.0/30", note="整段")
    with pytest.raises(AccessBlocked):
        check(member, ip="10.0.0.2")
    check(member, ip="10.0.0.9")

    block_entry_delete(actor=staff, entry_id=entry.pk)
    check(member, ip="10.0.0.2")
    actions = list(
        AuditLog.objects.filter(target_type="members.blockentry").order_by("id").values_list("action", "data")
    )
    assert [a for a, _d in actions] == ["block_entry.create", "block_entry.update", "block_entry.delete"]
    assert actions[0][1] == {"kind": "ip", "value": "10.0.0.9/32", "note": "羊毛党", "expires_at": None}
    assert actions[1][1]["after"]["value"] == "10.0.0.0/30"
    assert AuditLog.objects.filter(action="block_entry.create").get().actor == staff


def test_an_entry_stops_blocking_when_it_expires(staff: User, member: Member) -> None:
    with time_machine.travel(FROZEN, tick=False) as traveller:
        block_entry_create(
            actor=staff, kind=BlockKind.IP, value="10.0.0.7", expires_at=timezone.now() + timedelta(hours=1)
        )
        with pytest.raises(AccessBlocked):
            check(member, ip="10.0.0.7")
        traveller.shift(3601)
        check(member, ip="10.0.0.7")  # same held configuration: the expiry is checked per call


def test_duplicates_are_refused(staff: User) -> None:
    block_entry_create(actor=staff, kind=BlockKind.IP, value="1.2.3.4")
    with pytest.raises(BlockEntryExists):
        block_entry_create(actor=staff, kind=BlockKind.IP, value="1.2.3.4/32")
    other = block_entry_create(actor=staff, kind=BlockKind.IP, value="1.2.3.5")
    with pytest.raises(BlockEntryExists):
        block_entry_update(actor=staff, entry_id=other.pk, value="1.2.3.4")
    assert BlockEntry.objects.count() == 2


def test_only_staff_change_the_block_list(member: Member) -> None:
    with pytest.raises(PermissionDenied):
        block_entry_create(actor=None, kind=BlockKind.IP, value="1.2.3.4")
    with pytest.raises(PermissionDenied):
        guard_settings_update(actor=None, data=GuardSettingsData())


# --- the hot path -------------------------------------------------------------------------


def test_a_held_configuration_costs_no_query(staff: User, member: Member, django_assert_num_queries: Any) -> None:
    settings_with(staff, claim_captcha="risk", velocity_limit=1000)
    block_entry_create(actor=staff, kind=BlockKind.IP, value="10.1.0.0/16")
    block_entry_create(actor=staff, kind=BlockKind.DEVICE, value="dev-9")
    with django_assert_num_queries(3):  # settings, block entries, blocked shoppers: once per version
        check(member, ip="10.2.0.1", device="dev-1")
    with django_assert_num_queries(0):
        for n in range(20):
            check(member, ip=f"10.2.0.{n}", device="dev-1")
    assert guard_config().networks[0][0].prefixlen == 16


# --- captcha modes ------------------------------------------------------------------------


def test_mode_off_never_asks_for_the_slider(staff: User, member: Member) -> None:
    settings_with(staff, claim_captcha="off", velocity_limit=1)
    for _ in range(5):
        check(member)


def test_mode_always_asks_every_time_and_takes_a_pass_once(staff: User, member: Member) -> None:
    settings_with(staff, claim_captcha="always")
    with pytest.raises(CaptchaRequired) as required:
        check(member)
    assert required.value.details == {"action": "claim"}
    token = solve(member, "claim")
    check(member, captcha_pass=token)
    with pytest.raises(CaptchaPassUsed):
        check(member, captcha_pass=token)


def test_actions_have_their_own_mode(staff: User, member: Member) -> None:
    settings_with(staff, claim_captcha="off", purchase_captcha="always", other_captcha="always")
    check(member, action="claim")
    with pytest.raises(CaptchaRequired):
        check(member, action="purchase")
    with pytest.raises(CaptchaRequired) as other:
        check(member, action="bargain")  # an action the settings do not list follows "other"
    assert other.value.details == {"action": "bargain"}


@time_machine.travel(FROZEN, tick=False)
def test_velocity_over_the_limit_asks_for_the_slider(staff: User, member: Member, redis_client: Any) -> None:
    settings_with(staff, claim_captcha="risk", velocity_limit=3)
    for _ in range(3):
        check(member)
    with pytest.raises(CaptchaRequired):
        check(member)
    check(member, captcha_pass=solve(member, "claim"))  # a solved slider lets this one through
    check(member, action="purchase")  # velocity is per action


def test_the_velocity_window_moves_on(staff: User, member: Member) -> None:
    settings_with(staff, velocity_limit=2, velocity_window_seconds=60)
    with time_machine.travel(FROZEN, tick=False) as traveller:
        check(member)
        check(member)
        with pytest.raises(CaptchaRequired):
            check(member)
        traveller.shift(60)
        check(member)


@time_machine.travel(FROZEN, tick=False)
def test_many_accounts_on_one_ip_ask_for_the_slider(staff: User, redis_client: Any) -> None:
    settings_with(staff, accounts_per_ip=3)
    shoppers = MemberFactory.create_batch(5)
    for shopper in shoppers[:3]:
        check(shopper, ip="10.3.3.3")
        check(shopper, ip="10.3.3.3")  # the same account again is not another account
    with pytest.raises(CaptchaRequired):
        check(shoppers[3], ip="10.3.3.3")
    with pytest.raises(CaptchaRequired):
        check(shoppers[0], ip="10.3.3.3")  # the address is now risky for everyone on it
    check(shoppers[4], ip="10.4.4.4")


@time_machine.travel(FROZEN, tick=False)
def test_many_accounts_on_one_device_ask_for_the_slider(staff: User, redis_client: Any) -> None:
    settings_with(staff, accounts_per_device=2)
    shoppers = MemberFactory.create_batch(3)
    for i, shopper in enumerate(shoppers[:2]):
        check(shopper, ip=f"10.5.0.{i}", device="phone-1")
    with pytest.raises(CaptchaRequired):
        check(shoppers[2], ip="10.5.0.9", device="phone-1")


@time_machine.travel(FROZEN, tick=False)
def test_signals_name_what_fired(staff: User, redis_client: Any) -> None:
    limits = guard_config().limits
    a, b = MemberFactory.create_batch(2)
    fired: tuple[str, ...] = ()
    for _ in range(limits.velocity_limit + 1):
        fired = risk_signals_record(action="claim", member_id=a.pk, ip="", device_id="", limits=limits, now=1e9)
    assert fired == (SIGNAL_VELOCITY,)
    for n in range(limits.accounts_per_ip + 1):
        fired = risk_signals_record(action="x", member_id=1000 + n, ip="10.6.6.6", device_id="", limits=limits, now=1e9)
    assert fired == (SIGNAL_ACCOUNTS_PER_IP,)
    for n in range(limits.accounts_per_device + 1):
        fired = risk_signals_record(action="y", member_id=2000 + n, ip="", device_id="d-1", limits=limits, now=1e9)
    assert fired == (SIGNAL_ACCOUNTS_PER_DEVICE,)
    quiet = risk_signals_record(action="claim", member_id=b.pk, ip="10.7.7.7", device_id="d-2", limits=limits, now=1e9)
    assert quiet == ()


def test_settings_are_validated_and_audited(staff: User) -> None:
    with pytest.raises(GuardSettingsInvalid) as bad:
        settings_with(staff, claim_captcha="sometimes", velocity_limit=0)
    assert set(bad.value.details["errors"]) == {"claim_captcha", "velocity_limit"}
    row = settings_with(staff, claim_captcha="always", velocity_limit=7)
    assert (row.claim_captcha, row.velocity_limit, row.updated_by) == ("always", 7, staff)
    audit = AuditLog.objects.get(action="guard_settings.update")
    assert audit.data["before"]["claim_captcha"] == "risk"
    assert audit.data["after"]["velocity_limit"] == 7


# --- per-action rates (counted by the guard, whichever route calls the service) -------------


def _rates(settings: Any, **rates: str) -> None:
    merged = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **{k.replace("_", "."): v for k, v in rates.items()}}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": merged}


@time_machine.travel(FROZEN, tick=False)
def test_an_actions_rate_counts_per_shopper_and_per_address(staff: User, settings: Any) -> None:
    settings_with(staff, claim_captcha="off", order_captcha="off")
    _rates(settings, claim_shopper="2/min", claim_ip="3/min")
    a, b = MemberFactory.create(), MemberFactory.create()
    check(a, ip="10.1.1.1")
    check(a, ip="10.1.1.2")
    with pytest.raises(ActionRateLimited) as over:
        check(a, ip="10.1.1.3")
    assert (over.value.code, over.value.status) == ("rate_limited", 429)
    assert over.value.details == {"action": "claim", "retry_after": 55}  # the minute's window ends at :00
    check(a, action="order", ip="10.1.1.3")  # another action has its own count
    check(b, ip="10.1.1.1")  # 10.1.1.1's second claim, b's first
    check(b, ip="10.1.1.1")
    with pytest.raises(ActionRateLimited):  # 10.1.1.1's fourth claim in the minute
        check(MemberFactory.create(), ip="10.1.1.1")
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        check(a, ip="10.1.1.4")  # a new window


def test_a_redis_outage_does_not_refuse_on_rates(staff: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate is a brake, not the guard of a scarce row: without Redis it lets the request on."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    from members.services import abuse

    class DownPipeline:
        def incr(self, key: str) -> None: ...

        def expire(self, key: str, seconds: int, nx: bool = False) -> None: ...

        def execute(self) -> list[int]:
            raise RedisConnectionError("Connection refused")

    class DownRedis:
        def pipeline(self, transaction: bool = False) -> DownPipeline:
            return DownPipeline()

    settings_with(staff, claim_captcha="off")
    monkeypatch.setattr(abuse, "get_redis", DownRedis)
    check(MemberFactory.create())  # no exception
