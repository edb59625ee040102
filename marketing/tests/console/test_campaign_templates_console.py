"""活动模板 in the console: one click makes a draft, the campaign page links its page and saves a
template, JSON downloads and imports with errors listed, roles."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from mall.services.staff import staff_create
from marketing.campaign_templates import BUILTIN_TEMPLATES
from marketing.models import Campaign, CampaignPage, CampaignStatus, CampaignTemplate

pytestmark = pytest.mark.django_db
PAGE = "/console/marketing/campaign-templates/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operator(staff: User) -> Client:
    return _client(staff_create(username="ops1", password="staff-pass-123", role="operator", actor=staff))


def _split(prefix: str, when: datetime) -> dict[str, str]:
    local = timezone.localtime(when)
    return {f"{prefix}_0": local.strftime("%Y-%m-%d"), f"{prefix}_1": local.strftime("%H:%M:%S")}


def test_the_operator_makes_a_618_draft_in_one_click_and_saves_it_as_a_template(operator: Client, shop: Any) -> None:
    page = operator.get(PAGE)
    html = page.content.decode()
    assert page.status_code == 200
    for key in BUILTIN_TEMPLATES:
        assert f'data-testid="template-builtin:{key}"' in html
    assert "¥20,000.00" in html or "¥20000.00" in html
    assert "20000000" not in html  # never fen

    start = timezone.now() + timedelta(days=3)
    made = operator.post(PAGE, {"op": "use", "key": "builtin:618", **_split("builtin-618-starts_at", start)})
    assert made.status_code == 302
    campaign = Campaign.objects.get()
    assert made["Location"] == f"/console/marketing/campaigns/{campaign.pk}/"
    assert campaign.status == CampaignStatus.DRAFT and campaign.tools.count() == 4

    detail = operator.get(made["Location"]).content.decode()
    assert f"/console/marketing/pages/{campaign.page_id}/" in detail
    assert 'data-testid="campaign-save-template"' in detail
    saved = operator.post(made["Location"], {"op": "save_template", "template-name": "我们的 618"})
    assert saved.status_code == 302
    template = CampaignTemplate.objects.get()
    assert template.name == "我们的 618"
    assert f"saved:{template.pk}" in operator.get(PAGE).content.decode()


def test_a_campaign_without_a_page_creates_one_and_links_it(operator: Client, staff: User) -> None:
    from marketing.services.campaigns import CampaignData, campaign_create

    now = timezone.now()
    campaign = campaign_create(
        actor=staff, data=CampaignData(name="开学季", starts_at=now, ends_at=now + timedelta(days=7))
    )
    url = f"/console/marketing/campaigns/{campaign.pk}/"
    assert 'data-testid="campaign-page-create"' in operator.get(url).content.decode()

    assert operator.post(url, {"op": "create_page"}).status_code == 302

    page = CampaignPage.objects.get()
    assert Campaign.objects.get(pk=campaign.pk).page_id == page.pk
    assert page.title == "开学季"
    assert operator.post(url, {"op": "unlink_page"}).status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).page_id is None
    assert operator.post(url, {"op": "link_page", "page-page": str(page.pk)}).status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).page_id == page.pk
    trail = operator.get(url).content.decode()
    assert "关联活动页面" in trail and f"页面 #{page.pk}" in trail and "取消关联页面" in trail


def test_export_downloads_json_and_a_bad_import_lists_its_errors(operator: Client, shop: Any) -> None:
    download = operator.get(f"{PAGE}builtin:member_day/export/")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    data = json.loads(download.content)
    assert data == BUILTIN_TEMPLATES["member_day"]

    upload = SimpleUploadedFile("t.json", json.dumps(data, ensure_ascii=False).encode(), "application/json")
    assert operator.post(PAGE, {"op": "import", "import-file": upload, "import-name": "会员日 B"}).status_code == 302
    assert CampaignTemplate.objects.get().name == "会员日 B"

    data["campaign"]["hours"] = -1
    data["tools"][0]["coupon_kind"] = "mystery"
    refused = operator.post(PAGE, {"op": "import", "import-text": json.dumps(data)})
    html = refused.content.decode()
    assert refused.status_code == 200
    assert 'data-testid="template-errors"' in html
    assert "campaign.hours" in html and "tools.0.coupon_kind" in html
    assert CampaignTemplate.objects.count() == 1
    assert operator.get(f"{PAGE}builtin:nope/export/").status_code == 404


def test_a_staff_member_without_campaign_rights_cannot_use_templates(staff: User) -> None:
    service = _client(staff_create(username="kefu", password="staff-pass-123", role="customer_service", actor=staff))

    assert service.get(PAGE).status_code == 403
    assert service.post(PAGE, {"op": "use", "key": "builtin:618"}).status_code == 403
