"""Large sheets in and out as background jobs (P06 point 5): one row per job, with its progress,
its files and, for imports, the batches already written (so a retried or resumed run never
writes a batch twice)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _


class SheetJobStorage(FileSystemStorage):
    """Files of sheet jobs under ``SHEET_JOBS_ROOT`` (read at each use, so tests can move it);
    never under MEDIA_ROOT: they hold phones and money and are handed out only by the console."""

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(settings.SHEET_JOBS_ROOT)

    @property
    def location(self) -> str:  # type: ignore[override]
        import os

        return os.path.abspath(self.base_location)

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return ("mall.models.sheet_jobs.SheetJobStorage", (), {})


sheet_job_storage = SheetJobStorage()


class SheetJob(models.Model):
    class Kind(models.TextChoices):
        MEMBER_IMPORT = "member_import", _("会员导入")
        MEMBER_EXPORT = "member_export", _("会员导出")
        COUPON_GRANT = "coupon_grant", _("按名单发券")
        COUPON_TEMPLATE_EXPORT = "coupon_template_export", _("优惠券模板导出")
        COUPON_EXPORT = "coupon_export", _("优惠券导出")
        FINANCE_EXPORT = "finance_export", _("财务导出")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    source = models.FileField(_("上传的文件"), storage=sheet_job_storage, upload_to="in/%Y/%m", blank=True)
    source_name = models.CharField(_("上传文件名"), max_length=255, blank=True)
    result = models.FileField(_("结果文件"), storage=sheet_job_storage, upload_to="out/%Y/%m", blank=True)
    result_name = models.CharField(_("下载文件名"), max_length=255, blank=True)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    # Import rows that failed the check, or the batches that failed: [{"line", "message"}…]
    errors = models.JSONField(_("错误"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    message = models.CharField(_("结果说明"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    heartbeat_at = models.DateTimeField(_("最近进度时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("表格任务")
        verbose_name_plural = _("表格任务")
        ordering = ["-id"]
        indexes = [models.Index(fields=["created_by", "-id"], name="sheetjob_by_user")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return 0 if not self.total else min(100, self.done * 100 // self.total)


class SheetJobBatch(models.Model):
    """One batch of an import written in its own transaction together with this row: a rerun of
    the job skips the batches listed here, so no row is applied twice."""

    job = models.ForeignKey(SheetJob, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField(_("批次"))
    first_line = models.PositiveIntegerField(_("起始行"))
    last_line = models.PositiveIntegerField(_("结束行"))
    rows = models.PositiveIntegerField(_("行数"))
    applied = models.PositiveIntegerField(_("已生效"), default=0)
    # Per-row outcome where the job reports rows (a coupon grant: granted or why skipped).
    report = models.JSONField(_("明细"), default=list, blank=True)
    created_at = models.DateTimeField(_("写入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("表格任务批次")
        verbose_name_plural = _("表格任务批次")
        ordering = ["job", "number"]
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="sheetjobbatch_once")]

    def __str__(self) -> str:
        return f"{self.job_id} #{self.number}"
