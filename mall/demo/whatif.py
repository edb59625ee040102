"""Demo: two 效果模拟 (B01) runs over the demo's order history and one accepted 智能建议 whose
draft was saved, so the what-if page and the suggestions' "what it earned" table have content.

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
from marketing.services.promotions import PromotionData, promotion_create
from marketing.services.whatif import whatif_run_execute, whatif_run_start


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
    return {"what-if runs": len(runs), "suggestion drafts": _accepted_basket_suggestion(owner)}


def _accepted_basket_suggestion(owner: User) -> int:
    """Accept the 满减 tier suggestion and save its draft (switched off, so demo prices stay)."""
    suggestion = Suggestion.objects.filter(kind=SuggestionKind.BASKET, state=SuggestionState.NEW).first()
    if suggestion is None:
        return 0
    evidence = suggestion.evidence
    threshold, off = evidence.get("next_threshold"), evidence.get("next_off")
    if not isinstance(threshold, int) or not isinstance(off, int):
        return 0
    suggestion_decide(actor=owner, suggestion_id=suggestion.pk, accept=True)
    now = timezone.now()
    draft = promotion_create(
        actor=owner,
        data=PromotionData(
            type=PromotionType.FULL_REDUCTION,
            name=f"满{threshold // 100}减{off // 100}",
            starts_at=now,
            ends_at=now + timedelta(days=14),
            rules={"tiers": [{"threshold": f"{threshold / 100:.2f}", "off": f"{off / 100:.2f}"}]},
            is_active=False,
        ),
    )
    linked = suggestion_draft_link(
        actor=owner, suggestion_id=suggestion.pk, tool=Tool.PROMOTION, object_id=draft.pk, name=draft.name
    )
    return int(linked)
