"""Run the lifecycle journeys (F17–F19): set-based selection, one transaction per batch.

Shoppers are taken in id-ordered batches (``BATCH_SIZE``); each journey selects its candidates
in the batch with one or two SQL queries over indexed columns, occasions already reached are
dropped, and the rest are written in one transaction per batch:

1. the batch's journey rows are locked (two runs of the same batch queue here);
2. one ``INSERT IGNORE`` of the :class:`JourneySend` rows, unique on (journey, member,
   occasion), stamped with this run's token — the rows that carry the token are this run's, the
   others were reached by another run (``already_sent``);
3. coupons: the template's quota by one guarded UPDATE, the coupons by one INSERT;
4. the messages through :func:`members.services.messages.messages_send_bulk` (inbox now, pushes
   after commit with consent credits, the monthly cap and quiet hours checked by the worker);
5. the sends are linked to their coupon and message.

A crash anywhere rolls the batch back whole, so a rerun reaches exactly the shoppers the crashed
run did not. When one shopper is due for several journeys in one run, only the journey with
the highest priority pushes; the others reach the inbox (``lower_priority``).

Counting: ``eligible`` occasions not reached before; each lands in exactly one bucket, ``sent``
(push queued) or ``skipped[reason]``; ``granted`` counts coupons-and-inbox deliveries.
"""

from __future__ import annotations

import logging
import uuid
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from types import ModuleType
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mall.bulk_rows import rows_insert
from mall.models import Product, Sku
from marketing.models import (
    Coupon,
    CouponChannel,
    CouponStatus,
    CouponTemplate,
    Journey,
    JourneyKind,
    JourneyProductCoupon,
    JourneyPush,
    JourneyRun,
    JourneySend,
)
from marketing.services.journeys import birthday, dormant, replenish
from marketing.services.journeys.common import (
    COMEBACK_LINK,
    MESSAGE_KINDS,
    Candidate,
    coupon_amount_text,
    text_render,
)
from members.global_holdout import OFF, GlobalHoldout, global_holdout_current
from members.models import PUSHES_PER_MONTH, Member, PushAllowance, SubscribeCredit, SubscribeTemplate
from members.services.messages import MessageDraft, messages_send_bulk, month_of, quiet_until

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
DEADLOCK_RETRIES = 3
MODULES: dict[str, ModuleType] = {
    JourneyKind.DORMANT: dormant,
    JourneyKind.BIRTHDAY: birthday,
    JourneyKind.REPLENISH: replenish,
}
DEFAULTS: dict[str, dict[str, Any]] = {
    JourneyKind.DORMANT: {
        "days": 30,
        "priority": 30,
        "coupon_valid_days": 7,
        "title": _("{name}，好久不见，专属回归礼已到账"),
        "body": _("送你一张{amount}无门槛券，还有为你挑的好物，回来看看吧"),
    },
    JourneyKind.BIRTHDAY: {
        "days": 3,
        "priority": 20,
        "coupon_valid_days": 7,
        "title": _("{name}，生日快乐！"),
        "body": _("{amount}生日券已放入券包，生日前后都能用，愿你天天开心"),
    },
    JourneyKind.REPLENISH: {
        "days": 7,
        "priority": 10,
        "coupon_valid_days": 7,
        "title": _("您的{product}快用完了，再购享{amount}"),
        "body": _("专属{amount}券已放入券包，点击再次购买{product}"),
    },
}
# Skip reasons that are not a push outcome.
ALREADY_SENT = "already_sent"
COUPON_SOLD_OUT = "coupon_sold_out"
SKIP_LABELS: dict[str, Any] = {
    **{choice.value: choice.label for choice in JourneyPush if choice != JourneyPush.QUEUED},
    ALREADY_SENT: _("已由另一轮发送"),
    COUPON_SOLD_OUT: _("优惠券已发完"),
}
# Pushes handed to the message system: queued (or held by quiet hours) ones it tries in the
# worker; the ones already known to fail are recorded with the message system's own reason.
PUSHED = {JourneyPush.QUEUED, JourneyPush.NO_CONSENT, JourneyPush.MONTHLY_CAP, JourneyPush.QUIET_HOURS}
# Shoppers given nothing: the journey's own holdout, and the shop's global holdout (B03), whose
# send row is kept with is_holdout False so it is in neither group of the journey's report.
LEFT_OUT = {JourneyPush.HOLDOUT, JourneyPush.GLOBAL_HOLDOUT}
KNOWN_SKIPS = {JourneyPush.NO_CONSENT: "no_consent", JourneyPush.MONTHLY_CAP: "monthly_cap"}


