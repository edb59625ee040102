"""评论抽奖 (F24): enter with the room's keyword in a window; one verifiable draw; prizes issued once.

Verifiable draw (commit-reveal). When the merchant creates a lottery we pick a 32-byte seed
(``secrets.token_hex(32)``, 64 hex characters) and publish only ``seed_hash = SHA-256(seed)``
(the hex text's UTF-8 bytes hashed, lower-case hex digest). Entries close; the merchant draws:
each entry gets ``score = HMAC-SHA256(key = seed as UTF-8, message = str(entry id) as ASCII)``
(hex), entries are ordered by score ascending (ties cannot happen in practice; entry id breaks
them), and the first ``winners_count`` win. The seed is revealed with the results, so anyone
can check ``SHA-256(seed) == seed_hash`` and recompute every score — the merchant could not
have chosen the seed after seeing the entries, and could not steer the order.

Exactly once. The draw locks the lottery row and moves it from ``open`` to ``drawn`` in the same
transaction as the ranking, so two concurrent draws give one result and one 409. Each prize is
handed out inside its own savepoint after a conditional ``UPDATE … SET prize_issued_at WHERE
prize_issued_at IS NULL``; points use ``ref = live_lottery:<entry id>``; a prize that cannot be
issued (coupon sold out) stays pending and ``live_lottery_prizes_issue`` can retry it later
without giving anyone a second one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.services.events import event_record
from mall.errors import ApplicationError
from mall.services.audit import audit_record
from marketing.errors import (
    LiveInvalid,
    LiveLotteryAlreadyDrawn,
    LiveLotteryAlreadyEntered,
    LiveLotteryClosed,
    LiveLotteryKeywordWrong,
    LiveLotteryNotClosed,
    LiveLotteryNotFound,
    LiveRoomNotFound,
)
from marketing.models import CouponTemplate, LiveLottery, LiveLotteryEntry, LiveRoom, LotteryPrizeKind, LotteryStatus
from marketing.services.coupons import Actor, coupon_issue, require_staff
from members.models import Member, PointsEntry
from members.services.abuse import RequestContext, abuse_check
from members.services.points import points_grant

logger = logging.getLogger(__name__)

# The guard's action: blocked shoppers, networks and devices cannot enter, bots are rate limited
# and the merchant may ask for the slider (防刷设置 › 其他操作).
GUARD_ACTION = "live_lottery"
MAX_WINNERS = 1000
KEYWORD_MAX = 20


def seed_hash_of(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def entry_score(*, seed: str, entry_id: int) -> str:
    """The entry's place-deciding score: HMAC-SHA256(seed, str(entry_id)), hex."""
    return hmac.new(seed.encode(), str(entry_id).encode("ascii"), hashlib.sha256).hexdigest()


def keyword_normalize(text: str) -> str:
    """What counts as "sent the keyword": surrounding spaces and letter case don't matter."""
    return "".join(text.split()).casefold()


# --- merchant: create ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LotteryForm:
    title: str
    keyword: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    winners_count: int
    prize_kind: str
    coupon_template_id: int | None = None
    points: int = 0


def _lottery_validate(form: LotteryForm) -> None:
    errors: dict[str, str] = {}
    if not form.title.strip():
        errors["title"] = _("请填写抽奖名称。")
    if not keyword_normalize(form.keyword) or len(form.keyword.strip()) > KEYWORD_MAX:
        errors["keyword"] = _("请填写 1 到 20 个字的口令。")
    if form.closes_at <= form.opens_at:
        errors["closes_at"] = _("截止时间须晚于开始时间。")
    if not 1 <= form.winners_count <= MAX_WINNERS:
        errors["winners_count"] = _("中奖人数须在 1 到 1000 之间。")
    if form.prize_kind == LotteryPrizeKind.COUPON:
        template = CouponTemplate.objects.filter(pk=form.coupon_template_id or 0).first()
        if template is None or not template.is_active:
            errors["coupon_template"] = _("请选择一个启用中的优惠券。")
    elif form.prize_kind == LotteryPrizeKind.POINTS:
        if form.points < 1:
            errors["points"] = _("积分奖品须填写积分数。")
    else:
        errors["prize_kind"] = _("未知的奖品类型。")
    if errors:
        first_key, first = next(iter(errors.items()))
        raise LiveInvalid(first, details={"field": first_key, "errors": errors})


