"""Members out (P06 point 2) as a background job, for selections too large to build in a
request: the rows of ``member_export_rows`` written chunk by chunk (a fixed number of queries per
chunk of 2,000 shoppers) into an xlsx or csv file, phones masked unless the exporting role may
see them. The export is recorded and audited when it is queued, with who, the IP and the rows."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.models import PersonalDataExport, SheetJob
from mall.services.personal_data import personal_data_export_record
from mall.services.sheet_jobs import JobRun, sheet_job_create
from mall.services.sheets import SheetWriter
from members.models import Member
from members.selectors.exports import member_export_rows
from orders.services.privacy import phone_reveal_allowed

CHUNK = 2000


def id_chunks(ids: Sequence[int], size: int = CHUNK) -> list[list[int]]:
    ordered = sorted(int(pk) for pk in ids)
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]


@transaction.atomic
def member_export_job_create(
    *, actor: AbstractBaseUser | AnonymousUser | None, member_ids: Sequence[int], fmt: str, ip_address: str = ""
) -> SheetJob:
    ids = sorted({int(pk) for pk in member_ids})
    job = sheet_job_create(
        kind=SheetJob.Kind.MEMBER_EXPORT, actor=actor, params={"ids": ids, "format": fmt}, total=len(ids)
    )
    personal_data_export_record(
        actor=actor,
        dataset=PersonalDataExport.DATASET_MEMBERS,
        row_count=len(ids),
        ip_address=ip_address,
        job_id=job.pk,
    )
    return job


def member_export_job_run(run: JobRun) -> str:
    fmt = str(run.job.params.get("format") or "csv")
    reveal = phone_reveal_allowed(actor=run.actor)
    chunks = id_chunks(run.job.params.get("ids") or [])
    run.set_total(sum(len(chunk) for chunk in chunks))
    done = 0
    with SheetWriter(fmt, titles=[_("会员")]) as writer:
        header, _rows = member_export_rows(Member.objects.none())
        writer.append(header)
        for chunk in chunks:
            _header, rows = member_export_rows(Member.objects.filter(pk__in=chunk), reveal_phone=reveal)
            for row in rows:
                writer.append(row)
            done += len(chunk)
            run.progress(done)
        content = writer.finish()
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        run.save_result(content, name=f"members-{stamp}.{fmt}")
        content.close()
    return _("已导出 %(n)d 位会员。") % {"n": writer.rows - 1}
