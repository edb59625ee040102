"""Tags (F32, F33): automatic rules recomputed set-based, manual tags handed out in bulk.

Automatic tags: each rule (:class:`TagRule`, thresholds in ``params``) yields a query of the
shoppers who match; :func:`_tag_sync` makes the tag's rows equal to it with one DELETE … NOT IN
and one INSERT IGNORE … SELECT, so a run is idempotent and costs a handful of statements
however many shoppers there are. :func:`tags_recompute` runs nightly for everyone (beat) and,
after an order completes, for its shopper (``member_ids``). The RFM groups need the whole
population's quintiles, so they are recomputed nightly only (:func:`rfm_recompute`).

Manual tags: :func:`tag_members_add` / :func:`tag_members_remove` for a list of shoppers; from
:data:`BULK_BACKGROUND_AT` shoppers up they become a :class:`TagBulkJob` run by a worker in
chunks, whose progress the console shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import connection, transaction
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.models import Category
from mall.services.audit import audit_record
from members.models import Member, MemberRfm, MemberTag, RfmGroup, Tag, TagBulkJob, TagRule, TagRuleKey
from members.people_errors import TagImportInvalid, TagNameInvalid, TagNameTaken, TagNotManual, TagRuleParamsInvalid
from members.selectors.people import line_top_category, order_net_amount, spending_lines, spending_orders

Actor = AbstractBaseUser | AnonymousUser | None
K = TagRuleKey

# Thresholds a new shop starts with (money in fen, shares in percent).
RULE_DEFAULTS: dict[str, dict[str, int]] = {
    K.HIGH_SPEND: {"days": 365, "min_spend": 200_000},
    K.HIGH_FREQUENCY: {"days": 90, "min_orders": 3},
    K.PRICE_SENSITIVE: {"days": 365, "min_orders": 2, "min_share": 60},
    K.PREFERS_CATEGORY: {"days": 365, "min_share": 50},
    K.NEW_SHOPPER: {"days": 30},
    K.DORMANT: {"days": 90},
    K.RFM: {"days": 365},
}
# Bounds of each threshold (inclusive).
PARAM_BOUNDS: dict[str, tuple[int, int]] = {
    "days": (1, 3650),
    "min_spend": (1, 100_000_000),
    "min_orders": (1, 1000),
    "min_share": (1, 100),
}
# The tag a rule keeps (the category rule keeps one tag per top-level category: 偏好<类目>).
RULE_TAG_NAMES: dict[str, str] = {
    K.HIGH_SPEND: "高消费",
    K.HIGH_FREQUENCY: "高频购买",
    K.PRICE_SENSITIVE: "价格敏感",
    K.NEW_SHOPPER: "新客",
    K.DORMANT: "沉睡",
}
PREFERS_PREFIX = "偏好"
BULK_BACKGROUND_AT = 10_000
BULK_CHUNK = 1_000
IMPORT_MAX_ROWS = 100_000


def rule_text(key: str, params: dict[str, Any]) -> str:
    """The rule in words, as the console shows it (money in yuan)."""
    p = {**RULE_DEFAULTS.get(key, {}), **params}
    if key == K.HIGH_SPEND:
        return _("近 %(days)d 天实付金额 ≥ ¥%(yuan)s") % {"days": p["days"], "yuan": f"{p['min_spend'] / 100:.2f}"}
    if key == K.HIGH_FREQUENCY:
        return _("近 %(days)d 天下单 ≥ %(n)d 笔") % {"days": p["days"], "n": p["min_orders"]}
    if key == K.PRICE_SENSITIVE:
        return _("近 %(days)d 天至少 %(n)d 笔订单，且其中 ≥ %(share)d%% 用了优惠券或促销") % {
            "days": p["days"],
            "n": p["min_orders"],
            "share": p["min_share"],
        }
    if key == K.PREFERS_CATEGORY:
        return _("近 %(days)d 天某个一级类目占实付金额 ≥ %(share)d%%，打「偏好<类目>」") % {
            "days": p["days"],
            "share": p["min_share"],
        }
    if key == K.NEW_SHOPPER:
        return _("注册不满 %(days)d 天") % {"days": p["days"]}
    if key == K.DORMANT:
        return _("下过单，但已 %(days)d 天没有下单") % {"days": p["days"]}
    return _("按最近下单时间（R）、近 %(days)d 天订单数（F）和金额（M）的五分位分组") % {"days": p["days"]}


def tag_rule_params_clean(*, key: str, params: dict[str, Any]) -> dict[str, int]:
    defaults = RULE_DEFAULTS.get(key)
    if defaults is None or not isinstance(params, dict):
        raise TagRuleParamsInvalid(details={"key": key})
    cleaned: dict[str, int] = {}
    for name, default in defaults.items():
        value = params.get(name, default)
        low, high = PARAM_BOUNDS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise TagRuleParamsInvalid(details={"key": key, "param": name, "min": low, "max": high})
        cleaned[name] = value
    return cleaned


@transaction.atomic
def tag_rule_update(*, actor: Actor, key: str, params: dict[str, Any], is_enabled: bool = True) -> TagRule:
    cleaned = tag_rule_params_clean(key=key, params=params)
    rule, _created = TagRule.objects.select_for_update().get_or_create(key=key)
    rule.params, rule.is_enabled = cleaned, is_enabled
    rule.save(update_fields=["params", "is_enabled", "updated_at"])
    audit_record(actor=actor, action="tag_rule.update", target=rule, data={"params": cleaned, "enabled": is_enabled})
    return rule


def tag_rules_ensure() -> dict[str, TagRule]:
    """Every rule row and its tags (one per top-level category for 偏好); safe to run again."""
    rules = {rule.key: rule for rule in TagRule.objects.all()}
    for key in TagRuleKey.values:
        if key not in rules:
            rules[key], _c = TagRule.objects.get_or_create(key=key, defaults={"params": RULE_DEFAULTS[key]})
    for key, name in RULE_TAG_NAMES.items():
        if not Tag.objects.filter(rule=rules[key], category__isnull=True).exists():
            Tag.objects.update_or_create(
                name=name, defaults={"kind": Tag.Kind.AUTO, "rule": rules[key], "category": None}
            )
    prefers = rules[K.PREFERS_CATEGORY]
    have = set(Tag.objects.filter(rule=prefers).values_list("category_id", flat=True))
    for category in Category.objects.filter(parent__isnull=True).exclude(pk__in=have):
        Tag.objects.get_or_create(
            name=f"{PREFERS_PREFIX}{category.name}"[:30],
            defaults={"kind": Tag.Kind.AUTO, "rule": prefers, "category": category},
        )
    return rules


def rfm_params() -> dict[str, int]:
    stored = TagRule.objects.filter(key=K.RFM).values_list("params", flat=True).first()
    return {**RULE_DEFAULTS[K.RFM], **(stored or {})}


# --- the rules as queries ----------------------------------------------------------------


def _matching(rule: TagRule, tag: Tag, now: datetime) -> QuerySet[Any]:
    """A one-column query of the member ids the rule gives ``tag`` to."""
    p = {**RULE_DEFAULTS[rule.key], **rule.params}
    since = now - timedelta(days=p["days"])
    if rule.key == K.HIGH_SPEND:
        return (
            spending_orders(since=since)
            .values("member_id")
            .annotate(spent=Sum(order_net_amount()))
            .filter(spent__gte=p["min_spend"])
            .values("member_id")
        )
    if rule.key == K.HIGH_FREQUENCY:
        return (
            spending_orders(since=since)
            .values("member_id")
            .annotate(n=Count("id"))
            .filter(n__gte=p["min_orders"])
            .values("member_id")
        )
    if rule.key == K.PRICE_SENSITIVE:
        return (
            spending_orders(since=since)
            .values("member_id")
            .annotate(n=Count("id"), discounted=Count("id", filter=Q(discount_amount__gt=0)))
            .annotate(
                discounted_pct=ExpressionWrapper(F("discounted") * 100, output_field=IntegerField()),
                needed=ExpressionWrapper(F("n") * p["min_share"], output_field=IntegerField()),
            )
            .filter(n__gte=p["min_orders"], discounted_pct__gte=F("needed"))
            .values("member_id")
        )
    if rule.key == K.PREFERS_CATEGORY:
        net = F("paid_amount") - F("refunded_amount")
        return (
            spending_lines(since=since)
            .alias(top_category=line_top_category())
            .values("order__member_id")
            .annotate(
                total=Sum(net),
                in_category=Sum(net, filter=Q(top_category=tag.category_id)),
            )
            .annotate(
                share_pct=ExpressionWrapper(F("in_category") * 100, output_field=IntegerField()),
                needed=ExpressionWrapper(F("total") * p["min_share"], output_field=IntegerField()),
            )
            .filter(in_category__gt=0, share_pct__gte=F("needed"))
            .values("order__member_id")
        )
    if rule.key == K.NEW_SHOPPER:
        return Member.objects.filter(created_at__gte=since).order_by().values("pk")
    if rule.key == K.DORMANT:
        return (
            spending_orders()
            .exclude(member_id__in=spending_orders(since=since).values("member_id"))
            .values("member_id")
            .distinct()
        )
    raise TagRuleParamsInvalid(details={"key": rule.key})


def _scoped(matching: QuerySet[Any], scope: Sequence[int] | None) -> QuerySet[Any]:
    if scope is None:
        return matching
    field = {"Member": "pk", "OrderLine": "order__member_id"}.get(matching.model.__name__, "member_id")
    return matching.filter(**{f"{field}__in": list(scope)})


def _insert_ignore() -> str:
    return "INSERT IGNORE INTO" if connection.vendor == "mysql" else "INSERT OR IGNORE INTO"


def _tag_sync(tag: Tag, matching: QuerySet[Any], *, scope: Sequence[int] | None, now: datetime) -> tuple[int, int]:
    """Make ``tag``'s rows equal ``matching`` (within ``scope``): (added, removed)."""
    matching = _scoped(matching, scope)
    current = MemberTag.objects.filter(tag=tag)
    if scope is not None:
        current = current.filter(member_id__in=list(scope))
    removed, _detail = current.exclude(member_id__in=matching).delete()
    sql, params = matching.query.sql_with_params()
    table = MemberTag._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"{_insert_ignore()} {table} (member_id, tag_id, created_at) "  # noqa: S608 - compiled ORM SQL
            f"SELECT matching.*, %s, %s FROM ({sql}) matching",
            [tag.pk, now, *params],
        )
        added = cursor.rowcount
    return max(added, 0), removed


