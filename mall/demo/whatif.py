"""Demo: two 效果模拟 (B01) runs over the demo's order history and one accepted 智能建议 linked
to the promotion its draft became, so the what-if page and the suggestions' "what it earned" table have content.

The runs go through the same service as the console (validated, audited, task queued after
commit) and are carried out here at once; the queued task then finds them done and does
nothing. A second seed finds the runs and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from analytics.models import Suggestion, SuggestionKind, SuggestionState, Tool
from analytics.services.suggestions import suggestion_decide, suggestion_draft_link
from mall.demo.marketing import FULL_REDUCTION
from mall.models import Category
from marketing.models import Promotion, PromotionType, WhatIfRun
from marketing.services.promotions import PromotionData
from marketing.services.whatif import whatif_run_execute, whatif_run_start

ACCEPTED_DAYS_AGO = 14


def _owner() -> User | None:
    return User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()


def build_whatif() -> dict[str, int]:
    owner = _owner()
    if owner is None or WhatIfRun.objects.exists():
        return {"what-if runs": 0}
    now = timezone.now()
    window = {"starts_at": now, "ends_at": now + timedelta(days=7)}
    runs = []
    live = Promotion.objects.filter(name=FULL_REDUCTION, type=PromotionType.FULL_REDUCTION).first()
    if live is not None:
        richer = PromotionData(
            type=PromotionType.FULL_REDUCTION,
            name=live.name,
            rules={
                "tiers": [
                    {"threshold": "99.00", "off": "10.00"},
                    {"threshold": "199.00", "off": "30.00"},
                    {"threshold": "299.00", "off": "60.00"},
                ]
            },
            starts_at=window["starts_at"],
            ends_at=window["ends_at"],
        )
        runs.append(whatif_run_start(actor=owner, data=richer, replaces=live.pk, days=30))
    snacks = Category.objects.filter(name="零食", parent__isnull=True).values_list("pk", flat=True).first()
    second_half = PromotionData(
        type=PromotionType.NTH_ITEM,
        name="零食第2件半价",
        rules={"n": 2, "rate": "0.5"},
        category_ids=(snacks,) if snacks else (),
        starts_at=window["starts_at"],
        ends_at=window["ends_at"],
    )
    runs.append(whatif_run_start(actor=owner, data=second_half, replaces=None, days=30))
    for run in runs:
        whatif_run_execute(run_id=run.pk)
    return {"what-if runs": len(runs), "suggestion drafts": _accepted_tool_suggestion(owner, live)}


def _accepted_tool_suggestion(owner: User, promotion: Promotion | None) -> int:
    """The demo's "run 价格规则 more often" suggestion, accepted two weeks ago, whose draft became
    the shop's 全场满减: the suggestions page then shows what that promotion earned since."""
    suggestion = Suggestion.objects.filter(kind=SuggestionKind.TOOL, state=SuggestionState.NEW).first()
    if suggestion is None or promotion is None:
        return 0
    suggestion_decide(actor=owner, suggestion_id=suggestion.pk, accept=True)
    Suggestion.objects.filter(pk=suggestion.pk).update(decided_at=timezone.now() - timedelta(days=ACCEPTED_DAYS_AGO))
    linked = suggestion_draft_link(
        actor=owner, suggestion_id=suggestion.pk, tool=Tool.PROMOTION, object_id=promotion.pk, name=promotion.name
    )
    return int(linked)
