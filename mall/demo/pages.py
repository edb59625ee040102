"""The demo shop's campaign pages (F26): a published home page and a "618" page.

Both are built from the demo's own rows (its 满减, coupons, flash slot, group buy, bargain and
products) through the page services, so the mini-program's home tab shows the merchant's page
and the console's page editor opens on real content. A second run finds the pages and changes
nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from mall.demo.marketing import BARGAIN, FULL_REDUCTION, GROUP_BUY
from mall.models import Category, Product
from marketing.models import (
    BargainCampaign,
    CampaignPage,
    CouponChannel,
    CouponTemplate,
    FlashSlot,
    FlashSlotKind,
    FlashSlotStatus,
    GroupBuyCampaign,
    Promotion,
)
from marketing.services.pages import PageData, page_create, page_publish, page_save

HOME_SLUG = "index"
SALE_SLUG = "618"


def _owner() -> User | None:
    return User.objects.filter(is_superuser=True).order_by("pk").first()


def _tool_blocks() -> list[dict[str, Any]]:
    """The tools' blocks of the demo shop, each only when the demo made its tool."""
    now = timezone.now()
    blocks: list[dict[str, Any]] = []
    coupons = list(
        CouponTemplate.objects.filter(channel=CouponChannel.CLAIM, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:3]
    )
    if coupons:
        blocks.append({"type": "coupon", "settings": {"title": "先领券再下单", "template_ids": coupons}})
    slot = (
        FlashSlot.objects.filter(kind=FlashSlotKind.SLOT, status=FlashSlotStatus.PUBLISHED, ends_at__gt=now)
        .order_by("starts_at")
        .first()
    )
    if slot is not None:
        blocks.append({"type": "flash_sale", "settings": {"title": "整点秒杀 9.9 元", "slot_id": slot.pk}})
    group = GroupBuyCampaign.objects.filter(name=GROUP_BUY).values_list("pk", flat=True).first()
    if group:
        blocks.append({"type": "group_buy", "settings": {"title": "拼团更便宜", "campaign_ids": [group]}})
    bargain = BargainCampaign.objects.filter(name=BARGAIN).values_list("pk", flat=True).first()
    if bargain:
        blocks.append({"type": "bargain", "settings": {"title": "好友帮砍 0 元拿", "campaign_ids": [bargain]}})
    return blocks


def _banner(product: Product | None, title: str) -> list[dict[str, Any]]:
    if product is None or not product.main_image:
        return []
    return [
        {
            "type": "banner",
            "settings": {"image": product.main_image.url, "title": title, "link": f"product:{product.pk}"},
        }
    ]


def _home_blocks() -> list[dict[str, Any]]:
    top = Product.objects.filter(is_on_shelf=True).order_by("-sales_count", "pk")
    icons = "领券中心 | | coupons\n每日签到 | | checkin\n整点秒杀 | | flash\n积分商城 | | points-mall"
    icons += "\n专题精选 | | topics"  # F25: the topic list
    icons += "\n种草社区 | | community"  # F23: the community feed
    icons += "\n直播间 | | live"  # F24: the live rooms
    blocks = [
        *_banner(top.first(), "热销好物"),
        {"type": "nav_icons", "settings": {"items": icons, "columns": 5}},
        {"type": "checkin_entry", "settings": {"title": "每日签到领积分", "subtitle": "连续 7 天再送 30 积分"}},
        *_tool_blocks()[:2],
        {
            "type": "product_grid",
            "settings": {
                "title": "热销榜",
                "source": "products",
                "product_ids": list(top.values_list("pk", flat=True)[:6]),
            },
        },
    ]
    beauty = Category.objects.filter(name="美妆", parent__isnull=True).values_list("pk", flat=True).first()
    if beauty:
        blocks.append(
            {
                "type": "product_grid",
                "settings": {"title": "美妆专区", "source": "category", "category_id": beauty, "limit": 4},
            }
        )
    return blocks


def _sale_blocks() -> list[dict[str, Any]]:
    now = timezone.now()
    blocks: list[dict[str, Any]] = [
        {"type": "countdown", "settings": {"title": "618 年中大促", "ends_at": (now + timedelta(days=7)).isoformat()}},
        *_banner(Product.objects.filter(is_on_shelf=True).order_by("-sales_count", "pk")[1:2].first(), "618 主会场"),
    ]
    promotion = Promotion.objects.filter(name=FULL_REDUCTION).values_list("pk", flat=True).first()
    if promotion:
        blocks.append({"type": "full_reduction", "settings": {"title": "全场满减", "promotion_id": promotion}})
    blocks += _tool_blocks()
    blocks += [
        {"type": "divider", "settings": {"style": "space", "height": 16}},
        {
            "type": "product_grid",
            "settings": {
                "title": "大促爆款",
                "source": "products",
                "product_ids": list(
                    Product.objects.filter(is_on_shelf=True)
                    .order_by("-sales_count", "pk")
                    .values_list("pk", flat=True)[:8]
                ),
            },
        },
        {
            "type": "rich_text",
            "settings": {
                "title": "活动规则",
                "body": (
                    "活动时间内全场满 99 减 10、满 199 减 30、满 299 减 50，可与店铺券同时使用。\n\n"
                    "秒杀、拼团、砍价商品以活动价结算，不再参与满减。"
                ),
            },
        },
    ]
    return blocks


@transaction.atomic
def build_pages() -> dict[str, int]:
    owner = _owner()
    if owner is None or CampaignPage.objects.filter(slug__in=[HOME_SLUG, SALE_SLUG]).exists():
        return {"campaign pages": 0}
    made = 0
    for data, blocks in (
        (PageData(title="店铺首页", slug=HOME_SLUG, is_home=True, share_title="多营商城 好物低价"), _home_blocks()),
        (PageData(title="618 年中大促", slug=SALE_SLUG, share_title="618 大促 全场满减"), _sale_blocks()),
    ):
        page = page_create(actor=owner, data=data)
        page_save(actor=owner, page_id=page.pk, blocks=blocks, note="演示数据")
        page_publish(actor=owner, page_id=page.pk)
        made += 1
    return {"campaign pages": made}