@dataclass(frozen=True)
class RecomputeResult:
    added: int
    removed: int
    tags: int


def tags_recompute(*, member_ids: Sequence[int] | None = None, now: datetime | None = None) -> RecomputeResult:
    """Recompute every enabled automatic tag, for everyone or for ``member_ids``. Idempotent."""
    now = now or timezone.now()
    rules = tag_rules_ensure()
    added = removed = count = 0
    for tag in Tag.objects.filter(kind=Tag.Kind.AUTO).select_related("rule").order_by("pk"):
        rule = tag.rule
        if rule is None:
            continue
        with transaction.atomic():
            if not rule.is_enabled:
                stale = MemberTag.objects.filter(tag=tag)
                if member_ids is not None:
                    stale = stale.filter(member_id__in=list(member_ids))
                removed += stale.delete()[0]
                continue
            a, r = _tag_sync(tag, _matching(rule, tag, now), scope=member_ids, now=now)
        added, removed, count = added + a, removed + r, count + 1
    if member_ids is None:
        TagRule.objects.filter(pk__in=[rule.pk for rule in rules.values()]).update(computed_at=now)
    return RecomputeResult(added=added, removed=removed, tags=count)


# --- RFM ------------------------------------------------------------------------------------

# (R high, F high, M high) → group; "high" is a quintile score of 3 or more.
RFM_GROUPS: dict[tuple[bool, bool, bool], str] = {
    (True, True, True): RfmGroup.IMPORTANT_VALUE,
    (True, False, True): RfmGroup.IMPORTANT_DEVELOP,
    (False, True, True): RfmGroup.IMPORTANT_KEEP,
    (False, False, True): RfmGroup.IMPORTANT_RETAIN,
    (True, True, False): RfmGroup.GENERAL_VALUE,
    (True, False, False): RfmGroup.GENERAL_DEVELOP,
    (False, True, False): RfmGroup.GENERAL_KEEP,
    (False, False, False): RfmGroup.LOST,
}
RFM_HIGH = 3


