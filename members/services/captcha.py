"""The in-house slider captcha (F45): puzzles, answers and single-use passes.

* ``captcha_create`` draws a puzzle for one shopper and one action and keeps the answer in
  the cache (Redis in production) for ``CHALLENGE_TTL`` seconds; the response carries the
  images, never the answer.
* ``captcha_verify`` takes the first attempt at a puzzle, whatever its outcome: the puzzle is
  consumed atomically (only one caller's delete of the key succeeds), so a script cannot try
  x = 60, 61, 62… on the same image. A pass is a signed token (``django.core.signing``)
  naming the shopper, the action and a random nonce, valid ``PASS_TTL`` seconds.
* ``captcha_pass_consume`` (called by the guard) checks the signature, the age, the shopper
  and the action, then spends the nonce with an atomic add (Redis SET NX), so a pass opens
  one request only, even when replayed in parallel.

Redis unreachable: the cache is this module's store of record (an answer, a spent nonce), so
each call answers 503 ``service_unavailable`` with ``Retry-After`` rather than issue a puzzle
it cannot check or accept a pass it cannot spend once (fail safe: closed).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.cache import cache
from redis.exceptions import RedisError

from mall.errors import ServiceUnavailable
from members import captcha
from members.errors import CaptchaExpired, CaptchaFailed, CaptchaPassExpired, CaptchaPassInvalid, CaptchaPassUsed
from members.models import Member

logger = logging.getLogger(__name__)

CHALLENGE_TTL = 120
PASS_TTL = 120
CHALLENGE_KEY = "members:captcha:challenge:{id}"
NONCE_KEY = "members:captcha:pass:{nonce}"
SIGNING_SALT = "members.captcha.pass"


@dataclass(frozen=True)
class CaptchaChallenge:
    id: str
    background: str
    piece: str
    piece_y: int
    width: int
    height: int
    piece_size: int
    expires_in: int


@dataclass(frozen=True)
class CaptchaPass:
    token: str
    action: str
    expires_in: int


def captcha_create(*, member: Member, action: str) -> CaptchaChallenge:
    """A new puzzle for ``member`` to open ``action``; the gap's x stays in the cache."""
    puzzle = captcha.puzzle_draw(secrets.SystemRandom())
    challenge_id = secrets.token_urlsafe(18)
    try:
        cache.set(
            CHALLENGE_KEY.format(id=challenge_id),
            {"x": puzzle.x, "member": member.pk, "action": action, "at": time.time()},
            timeout=CHALLENGE_TTL,
        )
    except RedisError as exc:
        raise ServiceUnavailable() from exc
    return CaptchaChallenge(
        id=challenge_id,
        background=captcha.data_url(puzzle.background_png),
        piece=captcha.data_url(puzzle.piece_png),
        piece_y=puzzle.y,
        width=captcha.WIDTH,
        height=captcha.HEIGHT,
        piece_size=captcha.PIECE_BOX,
        expires_in=CHALLENGE_TTL,
    )


def _challenge_take(challenge_id: str) -> dict[str, Any] | None:
    """The stored puzzle, removed: of concurrent callers only the one whose delete removed
    the key gets it (DEL on Redis, a locked delete in the local cache)."""
    key = CHALLENGE_KEY.format(id=challenge_id)
    try:
        stored = cache.get(key)
        if not isinstance(stored, dict) or not cache.delete(key):
            return None
    except RedisError as exc:
        raise ServiceUnavailable() from exc
    if time.time() - float(stored.get("at", 0)) > CHALLENGE_TTL:
        return None
    return stored


def captcha_verify(*, member: Member, challenge_id: str, x: float, trail: Sequence[Sequence[float]]) -> CaptchaPass:
    """The shopper's one attempt at the puzzle; a pass for the puzzle's action, or a refusal."""
    stored = _challenge_take(challenge_id)
    if stored is None or stored.get("member") != member.pk:
        raise CaptchaExpired()
    problem = captcha.drag_problem(answer_x=int(stored["x"]), dropped_x=x, trail=trail)
    if problem is not None:
        logger.info("captcha failed for member %s: %s", member.pk, problem)
        raise CaptchaFailed()
    action = str(stored["action"])
    token = signing.dumps({"m": member.pk, "a": action, "n": secrets.token_urlsafe(12)}, salt=SIGNING_SALT)
    return CaptchaPass(token=token, action=action, expires_in=PASS_TTL)


def captcha_pass_consume(*, member_id: int, action: str, token: str) -> None:
    """Spend a pass on one request of ``action`` by ``member_id``, or refuse it with its code."""
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=PASS_TTL)
    except signing.SignatureExpired as exc:
        raise CaptchaPassExpired() from exc
    except signing.BadSignature as exc:
        raise CaptchaPassInvalid() from exc
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        raise CaptchaPassInvalid()
    if data.get("m") != member_id or data.get("a") != action:
        raise CaptchaPassInvalid(details={"action": action})
    try:
        spent = not cache.add(NONCE_KEY.format(nonce=data["n"]), 1, timeout=PASS_TTL + 60)
    except RedisError as exc:
        raise ServiceUnavailable() from exc
    if spent:
        raise CaptchaPassUsed()
