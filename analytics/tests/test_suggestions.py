"""智能建议 (F39): each rule with shops where it must and must not appear, the nightly run
exactly once, the console page (evidence in yuan, accept opens the draft, dismiss, audited)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from analytics.models import Suggestion, SuggestionKind, SuggestionState, ToolDailyFigure
from analytics.selectors.attribution import ProductClass, ProductFigure, ToolFigure
from analytics.services.suggestions import (
    TierFigure,
    next_tier,
    rule_basket_gap,
    rule_products,
    rule_time_peak,
    rule_tool_roi,
    suggestion_decide,
)
from mall.models import AuditLog

NOW = dt.datetime(2026, 12, 6, 19, 30, tzinfo=dt.UTC)  # 03:30 on the 7th in Shanghai


@pytest.fixture(autouse=True)
def _chinese() -> Any:
    with translation.override("zh-hans"):
        yield


def _tool(tool: str, *, orders: int, gmv: int, cost: int, new: int = 0) -> ToolFigure:
    return ToolFigure(tool=tool, object_id=None, name=tool, orders=orders, gmv=gmv, cost=cost, new_shoppers=new)


# --- tool ROI ------------------------------------------------------------------------------


def test_tool_roi_names_the_best_and_the_worst_tool() -> None:
    figures = [
        _tool("flash", orders=40, gmv=300_000, cost=100_000),
        _tool("group_buy", orders=60, gmv=500_000, cost=100_000, new=120),
        _tool("direct", orders=500, gmv=9_000_000, cost=0),
    ]
    (draft,) = rule_tool_roi(figures, days=30)
    assert draft.kind == SuggestionKind.TOOL and draft.subject == "group_buy"
    assert draft.title == "近 30 天拼团拉新 120 人，ROI 1:5.0，高于秒杀 1:3.0，建议增加拼团频次"
    assert draft.evidence["best"]["gmv"] == 500_000 and draft.evidence["worst"]["tool"] == "flash"
    assert draft.action_url == reverse("admin:marketing_groupbuycampaign_add")


def test_tool_roi_stays_quiet_with_few_orders_or_a_small_gap() -> None:
    few = [
        _tool("flash", orders=40, gmv=300_000, cost=100_000),
        _tool("group_buy", orders=3, gmv=500_000, cost=100_000),
    ]
    assert rule_tool_roi(few, days=30) == []
    close = [
        _tool("flash", orders=40, gmv=400_000, cost=100_000),
        _tool("group_buy", orders=60, gmv=500_000, cost=100_000),
    ]
    assert rule_tool_roi(close, days=30) == []


# --- basket gap ----------------------------------------------------------------------------


def test_next_tier_rounds_like_a_merchant() -> None:
    assert next_tier(19_900, 3_000) == (24_000, 29_900, 6_000)
    assert next_tier(9_900, 1_000) == (12_000, 19_900, 2_000)


def _amounts(in_band: int, other: int) -> list[int]:
    return [25_000] * in_band + [8_000] * other


def test_basket_gap_suggests_the_next_tier() -> None:
    tier = TierFigure(
        promotion_id=7, name="满199减30", threshold=19_900, off=3_000, eligible_orders=50, redeemed_orders=40
    )
    (draft,) = rule_basket_gap([tier], _amounts(18, 82))
    assert draft.title == "满199减30 核销率 80.0%，且 18.0% 的订单落在 ¥240–299，建议新增满299减60"
    assert draft.subject == "7" and draft.evidence["band_orders"] == 18 and draft.evidence["next_off"] == 6_000
    assert draft.action_url.startswith(reverse("admin:marketing_promotion_add"))
    assert "type=full_reduction" in draft.action_url and "299.00" in draft.action_url


def test_basket_gap_stays_quiet_on_low_redemption_or_few_baskets_above() -> None:
    low = TierFigure(promotion_id=7, name="x", threshold=19_900, off=3_000, eligible_orders=50, redeemed_orders=10)
    assert rule_basket_gap([low], _amounts(18, 82)) == []
    good = TierFigure(promotion_id=7, name="x", threshold=19_900, off=3_000, eligible_orders=50, redeemed_orders=40)
    assert rule_basket_gap([good], _amounts(5, 95)) == []
    assert rule_basket_gap([good], _amounts(5, 5)) == []  # too few orders to judge


# --- time peak -----------------------------------------------------------------------------


def _hours(**peaks: int) -> list[int]:
    hours = [2] * 24
    for hour, n in peaks.items():
        hours[int(hour[1:])] = n
    return hours


def test_time_peak_suggests_moving_the_slot() -> None:
    hours = _hours(h20=30, h21=25)
    (draft,) = rule_time_peak(hours, {10})
    assert draft.title == "活动参与高峰在 20–22 点，建议把秒杀时段调整到 20 点"
    assert draft.evidence["peak_orders"] == 55 and draft.evidence["slot_hours"] == [10]
    assert draft.action_url == reverse("console:marketing_flash_new") + "?hour=20"


def test_time_peak_stays_quiet_when_the_slot_already_sits_there_or_no_peak() -> None:
    assert rule_time_peak(_hours(h20=30, h21=25), {20}) == []
    assert rule_time_peak([3] * 24, {10}) == []  # flat day: no peak worth a move
    assert rule_time_peak(_hours(h20=3), set()) == []  # too few orders


# --- products ------------------------------------------------------------------------------


def _product(pk: int, klass: str, *, visitors: int, units: int) -> ProductFigure:
    return ProductFigure(
        product_id=pk,
        title=f"商品{pk}",
        views=visitors * 2,
        visitors=visitors,
        buyers=units,
        orders=units,
        first_orders=units // 2,
        units=units,
        campaign_units=0,
        paid=units * 5_000,
        cogs=0,
        cash_cost=0,
        cost_missing=0,
        klass=klass,
    )


def test_products_traffic_for_the_next_slot_and_slow_for_clearance() -> None:
    figures = [
        _product(1, ProductClass.TRAFFIC, visitors=80, units=20),
        _product(2, ProductClass.TRAFFIC, visitors=90, units=30),  # already in an upcoming slot
        _product(3, ProductClass.TRAFFIC, visitors=5, units=4),  # too few visitors
        _product(4, ProductClass.SLOW, visitors=40, units=1),
        _product(5, ProductClass.SLOW, visitors=0, units=0),  # nobody looked: nothing to learn
        _product(6, ProductClass.PROFIT, visitors=100, units=50),
    ]
    drafts = rule_products(figures, in_flash={2})
    assert [(d.kind, d.subject) for d in drafts] == [(SuggestionKind.TRAFFIC, "1"), (SuggestionKind.SLOW, "4")]
    assert drafts[0].title == "「商品1」80 位访客、首单 10 单，适合做引流品，建议放进下一场秒杀"
    assert drafts[1].title == "「商品4」40 位访客只卖出 1 件，属于滞销，建议限时折扣清仓"
    assert "type=limited_discount" in drafts[1].action_url


# --- the nightly run, the command, the console ---------------------------------------------


def _tool_days() -> None:
    for day in range(1, 6):
        date = dt.date(2026, 12, day)
        ToolDailyFigure.objects.create(day=date, tool="group_buy", orders=4, gmv=100_000, cost=20_000)
        ToolDailyFigure.objects.create(day=date, tool="flash", orders=4, gmv=60_000, cost=20_000)


@pytest.mark.django_db
def test_the_nightly_run_writes_each_suggestion_once() -> None:
    _tool_days()
    out = StringIO()
    call_command("suggestions_generate", "--now", NOW.isoformat(), stdout=out)
    lines = {row["kind"]: row for row in map(json.loads, out.getvalue().splitlines())}
    assert lines["tool"] == {"kind": "tool", "found": 1, "created": 1}
    assert set(lines) == set(SuggestionKind.values)
    row = Suggestion.objects.get()
    assert row.day == dt.date(2026, 12, 7) and row.state == SuggestionState.NEW
    assert "ROI 1:5.0，高于秒杀 1:3.0" in row.title and row.evidence["best"]["orders"] == 20
    again = StringIO()
    call_command("suggestions_generate", "--now", NOW.isoformat(), stdout=again)
    assert json.loads(again.getvalue().splitlines()[0]) == {"kind": "tool", "found": 1, "created": 0}
    assert Suggestion.objects.count() == 1


@pytest.mark.django_db
def test_console_lists_accepts_and_dismisses_with_audit() -> None:
    _tool_days()
    call_command("suggestions_generate", "--now", NOW.isoformat(), stdout=StringIO())
    other = Suggestion.objects.create(kind=SuggestionKind.TIME, subject="20", day=dt.date(2026, 12, 7), title="高峰")
    owner = get_user_model().objects.create_superuser("owner", "o@example.com", "pw-Long-enough-1")
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("console:analytics_suggestions"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "智能建议" in body and "¥1,000.00" in body and "500000" not in body  # GMV in yuan, never fen
    assert "nav-sidebar" in body or "sidebar" in body  # the console frame shows
    tool = Suggestion.objects.get(kind=SuggestionKind.TOOL)
    url = reverse("console:analytics_suggestion_decide", args=[tool.pk])
    accepted = client.post(url, {"decision": "accept"})
    assert accepted.status_code == 302 and accepted["Location"] == f"{tool.action_url}?suggestion={tool.pk}"
    dismissed = client.post(reverse("console:analytics_suggestion_decide", args=[other.pk]), {"decision": "x"})
    assert dismissed.status_code == 302
    twice = client.post(url, {"decision": "dismiss"})
    assert twice["Location"] == reverse("console:analytics_suggestions")
    after = client.get(reverse("console:analytics_suggestions")).content.decode()
    tool.refresh_from_db()
    other.refresh_from_db()
    assert tool.state == SuggestionState.ACCEPTED and tool.decided_by == owner and tool.decided_at is not None
    assert other.state == SuggestionState.DISMISSED
    assert "已采纳建议" in after and tool.title in after
    actions = list(
        AuditLog.objects.filter(action__startswith="analytics.").order_by("pk").values_list("action", "target_id")
    )
    assert actions == [("analytics.suggestion_accept", str(tool.pk)), ("analytics.suggestion_dismiss", str(other.pk))]


@pytest.mark.django_db
def test_a_decided_suggestion_is_not_decided_again() -> None:
    row = Suggestion.objects.create(kind=SuggestionKind.TIME, subject="20", day=dt.date(2026, 12, 7), title="高峰")
    owner = get_user_model().objects.create_superuser("owner", "o@example.com", "pw-Long-enough-1")
    suggestion_decide(actor=owner, suggestion_id=row.pk, accept=False)
    from analytics.errors import SuggestionNotNew

    with pytest.raises(SuggestionNotNew):
        suggestion_decide(actor=owner, suggestion_id=row.pk, accept=True)
    row.refresh_from_db()
    assert row.state == SuggestionState.DISMISSED and AuditLog.objects.count() == 1


@pytest.mark.django_db
def test_the_demo_shop_shows_suggestions_once() -> None:
    call_command("seed_demo", "--shoppers", "20", "--days", "10", stdout=StringIO())
    kinds = list(Suggestion.objects.values_list("kind", flat=True))
    assert len(kinds) >= 2, kinds
    call_command("seed_demo", "--shoppers", "20", "--days", "10", stdout=StringIO())
    assert Suggestion.objects.count() == len(kinds)


@pytest.mark.django_db
def test_draft_links_open_prefilled_forms_without_touching_campaigns() -> None:
    from marketing.models import FlashSlot, Promotion

    owner = get_user_model().objects.create_superuser("owner", "o@example.com", "pw-Long-enough-1")
    client = Client()
    client.force_login(owner)
    tier = TierFigure(promotion_id=7, name="x", threshold=19_900, off=3_000, eligible_orders=50, redeemed_orders=40)
    (basket,) = rule_basket_gap([tier], _amounts(18, 82))
    page = client.get(basket.action_url)
    assert page.status_code == 200 and "满299减60" in page.content.decode()
    (peak,) = rule_time_peak(_hours(h20=30, h21=25), {10})
    flash = client.get(peak.action_url)
    assert flash.status_code == 200 and flash.context["form"].initial["starts_at"].hour == 20
    assert not Promotion.objects.exists() and not FlashSlot.objects.exists()