def _rfm_case() -> str:
    whens = " ".join(
        f"WHEN r_score >= {RFM_HIGH} = {int(r)} AND f_score >= {RFM_HIGH} = {int(f)} "
        f"AND m_score >= {RFM_HIGH} = {int(m)} THEN '{group}'"
        for (r, f, m), group in RFM_GROUPS.items()
    )
    return f"CASE {whens} END"


@transaction.atomic
def rfm_recompute(*, now: datetime | None = None) -> int:
    """Every shopper who ever spent gets R, F, M scores 1–5 and a group; one INSERT … SELECT.

    Scores are rank-based quintiles (``1 + (RANK() - 1) * 5 DIV count``), so equal values get
    equal scores. R ranks the last paid order (all time), F the number of orders and M the net
    spend within the rule's window. Returns how many shoppers were grouped.
    """
    now = now or timezone.now()
    since = now - timedelta(days=rfm_params()["days"])
    mysql = connection.vendor == "mysql"
    div = "DIV" if mysql else "/"
    days = "TIMESTAMPDIFF(DAY, last_paid, %s)" if mysql else "CAST(julianday(%s) - julianday(last_paid) AS INTEGER)"
    orders = spending_orders()
    base_sql, base_params = (
        orders.values("member_id")
        .annotate(
            last_paid=Max("paid_at"),
            frequency=Count("id", filter=Q(paid_at__gte=since)),
            monetary=Coalesce(Sum(order_net_amount(), filter=Q(paid_at__gte=since)), 0),
        )
        .values_list("member_id", "last_paid", "frequency", "monetary")
        .query.sql_with_params()
    )
    table = MemberRfm._meta.db_table
    rank = "1 + ((RANK() OVER (ORDER BY {col}) - 1) * 5) {div} COUNT(*) OVER ()"
    scored = (
        "SELECT member_id, last_paid, frequency, monetary, "  # noqa: S608 - compiled ORM SQL, fixed text
        f"{rank.format(col='last_paid', div=div)} AS r_score, "
        f"{rank.format(col='frequency', div=div)} AS f_score, "
        f"{rank.format(col='monetary', div=div)} AS m_score "
        f"FROM ({base_sql}) base"
    )
    group = connection.ops.quote_name("group")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - our own table name
        cursor.execute(
            f"INSERT INTO {table} (member_id, recency_days, frequency, monetary, r_score, f_score, m_score, "  # noqa: S608
            f"{group}, computed_at) SELECT member_id, {days}, frequency, monetary, r_score, f_score, m_score, "
            f"{_rfm_case()}, %s FROM ({scored}) scored",
            [now, now, *base_params],
        )
        grouped = cursor.rowcount
    TagRule.objects.update_or_create(key=K.RFM, defaults={"computed_at": now})
    return grouped


