"""Where shoppers find 拼团 and 砍价: the product page's offers (kept warm with the rules, shown
only inside the campaign's window, gone at once when the merchant ends it), the marketing
centre — and the help endpoint behind the shop's guard (F45)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from mall.api.throttling import FixedWindowRateThrottle
from mall.models import Sku
from marketing.models import BargainHelp
from marketing.selectors.marketing_centre import marketing_centre_data
from marketing.selectors.product_offers import product_offers_for, product_offers_warm
from marketing.services.bargains import bargain_campaign_end, bargain_start
from marketing.services.group_buys import GroupBuyItemData, group_buy_campaign_end
from members.models import BlockKind, Member
from members.services.abuse import GuardSettingsData, block_entry_create, guard_settings_update
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT, client_for
from members.tests.services.test_captcha import solve

pytestmark = pytest.mark.django_db


def test_the_product_page_shows_its_group_buy_and_bargain_until_they_end(
    make_group_campaign: Callable[..., Any],
    make_bargain_campaign: Callable[..., Any],
    cream: Sku,
    staff: User,
    django_assert_num_queries: Any,
) -> None:
    group = make_group_campaign(cream, items=(GroupBuyItemData(sku_id=cream.pk, price=2900, leader_price=2500),))
    bargain = make_bargain_campaign(cream, start_price=5900, helpers_min=5, helpers_max=10)
    product_offers_warm()
    with django_assert_num_queries(0):  # no limited discount running: everything from memory
        offers = product_offers_for(product_ids=[cream.product_id]).for_product(cream.product_id)
    assert offers["group_buy"] == {
        "campaign_id": group.pk,
        "name": "面霜 3 人团",
        "group_size": 3,
        "price": 2900,
        "leader_price": 2500,
        "list_price": 5900,
        "free_shipping": False,
        "starts_at": timezone.localtime(group.starts_at).isoformat(),
        "ends_at": timezone.localtime(group.ends_at).isoformat(),
    }
    assert (offers["bargain"]["campaign_id"], offers["bargain"]["floor_price"]) == (bargain.pk, 0)

    page = APIClient().get(f"/api/v1/products/{cream.product_id}").json()
    assert page["group_buy"]["price"] == 2900 and page["bargain"]["start_price"] == 5900

    group_buy_campaign_end(actor=staff, campaign_id=group.pk)
    bargain_campaign_end(actor=staff, campaign_id=bargain.pk)
    page = APIClient().get(f"/api/v1/products/{cream.product_id}").json()
    assert (page["group_buy"], page["bargain"]) == (None, None)


def test_an_upcoming_campaign_appears_when_it_starts(make_group_campaign: Callable[..., Any], cream: Sku) -> None:
    starts = timezone.now() + timedelta(hours=2)
    make_group_campaign(cream, starts_at=starts, ends_at=starts + timedelta(days=1))
    before = product_offers_for(product_ids=[cream.product_id])
    assert before.for_product(cream.product_id)["group_buy"] is None
    assert before.valid_until == starts  # the catalogue keeps its page no longer than that
    with time_machine.travel(starts, tick=False):
        assert product_offers_for(product_ids=[cream.product_id]).for_product(cream.product_id)["group_buy"]


def test_the_marketing_centre_lists_group_buys_and_bargains(
    make_group_campaign: Callable[..., Any], make_bargain_campaign: Callable[..., Any], cream: Sku, speaker: Sku
) -> None:
    make_group_campaign(cream)
    starts = timezone.now() + timedelta(days=2)
    make_bargain_campaign(speaker, starts_at=starts, ends_at=starts + timedelta(days=3))
    centre = marketing_centre_data(now=timezone.now())
    ongoing = {(e["type"], e["subtitle"], e["product_id"]) for e in centre["ongoing"]}
    upcoming = {(e["type"], e["subtitle"], e["product_id"]) for e in centre["upcoming"]}
    assert ("group_buy", "3 人团 ¥29.00 起", cream.product_id) in ongoing
    assert ("bargain", "¥199.00 砍到 0 元免费拿", speaker.product_id) in upcoming


# --- the help endpoint behind the guard -------------------------------------------------


def _help(client: APIClient, token: str, **headers: Any) -> Any:
    return client.post(f"/api/v1/bargains/share/{token}/help", **headers)


@pytest.fixture
def bargain(make_bargain_campaign: Callable[..., Any], speaker: Sku, member: Member) -> Any:
    return bargain_start(context=SHOPPER_CONTEXT, member=member, campaign_id=make_bargain_campaign(speaker).pk).bargain


def test_a_blocked_device_cannot_help(bargain: Any, staff: User) -> None:
    block_entry_create(actor=staff, kind=BlockKind.DEVICE, value="farm-phone-1")
    refused = _help(client_for(MemberFactory.create()), bargain.share_token, HTTP_X_DEVICE_ID="farm-phone-1")
    assert (refused.status_code, refused.json()["code"]) == (403, "access_blocked")
    assert not BargainHelp.objects.exists()


def test_the_slider_when_the_merchant_asks_for_it_on_helps(bargain: Any, staff: User) -> None:
    guard_settings_update(actor=staff, data=GuardSettingsData(help_captcha="always"))
    helper = MemberFactory.create()
    client = client_for(helper)
    required = _help(client, bargain.share_token)
    assert (required.status_code, required.json()["code"]) == (403, "captcha_required")
    assert required.json()["details"] == {"action": "help"}
    passed = _help(client, bargain.share_token, HTTP_X_CAPTCHA_PASS=solve(helper, "help"))
    assert passed.status_code == 201, passed.json()


def test_helps_have_their_own_rate_limit(bargain: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    merged = {**FixedWindowRateThrottle.THROTTLE_RATES, "help.ip": "2/min"}
    monkeypatch.setattr(FixedWindowRateThrottle, "THROTTLE_RATES", merged)
    with time_machine.travel("2026-06-18 10:00:05 +0800", tick=False):
        codes = [_help(client_for(MemberFactory.create()), bargain.share_token).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert BargainHelp.objects.count() == 2


def test_the_ip_and_device_reach_the_bargains_own_limits(bargain: Any) -> None:
    first = _help(client_for(MemberFactory.create()), bargain.share_token, HTTP_X_DEVICE_ID="phone-a")
    assert first.status_code == 201
    same_phone = _help(client_for(MemberFactory.create()), bargain.share_token, HTTP_X_DEVICE_ID="phone-a")
    assert (same_phone.status_code, same_phone.json()["code"]) == (409, "bargain_help_limited")
    row = BargainHelp.objects.get()
    assert (row.ip, row.device_id) == ("127.0.0.1", "phone-a")
