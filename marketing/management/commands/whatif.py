"""``manage.py whatif --promotion FILE --days N``: replay the last N days of paid baskets with
and without the promotion(s) in FILE and print one JSON line (money as yuan strings).

FILE is in the pricing scenarios' promotion vocabulary: one promotion object
(``{"id": "p1", "type": "full_reduction", "tiers": [...]}``), a list of them, or a whole
scenario file (its ``promotions`` are used, the rest is ignored). Categories are named as in
the shop (美妆). ``--replace ID`` tries the file's promotion as an edit of live promotion ID.
Exit status 2 with one line on stderr when the file cannot be used.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from marketing.pricing import Promotion, ScenarioError, parse_promotion
from marketing.selectors.whatif import category_scope_by_name, whatif_replay


def promotions_from_file(path: str) -> list[Promotion]:
    """The promotion(s) a file holds, scopes turned into the shop's category ids."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if isinstance(data, dict) and "promotions" in data:
        data, where = data["promotions"], "promotions"
    elif isinstance(data, dict):
        data, where = [data], "promotion"
    else:
        where = "promotions"
    if not isinstance(data, list) or not data:
        raise ScenarioError(f"{where}: must list at least one promotion")
    parsed = []
    for i, item in enumerate(data):
        at = f"{where}[{i}]" if where == "promotions" else where
        promotion = parse_promotion({k: v for k, v in item.items() if k != "free_shipping"}, at)
        scope = getattr(promotion, "scope", None)
        if scope is not None:
            try:
                promotion = replace(promotion, scope=category_scope_by_name(scope))  # type: ignore[arg-type]
            except ValueError as exc:
                raise ScenarioError(f"{at}.{exc}") from None
        parsed.append(replace(promotion, id=f"whatif:{promotion.id}"))
    return parsed


class Command(BaseCommand):
    help = "Replay the last N days of paid orders with and without a promotion; print one JSON line."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--promotion", required=True, help="promotion JSON file (pricing-scenario vocabulary)")
        parser.add_argument("--days", type=int, default=30, help="how many past days to replay (default 30)")
        parser.add_argument("--replace", type=int, action="append", default=[], help="live promotion id it edits")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 1 or options["days"] > 366:
            raise CommandError("--days: must be between 1 and 366", returncode=2)
        try:
            candidates = promotions_from_file(options["promotion"])
        except ScenarioError as exc:
            raise CommandError(str(exc), returncode=2) from None
        result = whatif_replay(candidates=candidates, replaces=options["replace"], days=options["days"])
        self.stdout.write(json.dumps(result.line(), ensure_ascii=False))
