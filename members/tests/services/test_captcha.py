"""Captcha puzzles and passes: the answer stays server-side, one attempt per puzzle, one
request per pass, bound to the shopper and the action; forged, expired and reused passes are
refused with their own codes — also when replayed from many threads at once."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core import signing
from django.core.cache import cache

from mall.tests.concurrency import run_in_threads
from members.errors import CaptchaExpired, CaptchaFailed, CaptchaPassExpired, CaptchaPassInvalid, CaptchaPassUsed
from members.models import Member
from members.services import captcha as service
from members.services.captcha import captcha_create, captcha_pass_consume, captcha_verify
from members.tests.captcha_trails import human_trail, robot_trail
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def answer_of(challenge_id: str) -> int:
    """The gap's x, read where only the server can read it."""
    stored = cache.get(service.CHALLENGE_KEY.format(id=challenge_id))
    assert stored is not None
    return int(stored["x"])


def solve(member: Member, action: str = "claim", *, offset: float = 0) -> str:
    challenge = captcha_create(member=member, action=action)
    x = answer_of(challenge.id) + offset
    return captcha_verify(member=member, challenge_id=challenge.id, x=x, trail=human_trail(x)).token


def test_a_challenge_carries_images_but_never_the_answer(member: Member) -> None:
    challenge = captcha_create(member=member, action="claim")
    answer = answer_of(challenge.id)
    assert challenge.background.startswith("data:image/png;base64,")
    assert challenge.piece.startswith("data:image/png;base64,")
    assert (challenge.width, challenge.height, challenge.expires_in) == (300, 150, service.CHALLENGE_TTL)
    # What the client gets is the pictures, the piece's row and sizes: no field carries the gap's x
    # (comparing values instead would fail by chance whenever x equals piece_y or a size).
    assert set(vars(challenge)) == {
        "id",
        "background",
        "piece",
        "piece_y",
        "width",
        "height",
        "piece_size",
        "expires_in",
    }
    assert answer is not None and 0 < answer < challenge.width
    # The id is random, not derived from the answer: the same answer gives different ids.
    assert captcha_create(member=member, action="claim").id != challenge.id


@pytest.mark.parametrize(("offset", "passes"), [(0, True), (5, True), (-5, True), (6, False), (-7, False)])
def test_the_drop_may_miss_the_gap_by_five_pixels(member: Member, offset: int, passes: bool) -> None:
    if passes:
        token = solve(member, offset=offset)
        assert signing.loads(token, salt=service.SIGNING_SALT)["a"] == "claim"
    else:
        with pytest.raises(CaptchaFailed):
            solve(member, offset=offset)


def test_a_scripted_drag_fails_even_on_the_gap(member: Member) -> None:
    challenge = captcha_create(member=member, action="claim")
    x = answer_of(challenge.id)
    with pytest.raises(CaptchaFailed):
        captcha_verify(member=member, challenge_id=challenge.id, x=x, trail=robot_trail(x))


def test_the_first_attempt_uses_the_puzzle_up_pass_or_fail(member: Member) -> None:
    challenge = captcha_create(member=member, action="claim")
    x = answer_of(challenge.id)
    with pytest.raises(CaptchaFailed):
        captcha_verify(member=member, challenge_id=challenge.id, x=x + 40, trail=human_trail(x + 40))
    with pytest.raises(CaptchaExpired):  # the right answer comes too late
        captcha_verify(member=member, challenge_id=challenge.id, x=x, trail=human_trail(x))


def test_another_shoppers_puzzle_cannot_be_answered(member: Member, other_member: Member) -> None:
    challenge = captcha_create(member=member, action="claim")
    x = answer_of(challenge.id)
    with pytest.raises(CaptchaExpired):
        captcha_verify(member=other_member, challenge_id=challenge.id, x=x, trail=human_trail(x))


def test_unknown_and_stale_puzzles_are_expired(member: Member) -> None:
    with pytest.raises(CaptchaExpired):
        captcha_verify(member=member, challenge_id="no-such-puzzle", x=100, trail=human_trail(100))
    with time_machine.travel("2026-06-18 10:00:00 +0800", tick=False) as traveller:
        challenge = captcha_create(member=member, action="claim")
        x = answer_of(challenge.id)
        traveller.shift(service.CHALLENGE_TTL + 1)
        with pytest.raises(CaptchaExpired):
            captcha_verify(member=member, challenge_id=challenge.id, x=x, trail=human_trail(x))


