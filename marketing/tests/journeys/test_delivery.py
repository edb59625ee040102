"""How journeys reach shoppers: through the message system, one push per run by priority,
consent/cap/quiet hours with skip reasons, coupon quota, dry runs and the command."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import responses
import time_machine
from django.core.management import call_command
from django.utils import translation

from marketing.models import Coupon, CouponTemplate, Journey, JourneyKind, JourneyRun, JourneySend
from marketing.services.journeys.runner import lifecycle_run
from marketing.tests.journeys.helpers import consent, journeys_on, paid_order, product
from members.models import PUSHES_PER_MONTH, Member, Message, PushAllowance
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
SHOP = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=SHOP)


def run_all(at: datetime = NOW, **options: object) -> dict[str, dict[str, object]]:
    with time_machine.travel(at, tick=False), translation.override("zh-hans"):
        return {o.journey: o.as_json() for o in lifecycle_run(now=at, **options)}  # type: ignore[arg-type]


def dormant_shopper(**fields: object) -> Member:
    shopper = MemberFactory.create(**fields)
    paid_order(shopper, NOW - timedelta(days=35))
    return shopper


def test_a_shopper_due_for_two_journeys_gets_one_push_by_priority_and_both_in_the_inbox() -> None:
    journeys_on()
    shampoo = product("洗发水", cycle=30)
    shopper = MemberFactory.create(birthday=date(1990, 12, 8))
    paid_order(shopper, NOW - timedelta(days=31), shampoo)  # dormant (31 days) and due to replenish
    for kind in ("journey_dormant", "journey_birthday", "journey_replenish"):
        consent(shopper, kind, credits=3)

    result = run_all()

    # Defaults: 沉睡召回 30 > 生日福利 20 > 复购提醒 10.
    assert result["dormant"]["sent"] == 1
    assert result["birthday"]["skipped"] == {"lower_priority": 1}
    assert result["replenish"]["skipped"] == {"lower_priority": 1}
    pushes = dict(Message.objects.filter(member=shopper).values_list("kind", "push_status"))
    assert pushes == {"journey_dormant": "pending", "journey_birthday": "none", "journey_replenish": "none"}
    assert Coupon.objects.filter(member=shopper).count() == 3

    # The merchant puts 复购提醒 first: next shopper's push goes to it.
    Journey.objects.filter(kind=JourneyKind.REPLENISH).update(priority=99)
    other = MemberFactory.create()
    paid_order(other, NOW - timedelta(days=31), shampoo)
    consent(other, "journey_replenish")
    consent(other, "journey_dormant")
    result = run_all(NOW + timedelta(hours=1))
    assert result["replenish"]["sent"] == 1 and result["dormant"]["skipped"] == {"lower_priority": 1}


def test_consent_cap_quiet_hours_and_missing_template_are_skip_reasons_and_the_inbox_still_gets_it(
    wechat_api: responses.RequestsMock,
) -> None:
    journeys_on(JourneyKind.DORMANT)
    granted = dormant_shopper()
    consent(granted, "journey_dormant")
    no_grant = dormant_shopper()
    capped = dormant_shopper()
    consent(capped, "journey_dormant")
    PushAllowance.objects.create(member=capped, month="2026-12", used=PUSHES_PER_MONTH)

    result = run_all()["dormant"]

    assert result["eligible"] == 3
    assert result["sent"] == 1
    assert result["skipped"] == {"monthly_cap": 1, "no_consent": 1}
    assert result["granted"] == 3
    assert Message.objects.filter(kind="journey_dormant").count() == 3
    assert dict(JourneySend.objects.values_list("member_id", "push")) == {
        granted.pk: "queued",
        no_grant.pk: "no_consent",
        capped.pk: "monthly_cap",
    }
    # The message system records the pushes that cannot go with its own reasons (no task for them).
    assert Message.objects.get(member=no_grant).push_status == "skipped"
    assert Message.objects.get(member=no_grant).skip_reason == "no_consent"
    assert Message.objects.get(member=capped).push_status == "capped"
    assert Message.objects.get(member=granted).push_status == "pending"
    # The worker then pushes the pending one: consent credit and monthly allowance spent there.
    from members.services.messages import message_push
    from members.tests.wechat_stubs import stub_subscribe_send

    stub_subscribe_send(wechat_api)
    with time_machine.travel(NOW, tick=False):
        assert message_push(message_id=Message.objects.get(member=granted).pk) == "sent"
    assert PushAllowance.objects.get(member=granted, month="2026-12").used == 1

    # At 23:00 (quiet hours 22:00–08:00) the push is held for the morning.
    late = dormant_shopper()
    consent(late, "journey_dormant")
    assert run_all(NOW.replace(hour=23))["dormant"]["skipped"] == {"quiet_hours": 1}
    assert Message.objects.get(member=late).push_status == "pending"

    # Without a subscribe template the journey still reaches the inbox.
    from members.models import SubscribeTemplate

    SubscribeTemplate.objects.all().delete()
    dormant_shopper()
    assert run_all(NOW + timedelta(days=1))["dormant"]["skipped"] == {"no_template": 1}


def test_a_sold_out_coupon_sends_nothing_and_a_later_run_sends_once_there_is_room() -> None:
    journeys = journeys_on(JourneyKind.DORMANT)
    template = CouponTemplate.objects.get(pk=journeys["dormant"].coupon_template_id or 0)
    CouponTemplate.objects.filter(pk=template.pk).update(total_quantity=2)
    shoppers = [dormant_shopper() for _ in range(3)]

    result = run_all()["dormant"]

    assert (result["eligible"], result["granted"]) == (3, 2)
    assert result["skipped"] == {"coupon_sold_out": 1, "no_template": 2}
    assert Coupon.objects.filter(template=template).count() == 2
    assert Message.objects.count() == 2 and JourneySend.objects.count() == 2
    CouponTemplate.objects.filter(pk=template.pk).update(total_quantity=3)
    assert run_all(NOW + timedelta(days=1))["dormant"]["granted"] == 1
    assert {c.member_id for c in Coupon.objects.all()} == {s.pk for s in shoppers}
    assert CouponTemplate.objects.get(pk=template.pk).issued_count == 3


def test_dry_run_counts_and_writes_nothing() -> None:
    journeys_on(JourneyKind.DORMANT)
    dormant_shopper()
    assert run_all(dry_run=True)["dormant"]["eligible"] == 1
    assert not (Coupon.objects.exists() or Message.objects.exists() or JourneySend.objects.exists())
    assert not JourneyRun.objects.exists()


def test_the_command_prints_one_json_line_per_journey() -> None:
    journeys_on()
    dormant_shopper()
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("lifecycle_run", "--now", NOW.isoformat(), stdout=out)
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        assert [line["journey"] for line in lines] == ["dormant", "birthday", "replenish"]
        assert lines[0]["eligible"] == 1 and lines[0]["skipped"] == {"no_template": 1}
        assert set(lines[0]) >= {"journey", "eligible", "sent", "skipped"}
        out = StringIO()
        call_command("lifecycle_run", "--journey", "dormant", "--dry-run", stdout=out)
    (line,) = [json.loads(line) for line in out.getvalue().splitlines()]
    assert line["eligible"] == 0  # already reached
    assert JourneyRun.objects.filter(kind="dormant").count() == 1


def test_the_push_goes_to_the_highest_priority_journey_that_can_push() -> None:
    journeys_on(JourneyKind.DORMANT, JourneyKind.REPLENISH)
    shampoo = product("洗发水", cycle=30)
    shopper = MemberFactory.create()
    paid_order(shopper, NOW - timedelta(days=31), shampoo)
    consent(shopper, "journey_replenish")  # only 复购提醒 has a subscribe template

    result = run_all()

    assert result["dormant"]["skipped"] == {"no_template": 1}
    assert result["replenish"]["sent"] == 1
    assert dict(Message.objects.filter(member=shopper).values_list("kind", "push_status")) == {
        "journey_dormant": "none",
        "journey_replenish": "pending",
    }


def test_each_template_counts_the_coupons_made_from_it_and_the_pattern_quota_covers_its_copies() -> None:
    journeys = journeys_on(JourneyKind.REPLENISH)
    pattern = CouponTemplate.objects.get(pk=journeys["replenish"].coupon_template_id or 0)
    CouponTemplate.objects.filter(pk=pattern.pk).update(total_quantity=2)
    shampoo, soap = product("洗发水", cycle=30), product("香皂", cycle=30)
    for item in (shampoo, soap, shampoo):
        paid_order(MemberFactory.create(), NOW - timedelta(days=30), item)

    result = run_all()["replenish"]

    assert result["granted"] == 2 and result["skipped"] == {"coupon_sold_out": 1, "no_template": 2}
    for template in CouponTemplate.objects.all():
        assert template.issued_count == Coupon.objects.filter(template=template).count()
    assert CouponTemplate.objects.get(pk=pattern.pk).issued_count == 0  # every coupon is a product's copy
