"""``seed_demo``'s sheet jobs: a finished old-shop import, a dry run with its rows in error, and a
members export with its file; a second run adds none."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from mall.models import SheetJob
from members.models import Member, MemberImport

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _job_files(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.SHEET_JOBS_ROOT = tmp_path
    yield


def test_demo_sheet_jobs_are_there_and_a_second_run_adds_nothing() -> None:
    call_command("seed_demo", "--shoppers", "20", "--days", "30", stdout=StringIO())
    imported, checked, exported = SheetJob.objects.order_by("pk")
    assert (imported.kind, imported.status, imported.total) == (SheetJob.Kind.MEMBER_IMPORT, SheetJob.Status.DONE, 120)
    assert MemberImport.objects.filter(phone__startswith="171").count() == 120
    assert checked.status == SheetJob.Status.FAILED and [e["line"] for e in checked.errors] == [4, 7]
    assert not MemberImport.objects.filter(phone__startswith="172").exists()
    assert exported.status == SheetJob.Status.DONE and exported.total == Member.objects.count()
    assert exported.result and exported.result.size > 0
    call_command("seed_demo", "--shoppers", "20", "--days", "30", stdout=StringIO())
    assert SheetJob.objects.count() == 3
