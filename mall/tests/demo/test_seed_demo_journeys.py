"""``manage.py seed_demo`` for the lifecycle journeys: switched on, past runs, a report to read,
and a second run that adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from marketing.models import Journey, JourneyPush, JourneyRun, JourneySend
from marketing.selectors.journeys import journey_reports

pytestmark = pytest.mark.django_db


def _seed() -> None:
    call_command("seed_demo", "--shoppers", "40", "--days", "90", stdout=StringIO())


def test_seed_demo_runs_the_journeys_so_the_report_shows() -> None:
    _seed()
    assert Journey.objects.filter(is_enabled=True, coupon_template__isnull=False).count() == 3
    assert JourneyRun.objects.count() == 9  # three journeys, three runs
    sends = JourneySend.objects.count()
    # a 20% holdout gets nothing (B03), nor does the shop's global holdout
    reached = JourneySend.objects.filter(is_holdout=False).exclude(push=JourneyPush.GLOBAL_HOLDOUT)
    assert sends > reached.count() > 0
    assert all(send.coupon_id and send.message_id for send in reached)
    assert not JourneySend.objects.filter(is_holdout=True, coupon__isnull=False).exists()
    reports = {report.kind: report for report in journey_reports()}
    assert reports["dormant"].granted > 0
    assert sum(report.granted for report in reports.values()) == reached.count()
    _seed()
    assert JourneySend.objects.count() == sends
    assert JourneyRun.objects.count() == 9
