"""Members brought over from the old shop (P06): the sheet into the staging table, and each row
applied once to the shopper who binds its phone number.

Import (``member_import_create``) is all or nothing: every row is checked first and any bad row
is reported with its line number; nothing is saved then. A row whose phone already belongs to
exactly one shopper is applied at once; otherwise it waits (待匹配) until a shopper binds that
exact number (``member_phone_bound`` → ``member_import_apply``).

Applying locks the staging row and the member, then: the points balance as one ledger entry
(reason 迁移, ref ``import:<row id>``), the imported tier as a floor (raises the tier, never
lowers it; the monthly evaluation then goes on as usual), the tags as manual tags (created when
missing), the birthday and name only where the shopper has none, and the old shop's total spend
as one growth entry (source ``import``) so it counts towards the 12-month tier thresholds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mall.errors import ApplicationError
from mall.money import MoneyFormatError, parse_yuan
from mall.services.audit import audit_record
from mall.services.sheets import header_columns
from members.errors import MemberImportInvalid
from members.models import GrowthEntry, Member, MemberImport, MemberTag, PointsEntry, Tag
from members.models.tiers import TIER_LADDER
from members.services.points import points_grant
from members.services.profile import phone_normalize
from members.signals import member_phone_bound

logger = logging.getLogger(__name__)

MAX_ROWS = 5000
MAX_POINTS = 100_000_000
TAG_SEPARATORS = ("，", ";", "；", "、", "|")

Actor = AbstractBaseUser | AnonymousUser | None

# The sheet's columns by their header names (an export of members with phones goes back in as is).
SHEET_HEADERS: dict[str, tuple[str, ...]] = {
    "phone": ("手机号", "手机", "phone", "mobile"),
    "name": ("姓名", "昵称", "name"),
    "birthday": ("生日", "birthday"),
    "tier": ("会员等级", "等级", "tier"),
    "points": ("积分", "积分余额", "points"),
    "tags": ("标签", "tags"),
    "total_spend": ("累计消费", "累计消费(元)", "累计消费（元）", "total spend", "total_spend"),
}


@dataclass
class MemberSheetRow:
    """One data row of the sheet as text, with its line number in the sheet."""

    line: int
    phone: str = ""
    name: str = ""
    birthday: str = ""
    tier: str = ""
    points: str = ""
    tags: str = ""
    total_spend: str = ""


@dataclass
class RowError:
    line: int
    phone: str
    message: str


@dataclass
class _Checked:
    phone: str
    name: str
    birthday: date | None
    tier: str
    points: int
    tags: list[str]
    total_spend: int


def member_sheet_rows(cells: Iterable[list[str]]) -> Iterator[MemberSheetRow]:
    """The data rows of a sheet of text cells (header first), read as they come; blank rows skipped."""
    numbered = enumerate(cells, start=1)
    first = next(numbered, None)
    if first is None:
        return
    columns = header_columns(first[1], SHEET_HEADERS)
    if "phone" not in columns:
        raise MemberImportInvalid(message=_("表头中没有“手机号”一列。"), details={"rows": []})
    for number, row in numbered:
        if not any(cell.strip() for cell in row):
            continue
        values = {key: (row[index] if index < len(row) else "") for key, index in columns.items()}
        yield MemberSheetRow(line=number, **values)


@lru_cache(maxsize=8)
def _tier_names(language: str | None) -> dict[str, str]:
    """Every way a tier may be written (value, label, label without 会员) → value, per language:
    built once, not per row (a 100,000-row sheet would otherwise translate labels 400,000 times)."""
    names: dict[str, str] = {}
    for value, label in Member.Tier.choices:
        for name in (str(value), str(label), str(label).removesuffix("会员")):
            names.setdefault(name, str(value))
    return names


def tier_from_text(text: str) -> str | None:
    """``gold`` or its label (黄金会员 / 黄金); "" for no tier; None when unknown."""
    text = text.strip()
    if not text:
        return ""
    names = _tier_names(get_language())
    return names.get(text) or names.get(text.lower())


def tags_from_text(text: str) -> list[str]:
    for sep in TAG_SEPARATORS:
        text = text.replace(sep, ",")
    names: list[str] = []
    for part in text.split(","):
        name = part.strip()
        if name and name not in names:
            names.append(name)
    return names


def _check_row(row: MemberSheetRow, auto_tags: set[str]) -> tuple[_Checked | None, list[str]]:
    problems: list[str] = []
    phone = ""
    try:
        phone = phone_normalize(row.phone)
    except ApplicationError:
        problems.append(_("手机号应为 11 位大陆手机号。"))
    name = row.name.strip()
    if len(name) > 64:
        problems.append(_("姓名最多 64 个字。"))
    birthday: date | None = None
    if row.birthday.strip():
        try:
            birthday = date.fromisoformat(row.birthday.strip()[:10].replace("/", "-"))
        except ValueError:
            problems.append(_("生日应写成 2000-01-31。"))
        else:
            if birthday > timezone.localdate():
                problems.append(_("生日不能晚于今天。"))
    tier = tier_from_text(row.tier)
    if tier is None:
        problems.append(_("会员等级应为：普通会员、白银会员、黄金会员或钻石会员。"))
    points = 0
    if row.points.strip():
        text = row.points.strip()
        if not text.isdigit() or int(text) > MAX_POINTS:
            problems.append(_("积分余额应为不小于 0 的整数。"))
        else:
            points = int(text)
    spend = 0
    if row.total_spend.strip():
        try:
            spend = parse_yuan(row.total_spend.strip())
        except MoneyFormatError:
            problems.append(_("累计消费应为金额（元），如 1280.50。"))
        else:
            if spend < 0:
                problems.append(_("累计消费不能为负数。"))
    tags = tags_from_text(row.tags)
    for tag in tags:
        if len(tag) > 30:
            problems.append(_("标签“%(tag)s”太长：最多 30 个字。") % {"tag": tag})
        elif tag in auto_tags:
            problems.append(_("“%(tag)s”是自动标签，不能导入。") % {"tag": tag})
    if problems:
        return None, problems
    return _Checked(phone, name, birthday, tier or "", points, tags, spend), []


def auto_tag_names() -> set[str]:
    return set(Tag.objects.filter(kind=Tag.Kind.AUTO).values_list("name", flat=True))


def check_batch(
    rows: list[MemberSheetRow], *, auto_tags: set[str], seen: dict[str, int]
) -> tuple[list[_Checked], list[RowError]]:
    """Check rows (one sheet, or one batch of a large one): ``seen`` carries phone → line across
    batches so a phone repeated anywhere in the file is reported; one query for staged phones."""
    checked: list[_Checked] = []
    errors: list[RowError] = []
    fresh: dict[str, int] = {}
    for row in rows:
        result, problems = _check_row(row, auto_tags)
        if result is not None:
            if result.phone in seen:
                problems.append(_("与第 %(line)d 行手机号重复。") % {"line": seen[result.phone]})
            else:
                seen[result.phone] = row.line
                fresh[result.phone] = row.line
                checked.append(result)
        errors.extend(RowError(line=row.line, phone=row.phone.strip(), message=p) for p in problems)
    known = dict(
        MemberImport.objects.filter(phone__in=list(fresh)).values_list("phone", "state").order_by("state", "id")
    )
    for phone, state in known.items():
        message = _("该手机号已在待匹配名单中。") if state == MemberImport.State.PENDING else _("该手机号已迁移过。")
        errors.append(RowError(line=fresh[phone], phone=phone, message=message))
    if known:
        checked = [c for c in checked if c.phone not in known]
    errors.sort(key=lambda e: e.line)
    return checked, errors


def _check(rows: list[MemberSheetRow]) -> tuple[list[_Checked], list[RowError]]:
    return check_batch(rows, auto_tags=auto_tag_names(), seen={})


def _check_all(rows: list[MemberSheetRow]) -> list[_Checked]:
    if not rows:
        raise MemberImportInvalid(message=_("会员表中没有数据行。"), details={"rows": []})
    if len(rows) > MAX_ROWS:
        raise MemberImportInvalid(
            message=_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, details={"rows": [], "max_rows": MAX_ROWS}
        )
    checked, errors = _check(rows)
    if errors:
        raise MemberImportInvalid(details={"rows": [e.__dict__ for e in errors]})
    return checked


def member_import_check(*, rows: list[MemberSheetRow]) -> int:
    """The dry run: checks every row like the import and saves nothing; the number of rows."""
    return len(_check_all(rows))


def member_import_create(*, rows: list[MemberSheetRow], actor: Actor) -> list[MemberImport]:
    """Stage every row, or none: raises ``MemberImportInvalid`` with ``details["rows"]``.

    Rows whose phone belongs to exactly one shopper already are applied at once (after commit of
    the staging, each in its own transaction, like a binding)."""
    checked = _check_all(rows)
    user = actor if isinstance(actor, User) else None
    try:
        with transaction.atomic():
            created = MemberImport.objects.bulk_create([staging_row(c, user) for c in checked])
            audit_record(
                actor=actor,
                action="member_import.upload",
                target_type="members.memberimport",
                data={"rows": len(created)},
            )
    except IntegrityError as exc:
        # Another upload staged one of these phones between the check and the insert.
        raise MemberImportInvalid(
            message=_("另一份会员表刚刚导入了相同的手机号，请重新上传。"), details={"rows": []}
        ) from exc
    stored = apply_known_phones([c.phone for c in checked])
    return list(MemberImport.objects.filter(pk__in=[row.pk for row in stored]).order_by("pk"))


def staging_row(checked: _Checked, user: User | None) -> MemberImport:
    return MemberImport(
        phone=checked.phone,
        pending_phone=checked.phone,
        name=checked.name,
        birthday=checked.birthday,
        tier=checked.tier,
        points=checked.points,
        tags=checked.tags,
        total_spend=checked.total_spend,
        imported_by=user,
    )


def apply_known_phones(phones: list[str]) -> list[MemberImport]:
    """Apply the waiting rows of ``phones`` whose number already belongs to exactly one shopper
    (each in its own transaction, like a binding; a row already applied is left alone)."""
    stored = list(MemberImport.objects.filter(pending_phone__in=phones).order_by("pk"))
    bound = _single_owner_by_phone([row.phone for row in stored])
    for row in stored:
        if row.phone in bound:
            member_import_apply(member_id=bound[row.phone], phone=row.phone)
    return stored


def _single_owner_by_phone(phones: list[str]) -> dict[str, int]:
    """Phone → member id for phones held by exactly one shopper (an ambiguous number waits)."""
    owners: dict[str, list[int]] = {}
    for member_id, phone in Member.objects.filter(phone__in=phones).values_list("pk", "phone"):
        owners.setdefault(phone, []).append(member_id)
    return {phone: ids[0] for phone, ids in owners.items() if len(ids) == 1}


def _raise_tier(member: Member, tier: str) -> bool:
    if not tier or TIER_LADDER.index(tier) <= TIER_LADDER.index(member.tier):
        return False
    member.tier = tier
    return True


@transaction.atomic
def member_import_apply(*, member_id: int, phone: str, now: datetime | None = None) -> MemberImport | None:
    """Apply the waiting row for exactly ``phone`` to the member who holds that phone now, once.

    Returns the row applied, or None when there is nothing to apply (no waiting row, already
    applied by a concurrent binding, or the member no longer holds that number)."""
    now = now or timezone.now()
    row = MemberImport.objects.select_for_update().filter(pending_phone=phone).first()
    if row is None or row.state != MemberImport.State.PENDING:
        return None
    member = Member.objects.select_for_update().filter(pk=member_id).first()
    if member is None or member.phone != phone:
        return None
    applied: dict[str, Any] = {}
    if row.points > 0:
        points_grant(
            member_id=member.pk,
            delta=row.points,
            reason=PointsEntry.Reason.MIGRATE,
            ref=f"import:{row.pk}",
            note=_("旧店积分迁移"),
        )
        applied["points"] = row.points
    changed: list[str] = []
    tier_before = member.tier
    if _raise_tier(member, row.tier):
        changed.append("tier")
        applied["tier"] = [tier_before, member.tier]
    if row.birthday and member.birthday is None:
        member.birthday = row.birthday
        changed.append("birthday")
        applied["birthday"] = row.birthday.isoformat()
    if row.name and not member.nickname:
        member.nickname = row.name[:64]
        changed.append("nickname")
    if changed:
        member.save(update_fields=changed)
    if row.tags:
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=row.tags)}
        for name in row.tags:
            tag = existing.get(name)
            if tag is None:
                tag, _created = Tag.objects.get_or_create(name=name, defaults={"kind": Tag.Kind.MANUAL})
            if tag.kind != Tag.Kind.MANUAL:
                continue  # an automatic tag is the rules' to give
            MemberTag.objects.get_or_create(member=member, tag=tag)
        applied["tags"] = row.tags
    if row.total_spend > 0:
        GrowthEntry.objects.create(
            member=member,
            source=GrowthEntry.Source.IMPORT,
            source_id=f"import-{row.pk}",
            amount=row.total_spend,
            orders=0,
            occurred_at=now,
        )
        applied["total_spend"] = row.total_spend
    row.state = MemberImport.State.MATCHED
    row.pending_phone = None
    row.member = member
    row.matched_at = now
    row.applied = applied
    row.save(update_fields=["state", "pending_phone", "member", "matched_at", "applied"])
    audit_record(actor=None, action="member_import.apply", target=row, data={"member": member.pk, **applied})
    return row


@receiver(member_phone_bound, dispatch_uid="member_import_on_phone_bound")
def _on_phone_bound(sender: Any, *, member_id: int, phone: str, **kwargs: Any) -> None:
    try:
        member_import_apply(member_id=member_id, phone=phone)
    except Exception:  # a receiver must not break the binding that already committed
        logger.exception("member import apply failed for member %s", member_id)
