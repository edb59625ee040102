"""Coupon templates (merchant side) and coupons (claim, issue, use, return, expire).

Scarce things are guarded by the database, never by a read-then-write in Python:

* a template's quota: ``UPDATE … SET issued_count = issued_count + 1 WHERE issued_count <
  total_quantity`` — the row lock of that UPDATE serialises claimers, the WHERE refuses the
  eleventh of ten;
* a shopper's limit: the member row is locked (``select_for_update``) before counting what
  they hold, so one shopper's parallel claims queue; the unique (template, member, seq) key
  stands behind it;
* use at checkout: ``UPDATE … SET status = 'used' WHERE id IN (…) AND status = 'unused'`` —
  of fifty orders racing for one coupon exactly one updates the row.

Locks are taken in one order everywhere: member row, then template row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.errors import PermissionDenied
from mall.models import Category, Sku
from mall.services.audit import audit_record
from marketing.errors import (
    CouponLimitReached,
    CouponNewUserOnly,
    CouponNotClaimable,
    CouponSoldOut,
    CouponTemplateNotFound,
    CouponUnavailable,
    RulesInvalid,
)
from marketing.models import Coupon, CouponChannel, CouponKind, CouponStatus, CouponTemplate
from marketing.selectors.pricing_fetch import member_is_new
from marketing.selectors.pricing_rules import pricing_rules_bump
from marketing.services.campaign_anomaly_counts import campaigns_of_coupon_template, participation_count
from marketing.services.rules import coupon_spec_build
from members.models import Member
from members.people_errors import AudienceNotAllowed
from members.services.abuse import RequestContext, abuse_check
from members.services.audience import audience_check
from members.services.messages import message_send

logger = logging.getLogger(__name__)

# The guard's action (F45) for taking a coupon from the coupon center.
CLAIM_GUARD_ACTION = "claim"

Actor = AbstractBaseUser | AnonymousUser | None


def require_staff(actor: Actor) -> None:
    """Merchant-side changes need an active staff user (the audit names them)."""
    if actor is None or not getattr(actor, "is_staff", False) or not getattr(actor, "is_active", False):
        raise PermissionDenied()


# --- templates (merchant side) --------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CouponTemplateData:
    """Everything the merchant sets on a template; money in fen."""

    name: str
    kind: str
    group: str = "shop"
    channel: str = CouponChannel.CLAIM
    threshold: int = 0
    off: int = 0
    rate: Decimal | None = None
    max_off: int | None = None
    category_ids: tuple[int, ...] = ()
    sku_ids: tuple[int, ...] = ()
    exclude_sku_ids: tuple[int, ...] = ()
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    valid_days: int | None = None
    total_quantity: int | None = None
    per_user_limit: int = 1
    new_user_only: bool = False
    is_active: bool = True


def coupon_template_validate(*, data: CouponTemplateData, issued_count: int = 0) -> None:
    """Refuse a template the engine could not run or the shop could not honour (Chinese, per field)."""
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = _("请填写名称。")
    if data.channel not in CouponChannel.values:
        errors["channel"] = _("未知的发放方式。")
    fixed = data.valid_from is not None or data.valid_until is not None
    if fixed and data.valid_days is not None:
        errors["valid_days"] = _("有效期只能二选一：固定时间段，或领取后 N 天。")
    elif not fixed and not data.valid_days:
        errors["valid_days"] = _("请设置有效期：固定时间段，或领取后 N 天。")
    elif fixed and (data.valid_from is None or data.valid_until is None):
        errors["valid_until"] = _("固定有效期须同时填写开始和结束时间。")
    elif fixed and data.valid_until <= data.valid_from:  # type: ignore[operator]
        errors["valid_until"] = _("有效期结束时间必须晚于开始时间。")
    if data.per_user_limit < 1:
        errors["per_user_limit"] = _("每人限领至少为 1。")
    if data.total_quantity is not None and data.total_quantity < max(issued_count, 1):
        errors["total_quantity"] = _("发放总量不能少于已发放的 %(n)d 张。") % {"n": max(issued_count, 1)}
    try:
        coupon_spec_build(
            pk=None,
            kind=data.kind,
            group=data.group,
            threshold=data.threshold,
            off=data.off,
            rate=data.rate,
            max_off=data.max_off,
        )
    except RulesInvalid as exc:
        for key, message in exc.details.get("errors", {}).items():
            errors.setdefault(key, message)
    if len(set(data.category_ids)) != Category.objects.filter(pk__in=data.category_ids).count():
        errors["categories"] = _("所选分类不存在。")
    wanted_skus = set(data.sku_ids) | set(data.exclude_sku_ids)
    if len(wanted_skus) != Sku.objects.filter(pk__in=wanted_skus).count():
        errors["skus"] = _("所选 SKU 不存在。")
    if set(data.sku_ids) & set(data.exclude_sku_ids):
        errors["exclude_skus"] = _("同一个 SKU 不能既适用又排除。")
    if errors:
        first_key, first = next(iter(errors.items()))
        raise RulesInvalid(first, details={"field": first_key, "errors": errors})


def _template_fields(data: CouponTemplateData) -> dict[str, Any]:
    fields = asdict(data)
    for key in ("category_ids", "sku_ids", "exclude_sku_ids"):
        fields.pop(key)
    fields["name"] = data.name.strip()[:60]
    return fields


def _template_scope_set(template: CouponTemplate, data: CouponTemplateData) -> None:
    template.categories.set(sorted(set(data.category_ids)))
    template.skus.set(sorted(set(data.sku_ids)))
    template.exclude_skus.set(sorted(set(data.exclude_sku_ids)))


def _audit_data(data: CouponTemplateData) -> dict[str, Any]:
    payload = asdict(data)
    for key, value in list(payload.items()):
        if isinstance(value, datetime):
            payload[key] = value.isoformat()
        elif isinstance(value, Decimal):
            payload[key] = str(value)
        elif isinstance(value, tuple):
            payload[key] = list(value)
    return payload


@transaction.atomic
def coupon_template_create(*, actor: Actor, data: CouponTemplateData) -> CouponTemplate:
    require_staff(actor)
    coupon_template_validate(data=data)
    template = CouponTemplate.objects.create(**_template_fields(data))
    _template_scope_set(template, data)
    audit_record(actor=actor, action="coupon_template.create", target=template, data=_audit_data(data))
    pricing_rules_bump()
    return template


@transaction.atomic
def coupon_template_update(*, actor: Actor, template_id: int, data: CouponTemplateData) -> CouponTemplate:
    """Edit a template; coupons already issued follow it (their windows stay as issued)."""
    require_staff(actor)
    template = CouponTemplate.objects.select_for_update().filter(pk=template_id).first()
    if template is None:
        raise CouponTemplateNotFound()
    coupon_template_validate(data=data, issued_count=template.issued_count)
    for key, value in _template_fields(data).items():
        setattr(template, key, value)
    template.save()
    _template_scope_set(template, data)
    audit_record(actor=actor, action="coupon_template.update", target=template, data=_audit_data(data))
    pricing_rules_bump()
    return template


# --- issuing ---------------------------------------------------------------------------


def coupon_issue_one_off(
    *, member: Member, name: str, off: int, valid_days: int, now: datetime | None = None
) -> Coupon:
    """A prize worth exactly ``off`` fen (a wheel's 免单, a team's share): a system template of one,
    no threshold, issued to ``member`` at once. Inside the caller's transaction."""
    template = CouponTemplate.objects.create(
        name=name,
        kind=CouponKind.NO_THRESHOLD,
        channel=CouponChannel.SYSTEM,
        threshold=0,
        off=off,
        valid_days=valid_days,
        total_quantity=1,
        per_user_limit=1,
    )
    transaction.on_commit(pricing_rules_bump)
    return coupon_issue(member=member, template=template, now=now)


