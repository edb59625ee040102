"""Demo: the nightly 智能建议 (F39) run once over the demo history so the page has content.

The demo shop is small, so the generator runs with lower minimum counts than a real shop's
defaults; rows are keyed per (kind, subject, day), so seeding twice adds nothing.
"""

from __future__ import annotations

from analytics.services.suggestions import Limits, suggestions_generate

DEMO_LIMITS = {
    "tool_min_orders": 2,
    "tool_min_ratio": 1.1,
    "basket_min_orders": 5,
    "basket_min_share": 5,
    "time_min_orders": 5,
    "time_min_share": 10,
    "traffic_min_visitors": 1,
}


def build_suggestions() -> dict[str, int]:
    counts = suggestions_generate(limits=Limits.from_settings(**DEMO_LIMITS))
    return {"suggestions": sum(c["created"] for c in counts.values())}
