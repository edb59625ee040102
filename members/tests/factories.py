"""factory_boy factories for shoppers and their addresses (used by every app's tests)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from members.models import Address, Member


class MemberFactory(DjangoModelFactory[Member]):
    class Meta:
        model = Member

    openid = factory.Sequence(lambda n: f"o_test_openid_{n:06d}")
    nickname = factory.Sequence(lambda n: f"会员{n}")
    session_key = "test-session-key"


class AddressFactory(DjangoModelFactory[Address]):
    """A plain (non-default) address; use the address services when the default rule matters."""

    class Meta:
        model = Address

    member = factory.SubFactory(MemberFactory)
    receiver = factory.Sequence(lambda n: f"收货人{n}")
    phone = "13800138000"
    province = "广东省"
    city = "深圳市"
    district = "南山区"
    detail = factory.Sequence(lambda n: f"科技园路 {n} 号")
    is_default = False
