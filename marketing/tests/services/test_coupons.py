"""Coupon templates and coupons: validation refusals, claiming, the new-user pack, expiry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from mall.errors import PermissionDenied
from mall.models import AuditLog, Sku
from marketing.errors import (
    CouponLimitReached,
    CouponNewUserOnly,
    CouponNotClaimable,
    CouponSoldOut,
    CouponTemplateNotFound,
    RulesInvalid,
)
from marketing.models import Coupon, CouponChannel, CouponStatus, CouponTemplate
from marketing.services.coupons import (
    coupon_claim,
    coupon_template_create,
    coupon_template_update,
    coupons_expire_due,
    new_user_pack_issue,
)
from marketing.tests.conftest import place, template_data
from members.models import Member
from members.services.auth import member_login_dev
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db

AT = datetime(2026, 6, 18, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "amount_off", "threshold": 5000, "off": 5000}, "off"),  # off ≥ threshold
        ({"kind": "amount_off", "off": 0}, "off"),
        ({"kind": "no_threshold", "threshold": 1000, "off": 500}, "threshold"),
        ({"kind": "rate_off", "rate": Decimal("1.2"), "off": 0}, "rate"),
        ({"kind": "rate_off", "rate": Decimal("0"), "off": 0}, "rate"),
        ({"kind": "rate_off", "rate": None, "off": 0}, "rate"),
        ({"valid_days": None}, "valid_days"),  # no validity at all
        ({"valid_from": AT}, "valid_days"),  # both kinds of validity
        ({"valid_days": None, "valid_from": AT, "valid_until": AT - timedelta(hours=1)}, "valid_until"),
        ({"per_user_limit": 0}, "per_user_limit"),
        ({"name": "  "}, "name"),
        ({"group": "vip"}, "group"),
    ],
)
def test_impossible_templates_are_refused_in_chinese(staff: User, overrides: dict, field: str) -> None:
    with pytest.raises(RulesInvalid) as caught:
        coupon_template_create(actor=staff, data=template_data(**overrides))
    assert field in caught.value.details["errors"]
    message = caught.value.details["errors"][field]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert not CouponTemplate.objects.filter(name=overrides.get("name", "店铺券")).exists()


def test_create_is_audited_with_the_staff_actor(staff: User, lipstick: Sku) -> None:
    template = coupon_template_create(
        actor=staff, data=template_data(name="美妆券", sku_ids=(lipstick.pk,), threshold=5000, off=1000)
    )
    assert list(template.skus.all()) == [lipstick]
    log = AuditLog.objects.get(action="coupon_template.create")
    assert (log.actor, log.target_id, log.data["threshold"]) == (staff, str(template.pk), 5000)


def test_shoppers_and_anonymous_cannot_edit_templates(member: Member) -> None:
    with pytest.raises(PermissionDenied):
        coupon_template_create(actor=None, data=template_data())


def test_quota_cannot_be_lowered_below_what_was_issued(
    staff: User, make_template: Callable[..., CouponTemplate], member: Member, other_member: Member
) -> None:
    template = make_template(total_quantity=5)
    coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=template.pk)
    coupon_claim(context=SHOPPER_CONTEXT, member=other_member, template_id=template.pk)
    with pytest.raises(RulesInvalid) as caught:
        coupon_template_update(actor=staff, template_id=template.pk, data=template_data(total_quantity=1))
    assert "total_quantity" in caught.value.details["errors"]
    updated = coupon_template_update(actor=staff, template_id=template.pk, data=template_data(total_quantity=2))
    assert (updated.total_quantity, updated.issued_count) == (2, 2)


def test_claim_gives_a_coupon_valid_for_n_days(make_template: Callable[..., CouponTemplate], member: Member) -> None:
    template = make_template(valid_days=7)
    with time_machine.travel("2026-06-18 10:00 +0800", tick=False):
        coupon = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=template.pk)
        assert coupon.valid_from == timezone.now()
        assert coupon.valid_until == timezone.now() + timedelta(days=7)
    assert (coupon.status, coupon.member, coupon.seq) == (CouponStatus.UNUSED, member, 1)
    assert CouponTemplate.objects.get(pk=template.pk).issued_count == 1


def test_claim_of_a_fixed_window_template_copies_the_window(
    make_template: Callable[..., CouponTemplate], member: Member
) -> None:
    start, end = timezone.now() - timedelta(hours=1), timezone.now() + timedelta(days=3)
    template = make_template(valid_days=None, valid_from=start, valid_until=end)
    coupon = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=template.pk)
    assert (coupon.valid_from, coupon.valid_until) == (start, end)


def test_per_shopper_limit_and_quota(
    make_template: Callable[..., CouponTemplate], member: Member, other_member: Member
) -> None:
    template = make_template(per_user_limit=2, total_quantity=3)
    first = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=template.pk)
    second = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=template.pk)
    assert (first.seq, second.seq) == (1, 2)
    with pytest.raises(CouponLimitReached):
        coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=template.pk)
    coupon_claim(context=SHOPPER_CONTEXT, member=other_member, template_id=template.pk)
    with pytest.raises(CouponSoldOut):
        coupon_claim(context=SHOPPER_CONTEXT, member=other_member, template_id=template.pk)
    assert CouponTemplate.objects.get(pk=template.pk).issued_count == 3
    assert Coupon.objects.filter(template=template).count() == 3


def test_inactive_ended_and_pack_templates_cannot_be_claimed(
    make_template: Callable[..., CouponTemplate], member: Member
) -> None:
    inactive = make_template(is_active=False)
    ended = make_template(
        valid_days=None, valid_from=timezone.now() - timedelta(days=3), valid_until=timezone.now() - timedelta(days=1)
    )
    pack = make_template(channel=CouponChannel.NEW_USER_PACK)
    with pytest.raises(CouponNotClaimable):
        coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=inactive.pk)
    with pytest.raises(CouponNotClaimable):
        coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=ended.pk)
    with pytest.raises(CouponTemplateNotFound):
        coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=pack.pk)
    with pytest.raises(CouponTemplateNotFound):
        coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=987654)
    assert not Coupon.objects.filter(member=member).exists()


def test_new_user_only_templates_refuse_shoppers_with_an_order(
    make_template: Callable[..., CouponTemplate], member: Member, lipstick: Sku, shop: object
) -> None:
    template = make_template(new_user_only=True, per_user_limit=2)
    coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=template.pk)
    place(member, [(lipstick, 1)])
    with pytest.raises(CouponNewUserOnly):
        coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=template.pk)


def test_new_user_pack_is_issued_once(pack_templates: list[CouponTemplate], member: Member) -> None:
    issued = new_user_pack_issue(member=member)
    assert sorted(c.template.name for c in issued) == sorted(t.name for t in pack_templates)
    assert all(c.valid_until - c.valid_from == timedelta(days=7) for c in issued)
    assert new_user_pack_issue(member=member) == []
    assert Coupon.objects.filter(member=member).count() == 3


def test_a_sold_out_pack_template_is_skipped_not_fatal(
    staff: User, pack_templates: list[CouponTemplate], member: Member, other_member: Member
) -> None:
    CouponTemplate.objects.filter(pk=pack_templates[0].pk).update(total_quantity=1)
    new_user_pack_issue(member=other_member)
    issued = new_user_pack_issue(member=member)
    assert {c.template_id for c in issued} == {pack_templates[1].pk, pack_templates[2].pk}


def test_first_registration_issues_the_pack_and_a_second_login_does_not(
    pack_templates: list[CouponTemplate],
) -> None:
    first = member_login_dev(context=SHOPPER_CONTEXT, openid="dev_pack_test")
    again = member_login_dev(context=SHOPPER_CONTEXT, openid="dev_pack_test")
    assert (first.is_new, again.is_new) == (True, False)
    coupons = Coupon.objects.filter(member=first.member)
    assert coupons.count() == 3
    assert {c.template_id for c in coupons} == {t.pk for t in pack_templates}


def test_expiry_marks_only_unused_coupons_past_their_window(
    make_template: Callable[..., CouponTemplate], member: Member
) -> None:
    template = make_template(valid_days=1, per_user_limit=2)
    old = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=template.pk)
    with time_machine.travel(timezone.now() + timedelta(hours=12), tick=False):
        fresh = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=template.pk)
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        assert coupons_expire_due() == 1
    assert Coupon.objects.get(pk=old.pk).status == CouponStatus.EXPIRED
    assert Coupon.objects.get(pk=fresh.pk).status == CouponStatus.UNUSED
