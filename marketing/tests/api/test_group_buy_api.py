"""拼团 through the mini-program API: the product's campaign, opening and joining with the deal
object through checkout, the friend's landing page by share token, my groups — with pinned
query counts (the group page is one call whatever the number of members)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from mall.models import Sku
from marketing.models import GroupBuyGroup, GroupStatus
from marketing.tests.conftest import group_of, group_order, pay
from members.models import Member
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(make_group_campaign: Callable[..., Any], cream: Sku) -> Any:
    return make_group_campaign(cream, group_size=5, per_member_limit=None)


def _place(client: APIClient, member: Member, sku: Sku, deal: dict[str, Any], key: str) -> Any:
    address = member.addresses.first() or AddressFactory.create(member=member)
    body = {"items": [{"sku_id": sku.pk, "qty": 1}], "address_id": address.pk, "deal": deal}
    return client.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def _pay(client: APIClient, no: str) -> None:
    started = client.post(f"/api/v1/orders/{no}/pay", format="json")
    assert started.status_code == 200, started.json()
    done = client.post(f"/api/v1/payments/sandbox/{started.json()['out_trade_no']}/complete", format="json")
    assert done.status_code == 200, done.json()


def test_a_shopper_opens_a_group_from_the_product_page_and_a_friend_joins_by_its_link(
    campaign: Any, cream: Sku, member: Member, member_client: APIClient, other_member: Member
) -> None:
    listed = member_client.get(f"/api/v1/group-buys?product_id={cream.product_id}")
    assert listed.status_code == 200
    (card,) = listed.json()
    assert (card["id"], card["group_size"], card["lowest_price"], card["list_price"]) == (campaign.pk, 5, 2900, 5900)

    detail = member_client.get(f"/api/v1/group-buys/{campaign.pk}").json()
    assert detail["is_open"] is True and detail["open_groups"] == []
    deal = detail["deal"]
    address = AddressFactory.create(member=member)
    preview = member_client.post(
        "/api/v1/checkout/preview",
        {"items": [{"sku_id": cream.pk, "qty": 1}], "address_id": address.pk, "deal": deal},
        format="json",
    )
    assert preview.status_code == 200, preview.json()
    assert preview.json()["lines"][0]["unit_price"] == 2900

    placed = _place(member_client, member, cream, deal, "open-1")
    assert placed.status_code == 201, placed.json()
    assert (placed.json()["deal_kind"], placed.json()["ship_hold"]) == ("group", "group_forming")
    _pay(member_client, placed.json()["no"])
    group_id = placed.json()["deal_ref"]

    mine = member_client.get(f"/api/v1/groups/{group_id}").json()
    assert (mine["status"], mine["status_text"], mine["mine"]["is_leader"]) == ("open", "还差 4 人成团", True)
    token = mine["share_token"]

    landing = APIClient().get(f"/api/v1/groups/share/{token}")  # the friend, not signed in yet
    assert landing.status_code == 200
    page = landing.json()
    assert (page["seats_left"], page["can_join"], page["mine"]) == (4, True, None)
    assert [m["nickname"] for m in page["members"]] == ["小明"]
    assert page["members"][0]["is_leader"] is True

    friend_client = client_for(other_member)
    joined = _place(friend_client, other_member, cream, page["deal"], "join-1")
    assert joined.status_code == 201, joined.json()
    _pay(friend_client, joined.json()["no"])
    again = friend_client.get(f"/api/v1/groups/share/{token}").json()
    assert (again["seats_left"], again["can_join"], again["join_refusal"]) == (3, False, "group_already_joined")
    assert again["status_text"] == "还差 3 人成团"

    twice = _place(friend_client, other_member, cream, page["deal"], "join-2")
    assert (twice.status_code, twice.json()["code"]) == (409, "group_already_joined")
    assert friend_client.get(f"/api/v1/groups/{group_id}").status_code == 200
    outsider = client_for(MemberFactory.create())
    assert outsider.get(f"/api/v1/groups/{group_id}").json()["code"] == "group_not_found"


def test_refusals_have_stable_codes(
    make_group_campaign: Callable[..., Any], cream: Sku, member: Member, member_client: APIClient
) -> None:
    campaign = make_group_campaign(cream, group_size=2)
    group = group_of(pay(group_order(MemberFactory.create(), campaign, cream)))
    group_order(MemberFactory.create(), campaign, cream, token=group.share_token)
    full = _place(
        member_client,
        member,
        cream,
        {"kind": "group", "ref": campaign.pk, "params": {"share_token": group.share_token}},
        "k1",
    )
    assert (full.status_code, full.json()["code"]) == (409, "group_full")
    unknown = _place(
        member_client, member, cream, {"kind": "group", "ref": campaign.pk, "params": {"share_token": "x"}}, "k2"
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "group_not_found")
    odd = _place(member_client, member, cream, {"kind": "group", "ref": campaign.pk, "params": {"seat": 3}}, "k3")
    assert (odd.status_code, odd.json()["code"]) == (400, "deal_invalid")
    assert member_client.get("/api/v1/groups/share/nope").status_code == 404
    assert member_client.get("/api/v1/group-buys/999999").json()["code"] == "group_buy_not_found"


def test_the_group_page_is_one_call_in_a_fixed_number_of_queries(
    campaign: Any, cream: Sku, django_assert_max_num_queries: Any
) -> None:
    members = MemberFactory.create_batch(5)
    group = group_of(pay(group_order(members[0], campaign, cream)))
    viewer = client_for(MemberFactory.create())
    with django_assert_max_num_queries(6):  # auth, group+campaign+product, items, seats, new-shopper, limit
        small = viewer.get(f"/api/v1/groups/share/{group.share_token}")
    for m in members[1:4]:
        pay(group_order(m, campaign, cream, token=group.share_token))
    with django_assert_max_num_queries(6):
        big = viewer.get(f"/api/v1/groups/share/{group.share_token}")
    assert (len(small.json()["members"]), len(big.json()["members"])) == (1, 4)
    assert big.json()["status_text"] == "还差 1 人成团"


def test_my_groups_lists_every_group_with_avatars_in_fixed_queries(
    make_group_campaign: Callable[..., Any],
    cream: Sku,
    member: Member,
    member_client: APIClient,
    django_assert_max_num_queries: Any,
) -> None:
    campaign = make_group_campaign(cream, group_size=3, per_member_limit=None)
    for _ in range(4):
        group = group_of(pay(group_order(MemberFactory.create(), campaign, cream)))
        pay(group_order(member, campaign, cream, token=group.share_token))
    with django_assert_max_num_queries(4):  # auth, count, page, paid members
        listed = member_client.get("/api/v1/me/groups")
    body = listed.json()
    assert body["count"] == 4
    assert all(len(row["avatars"]) == 2 and row["seats_left"] == 1 for row in body["results"])
    assert GroupBuyGroup.objects.filter(status=GroupStatus.OPEN).count() == 4


def test_the_campaign_page_shows_groups_open_to_join(
    campaign: Any, cream: Sku, member_client: APIClient, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        pay(group_order(MemberFactory.create(avatar_url="https://img.example.com/a.png"), campaign, cream))
    with django_assert_max_num_queries(5):  # auth, campaign+product, items, open groups, my participations
        detail = member_client.get(f"/api/v1/group-buys/{campaign.pk}").json()
    assert len(detail["open_groups"]) == 3
    assert detail["open_groups"][0]["leader"]["avatar_url"] == "https://img.example.com/a.png"
    assert detail["open_groups"][0]["seats_left"] == 4
