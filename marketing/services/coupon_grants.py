"""Granting a coupon template to a sheet of shoppers (P06).

Each row names a shopper by phone (11-digit mainland mobile) or member id. A row is skipped, with
its reason, when the shopper is not found (or the phone belongs to several shoppers), is already
granted in this grant (a duplicate row), is outside the template's audience, has reached the
template's per-shopper limit, the template is out of stock, or the shopper is in the shop's
global holdout (no marketing push at all, B03). Each granted row issues through
``coupon_issue`` (quota UPDATE, member lock, unique seq) inside its own savepoint together with
its unique (grant, member) row, so a shopper gets at most one coupon per grant even when the same
form is submitted twice at once (the grant's ``ref`` is unique: the second submission returns the
first grant).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mall.errors import NotFound
from mall.services.audit import audit_record
from marketing.errors import CouponGrantInvalid, CouponLimitReached, CouponSoldOut
from marketing.models import CouponGrant, CouponGrantMember, CouponTemplate
from marketing.services.coupons import coupon_issue, require_staff
from members.global_holdout import global_holdout_current
from members.models import Member
from members.people_errors import AudienceNotAllowed

Actor = AbstractBaseUser | AnonymousUser | None

MAX_ROWS = 5000
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")

SKIP_REASONS: dict[str, Any] = {
    "not_found": _("找不到该会员"),
    "ambiguous_phone": _("该手机号对应多位会员"),
    "duplicate": _("重复的行（本次已发给该会员）"),
    "audience": _("不在该券的适用人群内"),
    "limit": _("已达每人限领张数"),
    "sold_out": _("优惠券已发完"),
    "invalid": _("应填写手机号或会员 ID"),
    # B03: a coupon push is marketing, and the shop's global holdout gets none.
    "global_holdout": _("全局对照组（不接收营销推送）"),
}


@dataclass
class GrantRow:
    line: int
    value: str


def _resolve(values: list[str]) -> tuple[dict[str, int], dict[int, int], set[str]]:
    """Phone → member id (single owner), id → id (existing), and phones with several owners."""
    phones = [v for v in values if PHONE_RE.match(v)]
    ids = [int(v) for v in values if v.isdigit() and not PHONE_RE.match(v) and len(v) <= 18]
    owners: dict[str, list[int]] = {}
    for pk, phone in Member.objects.filter(phone__in=phones).values_list("pk", "phone"):
        owners.setdefault(phone, []).append(pk)
    by_phone = {phone: pks[0] for phone, pks in owners.items() if len(pks) == 1}
    ambiguous = {phone for phone, pks in owners.items() if len(pks) > 1}
    by_id = {pk: pk for pk in Member.objects.filter(pk__in=ids).values_list("pk", flat=True)}
    return by_phone, by_id, ambiguous


def _issue_once(*, grant: CouponGrant, member: Member, template: CouponTemplate, now: datetime) -> str:
    """ "granted" or the skip reason; the (grant, member) row and the coupon are written together."""
    try:
        with transaction.atomic():
            coupon = coupon_issue(member=member, template=template, now=now)
            CouponGrantMember.objects.create(grant=grant, member=member, coupon=coupon)
    except IntegrityError:
        return "duplicate"
    except AudienceNotAllowed:
        return "audience"
    except CouponLimitReached:
        return "limit"
    except CouponSoldOut:
        return "sold_out"
    return "granted"


def grant_template_usable(template_id: int) -> CouponTemplate:
    template = CouponTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise NotFound(details={"template_id": template_id})
    if not template.is_active:
        raise CouponGrantInvalid(message=_("该优惠券模板已停用，不能发放。"))
    return template


def grant_rows(
    *, grant: CouponGrant, template: CouponTemplate, rows: list[GrantRow], seen: set[int], now: datetime
) -> list[dict[str, Any]]:
    """Grant to each row's shopper at most once (``seen`` carries the members across batches of a
    large sheet); one report entry per row: line, what it said, member id and the outcome."""
    values = [row.value.strip().replace(" ", "").removeprefix("+86") for row in rows]
    by_phone, by_id, ambiguous = _resolve(values)
    members = Member.objects.in_bulk(set(by_phone.values()) | set(by_id.values()))
    held = global_holdout_current().held_out(members)
    report: list[dict[str, Any]] = []
    for row, value in zip(rows, values, strict=True):
        member_id: int | None = None
        if PHONE_RE.match(value):
            member_id = by_phone.get(value)
            outcome = "ambiguous_phone" if value in ambiguous else "not_found"
        elif value.isdigit():
            member_id = by_id.get(int(value)) if len(value) <= 18 else None
            outcome = "not_found"
        else:
            outcome = "invalid"
        if member_id is not None:
            if member_id in seen:
                outcome = "duplicate"
            elif member_id in held:
                seen.add(member_id)
                outcome = "global_holdout"
            else:
                seen.add(member_id)
                outcome = _issue_once(grant=grant, member=members[member_id], template=template, now=now)
        report.append({"line": row.line, "value": row.value.strip(), "member": member_id, "outcome": outcome})
    return report


def coupon_grant_sheet(
    *, template_id: int, rows: list[GrantRow], ref: str, actor: Actor, now: datetime | None = None
) -> CouponGrant:
    """Grant ``template`` to every row's shopper at most once; the grant with its per-row report."""
    require_staff(actor)
    now = now or timezone.now()
    template = grant_template_usable(template_id)
    if not rows:
        raise CouponGrantInvalid(message=_("名单中没有数据行。"))
    if len(rows) > MAX_ROWS:
        raise CouponGrantInvalid(message=_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, details={"max_rows": MAX_ROWS})
    if not ref:
        raise CouponGrantInvalid(message=_("请重新打开发券页面后再提交。"))
    user = actor if isinstance(actor, User) else None
    try:
        with transaction.atomic():
            grant = CouponGrant.objects.create(template=template, ref=ref[:64], rows=len(rows), created_by=user)
    except IntegrityError:
        existing = CouponGrant.objects.filter(ref=ref[:64]).first()
        if existing is None or existing.template_id != template.pk:
            raise CouponGrantInvalid(message=_("请重新打开发券页面后再提交。")) from None
        return existing
    report = grant_rows(grant=grant, template=template, rows=rows, seen=set(), now=now)
    granted = sum(1 for entry in report if entry["outcome"] == "granted")
    CouponGrant.objects.filter(pk=grant.pk).update(granted=granted, skipped=len(report) - granted, report=report)
    grant.refresh_from_db()
    audit_record(
        actor=actor,
        action="coupon.grant",
        target=grant,
        data={"template": template.pk, "rows": len(rows), "granted": granted, "skipped": len(report) - granted},
    )
    return grant


def grant_report_rows(grant: CouponGrant) -> list[dict[str, Any]]:
    """The report for people: each row's line, what it said, and 已发放 or the reason it was skipped."""
    return [report_entry_text(entry) for entry in grant.report]


def report_entry_text(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "line": entry["line"],
        "value": entry["value"],
        "member": entry.get("member"),
        "granted": entry["outcome"] == "granted",
        "reason": "" if entry["outcome"] == "granted" else str(SKIP_REASONS.get(entry["outcome"], "-")),
    }
