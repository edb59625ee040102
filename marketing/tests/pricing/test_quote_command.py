"""``manage.py quote``: JSON on stdout, exit 1 on an expect mismatch, 2 on a bad file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from marketing.tests.pricing.builders import SCENARIOS

ROOT = SCENARIOS.parents[1]


def _run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("quote", *args, stdout=out)
    return json.loads(out.getvalue())


def test_prints_the_explained_quote() -> None:
    data = _run(str(SCENARIOS / "brief" / "f10_triple_stack.json"), "--check")
    assert data["payable"] == "55.00"
    assert data["points_earned"] == 55
    (line,) = data["lines"]
    assert line["paid"] == "55.00"
    assert [(d["rule_id"], d["amount"]) for d in line["discounts"]] == [
        ("full-100-15", "15.00"),
        ("shop-20", "20.00"),
        ("beauty-10", "10.00"),
    ]
    assert {a["rule_id"]: a["amount"] for a in data["applied"]} == {
        "full-100-15": "15.00",
        "shop-20": "20.00",
        "beauty-10": "10.00",
    }


def test_gifts_hints_and_rejections_are_reported() -> None:
    data = _run(str(SCENARIOS / "own" / "full_gift_below_threshold.json"))
    assert data["gift_skus"] == []
    assert data["rejected"][0]["reason"] == "threshold_not_met"
    assert data["hints"][0]["text"] == "再买 ¥9.00 可享满赠"
    gift = _run(str(SCENARIOS / "brief" / "f08_full_gift.json"))
    assert gift["gift_skus"] == ["SAMPLE-01"]
    assert gift["lines"][-1]["gift"] is True and gift["lines"][-1]["paid"] == "0.00"


def test_a_refused_cart_prints_its_error_code() -> None:
    data = _run(str(SCENARIOS / "brief" / "f02_flash_sale_limit.json"), "--check")
    assert data["error"] == "purchase_limit_exceeded"
    assert data["message"]


def test_check_mismatch_exits_1(tmp_path: Path) -> None:
    scenario = json.loads((SCENARIOS / "brief" / "f10_triple_stack.json").read_text(encoding="utf-8"))
    scenario["expect"] = {"payable": "56.00", "gift_skus": ["X"]}
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps(scenario, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError) as err:
        _run(str(path), "--check")
    assert err.value.returncode == 1
    assert "payable: expected 56.00, got 55.00" in str(err.value)
    assert "gift_skus" in str(err.value)


def test_invalid_file_exits_2_naming_the_field(tmp_path: Path) -> None:
    scenario = json.loads((SCENARIOS / "brief" / "f10_triple_stack.json").read_text(encoding="utf-8"))
    scenario["cart"][0]["qty"] = -1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    with pytest.raises(CommandError) as err:
        _run(str(path))
    assert err.value.returncode == 2
    assert str(err.value) == "cart[0].qty: must be a positive integer"


def test_the_real_cli_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "mall.settings.test")}
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), "quote", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "not valid JSON" in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
