"""``seed_demo`` fills 效果模拟 (B01) with two finished runs and links one accepted 智能建议 to the
promotion it became, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from analytics.models import Suggestion, SuggestionKind, SuggestionState, Tool
from mall.demo.marketing import FULL_REDUCTION
from mall.demo.whatif import build_whatif
from mall.models import Category, Product, Sku
from marketing.models import WhatIfRun, WhatIfStatus
from marketing.services.promotions import PromotionData, promotion_create
from marketing.tests.whatif_orders import paid, shopper

pytestmark = pytest.mark.django_db


def test_demo_runs_are_done_and_the_tool_suggestion_is_linked_once() -> None:
    owner = User.objects.create_superuser(username="owner", password="x", email="o@example.com")
    now = timezone.now()
    live = promotion_create(
        actor=owner,
        data=PromotionData(
            type="full_reduction",
            name=FULL_REDUCTION,
            starts_at=now - dt.timedelta(days=1),
            ends_at=now + dt.timedelta(days=30),
            rules={"tiers": [{"threshold": "199.00", "off": "30.00"}]},
        ),
    )
    snacks = Category.objects.create(name="零食")
    product = Product.objects.create(category=snacks, title="零食礼盒", min_price=12500)
    snack = Sku.objects.create(product=product, code="SNACK-BOX", price=12500, stock=100)
    order = paid(shopper(), (snack, 3))  # ¥375: 满199减30 now, 满299减60 in the demo run
    order.paid_at = timezone.now() - dt.timedelta(days=2)
    order.save(update_fields=["paid_at"])
    tool = Suggestion.objects.create(kind=SuggestionKind.TOOL, subject="promotion", day=timezone.localdate(), title="t")

    counts = build_whatif()
    assert counts == {"what-if runs": 2, "suggestion drafts": 1}
    runs = list(WhatIfRun.objects.order_by("pk"))
    assert [r.status for r in runs] == [WhatIfStatus.DONE, WhatIfStatus.DONE]
    assert runs[0].promotion == live and runs[0].result["orders"] == 1
    assert runs[0].result["discount_after"] - runs[0].result["discount_before"] == 3000  # 满299减60 over 满199减30
    tool.refresh_from_db()
    assert tool.state == SuggestionState.ACCEPTED
    assert (tool.draft_tool, tool.draft_object_id) == (Tool.PROMOTION, live.pk)
    assert build_whatif() == {"what-if runs": 0}
    assert WhatIfRun.objects.count() == 2
