"""Exports of shoppers' personal data: each one recorded with its row count and audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction

from mall.errors import PermissionDenied
from mall.models import PersonalDataExport
from mall.services.audit import audit_record

DATASET_PERMISSIONS = {
    PersonalDataExport.DATASET_MEMBERS: "mall.export_members",
    PersonalDataExport.DATASET_ORDERS: "mall.export_orders",
}


@transaction.atomic
def personal_data_export(
    *,
    actor: AbstractBaseUser | AnonymousUser,
    dataset: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    ip_address: str = "",
) -> bytes:
    """The CSV (UTF-8 with BOM, so Excel opens Chinese correctly) of ``rows``, after checking the
    dataset's own export permission; records the export and audits it with the row count."""
    user = actor if isinstance(actor, User) else None
    if user is None or not user.has_perm(DATASET_PERMISSIONS[dataset]):
        raise PermissionDenied(details={"permission": DATASET_PERMISSIONS[dataset]})
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    personal_data_export_record(actor=actor, dataset=dataset, row_count=len(rows), ip_address=ip_address)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@transaction.atomic
def personal_data_export_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    dataset: str,
    row_count: int,
    ip_address: str = "",
    job_id: int = 0,
) -> PersonalDataExport:
    """Record and audit one export (inline, or a background job's when it is queued)."""
    user = actor if isinstance(actor, User) else None
    if user is None or not user.has_perm(DATASET_PERMISSIONS[dataset]):
        raise PermissionDenied(details={"permission": DATASET_PERMISSIONS[dataset]})
    export = PersonalDataExport.objects.create(actor=user, dataset=dataset, row_count=row_count, ip_address=ip_address)
    data: dict[str, Any] = {"dataset": dataset, "rows": row_count, "ip": ip_address}
    if job_id:
        data["job"] = job_id
    audit_record(actor=actor, action="export.personal_data", target=export, data=data)
    return export