def _template_claimable(template: CouponTemplate, now: datetime) -> bool:
    if not template.is_active:
        return False
    return template.valid_until is None or template.valid_until > now


def coupon_issue(*, member: Member, template: CouponTemplate, now: datetime | None = None) -> Coupon:
    """Give ``member`` one coupon of ``template`` within its quota and per-shopper limit.

    Callers run inside a transaction and have checked the channel and eligibility; this
    function holds the scarce parts (member lock, quota UPDATE, unique seq).
    """
    now = now or timezone.now()
    # A template limited to a segment, tag or tier is given only to them, whichever way it is issued.
    audience_check(member=member, audience=template.audience, details={"template_id": template.pk})
    Member.objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True).first()
    held = Coupon.objects.filter(template_id=template.pk, member_id=member.pk).count()
    if held >= template.per_user_limit:
        raise CouponLimitReached(details={"template_id": template.pk, "limit": template.per_user_limit})
    quota = CouponTemplate.objects.filter(pk=template.pk)
    if template.total_quantity is not None:
        quota = quota.filter(issued_count__lt=F("total_quantity"))
    if not quota.update(issued_count=F("issued_count") + 1):
        raise CouponSoldOut(details={"template_id": template.pk})
    valid_from, valid_until = template.validity_for(now)
    try:
        with transaction.atomic():
            return Coupon.objects.create(
                template=template,
                member=member,
                seq=held + 1,
                valid_from=valid_from,
                valid_until=valid_until,
            )
    except IntegrityError as exc:  # only if the member lock did not hold (it always should)
        raise CouponLimitReached(details={"template_id": template.pk}) from exc


@transaction.atomic
def coupon_claim(*, member: Member, template_id: int, context: RequestContext, now: datetime | None = None) -> Coupon:
    """The shopper takes a coupon from the coupon center (atomic quota and per-shopper limit),
    once the shop's guard (``claim``: block lists, rate, slider) has let the request through."""
    abuse_check(action=CLAIM_GUARD_ACTION, member=member, context=context)
    now = now or timezone.now()
    template = CouponTemplate.objects.filter(pk=template_id).first()
    if template is None or template.channel != CouponChannel.CLAIM:
        raise CouponTemplateNotFound(details={"template_id": template_id})
    if not _template_claimable(template, now):
        raise CouponNotClaimable(details={"template_id": template_id})
    if template.new_user_only and not member_is_new(member=member):
        raise CouponNewUserOnly(details={"template_id": template_id})
    coupon = coupon_issue(member=member, template=template, now=now)
    # F31: one participation of the campaign this template belongs to (one Redis round trip).
    participation_count(campaign_ids=campaigns_of_coupon_template(template.pk), member=member, context=context)
    return coupon


