"""Background sheet jobs in a real browser (P06 point 5): a members sheet over the inline limit
goes to a job; its page shows the progress bar, which the page's polling moves to 已完成 once the
worker finishes, with the batches written and the download link; the list of jobs offers it too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from mall.models import SheetJob
from mall.services.sheet_jobs import sheet_job_run
from members.models import Member, MemberImport
from members.services.member_export_job import member_export_job_create
from members.tests.factories import MemberFactory


def test_a_large_member_sheet_runs_as_a_job_with_progress_and_a_download(
    page_factory: Any, owner: Any, screenshot_dir: Path, tmp_path: Path, settings: Any
) -> None:
    settings.SHEET_JOBS_ROOT = tmp_path / "jobs"
    settings.SHEET_INLINE_MAX_ROWS = 5
    header = "手机号,姓名,生日,会员等级,积分,标签,累计消费(元)"
    lines = [header] + [f"1390000{n:04d},顾客{n},,白银会员,{n},老客,{n}.00" for n in range(12)]
    sheet = tmp_path / "old-shop.csv"
    sheet.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")

    page = page_factory(owner)
    page.goto("/admin/members/memberimport/upload/")
    page.set_input_files("input[type=file]", str(sheet))
    page.get_by_role("button", name="上传").click()

    expect(page.get_by_test_id("job-status")).to_have_text("排队中")
    expect(page.get_by_text("表格较大，已转为后台任务")).to_be_visible()
    job = SheetJob.objects.get()
    page.screenshot(path=str(screenshot_dir / "console-sheet-job-queued.png"), full_page=True)

    sheet_job_run(job_id=job.pk)  # the worker

    expect(page.get_by_test_id("job-status")).to_have_text("已完成", timeout=15_000)
    expect(page.get_by_test_id("job-progress-text")).to_have_text("12 / 12 行")
    expect(page.get_by_test_id("job-message")).to_contain_text("已导入 12 位会员")
    expect(page.get_by_test_id("job-batches")).to_contain_text("2–13")
    assert MemberImport.objects.count() == 12
    page.screenshot(path=str(screenshot_dir / "console-sheet-job-done.png"), full_page=True)

    MemberFactory.create_batch(3)
    export = member_export_job_create(
        actor=owner, member_ids=list(Member.objects.values_list("pk", flat=True)), fmt="csv"
    )
    sheet_job_run(job_id=export.pk)
    page.goto("/console/system/sheet-jobs/")
    imported = page.locator(f"tr[data-job='{job.pk}']")
    expect(imported).to_contain_text("会员导入")
    expect(imported).to_contain_text("已完成")
    exported = page.locator(f"tr[data-job='{export.pk}']")
    with page.expect_download() as download:
        exported.get_by_role("link", name="下载").click()
    assert download.value.suggested_filename.startswith("members-")
    assert "会员 ID" in Path(download.value.path()).read_text(encoding="utf-8-sig")
    page.screenshot(path=str(screenshot_dir / "console-sheet-jobs.png"), full_page=True)
