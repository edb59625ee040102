"""make bench-import: a 100,000-row member import through the background-job path on MariaDB.

1. A fresh database ``<DATABASE_URL name>_import_bench`` (dropped and made again), migrated, with
   an owner and ``BENCH_IMPORT_EXISTING`` shoppers (default 1,000) whose phones appear in the sheet,
   so the run also applies rows to existing shoppers (points ledger, tier, tags, spend).
2. A sheet of ``BENCH_IMPORT_ROWS`` rows (default 100,000; ``BENCH_IMPORT_FORMAT`` xlsx or csv,
   default xlsx) is written, stored as a job's upload, and the job is run in a separate process
   (as a worker would: the check pass, then the batches), so its peak memory is the job's.
3. Prints one JSON line last: ``{"rows","seconds","peak_mb","rss_before_mb","growth_mb","matched",
   "batches","format","rows_per_s"}``. ``growth_mb`` (peak minus the process before the run) is the
   streamed job's own memory: it stays flat as rows grow (run with BENCH_IMPORT_ROWS=10000 to compare).
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import database_recreate_and_migrate, django_setup, own_database_url  # noqa: E402

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
EXISTING = int(os.environ.get("BENCH_IMPORT_EXISTING", "1000"))
FORMAT = os.environ.get("BENCH_IMPORT_FORMAT", "xlsx")
HEADER = ["手机号", "姓名", "生日", "会员等级", "积分", "标签", "累计消费(元)"]
TIERS = ["普通会员", "白银会员", "黄金会员", "钻石会员", ""]


def _phone(n: int) -> str:
    return f"15{n:09d}"


def _sheet(path: Path) -> None:
    rng = random.Random(21)
    rows = (
        [
            _phone(n),
            f"顾客{n}",
            f"{rng.randint(1960, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if n % 3 else "",
            TIERS[n % len(TIERS)],
            rng.randint(0, 5000),
            "老客,直播粉丝" if n % 4 == 0 else "老客",
            f"{rng.randint(0, 200000) / 100:.2f}",
        ]
        for n in range(ROWS)
    )
    if FORMAT == "csv":
        import csv

        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(rows)
        return
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("会员")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)


def load(sheet_path: Path) -> int:
    """Drop and make the bench database, migrate, add the owner and the existing shoppers; queue the job."""
    database_recreate_and_migrate()
    from django.contrib.auth.models import User

    from mall.models import SheetJob
    from mall.services import sheet_jobs
    from members.models import Member

    owner = User.objects.create_superuser("bench-owner", "owner@example.com", "x")
    step = max(1, ROWS // max(1, EXISTING))
    Member.objects.bulk_create(
        [
            Member(openid=f"bench-import-{i}", invite_code=f"BI{i:07d}", phone=_phone(i * step))
            for i in range(min(EXISTING, ROWS))
        ],
        batch_size=2000,
    )
    sheet_jobs._enqueue = lambda job_id: None  # the bench runs the job itself, in the child
    with sheet_path.open("rb") as handle:
        job = sheet_jobs.sheet_job_create(
            kind=SheetJob.Kind.MEMBER_IMPORT, actor=owner, source=handle, source_name=sheet_path.name
        )
    return job.pk


def _rss_now_mb() -> float:
    """This process's resident memory now (not its peak so far)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_job(job_id: int) -> dict[str, object]:
    """In the child: run the job as a worker would; time and peak memory of this process."""
    from mall.models import SheetJob
    from mall.services.sheet_jobs import sheet_job_run
    from members.models import MemberImport

    before = _rss_now_mb()
    started = time.perf_counter()
    job = sheet_job_run(job_id=job_id)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert job is not None and job.status == SheetJob.Status.DONE, (job and job.message, job and job.errors[:3])
    staged = MemberImport.objects.count()
    assert staged == ROWS, staged
    return {
        "rows": staged,
        "seconds": round(seconds, 1),
        "peak_mb": round(peak, 1),
        "rss_before_mb": round(before, 1),
        "growth_mb": round(peak - before, 1),
        "matched": MemberImport.objects.filter(state=MemberImport.State.MATCHED).count(),
        "batches": job.batches.count(),
        "format": FORMAT,
        "rows_per_s": round(staged / seconds) if seconds else None,
    }


def main() -> None:
    url = own_database_url("import_bench", "bench-import")
    if len(sys.argv) > 2 and sys.argv[1] == "--run":
        django_setup(url, SHEET_JOBS_ROOT=tempfile.mkdtemp(prefix="bench-import-"))
        print(json.dumps(run_job(int(sys.argv[2])), ensure_ascii=False))
        return
    django_setup(url, SHEET_JOBS_ROOT=tempfile.mkdtemp(prefix="bench-import-"))
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    sheet_path = workdir / f"members.{FORMAT}"
    started = time.perf_counter()
    _sheet(sheet_path)
    print(f"sheet: {ROWS} rows, {sheet_path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")
    job_id = load(sheet_path)
    env = {**os.environ, "DATABASE_URL": url}
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--run", str(job_id)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    print(out.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
