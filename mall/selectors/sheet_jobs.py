"""Reads of background sheet jobs for the console: a staff member's own jobs (the owner's: all)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from mall.models import SheetJob

LIST_LIMIT = 100


def sheet_jobs_for_user(*, actor: AbstractBaseUser | AnonymousUser) -> QuerySet[SheetJob]:
    """The latest jobs this staff member may open, in one query (with who submitted them)."""
    jobs = SheetJob.objects.select_related("created_by").defer("params", "errors").order_by("-id")
    if not getattr(actor, "is_superuser", False):
        jobs = jobs.filter(created_by_id=getattr(actor, "pk", None))
    return jobs[:LIST_LIMIT]
