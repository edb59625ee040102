"""The console's personal-data export actions (members; orders with addresses).

Each is an admin action shown only with its own permission (``mall.export_members`` /
``mall.export_orders``), and every export is recorded and audited with its row count by
``personal_data_export``. Selections larger than ``SHEET_INLINE_MAX_ROWS`` become background
sheet jobs (``exceeds_inline`` / ``job_started_response``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.api.clients import client_ip
from mall.models import SheetJob
from mall.services.personal_data import DATASET_PERMISSIONS, personal_data_export


def export_csv_response(
    request: HttpRequest,
    *,
    dataset: str,
    queryset: QuerySet[Any],
    rows_of: Callable[[QuerySet[Any]], tuple[list[str], list[list[Any]]]],
) -> HttpResponse:
    header, rows = rows_of(queryset)
    content = personal_data_export(
        actor=request.user, dataset=dataset, header=header, rows=rows, ip_address=client_ip(request)
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{dataset}-{stamp}.csv"'
    return response


def can_export(request: HttpRequest, dataset: str) -> bool:
    return bool(request.user.has_perm(DATASET_PERMISSIONS[dataset]))


def exceeds_inline(queryset: QuerySet[Any]) -> bool:
    """More rows than a request should build (``SHEET_INLINE_MAX_ROWS``): export as a job."""
    return bool(queryset.count() > int(settings.SHEET_INLINE_MAX_ROWS))


def job_started_response(request: HttpRequest, job: SheetJob) -> HttpResponse:
    """To the job's progress page, saying why the file is not downloading at once."""
    messages.info(request, _("数据较多，已转为后台任务；完成后在本页下载，也可以在“表格任务”中找到。"))
    return HttpResponseRedirect(reverse("console:sheet_job", args=[job.pk]))
