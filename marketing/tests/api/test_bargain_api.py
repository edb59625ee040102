"""助力砍价 through the mini-program API: start, the friend's page by share token, help, my
bargains and buying with the deal object — with pinned query counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from mall.models import Sku
from marketing.models import Bargain, BargainStatus
from marketing.services.bargains import bargain_help, bargain_start
from members.models import Member
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(make_bargain_campaign: Callable[..., Any], speaker: Sku) -> Any:
    return make_bargain_campaign(speaker)


def test_start_share_help_and_buy_at_the_current_price(
    campaign: Any, speaker: Sku, member: Member, member_client: APIClient, other_member: Member
) -> None:
    listed = APIClient().get(f"/api/v1/bargains/campaigns?product_id={speaker.product_id}").json()
    assert [(c["id"], c["start_price"], c["floor_price"]) for c in listed] == [(campaign.pk, 19900, 0)]

    started = member_client.post(f"/api/v1/bargains/campaigns/{campaign.pk}/start")
    assert started.status_code == 201, started.json()
    page = started.json()
    assert (page["current_price"], page["progress_text"], page["is_owner"]) == (19900, "再砍 ¥199.00 即可免费拿", True)
    assert page["can_help"] is False and page["help_refusal"] == "bargain_self_help"
    again = member_client.post(f"/api/v1/bargains/campaigns/{campaign.pk}/start")
    assert (again.status_code, again.json()["id"]) == (200, page["id"])
    detail = member_client.get(f"/api/v1/bargains/campaigns/{campaign.pk}").json()
    assert detail["my_bargain_id"] == page["id"]

    token = page["share_token"]
    landing = APIClient().get(f"/api/v1/bargains/share/{token}").json()
    assert (landing["can_help"], landing["deal"], landing["initiator"]["nickname"]) == (True, None, "小明")

    friend = client_for(other_member)
    helped = friend.post(f"/api/v1/bargains/share/{token}/help", HTTP_X_DEVICE_ID="device-a")
    assert helped.status_code == 201, helped.json()
    cut = helped.json()["cut"]
    after = helped.json()["bargain"]
    assert after["current_price"] == 19900 - cut
    assert (after["my_cut"], after["helps_count"], after["can_help"]) == (cut, 1, False)
    assert after["helpers"][0]["nickname"] == "小红"
    twice = friend.post(f"/api/v1/bargains/share/{token}/help")
    assert (twice.status_code, twice.json()["code"]) == (409, "bargain_already_helped")
    self_help = member_client.post(f"/api/v1/bargains/share/{token}/help")
    assert (self_help.status_code, self_help.json()["code"]) == (409, "bargain_self_help")

    mine = member_client.get(f"/api/v1/bargains/{page['id']}").json()
    assert mine["deal"] == {"kind": "bargain", "ref": page["id"], "params": {}}
    assert friend.get(f"/api/v1/bargains/{page['id']}").json()["code"] == "bargain_not_found"
    address = AddressFactory.create(member=member)
    body = {"items": [{"sku_id": mine["sku_id"], "qty": 1}], "address_id": address.pk, "deal": mine["deal"]}
    placed = member_client.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY="buy-1")
    assert placed.status_code == 201, placed.json()
    assert placed.json()["lines"][0]["unit_price"] == 19900 - cut
    assert Bargain.objects.get(pk=page["id"]).status == BargainStatus.ORDERED
    late = client_for(MemberFactory.create()).post(f"/api/v1/bargains/share/{token}/help")
    assert (late.status_code, late.json()["code"]) == (409, "bargain_closed")
    closed = member_client.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY="buy-2")
    assert (closed.status_code, closed.json()["code"]) == (409, "bargain_closed")

    listed_mine = member_client.get("/api/v1/me/bargains").json()
    assert listed_mine["count"] == 1 and listed_mine["results"][0]["status"] == "ordered"


def test_errors_for_unknown_campaigns_and_links(member_client: APIClient, campaign: Any) -> None:
    assert member_client.post("/api/v1/bargains/campaigns/999999/start").json()["code"] == "bargain_campaign_not_found"
    assert member_client.get("/api/v1/bargains/share/nope").json()["code"] == "bargain_not_found"
    assert member_client.post("/api/v1/bargains/share/nope/help").json()["code"] == "bargain_not_found"
    assert APIClient().post(f"/api/v1/bargains/campaigns/{campaign.pk}/start").status_code == 401


def test_the_bargain_page_is_two_queries_whatever_the_number_of_helpers(
    campaign: Any, member: Member, django_assert_max_num_queries: Any
) -> None:
    bargain = bargain_start(context=SHOPPER_CONTEXT, member=member, campaign_id=campaign.pk).bargain
    bargain_help(context=SHOPPER_CONTEXT, helper=MemberFactory.create(), share_token=bargain.share_token)
    viewer = client_for(MemberFactory.create())
    with django_assert_max_num_queries(3):  # auth, bargain + campaign + sku + product + initiator, helps
        small = viewer.get(f"/api/v1/bargains/share/{bargain.share_token}").json()
    for helper in MemberFactory.create_batch(12):
        bargain_help(context=SHOPPER_CONTEXT, helper=helper, share_token=bargain.share_token)
    with django_assert_max_num_queries(3):
        big = viewer.get(f"/api/v1/bargains/share/{bargain.share_token}").json()
    assert (len(small["helpers"]), len(big["helpers"])) == (1, 13)
    assert big["progress_text"].startswith("再砍 ¥")


def test_my_bargains_in_fixed_queries(
    make_bargain_campaign: Callable[..., Any],
    make_sku: Callable[..., Sku],
    snacks: Any,
    member: Member,
    member_client: APIClient,
    django_assert_max_num_queries: Any,
) -> None:
    for i in range(4):
        sku = make_sku(f"GIFT-{i}", 9900, snacks)
        bargain_start(
            context=SHOPPER_CONTEXT,
            member=member,
            campaign_id=make_bargain_campaign(sku, helpers_min=5, helpers_max=10).pk,
        )
    with django_assert_max_num_queries(3):  # auth, count, page
        body = member_client.get("/api/v1/me/bargains").json()
    assert body["count"] == 4 and body["results"][0]["progress_text"] == "再砍 ¥99.00 即可免费拿"
