"""Demo: the nightly 智能建议 (F39) run once over the demo history so the page has content.

The demo shop is small, so the generator runs with lower minimum counts than a real shop's
defaults; rows are keyed per (kind, subject, day), so seeding twice adds nothing.
"""

from __future__ import annotations

from django.test.utils import override_settings

from analytics.services.suggestions import suggestions_generate

DEMO_THRESHOLDS = {
    "SUGGESTION_TOOL_MIN_ORDERS": 2,
    "SUGGESTION_TOOL_MIN_RATIO": 1.1,
    "SUGGESTION_BASKET_MIN_ORDERS": 5,
    "SUGGESTION_BASKET_MIN_SHARE": 5,
    "SUGGESTION_TIME_MIN_ORDERS": 5,
    "SUGGESTION_TIME_MIN_SHARE": 10,
    "SUGGESTION_TRAFFIC_MIN_VISITORS": 1,
}


def build_suggestions() -> dict[str, int]:
    with override_settings(**DEMO_THRESHOLDS):
        counts = suggestions_generate()
    return {"suggestions": sum(c["created"] for c in counts.values())}
