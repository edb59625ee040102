"""The console's personal-data export actions (members; orders with addresses).

Each is an admin action shown only with its own permission (``mall.export_members`` /
``mall.export_orders``), and every export is recorded and audited with its row count by
``personal_data_export``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from mall.api.clients import client_ip
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
