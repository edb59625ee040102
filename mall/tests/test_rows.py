"""``row_by_pk`` and ``row_by`` give what the ORM gives for one row, without compiling a query per call."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from mall.models import ShopSettings, Sku
from mall.rows import row_by, row_by_pk
from mall.tests.factories import SkuFactory
from members.models import Member
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _values(instance: Any) -> dict[str, tuple[type, Any]]:
    return {
        f.attname: (type(getattr(instance, f.attname)), getattr(instance, f.attname))
        for f in instance._meta.concrete_fields
    }


def test_a_member_reads_the_same_as_through_the_orm(django_assert_num_queries: Any) -> None:
    inviter = MemberFactory.create()
    member = MemberFactory.create(
        inviter=inviter,
        birthday=dt.date(1990, 5, 17),
        is_blocked=True,
        last_login_at=timezone.now(),
        tier=Member.Tier.GOLD,
    )
    with django_assert_num_queries(1):
        fast = row_by_pk(Member, member.pk)
    assert fast is not None
    assert _values(fast) == _values(Member.objects.get(pk=member.pk))
    assert fast.last_login_at is not None and timezone.is_aware(fast.last_login_at)
    assert fast.is_blocked is True and fast._state.adding is False and fast._state.db == "default"


def test_the_instance_saves_as_an_update_and_a_missing_row_is_none() -> None:
    member = MemberFactory.create()
    fast = row_by_pk(Member, member.pk)
    assert fast is not None
    fast.nickname = "改名"
    fast.save(update_fields=["nickname"])
    assert Member.objects.get(pk=member.pk).nickname == "改名" and Member.objects.count() == 1
    assert row_by_pk(Member, member.pk + 1000) is None


def test_json_and_other_models_convert_like_the_orm() -> None:
    sku = SkuFactory.create(specs={"颜色": "红", "尺码": "M"})
    fast = row_by_pk(Sku, sku.pk)
    assert fast is not None and _values(fast) == _values(Sku.objects.get(pk=sku.pk))
    assert fast.specs == {"颜色": "红", "尺码": "M"}
    shop = ShopSettings.load()
    assert _values(row_by_pk(ShopSettings, shop.pk)) == _values(ShopSettings.objects.get(pk=shop.pk))


def test_a_row_by_its_unique_key_reads_the_same_as_through_the_orm(django_assert_num_queries: Any) -> None:
    sku = SkuFactory.create(specs={"颜色": "红"})
    with django_assert_num_queries(1):
        fast = row_by(Sku, code=sku.code)
    assert fast is not None and _values(fast) == _values(Sku.objects.get(pk=sku.pk))
    assert row_by(Sku, product_id=sku.product_id, code=sku.code) is not None
    assert row_by(Sku, product_id=sku.product_id + 1000, code=sku.code) is None
