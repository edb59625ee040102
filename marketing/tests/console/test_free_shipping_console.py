"""包邮 in the campaign consoles (issue 10 §4): a checkbox on each campaign's form (flash item,
release item, group buy, bargain), saved through the services and audited, shown in the lists."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from mall.models import AuditLog, Sku
from marketing.models import BargainCampaign, FlashItem, GroupBuyCampaign
from marketing.tests.console.test_social_admin import BARGAINS, CAMPAIGNS, _bargain_post, _campaign_post
from marketing.tests.flash import make_slot, shelf_sku

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def test_a_flash_item_is_added_with_free_shipping_and_the_slot_page_shows_it(staff_client: Client) -> None:
    sku = shelf_sku(stock=50, price=5900)
    slot = make_slot(items=[], starts_in=timedelta(hours=2), publish=False)
    url = f"/console/marketing/flash/{slot.pk}/"
    page = staff_client.get(url).content.decode()
    assert 'name="new-free_shipping"' in page and "包邮" in page  # the checkbox, Chinese label
    response = staff_client.post(
        url,
        {
            "op": "add_item",
            "new-sku": sku.pk,
            "new-flash_price": "9.90",
            "new-quota": "20",
            "new-per_shopper_limit": "1",
            "new-per_order_limit": "1",
            "new-sort_order": "0",
            "new-free_shipping": "on",
        },
    )
    assert response.status_code == 302
    item = FlashItem.objects.get(slot=slot)
    assert (item.flash_price, item.free_shipping) == (990, True)
    assert AuditLog.objects.get(action="flash.item_add").data["free_shipping"] is True
    shown = staff_client.get(url).content.decode()
    assert f'data-testid="flash-free-shipping-{item.pk}"' in shown
    # Unticking it on the draft's edit form turns it off.
    edit = {
        "op": "update_item",
        "item_id": item.pk,
        f"item{item.pk}-sku": sku.pk,
        f"item{item.pk}-flash_price": "9.90",
        f"item{item.pk}-quota": "20",
        f"item{item.pk}-per_shopper_limit": "1",
        f"item{item.pk}-per_order_limit": "1",
        f"item{item.pk}-sort_order": "0",
    }
    assert staff_client.post(url, edit).status_code == 302
    assert FlashItem.objects.get(pk=item.pk).free_shipping is False


def test_the_flash_calendar_marks_free_shipping_items(staff_client: Client) -> None:
    slot = make_slot(items=[(shelf_sku(), 5)], starts_in=timedelta(hours=1), free_shipping=True)
    local = slot.starts_at.astimezone().date()
    page = staff_client.get(f"/console/marketing/flash/?start={local:%Y-%m-%d}").content.decode()
    assert "· 包邮" in page


def test_a_group_buy_is_saved_with_free_shipping_and_listed(staff_client: Client, cream: Sku) -> None:
    form = staff_client.get(f"{CAMPAIGNS}add/?product={cream.product_id}")
    assert "free_shipping" in form.context["adminform"].form.fields
    response = staff_client.post(
        f"{CAMPAIGNS}add/?product={cream.product_id}", _campaign_post(cream, free_shipping="on")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    campaign = GroupBuyCampaign.objects.get()
    assert campaign.free_shipping is True
    assert AuditLog.objects.get(action="group_buy.create").data["free_shipping"] is True
    listing = staff_client.get(CAMPAIGNS)
    assert "包邮" in listing.content.decode()
    assert "free_shipping" in listing.context["cl"].list_display
    assert staff_client.get(f"{CAMPAIGNS}?free_shipping__exact=1").context["cl"].result_count == 1


def test_a_bargain_is_saved_with_free_shipping_and_listed(staff_client: Client, speaker: Sku) -> None:
    response = staff_client.post(f"{BARGAINS}add/", _bargain_post(speaker, free_shipping="on"))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    campaign = BargainCampaign.objects.get()
    assert campaign.free_shipping is True
    listing = staff_client.get(BARGAINS)
    assert "free_shipping" in listing.context["cl"].list_display
    assert staff_client.get(f"{BARGAINS}?free_shipping__exact=0").context["cl"].result_count == 0
    change = staff_client.get(f"{BARGAINS}{campaign.pk}/change/")
    assert change.context["adminform"].form.initial["free_shipping"] is True
    assert "包邮" in change.content.decode()


def test_a_release_item_takes_free_shipping_too(staff_client: Client) -> None:
    release = make_slot(items=[], kind="release", starts_in=timedelta(hours=1), minutes=7 * 24 * 60, publish=False)
    sku = shelf_sku(stock=400, price=12900)
    url = f"/console/marketing/flash/{release.pk}/"
    posted: dict[str, Any] = {
        "op": "add_item",
        "new-sku": sku.pk,
        "new-flash_price": "129.00",
        "new-quota": "300",
        "new-per_shopper_limit": "2",
        "new-per_order_limit": "2",
        "new-sort_order": "0",
        "new-free_shipping": "on",
    }
    assert staff_client.post(url, posted).status_code == 302
    assert FlashItem.objects.get(slot=release).free_shipping is True
