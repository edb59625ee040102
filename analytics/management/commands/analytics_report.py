"""``manage.py analytics_report --days N [--tool T] [--refresh]``: per-tool figures as JSON lines.

One line per tool (or per campaign of ``--tool``), money as yuan strings, the last N Shanghai days
up to today. ``--refresh`` recomputes the rollups of the window first.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from analytics.models import Tool
from analytics.selectors.attribution import ToolFigure, tool_figures
from analytics.services.attribution import shop_day
from analytics.services.figure_rollups import figures_rollup
from mall.money import format_yuan


def figure_json(figure: ToolFigure, *, per_campaign: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"tool": figure.tool}
    if per_campaign:
        row.update({"object_id": figure.object_id, "name": figure.name})
    row.update(
        {
            "orders": figure.orders,
            "gmv": format_yuan(figure.gmv),
            "cost": format_yuan(figure.cost),
            "roi": None if figure.roi is None else str(figure.roi),
            "roi_text": figure.roi_text,
            "new_shoppers": figure.new_shoppers,
            "participants": figure.participants,
            "refunds": format_yuan(figure.refunds),
            "cogs": format_yuan(figure.cogs),
            "margin": format_yuan(figure.margin),
            "margin_roi": None if figure.margin_roi is None else str(figure.margin_roi),
            "coupon_redemption": None if figure.redemption_rate is None else str(figure.redemption_rate),
            "conversion": None if figure.conversion is None else str(figure.conversion),
            "efficiency": figure.efficiency,
        }
    )
    return row


class Command(BaseCommand):
    help = "Print per-tool attribution figures (orders, GMV, cost, ROI, new shoppers) as JSON lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--tool", default="", help="one tool: its campaigns, one line each")
        parser.add_argument("--refresh", action="store_true", help="recompute the window's rollups first")

    def handle(self, *args: Any, **options: Any) -> None:
        days = int(options["days"])
        tool = str(options["tool"] or "")
        if days < 1:
            raise CommandError("--days must be at least 1")
        if tool and tool not in Tool.values:
            raise CommandError(f"unknown tool {tool!r}; one of: {', '.join(Tool.values)}")
        end = shop_day(timezone.now())
        start = end - dt.timedelta(days=days - 1)
        if options["refresh"]:
            figures_rollup(start=start, end=end)
        per_campaign = bool(tool)
        for figure in tool_figures(start=start, end=end, tool=tool or None, per_campaign=per_campaign):
            self.stdout.write(json.dumps(figure_json(figure, per_campaign=per_campaign), ensure_ascii=False))
