"""F39 "the console tracks what accepted suggestions earned": accepting opens the draft with the
suggestion's id, saving the draft links the suggestion to the tool object it created (once,
audited), and the console shows that object's orders, GMV and cost since acceptance from the
daily attribution rollups, in yuan."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from analytics.models import Suggestion, SuggestionKind, SuggestionState, Tool, ToolDailyFigure
from analytics.selectors.suggestions import accepted_suggestions
from analytics.services.suggestions import suggestion_decide, suggestion_draft_link
from mall.models import AuditLog
from marketing.models import Promotion

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
ACCEPTED_AT = dt.datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _chinese() -> Any:
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def owner() -> User:
    return get_user_model().objects.create_superuser("owner", "o@example.com", "pw-Long-enough-1")


def _basket_suggestion() -> Suggestion:
    return Suggestion.objects.create(
        kind=SuggestionKind.BASKET,
        subject="7",
        day=dt.date(2026, 12, 6),
        title="满199减30 核销率 80%，建议新增满299减60",
        action_url=f"{reverse('admin:marketing_promotion_add')}?type=full_reduction",
    )


def _figure(day: dt.date, object_id: int, *, orders: int, gmv: int, cost: int, tool: str = Tool.PROMOTION) -> None:
    ToolDailyFigure.objects.create(day=day, tool=tool, object_id=object_id, orders=orders, gmv=gmv, cost=cost)


def _window(prefix: str, when: dt.datetime) -> dict[str, str]:
    local = timezone.localtime(when)
    return {f"{prefix}_0": local.strftime("%Y-%m-%d"), f"{prefix}_1": local.strftime("%H:%M:%S")}


@time_machine.travel(ACCEPTED_AT, tick=False)
def test_accepting_then_saving_the_draft_links_it_and_the_console_shows_what_it_earned(owner: User) -> None:
    suggestion = _basket_suggestion()
    client = Client()
    client.force_login(owner)
    accepted = client.post(reverse("console:analytics_suggestion_decide", args=[suggestion.pk]), {"decision": "accept"})
    draft = accepted["Location"]
    assert draft == f"{suggestion.action_url}&suggestion={suggestion.pk}"
    assert client.get(draft).status_code == 200
    saved = client.post(
        draft,
        {
            "name": "满299减60",
            "is_active": "on",
            "tiers": "299:60",
            **_window("starts_at", ACCEPTED_AT),
            **_window("ends_at", ACCEPTED_AT + dt.timedelta(days=14)),
        },
    )
    assert saved.status_code == 302
    promotion = Promotion.objects.get(name="满299减60")
    suggestion.refresh_from_db()
    assert (suggestion.draft_tool, suggestion.draft_object_id, suggestion.draft_name) == (
        Tool.PROMOTION,
        promotion.pk,
        "满299减60",
    )
    assert AuditLog.objects.filter(action="analytics.suggestion_draft_link", target_id=str(suggestion.pk)).exists()

    day = dt.date(2026, 12, 6)
    _figure(day - dt.timedelta(days=1), promotion.pk, orders=50, gmv=9_999_900, cost=500_000)  # before acceptance
    _figure(day, promotion.pk, orders=3, gmv=90_000, cost=18_000)
    _figure(day + dt.timedelta(days=1), promotion.pk, orders=2, gmv=60_000, cost=12_000)
    _figure(day, promotion.pk + 1, orders=7, gmv=70_000, cost=7_000)  # another promotion
    _figure(day, promotion.pk, orders=9, gmv=9_000, cost=900, tool=Tool.COUPON)  # a coupon with the same id

    page = client.get(reverse("console:analytics_suggestions")).content.decode()
    assert "¥1,500.00" in page and "¥300.00" in page  # GMV and cost since acceptance, in yuan
    assert "150000" not in page and "¥100,899.00" not in page
    assert reverse("admin:marketing_promotion_change", args=[promotion.pk]) in page


@time_machine.travel(ACCEPTED_AT, tick=False)
def test_earnings_are_read_in_two_queries_whatever_the_rows(owner: User, django_assert_max_num_queries: Any) -> None:
    for i in range(6):
        row = Suggestion.objects.create(
            kind=SuggestionKind.TOOL, subject=f"s{i}", day=dt.date(2026, 12, 6), title=f"t{i}"
        )
        suggestion_decide(actor=owner, suggestion_id=row.pk, accept=True)
        if i % 2 == 0:
            suggestion_draft_link(
                actor=owner, suggestion_id=row.pk, tool=Tool.FLASH, object_id=100 + i, name=f"场次{i}"
            )
            _figure(dt.date(2026, 12, 6), 100 + i, orders=i, gmv=1000 * i, cost=100 * i, tool=Tool.FLASH)
    with django_assert_max_num_queries(2):
        rows = accepted_suggestions()
    earned = {r.suggestion.subject: r.earned for r in rows}
    assert earned["s4"] is not None and (earned["s4"].orders, earned["s4"].gmv, earned["s4"].cost) == (4, 4000, 400)
    assert earned["s1"] is None  # draft never saved


def test_only_an_accepted_unlinked_suggestion_is_linked_once(owner: User) -> None:
    fresh = _basket_suggestion()
    assert not suggestion_draft_link(actor=owner, suggestion_id=fresh.pk, tool=Tool.PROMOTION, object_id=1, name="a")
    suggestion_decide(actor=owner, suggestion_id=fresh.pk, accept=True)
    assert suggestion_draft_link(actor=owner, suggestion_id=fresh.pk, tool=Tool.PROMOTION, object_id=1, name="a")
    assert not suggestion_draft_link(actor=owner, suggestion_id=fresh.pk, tool=Tool.PROMOTION, object_id=2, name="b")
    fresh.refresh_from_db()
    assert fresh.draft_object_id == 1 and fresh.state == SuggestionState.ACCEPTED
    assert AuditLog.objects.filter(action="analytics.suggestion_draft_link").count() == 1


def test_a_draft_saved_without_a_suggestion_links_nothing(owner: User) -> None:
    client = Client()
    client.force_login(owner)
    now = timezone.now()
    client.post(
        f"{reverse('admin:marketing_promotion_add')}?type=full_reduction",
        {
            "name": "满99减10",
            "is_active": "on",
            "tiers": "99:10",
            **_window("starts_at", now),
            **_window("ends_at", now + dt.timedelta(days=3)),
        },
    )
    assert Promotion.objects.filter(name="满99减10").exists()
    assert not AuditLog.objects.filter(action="analytics.suggestion_draft_link").exists()
