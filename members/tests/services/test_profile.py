"""Profile updates: validated phone and avatar, a birthday that can be set only once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from members.errors import AvatarUrlInvalid, BirthdayAlreadySet, BirthdayInvalid, NicknameInvalid, PhoneInvalid
from members.models import Member
from members.services.profile import member_update_profile

pytestmark = pytest.mark.django_db


def test_updates_the_given_fields_and_normalises_the_phone(member: Member) -> None:
    updated = member_update_profile(
        member=member,
        nickname="  阿明 ",
        avatar_url="https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132",
        phone="+86 138-0013-8000",
    )

    member.refresh_from_db()
    assert (member.nickname, member.phone) == ("阿明", "13800138000")
    assert member.avatar_url == "https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132"
    assert updated.phone == "13800138000"


def test_fields_left_out_stay_unchanged_and_empty_phone_clears(member: Member) -> None:
    member_update_profile(member=member, phone="13912345678", nickname="甲")

    member_update_profile(member=member, phone="")

    member.refresh_from_db()
    assert member.phone == ""
    assert member.nickname == "甲"


@pytest.mark.parametrize("phone", ["1380013800", "138001380001", "23800138000", "12800138000", "1380013800a"])
def test_phone_must_be_a_mainland_mobile(member: Member, phone: str) -> None:
    with pytest.raises(PhoneInvalid) as raised:
        member_update_profile(member=member, phone=phone)

    assert raised.value.code == "phone_invalid"
    member.refresh_from_db()
    assert member.phone == ""


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://x.cn/a.png", "wxfile://tmp_abc.jpg", "https://" + "a" * 500 + ".cn"]
)
def test_avatar_url_must_be_a_web_url(member: Member, url: str) -> None:
    with pytest.raises(AvatarUrlInvalid):
        member_update_profile(member=member, avatar_url=url)


@pytest.mark.parametrize("nickname", ["", "   ", "长" * 65])
def test_nickname_must_have_1_to_64_characters(member: Member, nickname: str) -> None:
    with pytest.raises(NicknameInvalid):
        member_update_profile(member=member, nickname=nickname)


def test_birthday_can_be_set_once(member: Member) -> None:
    member_update_profile(member=member, birthday=dt.date(1995, 5, 20))
    # Sending the same date again (an edit form echoing it) is fine.
    member_update_profile(member=member, birthday=dt.date(1995, 5, 20))

    with pytest.raises(BirthdayAlreadySet) as raised:
        member_update_profile(member=member, birthday=dt.date(1995, 5, 21), nickname="不会保存")

    assert raised.value.status == 409
    member.refresh_from_db()
    assert member.birthday == dt.date(1995, 5, 20)
    assert member.nickname == "小明"


@time_machine.travel("2026-06-01 09:00 +0800", tick=False)
@pytest.mark.parametrize("birthday", [dt.date(2026, 6, 2), dt.date(1899, 12, 31)])
def test_birthday_must_be_a_plausible_past_date(member: Member, birthday: dt.date) -> None:
    with pytest.raises(BirthdayInvalid):
        member_update_profile(member=member, birthday=birthday)

    member.refresh_from_db()
    assert member.birthday is None