# --- passes -----------------------------------------------------------------------------


def test_a_pass_opens_one_request_of_its_action_for_its_shopper(member: Member) -> None:
    token = solve(member)
    captcha_pass_consume(member_id=member.pk, action="claim", token=token)
    with pytest.raises(CaptchaPassUsed) as used:
        captcha_pass_consume(member_id=member.pk, action="claim", token=token)
    assert used.value.code == "captcha_pass_used"


def test_a_pass_is_bound_to_the_shopper_and_the_action(member: Member, other_member: Member) -> None:
    token = solve(member, action="claim")
    with pytest.raises(CaptchaPassInvalid) as other_shopper:
        captcha_pass_consume(member_id=other_member.pk, action="claim", token=token)
    with pytest.raises(CaptchaPassInvalid):
        captcha_pass_consume(member_id=member.pk, action="purchase", token=token)
    assert other_shopper.value.code == "captcha_pass_invalid"
    captcha_pass_consume(member_id=member.pk, action="claim", token=token)  # still unused by the refusals


@pytest.mark.parametrize(
    "forge",
    [
        lambda: "",
        lambda: "not-a-pass",
        lambda: signing.dumps({"m": 1, "a": "claim", "n": "x"}, salt="some-other-salt"),
        lambda: signing.dumps({"m": 1, "a": "claim", "n": "x"}, salt=service.SIGNING_SALT, key="not-the-secret-key"),
        lambda: signing.dumps(["m", 1], salt=service.SIGNING_SALT),
    ],
)
def test_forged_passes_are_invalid(member: Member, forge: Any) -> None:
    # signed when the test runs, not at collection: a long suite would otherwise see them expire
    with pytest.raises(CaptchaPassInvalid):
        captcha_pass_consume(member_id=1, action="claim", token=forge())


def test_a_tampered_pass_is_invalid(member: Member) -> None:
    """Another shopper's id pasted into a real pass's payload breaks the signature."""
    _payload, signature = solve(member).split(":", 1)
    other = MemberFactory.create()
    forged_payload = signing.dumps({"m": other.pk, "a": "claim", "n": "n"}, salt=service.SIGNING_SALT).split(":")[0]
    with pytest.raises(CaptchaPassInvalid):
        captcha_pass_consume(member_id=other.pk, action="claim", token=f"{forged_payload}:{signature}")


def test_an_expired_pass_is_refused_with_its_own_code(member: Member) -> None:
    with time_machine.travel("2026-06-18 10:00:00 +0800", tick=False) as traveller:
        token = solve(member)
        traveller.shift(service.PASS_TTL + 1)
        with pytest.raises(CaptchaPassExpired) as expired:
            captcha_pass_consume(member_id=member.pk, action="claim", token=token)
    assert expired.value.code == "captcha_pass_expired"


# --- races on the real cache (Redis in CI) -----------------------------------------------


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_twenty_verifies_of_one_puzzle_at_once_yield_one_pass(redis_client: Any) -> None:
    member = MemberFactory.create()
    challenge = captcha_create(member=member, action="claim")
    x = answer_of(challenge.id)
    trail = human_trail(x)

    results = run_in_threads(20, lambda _i: captcha_verify(member=member, challenge_id=challenge.id, x=x, trail=trail))

    passes = [r for r in results if isinstance(r, service.CaptchaPass)]
    expired = [r for r in results if isinstance(r, CaptchaExpired)]
    assert (len(passes), len(expired)) == (1, 19), results


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_one_pass_replayed_by_twenty_threads_opens_one_request(redis_client: Any) -> None:
    member = MemberFactory.create()
    token = solve(member)

    results = run_in_threads(20, lambda _i: captcha_pass_consume(member_id=member.pk, action="claim", token=token))

    assert results.count(None) == 1, results
    assert sum(isinstance(r, CaptchaPassUsed) for r in results) == 19
