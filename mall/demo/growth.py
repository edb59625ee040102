"""The demo shop's invite rewards (F04) and distribution (F06), so their console pages have rows.

Everything goes through the services, by the owner account: two products with their own
commission rate, two approved promoters (the first with a few shoppers who opened their link)
and one application waiting for review. A second run finds the promoters and changes nothing.
The invite programme itself comes with the migrations (3 invitees → 无门槛20元 each, 10%).
"""

from __future__ import annotations

from decimal import Decimal

from mall.demo.marketing import _owner
from mall.demo.shop import SHOPPER_OPENID_PREFIX
from mall.models import Product
from marketing.models import Promoter
from marketing.services.distribution import (
    attribution_click,
    product_commission_set,
    promoter_apply,
    promoter_approve,
)
from members.models import Member

# (product title fragment, rate): a serum pays the most, a traffic snack the least.
PRODUCT_RATES = (("精华", Decimal("0.15")), ("每日坚果", Decimal("0.05")))
PROMOTERS = (
    ("林晓", "13800138001", "美妆博主，常在小红书分享护肤心得", True),
    ("陈静", "13800138002", "宝妈群群主，群里 300 位妈妈", True),
    ("王磊", "13800138003", "想给朋友推荐好物", False),
)
CUSTOMERS_OF_FIRST = 5


def build_growth() -> dict[str, int]:
    """Product rates, promoters and a few attributions; returns how many rows were created."""
    counts = {"promoters": 0, "product_commissions": 0, "attributions": 0}
    shoppers = list(Member.objects.filter(openid__startswith=SHOPPER_OPENID_PREFIX).order_by("pk"))
    if len(shoppers) < len(PROMOTERS) + CUSTOMERS_OF_FIRST or Promoter.objects.exists():
        return counts
    owner = _owner()
    for fragment, rate in PRODUCT_RATES:
        product = Product.objects.filter(title__contains=fragment).order_by("pk").first()
        if product is not None:
            product_commission_set(actor=owner, product_id=product.pk, rate=rate)
            counts["product_commissions"] += 1
    promoters = []
    for member, (real_name, phone, reason, approve) in zip(shoppers, PROMOTERS, strict=False):
        promoter = promoter_apply(member=member, real_name=real_name, phone=phone, reason=reason)
        if approve:
            promoter = promoter_approve(actor=owner, promoter_id=promoter.pk, note="演示数据")
        promoters.append(promoter)
        counts["promoters"] += 1
    for customer in shoppers[len(PROMOTERS) : len(PROMOTERS) + CUSTOMERS_OF_FIRST]:
        attribution_click(member=customer, code=promoters[0].code)
        counts["attributions"] += 1
    return counts
