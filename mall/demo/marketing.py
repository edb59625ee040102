"""The demo shop's campaigns: the brief's examples, running when ``make run`` starts.

Every campaign is created through its tool's service (as the merchant's console would), by
the owner account, and named so that a second run finds it and leaves it alone. Windows are
relative to now, so a fresh demo always has something running and something about to start.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import Category, Sku
from marketing.models import (
    BargainCampaign,
    CouponKind,
    CouponTemplate,
    FlashSlot,
    FlashSlotKind,
    FlashSlotStatus,
    GroupBuyCampaign,
    Promotion,
    PromotionType,
)
from marketing.services.bargains import BargainCampaignData, bargain_campaign_create
from marketing.services.coupons import CouponTemplateData, coupon_template_create
from marketing.services.flash_sales import (
    FlashItemData,
    FlashSlotData,
    flash_item_add,
    flash_slot_create,
    flash_slot_publish,
    flash_slots_generate,
)
from marketing.services.group_buys import GroupBuyCampaignData, GroupBuyItemData, group_buy_campaign_create
from marketing.services.promotions import PromotionData, promotion_create

# 满减 (F07), 限时折扣 (F11), 满赠 (F08), 第二件半价 (F09), by the brief's numbers.
FULL_REDUCTION = "全场满减 满99减10 · 满199减30 · 满299减50"
LIMITED_DISCOUNT = "美妆 24 小时限时 8 折"
FULL_GIFT = "满159 赠旅行装洁面"
SECOND_HALF = "零食第二件半价"
STEPPED = "新品首发阶梯价 前100件5折 · 101–300件6折"
GIFT_PRODUCT = "氨基酸温和洁面乳 120g"
# 拼团 (F03): list 59, 3-person 29; 砍价 (F05): 10–20 friends, 1–10 yuan a cut, down to 0.
GROUP_BUY = "3 人团 身体乳 29 元"
GROUP_PRODUCT = "烟酰胺焕亮身体乳"
BARGAIN = "好友助力 蓝牙音箱 199 砍到 0 元"
BARGAIN_PRODUCT = "便携蓝牙音箱"  # outside 美妆, where the 8折 would undercut it
# 秒杀 (F02): today's and tomorrow's 10:00 / 15:00 / 20:00 slots with 9.9 包邮 lead products;
# 限量发售 (F12): "仅售 N 件" running for a week.
FLASH_PRICE = 990
FLASH_QUOTA = 50
RELEASE = "限量发售 仅售 300 件"
# The group buy and the bargain have run for three weeks: mall.demo.tool_history fills them in.
HISTORY_DAYS = 21


def _owner() -> User:
    owner = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if owner is None:  # build_staff runs first; this only guards a partial database
        raise RuntimeError("the demo's campaigns need the owner account (build_staff)")
    return owner


def _category_id(name: str) -> int | None:
    return Category.objects.filter(name=name, parent__isnull=True).values_list("pk", flat=True).first()


def _promotions(now: datetime) -> list[PromotionData]:
    beauty, snacks = _category_id("美妆"), _category_id("零食")
    gift = Sku.objects.filter(product__title=GIFT_PRODUCT, is_active=True).order_by("price").first()
    wanted = [
        PromotionData(
            type=PromotionType.FULL_REDUCTION,
            name=FULL_REDUCTION,
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=30),
            rules={
                "tiers": [
                    {"threshold": "99.00", "off": "10.00"},
                    {"threshold": "199.00", "off": "30.00"},
                    {"threshold": "299.00", "off": "50.00"},
                ]
            },
        ),
    ]
    if beauty is not None:
        wanted.append(
            PromotionData(
                type=PromotionType.LIMITED_DISCOUNT,
                name=LIMITED_DISCOUNT,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=23),
                rules={"rate": "0.8"},
                category_ids=(beauty,),
            )
        )
    if gift is not None:
        wanted.append(
            PromotionData(
                type=PromotionType.FULL_GIFT,
                name=FULL_GIFT,
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=14),
                rules={"threshold": "159.00", "gift_sku": gift.code, "gift_qty": 1},
            )
        )
    launch = Sku.objects.filter(product__tags__name="新品", is_active=True).order_by("product_id", "pk").first()
    if launch is not None:
        wanted.append(
            PromotionData(
                type=PromotionType.STEPPED_PRICE,
                name=STEPPED,
                starts_at=now - timedelta(hours=2),
                ends_at=now + timedelta(days=7),
                rules={"sku": launch.code, "steps": [{"upto": 100, "rate": "0.5"}, {"upto": 300, "rate": "0.6"}]},
            )
        )
    if snacks is not None:
        wanted.append(
            PromotionData(
                type=PromotionType.NTH_ITEM,
                name=SECOND_HALF,
                starts_at=now + timedelta(days=1),  # 即将开始 in the marketing centre
                ends_at=now + timedelta(days=8),
                rules={"n": 2, "rate": "0.5"},
                category_ids=(snacks,),
            )
        )
    return wanted


def _coupons(now: datetime) -> list[CouponTemplateData]:
    beauty = _category_id("美妆")
    wanted = [
        CouponTemplateData(
            name="店铺券 满100减20",
            kind=CouponKind.AMOUNT_OFF,
            group="shop",
            threshold=10000,
            off=2000,
            valid_days=7,
            total_quantity=1000,
        ),
        CouponTemplateData(
            name="今日限时领 无门槛5元",
            kind=CouponKind.NO_THRESHOLD,
            group="platform",
            off=500,
            valid_from=now - timedelta(hours=1),
            valid_until=now + timedelta(days=3),
            total_quantity=500,
        ),
    ]
    if beauty is not None:
        wanted.append(
            CouponTemplateData(
                name="美妆品类券 满100减10",
                kind=CouponKind.AMOUNT_OFF,
                group="category",
                threshold=10000,
                off=1000,
                category_ids=(beauty,),
                valid_days=7,
            )
        )
    return wanted


def build_marketing(*, now: datetime | None = None) -> dict[str, int]:
    """Promotions and claimable coupons of the demo shop; returns how many were created."""
    now = now or timezone.now()
    owner = _owner()
    counts: dict[str, Any] = {"promotions": 0, "coupon templates": 0}
    existing = set(Promotion.objects.values_list("name", flat=True))
    for data in _promotions(now):
        if data.name not in existing:
            promotion_create(actor=owner, data=data)
            counts["promotions"] += 1
    templates = set(CouponTemplate.objects.values_list("name", flat=True))
    for template in _coupons(now):
        if template.name not in templates:
            coupon_template_create(actor=owner, data=template)
            counts["coupon templates"] += 1
    counts["flash slots"] = _flash_slots(owner, now)
    counts["limited releases"] = _release(owner, now)
    counts["group buys"] = _group_buy(owner, now)
    counts["bargains"] = _bargain(owner, now)
    return counts


def _group_buy(owner: User, now: datetime) -> int:
    sku = Sku.objects.filter(product__title=GROUP_PRODUCT, is_active=True).order_by("price").first()
    if sku is None or GroupBuyCampaign.objects.filter(name=GROUP_BUY).exists():
        return 0
    items = tuple(
        GroupBuyItemData(sku_id=other.pk, price=other.price * 29 // 59)  # 59 → 29, the brief's ratio
        for other in Sku.objects.filter(product_id=sku.product_id, is_active=True).order_by("pk")
    )
    group_buy_campaign_create(
        actor=owner,
        data=GroupBuyCampaignData(
            name=GROUP_BUY,
            product_id=sku.product_id,
            starts_at=now - timedelta(days=HISTORY_DAYS),
            ends_at=now + timedelta(days=14),
            items=items,
            group_size=3,
            duration_minutes=24 * 60,
            free_shipping=True,
        ),
    )
    return 1


def _bargain(owner: User, now: datetime) -> int:
    sku = Sku.objects.filter(product__title=BARGAIN_PRODUCT, is_active=True).order_by("-price").first()
    if sku is None or BargainCampaign.objects.filter(name=BARGAIN).exists():
        return 0
    bargain_campaign_create(
        actor=owner,
        data=BargainCampaignData(
            name=BARGAIN,
            sku_id=sku.pk,
            start_price=sku.price,
            floor_price=0,
            starts_at=now - timedelta(days=HISTORY_DAYS),
            ends_at=now + timedelta(days=14),
            helpers_min=10,
            helpers_max=20,
            cut_min=100,
            cut_max=1000,
            total_quantity=50,
            free_shipping=True,
        ),
    )
    return 1


def _lead_skus(count: int) -> list[Sku]:
    """引流品 (traffic products): one SKU each, the cheapest, with units on the shelf."""
    skus: list[Sku] = []
    for product_id in (
        Sku.objects.filter(product__tags__name="引流品", is_active=True, product__is_on_shelf=True)
        .order_by("product_id")
        .values_list("product_id", flat=True)
        .distinct()
    ):
        sku = Sku.objects.filter(product_id=product_id, is_active=True, stock__gte=20).order_by("price").first()
        if sku is not None:
            skus.append(sku)
        if len(skus) == count:
            break
    return skus


def _flash_slots(owner: User, now: datetime) -> int:
    """Today's and tomorrow's slots (shop time), each with up to 3 lead products at 9.9, published.

    A plan time whose slot would overlap one already in the schedule (a merchant's, or a bench
    run's moved out of its way) is left out, so seeding again always succeeds."""
    today = timezone.localdate(now)
    flash_slots_generate(actor=owner, first_day=today, days=2, skip_overlapping=True)
    leads = _lead_skus(6)
    published = 0
    slots = FlashSlot.objects.filter(kind=FlashSlotKind.SLOT, status=FlashSlotStatus.DRAFT, ends_at__gt=now)
    for index, slot in enumerate(slots.order_by("starts_at")):
        if slot.items.exists() or not leads:
            continue
        for position in range(3):
            sku = leads[(index * 3 + position) % len(leads)]
            if sku.price <= FLASH_PRICE or slot.items.filter(sku=sku).exists():
                continue
            # Each slot carves its quota off the shelf: a quarter of what is left, at most 50.
            shelf = Sku.objects.filter(pk=sku.pk).values_list("stock", flat=True).get()
            quota = min(FLASH_QUOTA, shelf // 4)
            if quota < 1:
                continue
            flash_item_add(
                actor=owner,
                slot_id=slot.pk,
                data=FlashItemData(
                    sku_id=sku.pk, flash_price=FLASH_PRICE, quota=quota, sort_order=position, free_shipping=True
                ),
            )
        if slot.items.exists():
            flash_slot_publish(actor=owner, slot_id=slot.pk, now=now)
            published += 1
    return published


def _release(owner: User, now: datetime) -> int:
    if FlashSlot.objects.filter(kind=FlashSlotKind.RELEASE, title=RELEASE).exists():
        return 0
    sku = Sku.objects.filter(product__tags__name="新品", is_active=True, stock__gte=300).order_by("-price").first()
    if sku is None:
        return 0
    release = flash_slot_create(
        actor=owner,
        data=FlashSlotData(
            kind=FlashSlotKind.RELEASE,
            title=RELEASE,
            starts_at=now - timedelta(minutes=30),
            ends_at=now + timedelta(days=7),
        ),
    )
    flash_item_add(
        actor=owner,
        slot_id=release.pk,
        data=FlashItemData(sku_id=sku.pk, flash_price=sku.price, quota=300, per_shopper_limit=2, per_order_limit=2),
    )
    flash_slot_publish(actor=owner, slot_id=release.pk, now=now)
    return 1
