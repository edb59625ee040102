"""The page schedule under real concurrency (threads against MariaDB in CI): beat firing the job
on several workers at once publishes and unpublishes each page exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import AuditLog
from mall.tests.concurrency import run_in_threads
from marketing.models import CampaignPage
from marketing.services.pages import PageData, page_create, page_save, page_schedule, pages_schedule_run

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def test_six_workers_running_the_due_schedule_act_once_per_page() -> None:
    staff = User.objects.create_superuser(username="ops-pages", password="x", email="o@e.com")
    start = timezone.now()
    pages = []
    for n in range(3):
        page = page_create(actor=staff, data=PageData(title=f"会场 {n}", slug=f"hall-{n}"))
        page_save(actor=staff, page_id=page.pk, blocks=[{"type": "divider", "settings": {}}])
        page_schedule(
            actor=staff, page_id=page.pk, publish_at=start + timedelta(minutes=5), unpublish_at=None, now=start
        )
        pages.append(page)

    results = run_in_threads(6, lambda _i: pages_schedule_run(now=start + timedelta(minutes=6)))

    assert not [r for r in results if isinstance(r, Exception)]
    assert sum(results) == 3
    assert CampaignPage.objects.filter(published_version__isnull=False, publish_at__isnull=True).count() == 3
    assert AuditLog.objects.filter(action="page.publish").count() == 3