@transaction.atomic
def live_lottery_create(*, actor: Actor, room_id: int, form: LotteryForm) -> LiveLottery:
    """Create a lottery and commit to its seed (only the hash is shown until the draw)."""
    require_staff(actor)
    room = LiveRoom.objects.filter(pk=room_id).first()
    if room is None:
        raise LiveRoomNotFound(details={"room_id": room_id})
    _lottery_validate(form)
    seed = secrets.token_hex(32)
    lottery = LiveLottery.objects.create(
        room=room,
        title=form.title.strip(),
        keyword=form.keyword.strip(),
        opens_at=form.opens_at,
        closes_at=form.closes_at,
        winners_count=form.winners_count,
        prize_kind=form.prize_kind,
        coupon_template_id=form.coupon_template_id if form.prize_kind == LotteryPrizeKind.COUPON else None,
        points=form.points if form.prize_kind == LotteryPrizeKind.POINTS else 0,
        seed=seed,
        seed_hash=seed_hash_of(seed),
    )
    audit_record(
        actor=actor,
        action="live.lottery_create",
        target=lottery,
        data={
            "room_id": room.pk,
            "keyword": lottery.keyword,
            "winners": lottery.winners_count,
            "prize_kind": lottery.prize_kind,
            "seed_hash": lottery.seed_hash,
        },
    )
    return lottery


# --- shopper: enter -----------------------------------------------------------------------------


def live_lottery_enter(
    *, member: Member, lottery_id: int, keyword: str, context: RequestContext, now: dt.datetime | None = None
) -> LiveLotteryEntry:
    """Enter by sending the keyword within the window; once per shopper (unique row).

    A prize is scarce, so the guard is asked first, in the service (any caller gets it)."""
    abuse_check(action=GUARD_ACTION, member=member, context=context)
    now = now or timezone.now()
    lottery = (
        LiveLottery.objects.select_related("room")
        .filter(pk=lottery_id, room__is_hidden=False, room__gone_at__isnull=True)
        .first()
    )
    if lottery is None:
        raise LiveLotteryNotFound(details={"lottery_id": lottery_id})
    if lottery.status != LotteryStatus.OPEN or not lottery.opens_at <= now < lottery.closes_at:
        raise LiveLotteryClosed(
            details={"opens_at": lottery.opens_at.isoformat(), "closes_at": lottery.closes_at.isoformat()}
        )
    if keyword_normalize(keyword) != keyword_normalize(lottery.keyword):
        raise LiveLotteryKeywordWrong()
    # No counter is bumped here: every insert takes a shared lock on the lottery row (the foreign
    # key), so an UPDATE of that row from concurrent entries would deadlock. Screens count rows;
    # the draw stores the final count.
    try:
        with transaction.atomic():
            entry = LiveLotteryEntry.objects.create(lottery=lottery, member=member)
            # A draw holding the lottery's row made this insert wait; read the status after it so
            # an entry never lands in a lottery that was drawn meanwhile (it would have no rank).
            if not LiveLottery.objects.filter(pk=lottery.pk, status=LotteryStatus.OPEN).exists():
                raise LiveLotteryClosed(details={"status": "drawn"})
    except IntegrityError as exc:
        raise LiveLotteryAlreadyEntered() from exc
    event_record(name="live_lottery_enter", member_id=member.pk, props={"lottery_id": lottery.pk})
    return entry


# --- merchant: draw -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawResult:
    lottery: LiveLottery
    winners: int
    issued: int
    pending: int


def _issue_prize(entry: LiveLotteryEntry, lottery: LiveLottery, now: dt.datetime) -> bool:
    """Hand one winner their prize, all or nothing; False when it could not be issued now."""
    try:
        with transaction.atomic():
            if not LiveLotteryEntry.objects.filter(pk=entry.pk, won=True, prize_issued_at__isnull=True).update(
                prize_issued_at=now
            ):
                return False
            member = Member.objects.get(pk=entry.member_id)
            if lottery.prize_kind == LotteryPrizeKind.COUPON and lottery.coupon_template is not None:
                coupon = coupon_issue(member=member, template=lottery.coupon_template, now=now)
                LiveLotteryEntry.objects.filter(pk=entry.pk).update(coupon=coupon)
            else:
                points_grant(
                    member_id=member.pk,
                    delta=lottery.points,
                    reason=PointsEntry.Reason.GRANT,
                    ref=f"live_lottery:{entry.pk}",
                    note=_("直播间抽奖：%(title)s") % {"title": lottery.title},
                )
                LiveLotteryEntry.objects.filter(pk=entry.pk).update(points=lottery.points)
            return True
    except ApplicationError as exc:
        logger.warning("live lottery %s prize for entry %s not issued: %s", lottery.pk, entry.pk, exc.code)
        return False


