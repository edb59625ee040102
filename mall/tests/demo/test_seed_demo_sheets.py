"""``seed_demo``'s sheets: old-shop customers waiting (one matched at import), a coupon grant with its report."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from marketing.models import CouponGrant
from members.models import MemberImport

pytestmark = pytest.mark.django_db


def test_demo_sheets_are_there_and_a_second_run_adds_nothing() -> None:
    call_command("seed_demo", "--shoppers", "20", "--days", "30", stdout=StringIO())
    assert MemberImport.objects.filter(state=MemberImport.State.PENDING, phone__startswith="170").count() == 4
    matched = MemberImport.objects.get(state=MemberImport.State.MATCHED)
    assert matched.member is not None and matched.member.phone == matched.phone
    grant = CouponGrant.objects.get(ref="demo-coupon-grant")
    assert grant.rows == 21 and grant.granted + grant.skipped == 21
    assert grant.report[-1]["outcome"] == "not_found"
    counts = (MemberImport.objects.count(), CouponGrant.objects.count())
    call_command("seed_demo", "--shoppers", "20", "--days", "30", stdout=StringIO())
    assert (MemberImport.objects.count(), CouponGrant.objects.count()) == counts