# --- manual tags ------------------------------------------------------------------------


@transaction.atomic
def tag_create(*, actor: Actor, name: str, description: str = "") -> Tag:
    name = (name or "").strip()
    if not 1 <= len(name) <= 30:
        raise TagNameInvalid()
    if Tag.objects.filter(name=name).exists():
        raise TagNameTaken(details={"name": name})
    tag = Tag.objects.create(name=name, kind=Tag.Kind.MANUAL, description=description[:200])
    audit_record(actor=actor, action="tag.create", target=tag, data={"name": name})
    return tag


def _manual_tag(tag_id: int) -> Tag:
    tag = Tag.objects.filter(pk=tag_id).first()
    if tag is None or tag.kind != Tag.Kind.MANUAL:
        raise TagNotManual(details={"tag_id": tag_id})
    return tag


def _apply_chunk(tag_id: int, op: str, member_ids: Sequence[int]) -> int:
    if op == TagBulkJob.Op.ADD:
        existing = Member.objects.filter(pk__in=list(member_ids)).values_list("pk", flat=True)
        created = MemberTag.objects.bulk_create(
            [MemberTag(member_id=pk, tag_id=tag_id) for pk in existing], ignore_conflicts=True
        )
        return len(created)
    return MemberTag.objects.filter(tag_id=tag_id, member_id__in=list(member_ids)).delete()[0]


@dataclass(frozen=True)
class BulkOutcome:
    count: int
    job: TagBulkJob | None = None


