"""The stacking warning on the campaign edit form (F28, like publish): moving a campaign's window
onto another campaign it is beaten by (or stacks past the margin floor with) is refused until
the merchant confirms (仍然保存); nothing is written when refused; the confirmation lands in the
audit row. A save that keeps the window, or a warning the old window already had, does not ask."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from mall.models import AuditLog, Sku
from mall.services.staff import staff_create
from marketing.errors import CampaignStackingWarning
from marketing.models import Campaign
from marketing.services.campaigns import CampaignData, campaign_update
from marketing.tests.calendar.helpers import NOW, campaign, sku

pytestmark = pytest.mark.django_db

MINUS_15: dict[str, Any] = {"type": "full_reduction", "rules": {"tiers": [{"threshold": "100.00", "off": "15.00"}]}}
MINUS_10: dict[str, Any] = {"type": "full_reduction", "rules": {"tiers": [{"threshold": "100.00", "off": "10.00"}]}}


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def lipstick(db: Any) -> Sku:
    return sku("LIP-01", "100.00", "60.00")


def _data(made: Campaign, **changes: Any) -> CampaignData:
    fields = {"name": made.name, "starts_at": made.starts_at, "ends_at": made.ends_at, **changes}
    return CampaignData(**fields)


def _later_campaign(staff: User) -> Campaign:
    """美妆节 (满100减10) next week, while 618 主会场 (满100减15) runs now for three days."""
    campaign(staff, "618 主会场", publish=True, promotions=[MINUS_15])
    return campaign(staff, "美妆节", promotions=[MINUS_10], starts=timedelta(days=7), publish=True)


def test_moving_the_window_onto_a_beating_campaign_asks_then_saves_when_confirmed(staff: User, lipstick: Sku) -> None:
    later = _later_campaign(staff)
    moved = _data(later, starts_at=NOW, ends_at=NOW + timedelta(days=2))

    with pytest.raises(CampaignStackingWarning) as refused:
        campaign_update(actor=staff, campaign_id=later.pk, data=moved, confirm_stacking=False)
    assert refused.value.code == "campaign_stacking_warning" and refused.value.status == 409
    (warning,) = refused.value.details["warnings"]
    assert warning["kind"] == "beaten" and "被「618 主会场」压过" in warning["text"]
    later.refresh_from_db()
    assert later.starts_at == NOW + timedelta(days=7)  # nothing written
    assert not AuditLog.objects.filter(action="campaign.update", target_id=str(later.pk)).exists()

    campaign_update(actor=staff, campaign_id=later.pk, data=moved, confirm_stacking=True)
    later.refresh_from_db()
    assert (later.starts_at, later.ends_at) == (NOW, NOW + timedelta(days=2))
    audit = AuditLog.objects.get(action="campaign.update", target_id=str(later.pk))
    assert [w["kind"] for w in audit.data["stacking_confirmed"]] == ["beaten"]


def test_a_save_that_keeps_the_window_or_a_known_warning_does_not_ask(staff: User, lipstick: Sku) -> None:
    later = _later_campaign(staff)
    renamed = campaign_update(
        actor=staff, campaign_id=later.pk, data=_data(later, name="美妆节 · 预热"), confirm_stacking=False
    )
    assert renamed.name == "美妆节 · 预热"
    overlapping = _data(renamed, starts_at=NOW, ends_at=NOW + timedelta(days=2))
    campaign_update(actor=staff, campaign_id=later.pk, data=overlapping, confirm_stacking=True)
    # Already overlapping and confirmed: stretching the window again asks nothing new.
    longer = _data(renamed, starts_at=NOW, ends_at=NOW + timedelta(days=3))
    campaign_update(actor=staff, campaign_id=later.pk, data=longer, confirm_stacking=False)
    assert Campaign.objects.get(pk=later.pk).ends_at == NOW + timedelta(days=3)
    # Callers that do not ask (the demo, templates) are not checked.
    far = _data(renamed, starts_at=NOW + timedelta(days=9), ends_at=NOW + timedelta(days=10))
    campaign_update(actor=staff, campaign_id=later.pk, data=far)
    campaign_update(actor=staff, campaign_id=later.pk, data=overlapping)
    assert Campaign.objects.get(pk=later.pk).starts_at == NOW


def _form(made: Campaign, *, starts_at: Any, ends_at: Any) -> dict[str, str]:
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    return {
        "op": "update",
        "edit-name": made.name,
        "edit-starts_at_0": f"{start:%Y-%m-%d}",
        "edit-starts_at_1": f"{start:%H:%M:%S}",
        "edit-ends_at_0": f"{end:%Y-%m-%d}",
        "edit-ends_at_1": f"{end:%H:%M:%S}",
        "edit-budget_amount": "5000.00",
        "edit-budget_uses": "",
        "edit-segment": "",
        "edit-holdout_percent": "0",
    }


def test_the_console_edit_form_asks_with_save_anyway(staff: User, lipstick: Sku) -> None:
    later = _later_campaign(staff)
    client = Client()
    client.force_login(staff_create(username="ops1", password="staff-pass-123", role="operator", actor=staff))
    page = f"/console/marketing/campaigns/{later.pk}/"

    asked = client.post(page, _form(later, starts_at=NOW, ends_at=NOW + timedelta(days=2)))
    assert asked.status_code == 200
    html = asked.content.decode()
    assert "保存前请确认" in html and "仍然保存" in html and "被「618 主会场」压过" in html
    # 仍然保存 posts back exactly what was typed
    assert 'name="edit-budget_amount" value="5000.00"' in html
    assert 'name="confirm_stacking" value="1"' in html
    assert Campaign.objects.get(pk=later.pk).starts_at != NOW

    saved = client.post(page, {**_form(later, starts_at=NOW, ends_at=NOW + timedelta(days=2)), "confirm_stacking": "1"})
    assert saved.status_code == 302
    later.refresh_from_db()
    assert (later.starts_at, later.ends_at, later.budget_amount) == (NOW, NOW + timedelta(days=2), 500000)
    assert "已确认 1 条叠加提醒" in client.get(page).content.decode()
