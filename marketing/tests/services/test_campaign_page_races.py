"""A page serves one campaign: ten campaigns linking the same page at once, one wins (real
threads on MariaDB); the others get a clear campaign_invalid, never a 500."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from mall.tests.concurrency import run_in_threads
from marketing.errors import CampaignInvalid
from marketing.models import Campaign
from marketing.services.campaigns import CampaignData, campaign_create, campaign_page_link
from marketing.services.pages import PageData, page_create

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def test_ten_campaigns_racing_for_one_page_link_it_once() -> None:
    staff = User.objects.create_superuser(username=f"s{uuid.uuid4().hex[:8]}", password="x")
    now = timezone.now()
    campaigns = [
        campaign_create(actor=staff, data=CampaignData(name=f"活动{n}", starts_at=now, ends_at=now + timedelta(days=1)))
        for n in range(10)
    ]
    page = page_create(actor=staff, data=PageData(title="618", slug=f"p{uuid.uuid4().hex[:8]}"))

    results = run_in_threads(
        10, lambda i: campaign_page_link(actor=staff, campaign_id=campaigns[i].pk, page_id=page.pk)
    )

    won = [r for r in results if isinstance(r, Campaign)]
    lost = [r for r in results if isinstance(r, CampaignInvalid)]
    assert len(won) == 1 and len(lost) == 9, results
    assert Campaign.objects.filter(page=page).count() == 1