@dataclass
class JourneyOutcome:
    journey: str
    eligible: int = 0
    granted: int = 0
    sent: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        return {
            "journey": self.journey,
            "eligible": self.eligible,
            "sent": self.sent,
            "skipped": dict(sorted(self.skipped.items())),
            "granted": self.granted,
        }

    def add(self, other: JourneyOutcome) -> None:
        self.eligible += other.eligible
        self.granted += other.granted
        self.sent += other.sent
        self.skipped.update(other.skipped)


@transaction.atomic
def journeys_ensure() -> dict[str, Journey]:
    """The three journeys' settings, created (off) with their defaults on first use."""
    found = {journey.kind: journey for journey in Journey.objects.all()}
    for kind in MODULES:
        if kind not in found:
            values = {key: str(value) if key in ("title", "body") else value for key, value in DEFAULTS[kind].items()}
            try:
                with transaction.atomic():
                    found[kind] = Journey.objects.create(kind=kind, **values)
            except IntegrityError:
                found[kind] = Journey.objects.get(kind=kind)
    return found


@dataclass
class _Plan:
    journeys: list[Journey]
    now: datetime
    push_templates: dict[str, str]  # journey kind → WeChat template id of its message kind
    quiet: bool
    month: str
    cycle_max: int | None
    global_holdout: GlobalHoldout = OFF


@dataclass
class _Due:
    journey: Journey
    candidate: Candidate
    push: str = JourneyPush.QUEUED


