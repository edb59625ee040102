"""The members import as a background job (P06 point 5), for sheets of up to 100,000 rows.

Failure rule: the whole file is checked first, streamed, and nothing is written if any row is
wrong (every bad row is listed with its line; all or nothing per file, as inline). Then rows are
staged in batches of ``BATCH_ROWS``, each batch in one transaction with its ``SheetJobBatch``
row, so a retried or resumed job skips the batches already written and no row is staged twice.
A batch can still fail at write time only if another upload staged one of its phones after the
check; that batch is then left out whole and listed with its lines, the others stand. After each
batch, its rows whose phone already belongs to exactly one shopper are applied, together in one
transaction (one commit per batch, not per shopper; applying a row twice does nothing).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from itertools import islice
from typing import IO

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mall.errors import ApplicationError
from mall.models import SheetJobBatch
from mall.services.audit import audit_record
from mall.services.sheet_jobs import JobRun, SheetJobFailed
from mall.services.sheets import SheetUnreadable, iter_sheet_rows
from members.errors import MemberImportInvalid
from members.models import MemberImport
from members.services.member_import import (
    MemberSheetRow,
    apply_known_phones,
    auto_tag_names,
    check_batch,
    member_sheet_rows,
    staging_row,
)
from members.services.profile import phone_normalize

BATCH_ROWS = 1000
MAX_ROWS = 200_000


def _source_cells(run: JobRun, spool: IO[str]) -> Iterator[list[str]]:
    """The upload's rows as text cells, copied to ``spool`` (a plain csv) as they are read, so the
    second pass reads the csv instead of parsing the workbook again."""
    writer = csv.writer(spool)
    stream = run.open_source()
    try:
        for cells in iter_sheet_rows(stream, name=run.job.source_name):
            writer.writerow(cells)
            yield cells
    except SheetUnreadable as exc:
        raise SheetJobFailed(_("无法读取该 xlsx 文件。")) from exc
    finally:
        stream.close()


def _batches(cells: Iterator[list[str]]) -> Iterator[list[MemberSheetRow]]:
    try:
        rows = member_sheet_rows(cells)
        while batch := list(islice(rows, BATCH_ROWS)):
            yield batch
    except MemberImportInvalid as exc:
        raise SheetJobFailed(exc.message) from exc


def _check_file(run: JobRun, spool: IO[str]) -> int:
    """Pass one: every row checked, nothing written; the number of data rows."""
    auto_tags = auto_tag_names()
    seen: dict[str, int] = {}
    errors: list[dict[str, object]] = []
    error_count = 0
    rows = 0
    for number, batch in enumerate(_batches(_source_cells(run, spool)), start=1):
        rows += len(batch)
        if rows > MAX_ROWS:
            raise SheetJobFailed(_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS})
        if number in run.batches_done:  # checked and staged by an earlier run of this job
            for row in batch:
                seen.setdefault(_phone_or_blank(row.phone), row.line)
            continue
        _checked, problems = check_batch(batch, auto_tags=auto_tags, seen=seen)
        error_count += len(problems)
        errors.extend(problem.__dict__ for problem in problems[: max(0, 500 - len(errors))])
        run.progress(rows)
    if rows == 0:
        raise SheetJobFailed(_("会员表中没有数据行。"))
    if error_count:
        raise SheetJobFailed(
            _("共 %(n)d 处错误，整份表格未导入；请改正后重新上传。") % {"n": error_count},
            errors=errors,
            error_count=error_count,
        )
    return rows


def member_import_job_run(run: JobRun) -> str:
    """Check the whole sheet, then (unless a dry run) stage it batch by batch; the result in words."""
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        rows = _check_file(run, spool)
        if run.job.params.get("dry_run"):
            return _("检查通过：共 %(n)d 行，可以导入。") % {"n": rows}
        spool.seek(0)
        return _stage(run, rows, csv.reader(spool))


def _stage(run: JobRun, rows: int, cells: Iterator[list[str]]) -> str:
    """Pass two: the checked rows staged batch by batch, each batch once."""
    run.set_total(rows)
    auto_tags = auto_tag_names()
    done = matched = 0
    failed: list[dict[str, object]] = []
    for number, batch in enumerate(_batches(cells), start=1):
        done += len(batch)
        if number not in run.batches_done:
            checked, problems = check_batch(batch, auto_tags=auto_tags, seen={})
            lines = {"batch": number, "line": batch[0].line, "last_line": batch[-1].line}
            if problems:
                failed.append({**lines, "message": _("该批次未导入：%(m)s") % {"m": problems[0].message}})
            else:
                try:
                    with transaction.atomic():
                        MemberImport.objects.bulk_create([staging_row(c, run.actor) for c in checked])
                        SheetJobBatch.objects.create(
                            job=run.job,
                            number=number,
                            first_line=batch[0].line,
                            last_line=batch[-1].line,
                            rows=len(checked),
                            applied=len(checked),
                        )
                except IntegrityError:
                    failed.append({**lines, "message": _("该批次未导入：另一份会员表刚刚导入了相同的手机号。")})
        # Phones that already belong to a shopper are applied; on a resumed run this also
        # finishes a batch whose matching the stopped worker did not reach (apply runs once per row).
        matched += _apply_batch(batch)
        run.progress(done)
    staged = sum(run.job.batches.values_list("rows", flat=True))
    audit_record(
        actor=run.actor,
        action="member_import.upload",
        target_type="members.memberimport",
        data={"rows": staged, "job": run.job.pk, "failed_batches": len(failed)},
    )
    if failed:
        raise SheetJobFailed(
            _("已导入 %(n)d 行；%(b)d 个批次未导入（见下方列表），请把这些行重新上传。")
            % {"n": staged, "b": len(failed)},
            errors=failed,
        )
    return _("已导入 %(n)d 位会员，其中 %(m)d 位已匹配到现有会员，其余等待会员绑定手机号。") % {
        "n": staged,
        "m": matched,
    }


def _phone_or_blank(text: str) -> str:
    try:
        return phone_normalize(text)
    except ApplicationError:
        return ""


def _apply_batch(batch: list[MemberSheetRow]) -> int:
    """Apply the batch's rows whose phone already belongs to one shopper; how many are matched."""
    phones = [phone for phone in (_phone_or_blank(row.phone) for row in batch) if phone]
    with transaction.atomic():  # one commit for the batch's matches, not one per shopper
        apply_known_phones(phones)
    return MemberImport.objects.filter(phone__in=phones, state=MemberImport.State.MATCHED).count()
