"""The coupon sheets (P06 point 3) as background jobs, for lists and selections too large for a
request: granting a template to a sheet of up to 100,000 shoppers, and the template / issued
coupon exports written chunk by chunk.

Grant failure rule: per batch. Rows are granted in batches of ``GRANT_BATCH``, each batch in one
transaction together with its ``SheetJobBatch`` row (which holds the batch's per-row report), so
a retried or resumed job skips the batches already granted and a shopper never gets the coupon
twice (the grant's unique (grant, member) row stands behind that too). The grant itself is one
``CouponGrant`` per job (``ref`` = ``sheet-job-<id>``). The full per-row report is the job's
download; the grant's page lists the skipped rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.errors import ApplicationError, PermissionDenied
from mall.models import SheetJob, SheetJobBatch
from mall.services.audit import audit_record
from mall.services.sheet_jobs import JobRun, SheetJobFailed, sheet_job_create
from mall.services.sheets import SheetUnreadable, SheetWriter, header_columns, iter_sheet_rows
from marketing.models import Coupon, CouponGrant, CouponTemplate
from marketing.services.coupon_grants import GrantRow, grant_rows, grant_template_usable, report_entry_text
from marketing.services.coupon_sheets import EXPORT_PERMISSION, coupon_sheet_rows, template_sheet_rows

GRANT_BATCH = 200
GRANT_MAX_ROWS = 200_000
EXPORT_CHUNK = 2000
SKIPPED_KEPT = 2000

GRANT_HEADERS: dict[str, tuple[str, ...]] = {
    "value": ("手机号", "会员 ID", "会员ID", "手机号或会员 ID", "phone", "member id", "member_id")
}


def grant_sheet_rows(cells: Iterable[list[str]]) -> Iterator[GrantRow]:
    """The phone-or-id rows of a grant sheet (header optional), read as they come."""
    column, number = 0, 0
    for number, row in enumerate(cells, start=1):
        if number == 1:
            found = header_columns(row, GRANT_HEADERS)
            if "value" in found:
                column = found["value"]
                continue
        value = row[column].strip() if column < len(row) else ""
        if value:
            yield GrantRow(line=number, value=value)


def coupon_grant_job_create(
    *, actor: AbstractBaseUser | AnonymousUser | None, template_id: int, source: Any, source_name: str
) -> SheetJob:
    template = grant_template_usable(template_id)
    return sheet_job_create(
        kind=SheetJob.Kind.COUPON_GRANT,
        actor=actor,
        params={"template_id": template.pk},
        source=source,
        source_name=source_name,
        audit_data={"template": template.pk},
    )


def _grant_batches(run: JobRun) -> Iterator[list[GrantRow]]:
    stream = run.open_source()
    try:
        rows = grant_sheet_rows(iter_sheet_rows(stream, name=run.job.source_name))
        while batch := list(islice(rows, GRANT_BATCH)):
            yield batch
    except SheetUnreadable as exc:
        raise SheetJobFailed(_("无法读取该 xlsx 文件。")) from exc
    finally:
        stream.close()


def coupon_grant_job_run(run: JobRun) -> str:
    try:
        template = grant_template_usable(int(run.job.params["template_id"]))
    except ApplicationError as exc:
        raise SheetJobFailed(exc.message) from exc
    grant, _created = CouponGrant.objects.get_or_create(
        ref=f"sheet-job-{run.job.pk}", defaults={"template": template, "created_by": run.actor}
    )
    now = timezone.now()
    seen: set[int] = set()
    done = 0
    for number, batch in enumerate(_grant_batches(run), start=1):
        done += len(batch)
        if done > GRANT_MAX_ROWS:
            raise SheetJobFailed(_("一次最多导入 %(n)d 行。") % {"n": GRANT_MAX_ROWS})
        if number in run.batches_done:
            continue
        try:
            with transaction.atomic():
                report = grant_rows(grant=grant, template=template, rows=batch, seen=seen, now=now)
                SheetJobBatch.objects.create(
                    job=run.job,
                    number=number,
                    first_line=batch[0].line,
                    last_line=batch[-1].line,
                    rows=len(batch),
                    applied=sum(1 for entry in report if entry["outcome"] == "granted"),
                    report=report,
                )
        except IntegrityError:  # the batch row exists: another run wrote it (never granted twice)
            continue
        run.progress(done)
    if done == 0:
        raise SheetJobFailed(_("名单中没有数据行。"))
    run.set_total(done)
    return _grant_finish(run, grant, template)


def _grant_finish(run: JobRun, grant: CouponGrant, template: CouponTemplate) -> str:
    """Totals on the grant, its skipped rows for the grant page, the full report as the download."""
    granted = rows = 0
    skipped: list[dict[str, Any]] = []
    with SheetWriter("csv") as writer:
        writer.append([_("行号"), _("手机号或会员 ID"), _("会员 ID"), _("结果")])
        for batch in SheetJobBatch.objects.filter(job=run.job).order_by("number").iterator(chunk_size=50):
            granted += batch.applied
            rows += batch.rows
            for entry in batch.report:
                shown = report_entry_text(entry)
                writer.append([shown["line"], shown["value"], shown["member"] or "", shown["reason"] or _("已发放")])
                if not shown["granted"] and len(skipped) < SKIPPED_KEPT:
                    skipped.append(entry)
        content = writer.finish()
        run.save_result(content, name=f"coupon-grant-{grant.pk}-report.csv")
        content.close()
    CouponGrant.objects.filter(pk=grant.pk).update(rows=rows, granted=granted, skipped=rows - granted, report=skipped)
    audit_record(
        actor=run.actor,
        action="coupon.grant",
        target=grant,
        data={"template": template.pk, "rows": rows, "granted": granted, "skipped": rows - granted, "job": run.job.pk},
    )
    return _("已发放 %(g)d 张，跳过 %(s)d 行。") % {"g": granted, "s": rows - granted}


def coupon_export_job_create(
    *, actor: AbstractBaseUser | AnonymousUser | None, kind: str, ids: Iterable[int], fmt: str
) -> SheetJob:
    """Queue a template or issued-coupon export; audited like the inline export (who, rows)."""
    if actor is None or not actor.has_perm(EXPORT_PERMISSION):  # type: ignore[union-attr]
        raise PermissionDenied(details={"permission": EXPORT_PERMISSION})
    pks = sorted({int(pk) for pk in ids})
    dataset = "coupon_templates" if kind == SheetJob.Kind.COUPON_TEMPLATE_EXPORT else "coupons"
    with transaction.atomic():
        job = sheet_job_create(kind=kind, actor=actor, params={"ids": pks, "format": fmt}, total=len(pks))
        audit_record(
            actor=actor,
            action="export.coupons",
            data={"dataset": dataset, "format": fmt, "rows": len(pks), "job": job.pk},
        )
    return job


def _export(run: JobRun, *, dataset: str, rows_of: Any, queryset: QuerySet[Any]) -> str:
    fmt = str(run.job.params.get("format") or "csv")
    pks: list[int] = sorted(int(pk) for pk in run.job.params.get("ids") or [])
    run.set_total(len(pks))
    with SheetWriter(fmt, titles=[dataset]) as writer:
        header, _rows = rows_of(queryset.none())
        writer.append(header)
        for start in range(0, len(pks), EXPORT_CHUNK):
            chunk = pks[start : start + EXPORT_CHUNK]
            _header, rows = rows_of(queryset.filter(pk__in=chunk))
            for row in rows:
                writer.append(row)
            run.progress(start + len(chunk))
        content = writer.finish()
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        run.save_result(content, name=f"{dataset}-{stamp}.{fmt}")
        content.close()
    return _("已导出 %(n)d 行。") % {"n": writer.rows - 1}


def coupon_template_export_job_run(run: JobRun) -> str:
    return _export(run, dataset="coupon_templates", rows_of=template_sheet_rows, queryset=CouponTemplate.objects.all())


def coupon_export_job_run(run: JobRun) -> str:
    return _export(run, dataset="coupons", rows_of=coupon_sheet_rows, queryset=Coupon.objects.all())
