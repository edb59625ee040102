"""Ten merchants (real threads on MariaDB) making one page a topic at once: the page's row lock
orders them, so there is one topic row, every save succeeds (no duplicate-key 500) and the audit
holds one create and nine updates."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import User

from mall.models import AuditLog
from mall.tests.concurrency import run_in_threads
from marketing.models import TopicPage
from marketing.services.pages import PageData, page_create
from marketing.services.topics import TopicData, topic_set

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def test_ten_saves_of_one_topic_at_once_make_one_row() -> None:
    staff = User.objects.create_superuser(username=f"s{uuid.uuid4().hex[:8]}", password="x")
    page = page_create(actor=staff, data=PageData(title="开学季必备", slug=f"t{uuid.uuid4().hex[:8]}"))

    results = run_in_threads(10, lambda i: topic_set(actor=staff, page_id=page.pk, data=TopicData(sort_order=i)))

    assert all(isinstance(r, TopicPage) for r in results), results
    assert TopicPage.objects.filter(page=page).count() == 1
    actions = list(
        AuditLog.objects.filter(target_id=str(page.pk), action__startswith="topic.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["topic.create"] + ["topic.update"] * 9
    assert TopicPage.objects.get(page=page).sort_order in range(10)
