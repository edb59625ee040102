"""openids, unionids, invite codes, device ids and ledger refs are exact in the database.

WeChat openids are case-sensitive: "oUpF8u…" and "oupf8u…" are two WeChat users, who under a
case-insensitive collation would have signed in as one shopper.
"""

from __future__ import annotations

import pytest
import responses
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from members.errors import BlockEntryExists
from members.models import BlockEntry, Member, PointsEntry
from members.models.abuse import BlockKind
from members.services.abuse import block_entry_create
from members.tests.factories import MemberFactory
from members.tests.wechat_stubs import stub_code2session

pytestmark = pytest.mark.django_db

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


def _login(wechat_api: responses.RequestsMock, openid: str, **body: object) -> dict:
    stub_code2session(wechat_api, openid=openid)
    response = APIClient().post("/api/v1/auth/wechat-login", {"code": "c", **body}, format="json")
    assert response.status_code == 200, response.json()
    wechat_api.reset()
    return response.json()


def test_openids_differing_in_case_or_trailing_space_are_different_shoppers(wechat_api: responses.RequestsMock) -> None:
    first = _login(wechat_api, OPENID)
    others = [_login(wechat_api, variant) for variant in (OPENID.lower(), OPENID.upper(), OPENID + " ")]
    assert first["is_new"] is True
    assert [o["is_new"] for o in others] == [True, True, True]
    ids = {first["member"]["id"], *(o["member"]["id"] for o in others)}
    assert len(ids) == 4
    again = _login(wechat_api, OPENID)
    assert (again["is_new"], again["member"]["id"]) == (False, first["member"]["id"])
    assert Member.objects.get(openid=OPENID).pk == first["member"]["id"]


def test_openid_and_unionid_stay_unique_exactly() -> None:
    MemberFactory.create(openid=OPENID, unionid="oABCunion")
    MemberFactory.create(openid=OPENID.lower(), unionid="oabcunion")
    assert Member.objects.filter(unionid="oABCunion ").count() == 0
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory.create(openid=OPENID)
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory.create(unionid="oABCunion")


def test_invite_codes_are_exact_in_the_database_and_typed_codes_are_normalised(
    wechat_api: responses.RequestsMock,
) -> None:
    inviter = MemberFactory.create(invite_code="A1B2C3D4")
    assert Member.objects.filter(invite_code="a1b2c3d4").count() == 0
    assert Member.objects.filter(invite_code="A1B2C3D4 ").count() == 0
    # A shopper typing the code: login upper-cases and strips it on purpose (codes are upper case).
    invitee = _login(wechat_api, "oInvitee0001", invite_code=" a1b2c3d4 ")
    assert Member.objects.get(pk=invitee["member"]["id"]).inviter_id == inviter.pk


def test_device_ids_differing_in_case_are_blocked_separately() -> None:
    staff = User.objects.create_superuser(username="boss", password="x", email="boss@example.com")
    block_entry_create(actor=staff, kind=BlockKind.DEVICE, value="Dev-A1")
    block_entry_create(actor=staff, kind=BlockKind.DEVICE, value="dev-a1")
    assert sorted(BlockEntry.objects.values_list("value", flat=True)) == ["Dev-A1", "dev-a1"]
    with pytest.raises(BlockEntryExists):
        block_entry_create(actor=staff, kind=BlockKind.DEVICE, value="Dev-A1")


def test_ledger_refs_are_exact() -> None:
    member = MemberFactory.create()
    reason = PointsEntry.Reason.GRANT
    PointsEntry.objects.create(member=member, delta=10, reason=reason, ref="Order:ABC")
    PointsEntry.objects.create(member=member, delta=10, reason=reason, ref="order:abc")
    PointsEntry.objects.create(member=member, delta=10, reason=reason, ref="Order:ABC ")
    assert PointsEntry.objects.filter(ref="Order:ABC").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(member=member, delta=10, reason=reason, ref="Order:ABC")