@transaction.atomic
def tag_members_bulk(*, actor: Actor, tag_id: int, op: str, member_ids: Iterable[int]) -> BulkOutcome:
    """Add (``op="add"``) or remove a manual tag for these shoppers. Up to
    :data:`BULK_BACKGROUND_AT` it is done now; from there on a background job takes it."""
    tag = _manual_tag(tag_id)
    ids = sorted(set(member_ids))
    if op not in TagBulkJob.Op.values:
        raise TagNotManual(details={"op": op})
    if len(ids) >= BULK_BACKGROUND_AT:
        user = actor if isinstance(actor, User) else None
        job = TagBulkJob.objects.create(tag=tag, op=op, member_ids=ids, total=len(ids), created_by=user)
        audit_record(actor=actor, action=f"tag.bulk_{op}", target=tag, data={"count": len(ids), "job": job.pk})
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue_bulk(job_id), robust=True)
        return BulkOutcome(count=len(ids), job=job)
    for start in range(0, len(ids), BULK_CHUNK):
        _apply_chunk(tag.pk, op, ids[start : start + BULK_CHUNK])
    audit_record(actor=actor, action=f"tag.bulk_{op}", target=tag, data={"count": len(ids)})
    return BulkOutcome(count=len(ids))


def _enqueue_bulk(job_id: int) -> None:
    from members.people_tasks import tag_bulk_job_task

    tag_bulk_job_task.delay(job_id=job_id)


def tag_bulk_job_run(*, job_id: int) -> TagBulkJob | None:
    """Work through the job in chunks, saving progress after each; a second run resumes (idempotent)."""
    with transaction.atomic():
        job = TagBulkJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == TagBulkJob.Status.DONE:
            return job
        job.status = TagBulkJob.Status.RUNNING
        job.save(update_fields=["status"])
    ids: list[int] = list(job.member_ids)
    done = job.done
    while done < len(ids):
        with transaction.atomic():
            _apply_chunk(job.tag_id, job.op, ids[done : done + BULK_CHUNK])
            done = min(len(ids), done + BULK_CHUNK)
            TagBulkJob.objects.filter(pk=job_id).update(done=done)
    TagBulkJob.objects.filter(pk=job_id).update(status=TagBulkJob.Status.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    return job


@dataclass(frozen=True)
class ImportRowError:
    row: int
    value: str
    message: str


def tag_import_rows(*, actor: Actor, tag_id: int, op: str, values: Sequence[tuple[int, str]]) -> BulkOutcome:
    """A sheet of phone numbers or member ids (row number, cell): every row is checked first;
    with any bad row nothing changes and :class:`TagImportInvalid` lists each row's problem."""
    _manual_tag(tag_id)
    if len(values) > IMPORT_MAX_ROWS:
        raise TagImportInvalid(details={"rows": [], "max_rows": IMPORT_MAX_ROWS})
    phones = {v for _r, v in values if len(v) == 11 and v.isdigit()}
    by_phone: dict[str, list[int]] = {}
    for pk, phone in Member.objects.filter(phone__in=phones).values_list("pk", "phone"):
        by_phone.setdefault(phone, []).append(pk)
    numeric = {int(v) for _r, v in values if v.isdigit() and len(v) < 11}
    known_ids = set(Member.objects.filter(pk__in=numeric).values_list("pk", flat=True))
    errors: list[dict[str, Any]] = []
    ids: list[int] = []
    for row, value in values:
        if len(value) == 11 and value.isdigit():
            found = by_phone.get(value, [])
            if len(found) == 1:
                ids.append(found[0])
            elif not found:
                errors.append({"row": row, "value": value, "message": _("没有这个手机号的会员")})
            else:
                errors.append({"row": row, "value": value, "message": _("多个会员使用这个手机号，请改用会员 ID")})
        elif value.isdigit() and int(value) in known_ids:
            ids.append(int(value))
        elif value.isdigit():
            errors.append({"row": row, "value": value, "message": _("没有这个会员 ID")})
        else:
            errors.append({"row": row, "value": value, "message": _("既不是手机号也不是会员 ID")})
    if errors:
        raise TagImportInvalid(details={"rows": errors})
    return tag_members_bulk(actor=actor, tag_id=tag_id, op=op, member_ids=ids)


def member_tags_refresh_after_commit(*, member_id: int) -> None:
    """Called by ``order_complete``: the shopper's automatic tags are recomputed once the
    completion has committed (a worker runs it; a rolled-back completion schedules nothing)."""

    def enqueue() -> None:
        from members.people_tasks import member_tags_refresh_task

        member_tags_refresh_task.delay(member_id=member_id)

    transaction.on_commit(enqueue, robust=True)
