"""factory_boy factories for marketing rows (tests that need a rule the services would refuse
build it through the services instead; these are for plain, valid rows)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from marketing.models import Coupon, CouponChannel, CouponKind, CouponTemplate, Promotion, PromotionType
from members.tests.factories import MemberFactory


class CouponTemplateFactory(DjangoModelFactory[CouponTemplate]):
    """满100减20, shop group, claimable, 7 days after claim, unlimited, one per shopper."""

    class Meta:
        model = CouponTemplate

    name = factory.Sequence(lambda n: f"券{n}")
    kind = CouponKind.AMOUNT_OFF
    group = "shop"
    channel = CouponChannel.CLAIM
    threshold = 10000
    off = 2000
    valid_days = 7
    per_user_limit = 1


class CouponFactory(DjangoModelFactory[Coupon]):
    """An unused coupon valid from yesterday for a week."""

    class Meta:
        model = Coupon

    template = factory.SubFactory(CouponTemplateFactory)
    member = factory.SubFactory(MemberFactory)
    seq = factory.Sequence(lambda n: n + 1)
    valid_from = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    valid_until = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class PromotionFactory(DjangoModelFactory[Promotion]):
    """满100减15 over the whole shop, running from yesterday for a month."""

    class Meta:
        model = Promotion

    type = PromotionType.FULL_REDUCTION
    name = factory.Sequence(lambda n: f"活动{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    rules = factory.LazyFunction(lambda: {"tiers": [{"threshold": "100.00", "off": "15.00"}]})
