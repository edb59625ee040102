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
    export = PersonalDataExport.objects.create(
        actor=user,
        dataset=dataset,
        row_count=len(rows),
        ip_address=ip_address,
    )
    audit_record(
        actor=actor,
        action="export.personal_data",
        target=export,
        data={"dataset": dataset, "rows": len(rows), "ip": ip_address},
    )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
