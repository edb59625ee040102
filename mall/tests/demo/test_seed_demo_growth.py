"""``manage.py seed_demo`` for invite rewards and distribution: promoters to review, product rates,
a promoter with customers, and a second run that changes none of it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from marketing.models import Attribution, InviteProgram, ProductCommission, Promoter, PromoterStatus

pytestmark = pytest.mark.django_db


def _seed() -> None:
    call_command("seed_demo", "--shoppers", "20", "--days", "10", stdout=StringIO())


def _counts() -> tuple[int, int, int]:
    return Promoter.objects.count(), ProductCommission.objects.count(), Attribution.objects.count()


def test_seed_demo_has_promoters_to_review_and_product_rates() -> None:
    _seed()
    statuses = sorted(Promoter.objects.values_list("status", flat=True))
    assert statuses == [PromoterStatus.APPLIED, PromoterStatus.APPROVED, PromoterStatus.APPROVED]
    first = Promoter.objects.filter(status=PromoterStatus.APPROVED).order_by("pk").first()
    assert first is not None and Attribution.objects.filter(promoter=first).count() == 5
    assert ProductCommission.objects.count() == 2
    assert InviteProgram.objects.get().reward_template is not None  # from the migrations
    before = _counts()
    _seed()
    assert _counts() == before
