"""The console's lucky-wheel pages: a draft with its prizes saved through the audited services
(money in yuan), publishing from the list, a published version read only, the records and the
大转盘数据 page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from mall.models import AuditLog
from marketing.models import Wheel, WheelPrize, WheelStatus
from marketing.services.wheel import wheel_draw
from marketing.tests.wheel.helpers import live_wheel, paid_order, staff_user, wheel_template
from marketing.tests.wheel.test_wheel_services import FIVE, THANKS, Always
from members.models import Member
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client() -> Client:
    owner = User.objects.create_superuser(username="owner", password="x", email="owner@example.com")
    client = Client()
    client.force_login(owner)
    return client


def _inline(rows: list[dict[str, str]], initial: int = 0) -> dict[str, str]:
    data = {
        "prizes-TOTAL_FORMS": str(len(rows)),
        "prizes-INITIAL_FORMS": str(initial),
        "prizes-MIN_NUM_FORMS": "0",
        "prizes-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"prizes-{i}-{key}": value for key, value in row.items()})
    return data


def test_a_draft_is_built_and_published_from_the_console(owner_client: Client) -> None:
    template = wheel_template(staff_user(), off=500)
    form = {
        "name": "双十二大转盘",
        "threshold_yuan": "58.00",
        "daily_draw_limit": "2",
        "slice_days": "7",
        "rules_text": "每笔满 58 元得 1 次",
        "free_order_cap_yuan": "100",
        "free_order_valid_days": "7",
        **_inline(
            [
                {
                    "position": "0",
                    "name": "5 元券",
                    "kind": "coupon",
                    "coupon_template": str(template.pk),
                    "points": "0",
                    "weight": "30",
                    "stock": "70",
                },
                {
                    "position": "1",
                    "name": "谢谢参与",
                    "kind": "thanks",
                    "points": "0",
                    "weight": "70",
                    "stock": "",
                    "is_fallback": "on",
                },
            ]
        ),
    }
    with translation.override("zh-hans"):
        page = owner_client.get("/admin/marketing/wheel/add/").content.decode()
    assert "获得抽奖机会的订单金额（元）" in page and "免单券最高面额（元）" in page
    saved = owner_client.post("/admin/marketing/wheel/add/", form)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    wheel = Wheel.objects.get(name="双十二大转盘")
    assert (wheel.order_threshold, wheel.free_order_cap, wheel.status) == (5800, 10000, WheelStatus.DRAFT)
    assert list(wheel.prizes.order_by("position").values_list("name", "weight", "stock")) == [
        ("5 元券", 30, 70),
        ("谢谢参与", 70, None),
    ]
    published = owner_client.post(
        "/admin/marketing/wheel/", {"action": "publish_selected", "_selected_action": [str(wheel.pk)]}
    )
    assert published.status_code == 302
    assert Wheel.objects.get(pk=wheel.pk).status == WheelStatus.PUBLISHED
    actions = set(AuditLog.objects.filter(action__startswith="wheel.").values_list("action", flat=True))
    assert {"wheel.create", "wheel.prize_save", "wheel.publish"} <= actions
    with translation.override("zh-hans"):
        listing = owner_client.get("/admin/marketing/wheel/").content.decode()
    assert "¥58.00" in listing and "进行中" in listing and "5 元券 0/70" in listing


def test_a_published_version_is_read_only_and_copied_to_change(owner_client: Client) -> None:
    wheel = live_wheel(staff_user())
    with translation.override("zh-hans"):
        page = owner_client.get(f"/admin/marketing/wheel/{wheel.pk}/change/").content.decode()
    assert "已发布的版本不能修改奖品和概率" in page
    assert 'name="prizes-0-weight"' not in page  # the prizes are shown, not editable
    assert "¥50.00" in page and "¥80.00" in page  # the threshold and the 免单 cap, in yuan
    owner_client.post(
        "/admin/marketing/wheel/", {"action": "new_version_selected", "_selected_action": [str(wheel.pk)]}
    )
    copy = Wheel.objects.get(parent=wheel)
    assert (copy.status, copy.version, copy.prizes.count()) == (WheelStatus.DRAFT, 2, 5)
    with translation.override("zh-hans"):
        draft = owner_client.get(f"/admin/marketing/wheel/{copy.pk}/change/").content.decode()
    assert 'name="prizes-0-weight"' in draft


def test_records_and_figures_pages(owner_client: Client, member: Member, django_assert_max_num_queries: Any) -> None:
    live_wheel(staff_user())
    for _i in range(2):
        paid_order(member, 5000)
    wheel_draw(member=member, context=SHOPPER_CONTEXT, rng=Always(FIVE))
    wheel_draw(member=member, context=SHOPPER_CONTEXT, rng=Always(THANKS))
    with translation.override("zh-hans"):
        draws = owner_client.get("/admin/marketing/wheeldraw/").content.decode()
        chances = owner_client.get("/admin/marketing/wheelchance/").content.decode()
        with django_assert_max_num_queries(30):
            stats = owner_client.get("/console/marketing/wheel/")
    assert "¥5.00" in draws and "未使用" in draws
    assert "¥50.00" in chances and "已使用" in chances
    body = stats.content.decode()
    assert stats.status_code == 200
    assert "大转盘数据" in body and 'data-testid="kpi-participants">1<' in body
    assert 'data-testid="kpi-cost">¥5.00<' in body and 'data-testid="kpi-gmv">¥0.00<' in body
    assert body.count('data-testid="wheel-prize-row"') == 5
    assert WheelPrize.objects.get(name="5 元券").issued == 1


def test_the_figures_page_needs_the_permission(db: Any) -> None:
    clerk = User.objects.create_user(username="clerk", password="x", is_staff=True)
    client = Client()
    client.force_login(clerk)
    assert client.get("/console/marketing/wheel/").status_code == 403