def live_lottery_draw(*, actor: Actor, lottery_id: int, now: dt.datetime | None = None) -> DrawResult:
    """Draw once after the window closed: rank by HMAC(seed, entry id), reveal the seed, issue prizes."""
    require_staff(actor)
    now = now or timezone.now()
    with transaction.atomic():
        lottery = (
            LiveLottery.objects.select_for_update().select_related("coupon_template").filter(pk=lottery_id).first()
        )
        if lottery is None:
            raise LiveLotteryNotFound(details={"lottery_id": lottery_id})
        if lottery.status != LotteryStatus.OPEN:
            raise LiveLotteryAlreadyDrawn(details={"status": lottery.status})
        if now < lottery.closes_at:
            raise LiveLotteryNotClosed(details={"closes_at": lottery.closes_at.isoformat()})
        entries = list(LiveLotteryEntry.objects.filter(lottery=lottery).only("pk", "member_id"))
        ranked = sorted(entries, key=lambda e: (entry_score(seed=lottery.seed, entry_id=e.pk), e.pk))
        for place, entry in enumerate(ranked, start=1):
            entry.rank = place
            entry.won = place <= lottery.winners_count
        LiveLotteryEntry.objects.bulk_update(ranked, ["rank", "won"], batch_size=500)
        lottery.status, lottery.drawn_at, lottery.entries_count = LotteryStatus.DRAWN, now, len(entries)
        lottery.save(update_fields=["status", "drawn_at", "entries_count"])
        winners = [entry for entry in ranked if entry.won]
        issued = sum(1 for entry in winners if _issue_prize(entry, lottery, now))
        audit_record(
            actor=actor,
            action="live.lottery_draw",
            target=lottery,
            data={
                "entries": len(entries),
                "winners": [entry.pk for entry in winners],
                "seed": lottery.seed,
                "seed_hash": lottery.seed_hash,
                "issued": issued,
            },
        )
    for entry in winners:
        event_record(name="live_lottery_won", member_id=entry.member_id, props={"lottery_id": lottery.pk})
    return DrawResult(lottery=lottery, winners=len(winners), issued=issued, pending=len(winners) - issued)


def live_lottery_prizes_issue(*, actor: Actor, lottery_id: int, now: dt.datetime | None = None) -> int:
    """Retry the winners' prizes that could not be issued at the draw; never a second one."""
    require_staff(actor)
    now = now or timezone.now()
    lottery = LiveLottery.objects.select_related("coupon_template").filter(pk=lottery_id).first()
    if lottery is None:
        raise LiveLotteryNotFound(details={"lottery_id": lottery_id})
    with transaction.atomic():
        pending = list(LiveLotteryEntry.objects.filter(lottery=lottery, won=True, prize_issued_at__isnull=True))
        issued = sum(1 for entry in pending if _issue_prize(entry, lottery, now))
        if issued:
            audit_record(actor=actor, action="live.lottery_issue", target=lottery, data={"issued": issued})
    return issued


@transaction.atomic
def live_lottery_cancel(*, actor: Actor, lottery_id: int) -> LiveLottery:
    """Call off a lottery that has not been drawn; its entries stay, nobody wins, the seed stays secret."""
    require_staff(actor)
    lottery = LiveLottery.objects.select_for_update().filter(pk=lottery_id).first()
    if lottery is None:
        raise LiveLotteryNotFound(details={"lottery_id": lottery_id})
    if lottery.status != LotteryStatus.OPEN:
        raise LiveLotteryAlreadyDrawn(details={"status": lottery.status})
    lottery.status = LotteryStatus.CANCELLED
    lottery.save(update_fields=["status"])
    audit_record(actor=actor, action="live.lottery_cancel", target=lottery)
    return lottery
