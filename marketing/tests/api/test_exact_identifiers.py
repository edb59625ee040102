"""Share tokens are exact: a link differing in case or by a trailing space opens nothing.

Tokens are 22 URL-safe base64 characters (upper and lower case): under a case-insensitive
collation "AbC…" and "abc…" named the same group, and two tokens differing only in case could
not both exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from mall.models import Sku
from marketing.models import Bargain, BargainHelp, GroupBuyGroup, Promoter
from marketing.services.bargains import bargain_start
from marketing.tests.conftest import group_of, group_order, pay
from members.models import Member
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT, client_for

pytestmark = pytest.mark.django_db

TOKEN = "AbCdEfGhIjKlMnOpQrStUv"


def variants(token: str) -> list[str]:
    return [token.lower(), token.upper(), token + " ", token + "  "]


def test_a_group_link_differing_in_case_or_a_trailing_space_opens_nothing(
    make_group_campaign: Callable[..., Any], cream: Sku, member: Member
) -> None:
    campaign = make_group_campaign(cream)
    group = group_of(pay(group_order(member, campaign, cream)))
    GroupBuyGroup.objects.filter(pk=group.pk).update(share_token=TOKEN)
    anyone = APIClient()
    assert anyone.get(f"/api/v1/groups/share/{TOKEN}").status_code == 200
    for variant in variants(TOKEN):
        response = anyone.get(f"/api/v1/groups/share/{quote(variant)}")
        assert (response.status_code, response.json()["code"]) == (404, "group_not_found"), variant


def test_a_bargain_link_differing_in_case_or_a_trailing_space_opens_and_helps_nothing(
    make_bargain_campaign: Callable[..., Any], speaker: Sku, member: Member
) -> None:
    campaign = make_bargain_campaign(speaker)
    bargain = bargain_start(member=member, campaign_id=campaign.pk, context=SHOPPER_CONTEXT).bargain
    Bargain.objects.filter(pk=bargain.pk).update(share_token=TOKEN)
    friend = client_for(MemberFactory.create(nickname="好友"))
    assert friend.get(f"/api/v1/bargains/share/{TOKEN}").status_code == 200
    for variant in variants(TOKEN):
        response = friend.get(f"/api/v1/bargains/share/{quote(variant)}")
        assert (response.status_code, response.json()["code"]) == (404, "bargain_not_found"), variant
        helped = friend.post(f"/api/v1/bargains/share/{quote(variant)}/help", format="json")
        assert (helped.status_code, helped.json()["code"]) == (404, "bargain_not_found"), variant
    assert BargainHelp.objects.count() == 0
    assert Bargain.objects.get(pk=bargain.pk).current_price == speaker.price


def test_tokens_and_codes_differing_only_in_case_are_distinct_and_unique_exactly(
    make_group_campaign: Callable[..., Any], cream: Sku
) -> None:
    campaign = make_group_campaign(cream)
    leaders = MemberFactory.create_batch(3)
    for leader, token in zip(leaders, [TOKEN, TOKEN.lower(), TOKEN + " "], strict=True):
        group = group_of(pay(group_order(leader, campaign, cream)))
        GroupBuyGroup.objects.filter(pk=group.pk).update(share_token=token)
    assert GroupBuyGroup.objects.get(share_token=TOKEN).leader_id == leaders[0].pk
    assert GroupBuyGroup.objects.get(share_token=TOKEN.lower()).leader_id == leaders[1].pk
    # Promoter codes: generated upper case; the column itself is exact.
    promoters = [
        Promoter.objects.create(
            member=MemberFactory.create(), code=code, real_name="推广员", phone="13800000000", applied_at=timezone.now()
        )
        for code in ("PAB12CD34", "pab12cd34", "PAB12CD34 ")
    ]
    assert Promoter.objects.get(code="PAB12CD34").pk == promoters[0].pk
    assert Promoter.objects.filter(code="Pab12cd34").count() == 0
    with pytest.raises(IntegrityError), transaction.atomic():
        Promoter.objects.create(
            member=MemberFactory.create(), code="pab12cd34", real_name="重复", phone="1", applied_at=timezone.now()
        )
