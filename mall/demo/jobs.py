"""Demo sheet jobs (P06 point 5): the 表格任务 page of the demo shop shows a finished background
import of old-shop customers (phones 171… and 172…, which no demo shopper has), a finished members
export with its file to download, and a dry run that found rows in error, each listed by line."""

from __future__ import annotations

import io

from django.contrib.auth.models import User

from mall.models import SheetJob
from mall.services import sheet_jobs
from mall.services.sheets import csv_bytes
from members.models import Member
from members.services.member_export_job import member_export_job_create

HEADER = ["手机号", "姓名", "生日", "会员等级", "积分", "标签", "累计消费(元)"]
TIERS = ["普通会员", "白银会员", "黄金会员", "钻石会员"]


def _old_shop_rows(count: int, prefix: str = "171") -> list[list[str]]:
    return [
        [f"{prefix}{n:08d}", f"老店顾客{n}", "", TIERS[n % 4], str(n * 10 % 3000), "老客", f"{n * 37 % 5000}.00"]
        for n in range(1, count + 1)
    ]


def _run_now(job: SheetJob) -> None:
    sheet_jobs.sheet_job_run(job_id=job.pk)


def build_jobs() -> dict[str, int]:
    """Three jobs, queued as usual and run here at once (no worker runs while seeding; the
    worker's later delivery of the same jobs finds them finished and does nothing). Idempotent."""
    owner = User.objects.filter(is_superuser=True).order_by("pk").first()
    if owner is None or SheetJob.objects.exists():
        return {"sheet jobs": 0}
    imported = sheet_jobs.sheet_job_create(
        kind=SheetJob.Kind.MEMBER_IMPORT,
        actor=owner,
        source=io.BytesIO(csv_bytes(HEADER, _old_shop_rows(120))),
        source_name="老店会员-2026.csv",
    )
    _run_now(imported)
    bad = _old_shop_rows(8, prefix="172")
    bad[2][0], bad[5][4] = "1380000", "-20"
    checked = sheet_jobs.sheet_job_create(
        kind=SheetJob.Kind.MEMBER_IMPORT,
        actor=owner,
        params={"dry_run": True},
        source=io.BytesIO(csv_bytes(HEADER, bad)),
        source_name="老店会员-补充.csv",
    )
    _run_now(checked)
    ids = list(Member.objects.order_by("pk").values_list("pk", flat=True))
    _run_now(member_export_job_create(actor=owner, member_ids=ids, fmt="xlsx", ip_address="127.0.0.1"))
    return {"sheet jobs": SheetJob.objects.count()}
