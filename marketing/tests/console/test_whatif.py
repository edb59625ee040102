"""效果模拟 (B01) in the console: choose, fill the promotion form, run in the background, read
the figures in yuan with the savings chart; reached from the promotion list too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from mall.models import AuditLog, Category, Sku
from marketing.models import Promotion, WhatIfRun, WhatIfStatus
from marketing.services.whatif import whatif_run_execute, whatif_runs_fail_stale
from marketing.tests.whatif_orders import NOW, paid, shopper

pytestmark = pytest.mark.django_db
URL = "/console/marketing/whatif/"


@pytest.fixture(autouse=True)
def _chinese() -> Any:
    """Console pages render in the shop's language; the thread's language is restored after each test."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def staff_client(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def orders(make_sku: Callable[..., Sku], snacks: Category) -> Sku:
    snack = make_sku("SNACK-BOX", 12500, snacks)
    Sku.objects.filter(pk=snack.pk).update(cost_price=8000)
    member = shopper()
    paid(member, (snack, 2))
    paid(member, (snack, 1), days_ago=2)
    return snack


def _post(client: Client, query: str, on_commit: Any = None, **fields: Any) -> Any:
    """Post the form with the task's ``delay`` replaced; ``on_commit`` runs the after-commit hooks."""
    data = {
        "name": "满199减30",
        "days": "30",
        "tiers": "199:30",
        "starts_at": NOW.isoformat(),
        "ends_at": (NOW + timedelta(days=7)).isoformat(),
        **fields,
    }
    with mock.patch("marketing.tasks.whatif_run_task.delay") as delay:
        if on_commit is None:
            response = client.post(f"{URL}{query}", data)
        else:
            with on_commit(execute=True):
                response = client.post(f"{URL}{query}", data)
    _post.delay = delay  # type: ignore[attr-defined]
    return response


def test_the_chooser_lists_live_promotions_types_and_states_the_assumption(
    staff_client: Client, make_promotion: Callable[..., Promotion]
) -> None:
    assert reverse("console:marketing_whatif") == URL
    live = make_promotion(name="满100减15")
    page = staff_client.get(URL).content.decode()
    assert f"?promotion={live.pk}" in page and "满100减15" in page
    assert "?type=full_reduction" in page and "同样的订单" in page


@time_machine.travel(NOW, tick=False)
def test_a_new_promotion_runs_in_the_background_and_shows_yuan_and_a_chart(
    staff_client: Client, orders: Sku, django_capture_on_commit_callbacks: Any
) -> None:
    response = _post(staff_client, "?type=full_reduction", on_commit=django_capture_on_commit_callbacks)
    run = WhatIfRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "console:marketing_whatif_run", args=[run.pk]
    )
    _post.delay.assert_called_once_with(run_id=run.pk)  # type: ignore[attr-defined]
    assert run.status == WhatIfStatus.QUEUED and run.promotion is None and run.days == 30
    assert run.draft["rules"] == {"tiers": [{"threshold": "199", "off": "30"}], "repeat": False}
    assert AuditLog.objects.filter(action="marketing.whatif_run", target_id=str(run.pk)).exists()

    waiting = staff_client.get(response["Location"]).content.decode()
    assert 'data-testid="whatif-progress"' in waiting
    assert whatif_run_execute(run_id=run.pk).status == WhatIfStatus.DONE
    run.refresh_from_db()
    assert run.result["affected"] == 1 and run.result["discount_after"] == 3000 and run.done == 2

    page = staff_client.get(response["Location"]).content.decode()
    assert 'data-testid="whatif-chart"' in page and "¥30.00" in page  # the discount cost, never fen
    assert "¥375.00" in page and "¥345.00" in page  # GMV before and after
    assert "3000" not in page.replace("¥30.00", "")
    status = staff_client.get(reverse("console:marketing_whatif_status", args=[run.pk])).json()
    assert status == {"status": "done", "status_label": "已完成", "done": 2, "total": 2, "percent": 100}


@time_machine.travel(NOW, tick=False)
def test_a_run_delivered_twice_replays_once(staff: User, orders: Sku) -> None:
    run = WhatIfRun.objects.create(name="x", draft={"type": "full_reduction", "rules": {"tiers": []}}, days=7)
    WhatIfRun.objects.filter(pk=run.pk).update(status=WhatIfStatus.DONE, result={"orders": 9})
    assert whatif_run_execute(run_id=run.pk).result == {"orders": 9}


@time_machine.travel(NOW, tick=False)
def test_editing_a_live_promotion_replaces_it_and_leaves_it_alone(
    staff_client: Client, orders: Sku, make_promotion: Callable[..., Promotion]
) -> None:
    live = make_promotion(name="满199减30", rules={"tiers": [{"threshold": "199.00", "off": "30.00"}]})
    _post(staff_client, f"?promotion={live.pk}", tiers="199:50", name=live.name)
    run = WhatIfRun.objects.get()
    assert run.promotion == live
    whatif_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.result["discount_before"], run.result["discount_after"]) == (3000, 5000)
    live.refresh_from_db()
    assert live.rules == {"tiers": [{"threshold": "199.00", "off": "30.00"}]}


def test_a_bad_rule_is_refused_next_to_its_field(staff_client: Client) -> None:
    response = _post(staff_client, "?type=full_reduction", tiers="abc")
    assert response.status_code == 200 and 'data-testid="field-error"' in response.content.decode()
    assert not WhatIfRun.objects.exists()


def test_the_promotion_list_offers_a_try(staff_client: Client, make_promotion: Callable[..., Promotion]) -> None:
    live = make_promotion()
    response = staff_client.get(f"/admin/marketing/promotion/{live.pk}/whatif-row/")
    assert response.status_code == 302 and response["Location"] == f"{URL}?promotion={live.pk}"
    assert "模拟一下" in staff_client.get("/admin/marketing/promotion/").content.decode()


def test_staff_without_promotion_rights_are_refused(db: Any) -> None:
    clerk = User.objects.create_user(username="clerk", password="x", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_order"))
    client = Client()
    client.force_login(clerk)
    assert client.get(URL).status_code == 403


def test_a_run_whose_worker_died_is_marked_failed_once(staff: User) -> None:
    draft = {"type": "full_reduction", "rules": {"tiers": [{"threshold": "199.00", "off": "30.00"}]}}
    stuck = WhatIfRun.objects.create(name="卡住", draft=draft, days=7, status=WhatIfStatus.RUNNING)
    working = WhatIfRun.objects.create(name="进行中", draft=draft, days=7, status=WhatIfStatus.RUNNING)
    never = WhatIfRun.objects.create(name="无人处理", draft=draft, days=7)
    now = timezone.now()
    WhatIfRun.objects.filter(pk=stuck.pk).update(heartbeat_at=now - timedelta(minutes=20))
    WhatIfRun.objects.filter(pk=working.pk).update(heartbeat_at=now - timedelta(minutes=2))
    WhatIfRun.objects.filter(pk=never.pk).update(created_at=now - timedelta(hours=2))
    assert whatif_runs_fail_stale(now=now) == 2
    assert whatif_runs_fail_stale(now=now) == 0
    statuses = dict(WhatIfRun.objects.values_list("name", "status"))
    assert statuses == {"卡住": "failed", "进行中": "running", "无人处理": "failed"}
    assert "重新模拟" in WhatIfRun.objects.get(pk=stuck.pk).error
