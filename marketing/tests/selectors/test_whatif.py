"""What-if replay on the database (B01): the window, the paid statuses, edits of live rules,
the command's JSON line, and a query count that does not grow with the orders."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from mall.models import Category, Sku
from marketing.models import Promotion
from marketing.pricing import FullReduction, ReductionTier
from marketing.selectors.whatif import whatif_replay, whatif_window
from marketing.tests.whatif_orders import NOW, SHANGHAI, paid, shopper
from members.models import Member
from orders.models import OrderStatus

TIER_199_30 = FullReduction(id="whatif:new", tiers=(ReductionTier(19900, 3000),))


@pytest.fixture
def snack(make_sku: Callable[..., Sku], snacks: Category) -> Sku:
    sku = make_sku("SNACK-BOX", 12500, snacks)
    Sku.objects.filter(pk=sku.pk).update(cost_price=8000)
    return sku


@pytest.fixture
def baskets(snack: Sku, cookie: Sku) -> Member:
    """Two 250-yuan baskets and one 30-yuan one in the window; one old, one cancelled, one unpaid."""
    member = shopper()
    paid(member, (snack, 2))
    paid(member, (snack, 2), days_ago=3)
    paid(member, (cookie, 1), days_ago=2)
    paid(member, (snack, 2), days_ago=40)
    paid(member, (snack, 2), status=OrderStatus.CANCELLED)
    paid(member, (snack, 2), days_ago=0.1)  # today: not a whole day yet
    return member


@time_machine.travel(NOW, tick=False)
def test_window_is_whole_shanghai_days_before_today() -> None:
    since, until = whatif_window(days=7)
    assert until == datetime(2026, 6, 20, tzinfo=SHANGHAI)
    assert since == datetime(2026, 6, 13, tzinfo=SHANGHAI)


@time_machine.travel(NOW, tick=False)
def test_new_tier_replayed_on_paid_baskets_of_the_window(baskets: Member, snack: Sku, cookie: Sku) -> None:
    progress: list[tuple[int, int]] = []
    result = whatif_replay(candidates=[TIER_199_30], days=30, on_progress=lambda d, t: progress.append((d, t)))
    assert result.line() == {
        "orders": 3,
        "affected": 2,
        "gmv_before": "530.00",
        "gmv_after": "470.00",
        "discount_before": "0.00",
        "discount_after": "60.00",
        "margin_before": "210.00",  # 530 − 4 × 80 (the cookie has no cost price: reported, counted 0)
        "margin_after": "150.00",
    }
    figures = result.figures()
    assert figures["missing_cost_units"] == 1
    assert figures["average_after"] == 15667
    assert progress[-1] == (3, 3)


@time_machine.travel(NOW, tick=False)
def test_an_edit_replaces_the_live_promotion(
    baskets: Member, make_promotion: Callable[..., Promotion], snack: Sku
) -> None:
    live = make_promotion(rules={"tiers": [{"threshold": "199.00", "off": "30.00"}]})
    same = whatif_replay(candidates=[TIER_199_30], replaces=[live.pk], days=30)
    assert same.line()["discount_before"] == same.line()["discount_after"] == "60.00"
    assert same.totals.affected == 0
    richer = FullReduction(id="whatif:new", tiers=(ReductionTier(19900, 5000),))
    edit = whatif_replay(candidates=[richer], replaces=[live.pk], days=30)
    assert (edit.line()["discount_before"], edit.line()["discount_after"]) == ("60.00", "100.00")
    added = whatif_replay(candidates=[richer], days=30)  # not an edit: both 满减 run, the best one wins
    assert added.line()["discount_after"] == "100.00"


@time_machine.travel(NOW, tick=False)
def test_query_count_does_not_grow_with_orders(
    snack: Sku, django_assert_max_num_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("marketing.selectors.whatif.CHUNK", 10)
    members = [shopper() for _ in range(3)]
    for i in range(25):
        paid(members[i % 3], (snack, 1 + i % 2))
    with django_assert_max_num_queries(30):
        # rules load + catalogue + count, then 2 per chunk of 10 (3 chunks and the empty one)
        result = whatif_replay(candidates=[TIER_199_30], days=7)
    assert result.totals.orders == 25 and result.totals.affected == 12


@time_machine.travel(NOW, tick=False)
def test_command_prints_one_json_line(baskets: Member, tmp_path: Path) -> None:
    file = tmp_path / "promotion.json"
    file.write_text(
        json.dumps(
            {
                "id": "tiers",
                "type": "full_reduction",
                "tiers": [{"threshold": "199.00", "off": "30.00"}],
                "scope": {"categories": ["零食"]},
            }
        )
    )
    out = StringIO()
    call_command("whatif", "--promotion", str(file), "--days", "30", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["discount_after"] == "60.00"


@time_machine.travel(NOW, tick=False)
def test_command_reads_a_scenario_file(baskets: Member) -> None:
    scenario = Path(__file__).resolve().parents[3] / "tests" / "scenarios" / "brief" / "f07_tier_reached.json"
    out = StringIO()
    call_command("whatif", "--promotion", str(scenario), "--days", "30", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["orders"] == 3 and figures["discount_after"] == "60.00"  # 250 → 满199减30, 30 → nothing


def test_command_refuses_a_bad_file_in_one_line(db: Any, tmp_path: Path) -> None:
    file = tmp_path / "bad.json"
    file.write_text(json.dumps({"id": "x", "type": "full_reduction", "tiers": [], "scope": {"categories": ["无此"]}}))
    with pytest.raises(CommandError) as caught:
        call_command("whatif", "--promotion", str(file))
    assert caught.value.returncode == 2 and "tiers" in str(caught.value)
    file.write_text(
        json.dumps({"id": "x", "type": "limited_discount", "rate": "0.8", "scope": {"categories": ["无此"]}})
    )
    with pytest.raises(CommandError, match="无此"):
        call_command("whatif", "--promotion", str(file))
