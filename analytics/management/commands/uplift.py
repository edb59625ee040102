"""Print one campaign's or journey's holdout uplift as one JSON line (B03), for developers.

    manage.py uplift --campaign 12
    manage.py uplift --journey dormant
    manage.py uplift --global          # the shop's global holdout vs everyone else

Money is yuan strings; intervals are [low, high]; "significant" is false when the interval of
the per-shopper GMV difference crosses zero.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.selectors.uplift import UpliftReport, global_holdout_uplift, journey_uplift, segment_campaign_uplift
from analytics.uplift.stats import Estimate
from mall.money import format_yuan
from marketing.models import JourneyKind


def _yuan(fen: float) -> str:
    return format_yuan(round(fen))


def _money(estimate: Estimate) -> dict[str, Any]:
    return {"value": _yuan(estimate.value), "low": _yuan(estimate.low), "high": _yuan(estimate.high)}


def _ratio(estimate: Estimate | None) -> dict[str, Any] | None:
    if estimate is None:
        return None
    return {"value": round(estimate.value, 4), "low": round(estimate.low, 4), "high": round(estimate.high, 4)}


def report_json(report: UpliftReport) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": report.name,
        "start": report.start.isoformat() if report.start else None,
        "end": report.end.isoformat() if report.end else None,
        "finished": report.finished,
        "treated": report.treated,
        "holdout": report.holdout,
        "cost": _yuan(report.cost),
    }
    result = report.result
    if result is None:
        return {**data, "significant": None}
    return {
        **data,
        "conversion_treated": round(result.conversion_treated, 4),
        "conversion_holdout": round(result.conversion_holdout, 4),
        "conversion_diff": _ratio(result.conversion_diff),
        "gmv_per_shopper_treated": _yuan(result.gmv_treated),
        "gmv_per_shopper_holdout": _yuan(result.gmv_holdout),
        "gmv_diff": _money(result.gmv_diff),
        "gmv_diff_raw": _money(result.gmv_diff_raw),
        "gmv_lift": _ratio(result.gmv_lift),
        "incremental_gmv": _money(result.incremental_gmv),
        "roi": _ratio(result.roi),
        "cuped_variance_reduction": round(result.variance_reduction, 4),
        "significant": result.significant,
    }


class Command(BaseCommand):
    help = (
        "Holdout uplift of a segment campaign (--campaign ID), a lifecycle journey (--journey KIND) "
        "or the shop's global holdout (--global), one JSON line"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--campaign", type=int, help="segment campaign id")
        group.add_argument("--journey", choices=JourneyKind.values, help="lifecycle journey kind")
        group.add_argument("--global", dest="global_holdout", action="store_true", help="the global holdout")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["global_holdout"]:
            found = global_holdout_uplift()
            if found.report is None:
                raise CommandError("the global holdout has never been switched on")
            data = {
                "global_holdout": {"enabled": found.holdout.enabled, "percent": found.holdout.percent},
                **report_json(found.report),
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        if options["campaign"] is not None:
            report = segment_campaign_uplift(campaign_id=options["campaign"])
            if report is None:
                raise CommandError(f"no segment campaign {options['campaign']}")
        else:
            report = journey_uplift(kind=options["journey"])
        self.stdout.write(json.dumps(report_json(report), ensure_ascii=False))