@transaction.atomic
def new_user_pack_issue(*, member: Member, now: datetime | None = None) -> list[Coupon]:
    """F01: one coupon of every active new-user-pack template; running it again issues nothing.

    A template that is sold out or already held is skipped, never failing the sign-up that
    calls this.
    """
    now = now or timezone.now()
    issued = []
    templates = CouponTemplate.objects.filter(channel=CouponChannel.NEW_USER_PACK, is_active=True).order_by("pk")
    for template in templates:
        if not _template_claimable(template, now):
            continue
        if Coupon.objects.filter(template_id=template.pk, member_id=member.pk).exists():
            continue
        try:
            with transaction.atomic():
                issued.append(coupon_issue(member=member, template=template, now=now))
        except (CouponSoldOut, CouponLimitReached, AudienceNotAllowed):
            logger.warning("new-user pack template %s skipped for member %s", template.pk, member.pk)
    return issued


# --- use at checkout, return, expiry ----------------------------------------------------


def coupons_use(*, member_id: int, order_id: int, coupon_ids: Sequence[int], now: datetime | None = None) -> None:
    """Mark the order's coupons used, all or none (``coupon_unavailable`` if one was taken).

    Runs inside the order's transaction: a refusal rolls the whole placement back.
    """
    ids = sorted(set(coupon_ids))
    if not ids:
        return
    at = connection.ops.adapt_datetimefield_value(now or timezone.now())
    with connection.cursor() as cursor:  # written out (issue 12: the ORM's compile, every placement)
        cursor.execute(
            _coupons_use_sql(len(ids)),
            [CouponStatus.USED.value, order_id, at, member_id, *ids, CouponStatus.UNUSED.value, at, at],
        )
        updated = cursor.rowcount
    if updated != len(ids):
        raise CouponUnavailable(details={"coupon_ids": ids})


@cache
def _coupons_use_sql(count: int) -> str:
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * count)
    return (
        f"UPDATE {quote(Coupon._meta.db_table)} SET {quote('status')} = %s, {quote('order_id')} = %s,"  # noqa: S608 - names from model metadata, values bound
        f" {quote('used_at')} = %s WHERE {quote('member_id')} = %s AND {quote('id')} IN ({marks})"
        f" AND {quote('status')} = %s AND {quote('valid_from')} <= %s AND {quote('valid_until')} > %s"
    )


def coupons_return(*, order_id: int) -> int:
    """Give back the coupons of a cancelled order (used → unused); returns how many."""
    return Coupon.objects.filter(order_id=order_id, status=CouponStatus.USED).update(
        status=CouponStatus.UNUSED, order=None, used_at=None
    )


@transaction.atomic
def coupons_expire_due(*, now: datetime | None = None) -> int:
    """Mark unused coupons past their window as expired (quotes ignore them already)."""
    now = now or timezone.now()
    return Coupon.objects.filter(status=CouponStatus.UNUSED, valid_until__lte=now).update(status=CouponStatus.EXPIRED)


COUPON_EXPIRING_KIND = "coupon_expiring"
EXPIRY_REMINDER_HOURS = 24


def coupons_expiry_remind_due(*, now: datetime | None = None) -> int:
    """Tell each shopper once about their unused coupons that expire within a day (F48).

    One message per shopper, not per coupon, so a wallet of five expiring coupons spends one of
    the month's four pushes. Each shopper's coupons are claimed with a guarded UPDATE in the
    same transaction as the message, so two workers running the task tell nobody twice.
    Returns the number of shoppers told.
    """
    now = now or timezone.now()
    due = Coupon.objects.filter(
        status=CouponStatus.UNUSED,
        reminded_at__isnull=True,
        valid_from__lte=now,
        valid_until__gt=now,
        valid_until__lte=now + timedelta(hours=EXPIRY_REMINDER_HOURS),
    )
    told = 0
    for member_id in due.values_list("member_id", flat=True).distinct().order_by("member_id"):
        with transaction.atomic():
            mine = due.filter(member_id=member_id)
            soonest = mine.order_by("valid_until").values_list("valid_until", flat=True).first()
            claimed = mine.update(reminded_at=now)
            if not claimed or soonest is None:
                continue
            message_send(
                member_id=member_id,
                kind=COUPON_EXPIRING_KIND,
                title=str(_("您有 %(n)d 张优惠券即将过期") % {"n": claimed}),
                body=str(
                    _("最早于 %(at)s 过期，别忘了使用") % {"at": timezone.localtime(soonest).strftime("%m-%d %H:%M")}
                ),
                link="/package-member/coupons/index",
            )
            told += 1
    return told