def lifecycle_run(
    *,
    kinds: Sequence[str] | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> list[JourneyOutcome]:
    """Run the journeys (all, or ``kinds``) once for every shopper; safe to run twice or at once."""
    now = now or timezone.now()
    journeys = journeys_ensure()
    wanted = [journeys[kind] for kind in (kinds or list(MODULES))]
    outcomes = {journey.kind: JourneyOutcome(journey=journey.kind) for journey in wanted}
    active = sorted((j for j in wanted if j.is_enabled), key=lambda j: (-j.priority, j.kind))
    if active:
        templates = dict(
            SubscribeTemplate.objects.filter(
                kind__in=[MESSAGE_KINDS[j.kind] for j in active], is_active=True
            ).values_list("kind", "template_id")
        )
        plan = _Plan(
            journeys=active,
            now=now,
            push_templates={
                j.kind: templates[MESSAGE_KINDS[j.kind]] for j in active if MESSAGE_KINDS[j.kind] in templates
            },
            quiet=quiet_until(now) is not None,
            month=month_of(now),
            cycle_max=replenish.longest_cycle() if any(j.kind == JourneyKind.REPLENISH for j in active) else None,
            global_holdout=global_holdout_current(),
        )
        last = 0
        while True:
            ids = list(Member.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            last = ids[-1]
            for kind, outcome in _batch(plan, ids[0], ids[-1], dry_run).items():
                outcomes[kind].add(outcome)
    if not dry_run:
        JourneyRun.objects.bulk_create(
            [
                JourneyRun(
                    kind=journey.kind,
                    ran_at=now,
                    eligible=outcomes[journey.kind].eligible,
                    granted=outcomes[journey.kind].granted,
                    sent=outcomes[journey.kind].sent,
                    skipped=dict(outcomes[journey.kind].skipped),
                )
                for journey in active
            ]
        )
    return [outcomes[journey.kind] for journey in wanted]


def _select(plan: _Plan, lo: int, hi: int) -> list[_Due]:
    """Every journey's due occasions in the batch, in priority order, not reached before."""
    due: list[_Due] = []
    for journey in plan.journeys:
        module = MODULES[journey.kind]
        extra = {"cycle_max": plan.cycle_max} if journey.kind == JourneyKind.REPLENISH else {}
        found = module.candidates(journey=journey, lo=lo, hi=hi, now=plan.now, **extra)
        if not found:
            continue
        reached = set(
            JourneySend.objects.filter(kind=journey.kind, member_id__gte=lo, member_id__lte=hi).values_list(
                "member_id", "occasion"
            )
        )
        due += [_Due(journey, c) for c in found if (c.member_id, c.occasion) not in reached]
    if not due:
        return due
    names = dict(Member.objects.filter(pk__gte=lo, pk__lte=hi, is_blocked=False).values_list("pk", "nickname"))
    due = [
        _Due(d.journey, Candidate(**{**d.candidate.__dict__, "name": names[d.candidate.member_id]}))
        for d in due
        if d.candidate.member_id in names
    ]
    _decide_pushes(plan, due, lo, hi)
    return due


HOLDOUT_BUCKETS = 10_000


def journey_holdout(*, kind: str, member_id: int, percent: int) -> bool:
    """B03: a stable share of shoppers is held out of a journey (CRC32 of "journey:kind:member"),
    the same shoppers at every occasion, so the uplift report compares like with like."""
    bucket = zlib.crc32(f"journey:{kind}:{member_id}".encode()) % HOLDOUT_BUCKETS
    return bucket < percent * HOLDOUT_BUCKETS // 100


def _decide_pushes(plan: _Plan, due: list[_Due], lo: int, hi: int) -> None:
    """One push per shopper per run: the highest-priority journey that has a subscribe template
    pushes; the others go to the inbox only. Held-out shoppers (the journey's holdout, or the
    shop's global holdout, which wins) get nothing and take no slot."""
    first: dict[int, _Due] = {}
    held = plan.global_holdout.held_out({item.candidate.member_id for item in due})
    for item in due:
        percent = item.journey.holdout_percent
        if item.candidate.member_id in held:
            item.push = JourneyPush.GLOBAL_HOLDOUT
        elif percent and journey_holdout(kind=item.journey.kind, member_id=item.candidate.member_id, percent=percent):
            item.push = JourneyPush.HOLDOUT
        elif item.journey.kind not in plan.push_templates:
            item.push = JourneyPush.NO_TEMPLATE
        elif item.candidate.member_id in first:
            item.push = JourneyPush.LOWER_PRIORITY
        else:
            first[item.candidate.member_id] = item
    pushing = list(first.values())
    if not pushing:
        return
    granted = set(
        SubscribeCredit.objects.filter(
            member_id__gte=lo, member_id__lte=hi, template_id__in=set(plan.push_templates.values()), credits__gte=1
        ).values_list("member_id", "template_id")
    )
    used = dict(
        PushAllowance.objects.filter(member_id__gte=lo, member_id__lte=hi, month=plan.month).values_list(
            "member_id", "used"
        )
    )
    for item in pushing:
        member_id = item.candidate.member_id
        if (member_id, plan.push_templates[item.journey.kind]) not in granted:
            item.push = JourneyPush.NO_CONSENT
        elif used.get(member_id, 0) >= PUSHES_PER_MONTH:
            item.push = JourneyPush.MONTHLY_CAP
        elif plan.quiet:
            item.push = JourneyPush.QUIET_HOURS


def _tally(due: Sequence[_Due], skipped: Sequence[tuple[_Due, str]]) -> dict[str, JourneyOutcome]:
    outcomes: dict[str, JourneyOutcome] = {}
    dropped = {id(item) for item, _reason in skipped}
    for item in due:
        outcome = outcomes.setdefault(item.journey.kind, JourneyOutcome(journey=item.journey.kind))
        outcome.eligible += 1
        if id(item) in dropped:
            continue
        if item.push in LEFT_OUT:
            outcome.skipped[item.push] += 1
            continue
        outcome.granted += 1
        if item.push == JourneyPush.QUEUED:
            outcome.sent += 1
        else:
            outcome.skipped[item.push] += 1
    for item, reason in skipped:
        outcomes[item.journey.kind].skipped[reason] += 1
    return outcomes


def _batch(plan: _Plan, lo: int, hi: int, dry_run: bool) -> dict[str, JourneyOutcome]:
    due = _select(plan, lo, hi)
    if not due:
        return {}
    if dry_run:
        return _tally(due, [])
    for attempt in range(DEADLOCK_RETRIES):
        try:
            with transaction.atomic():
                skipped = _write(plan, due)
            return _tally(due, skipped)
        except OperationalError as exc:  # InnoDB chose this run as a deadlock victim: the batch rolled back
            if attempt == DEADLOCK_RETRIES - 1 or exc.args[:1] != (1213,):
                raise
            logger.warning("lifecycle batch %s-%s deadlocked, retrying", lo, hi)
    return {}


def _write(plan: _Plan, due: list[_Due]) -> list[tuple[_Due, str]]:
    """Steps 1–5 of the module docstring, inside the caller's transaction; returns the skipped."""
    kinds = sorted({item.journey.pk for item in due})
    list(Journey.objects.select_for_update().filter(pk__in=kinds).order_by("pk").values_list("pk", flat=True))
    token = uuid.uuid4().hex
    rows_insert(
        JourneySend,
        SEND_FIELDS,
        [_send_row(item, token, plan.now) for item in due],
        ignore=True,
    )
    mine = {
        (kind, member_id, occasion): pk
        for pk, kind, member_id, occasion in JourneySend.objects.filter(run_token=token).values_list(
            "pk", "kind", "member_id", "occasion"
        )
    }
    skipped: list[tuple[_Due, str]] = []
    sending: list[_Due] = []
    for item in due:
        if (item.journey.kind, item.candidate.member_id, item.candidate.occasion) in mine:
            sending.append(item)
        else:
            skipped.append((item, ALREADY_SENT))
    # Held-out shoppers keep their send row (the occasion is used, the report needs them) and
    # get neither coupon nor message.
    sending = [item for item in sending if item.push not in LEFT_OUT]
    coupons, sold_out = _coupons_grant(plan, sending)
    for item in sold_out:
        skipped.append((item, COUPON_SOLD_OUT))
    if sold_out:
        JourneySend.objects.filter(pk__in=[mine[_key(item)] for item in sold_out]).delete()
    out = {id(item) for item in sold_out}
    sending = [item for item in sending if id(item) not in out]
    drafts = [_draft(item, coupons.get(id(item))) for item in sending]
    messages = messages_send_bulk(drafts=drafts)
    # Link each send to its coupon and message: one INSERT … ON DUPLICATE KEY UPDATE on the
    # primary key (a CASE-per-row bulk_update costs seconds per batch).
    links = [
        (
            mine[_key(item)],
            *_send_row(item, token, plan.now),
            coupons[id(item)][0] if id(item) in coupons else None,
            message_id,
        )
        for item, message_id in zip(sending, messages, strict=True)
    ]
    rows_insert(JourneySend, ("id", *SEND_FIELDS, "coupon_id", "message_id"), links, update=("coupon_id", "message_id"))
    return skipped


SEND_FIELDS = ("kind", "member_id", "occasion", "product_id", "push", "is_holdout", "run_token", "sent_at")


def _send_row(item: _Due, token: str, now: datetime) -> tuple[Any, ...]:
    candidate = item.candidate
    held = item.push == JourneyPush.HOLDOUT
    kind, push = item.journey.kind, item.push
    return (kind, candidate.member_id, candidate.occasion, candidate.product_id, push, held, token, now)


def _key(item: _Due) -> tuple[str, int, str]:
    return item.journey.kind, item.candidate.member_id, item.candidate.occasion


def _draft(item: _Due, coupon: tuple[int, CouponTemplate] | None) -> MessageDraft:
    journey, candidate = item.journey, item.candidate
    amount = coupon_amount_text(coupon[1]) if coupon is not None else ""
    values = {"name": candidate.name, "amount": amount, "product": candidate.product_title}
    if journey.kind == JourneyKind.DORMANT:
        link = COMEBACK_LINK
    elif journey.kind == JourneyKind.REPLENISH:
        link = f"/pages/product/index?id={candidate.product_id}"
    else:
        link = "/package-member/coupons/index"
    return MessageDraft(
        member_id=candidate.member_id,
        kind=MESSAGE_KINDS[journey.kind],
        title=text_render(journey.title, **values),
        body=text_render(journey.body, **values),
        link=link,
        src=f"journey:{journey.pk}",
        push=item.push in PUSHED,
        skip_reason=KNOWN_SKIPS.get(JourneyPush(item.push), ""),
    )


def _coupon_window(plan: _Plan, item: _Due) -> tuple[datetime, datetime]:
    until = plan.now + timedelta(days=item.journey.coupon_valid_days)
    if item.candidate.birthday is not None:
        after = item.candidate.birthday + timedelta(days=item.journey.coupon_valid_days + 1)
        until = max(until, datetime.combine(after, time.min, tzinfo=timezone.get_current_timezone()))
    return plan.now, until


def _issued_with_copies(pattern: CouponTemplate) -> int:
    """Coupons issued from the journey's template and from its per-product copies."""
    copies = JourneyProductCoupon.objects.filter(pattern=pattern).values("template_id")
    from_copies = CouponTemplate.objects.filter(pk__in=copies).aggregate(n=Sum("issued_count"))["n"] or 0
    return pattern.issued_count + from_copies


def _usable(template: CouponTemplate | None, now: datetime) -> bool:
    return (
        template is not None
        and template.is_active
        and (template.valid_until is None or template.valid_until > now)
        and (template.total_quantity is None or _issued_with_copies(template) < template.total_quantity)
    )


def _coupons_grant(plan: _Plan, sending: list[_Due]) -> tuple[dict[int, tuple[int, CouponTemplate]], list[_Due]]:
    """One coupon per send whose journey has a template, within the template's quota."""
    by_pattern: dict[int, list[_Due]] = {}
    for item in sending:
        if item.journey.coupon_template_id is not None:
            by_pattern.setdefault(item.journey.coupon_template_id, []).append(item)
    granted: dict[int, tuple[_Due, int]] = {}  # id(item) → (item, template id of the coupon)
    sold_out: list[_Due] = []
    patterns = {t.pk: t for t in CouponTemplate.objects.select_for_update().filter(pk__in=sorted(by_pattern))}
    for pattern_id, items in sorted(by_pattern.items()):
        pattern = patterns.get(pattern_id)
        if not _usable(pattern, plan.now):
            sold_out += items
            continue
        assert pattern is not None  # noqa: S101 - _usable checked it
        room = len(items) if pattern.total_quantity is None else pattern.total_quantity - _issued_with_copies(pattern)
        taken, sold_out_here = items[:room], items[room:]
        sold_out += sold_out_here
        per_product = _product_templates(pattern, {i.candidate.product_id for i in taken if _per_product(i)})
        issued: dict[int, int] = {}
        for item in taken:
            product_id = item.candidate.product_id
            template_id = per_product[product_id] if _per_product(item) and product_id else pattern.pk
            granted[id(item)] = (item, template_id)
            issued[template_id] = issued.get(template_id, 0) + 1
        # Each template counts the coupons made from it (a product's copy its own); the pattern's
        # quota covers its copies through _issued_with_copies.
        for template_id, count in sorted(issued.items()):
            CouponTemplate.objects.filter(pk=template_id).update(issued_count=F("issued_count") + count)
    if not granted:
        return {}, sold_out
    seqs = {
        (row["template_id"], row["member_id"]): row["seq"]
        for row in Coupon.objects.filter(
            template_id__in={tid for _item, tid in granted.values()},
            member_id__gte=min(item.candidate.member_id for item, _tid in granted.values()),
            member_id__lte=max(item.candidate.member_id for item, _tid in granted.values()),
        )
        .values("template_id", "member_id")
        .annotate(seq=Max("seq"))
    }
    rows: list[tuple[Any, ...]] = []
    claimed_at = timezone.now()
    for item, template_id in granted.values():
        key = (template_id, item.candidate.member_id)
        seqs[key] = seqs.get(key, 0) + 1
        valid_from, valid_until = _coupon_window(plan, item)
        member_id = item.candidate.member_id
        rows.append((template_id, member_id, seqs[key], CouponStatus.UNUSED, valid_from, valid_until, claimed_at))
    fields = ("template_id", "member_id", "seq", "status", "valid_from", "valid_until", "claimed_at")
    ids = rows_insert(Coupon, fields, rows, returning=True)
    templates = {t.pk: t for t in CouponTemplate.objects.filter(pk__in={tid for _item, tid in granted.values()})}
    coupons = {
        item_id: (coupon_id, templates[template_id])
        for (item_id, (_item, template_id)), coupon_id in zip(granted.items(), ids, strict=True)
    }
    return coupons, sold_out


def _per_product(item: _Due) -> bool:
    return item.journey.kind == JourneyKind.REPLENISH and item.candidate.product_id is not None


def _product_templates(pattern: CouponTemplate, product_ids: set[int | None]) -> dict[int, int]:
    """product id → the pattern's copy scoped to that product (made once, then reused)."""
    wanted = {pid for pid in product_ids if pid is not None}
    if not wanted:
        return {}
    found = dict(
        JourneyProductCoupon.objects.filter(pattern=pattern, product_id__in=wanted).values_list(
            "product_id", "template_id"
        )
    )
    for product in Product.objects.filter(pk__in=wanted - set(found)):
        try:
            with transaction.atomic():
                found[product.pk] = _product_template_create(pattern, product).pk
        except IntegrityError:  # made at the same moment by another run
            found[product.pk] = JourneyProductCoupon.objects.get(pattern=pattern, product=product).template_id
    return found


def _product_template_create(pattern: CouponTemplate, product: Product) -> CouponTemplate:
    template = CouponTemplate.objects.create(
        name=f"{pattern.name}·{product.title}"[:60],
        kind=pattern.kind,
        group=pattern.group,
        channel=CouponChannel.SYSTEM,
        threshold=pattern.threshold,
        off=pattern.off,
        rate=pattern.rate,
        max_off=pattern.max_off,
        valid_days=pattern.valid_days or 7,
        per_user_limit=pattern.per_user_limit,
        issued_count=0,
    )
    template.skus.set(Sku.objects.filter(product_id=product.pk))
    JourneyProductCoupon.objects.create(pattern=pattern, product=product, template=template)
    return template
