"""A campaign page with one block of every type, its references made through the services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import Category, Product, ProductTag, Sku
from marketing.models import CampaignPage
from marketing.pages.blocks import BLOCKS
from marketing.services.pages import PageData, page_create, page_publish, page_save
from marketing.tests.flash import make_slot, shelf_sku


def every_block_settings(
    *, staff: User, make_group_campaign: Any, make_bargain_campaign: Any, make_template: Any, make_promotion: Any
) -> list[dict[str, Any]]:
    """Raw blocks as the editor posts them: one per type, each referencing real rows."""
    now = timezone.now()
    category = Category.objects.create(name="会场")
    tag = ProductTag.objects.create(name="618 爆款")
    products = []
    for n in range(3):
        product = Product.objects.create(category=category, title=f"精华 {n}", min_price=9900 + n, sales_count=n)
        Sku.objects.create(product=product, code=f"PG-{n}", price=9900 + n, stock=50)
        product.tags.add(tag)
        products.append(product)
    flash = make_slot(items=[(shelf_sku(code="PG-FLASH"), 5)], starts_in=timedelta(hours=2), title="20 点场")
    group_sku = shelf_sku(code="PG-GROUP")
    group = make_group_campaign(group_sku)
    bargain = make_bargain_campaign(shelf_sku(code="PG-BARGAIN", price=19900))
    coupon = make_template(name="满 199 减 30", kind="amount_off", threshold=19900, off=3000)
    promotion = make_promotion(
        name="618 满减",
        rules={"tiers": [{"threshold": "199.00", "off": "30.00"}, {"threshold": "299.00", "off": "60.00"}]},
    )
    blocks = [
        {"type": "countdown", "settings": {"title": "618 大促", "ends_at": (now + timedelta(days=3)).isoformat()}},
        {
            "type": "banner",
            "settings": {"image": "/media/banners/618.jpg", "title": "主会场", "link": f"product:{products[0].pk}"},
        },
        {
            "type": "nav_icons",
            "settings": {
                "items": f"领券 | /media/i/c.png | coupons\n美妆 | | category:{category.pk}\n签到 | | checkin"
            },
        },
        {"type": "coupon", "settings": {"title": "先领券", "template_ids": str(coupon.pk)}},
        {"type": "full_reduction", "settings": {"promotion_id": promotion.pk}},
        {"type": "flash_sale", "settings": {"title": "整点秒杀", "slot_id": flash.pk}},
        {"type": "group_buy", "settings": {"title": "拼团", "campaign_ids": [group.pk]}},
        {"type": "bargain", "settings": {"title": "砍价", "campaign_ids": [bargain.pk]}},
        {
            "type": "product_grid",
            "settings": {"title": "爆款", "source": "products", "product_ids": f"{products[2].pk},{products[0].pk}"},
        },
        {
            "type": "product_grid",
            "settings": {"title": "会场", "source": "category", "category_id": category.pk, "limit": 2},
        },
        {"type": "product_grid", "settings": {"title": "标签", "source": "tag", "tag": tag.name, "columns": "3"}},
        {"type": "rich_text", "settings": {"title": "活动规则", "body": "第一段。\n\n第二段。"}},
        {
            "type": "guide",
            "settings": {
                "title": "开学清单",
                "body": f"## 书桌\n\n先看这支：[商品:{products[1].pk}] 再配一张图\n\n[图片:/media/guide/desk.jpg]",
            },
        },
        {"type": "video", "settings": {"title": "上新", "url": "https://v.example.com/a.mp4"}},
        {"type": "checkin_entry", "settings": {}},
        {"type": "divider", "settings": {"style": "space"}},
    ]
    assert {b["type"] for b in blocks} == set(BLOCKS)  # every type, one test page
    return blocks


def published_page(
    *, staff: User, blocks: list[dict[str, Any]], slug: str = "618", is_home: bool = False
) -> CampaignPage:
    page = page_create(actor=staff, data=PageData(title="618 主会场", slug=slug, is_home=is_home))
    page_save(actor=staff, page_id=page.pk, blocks=blocks)
    return page_publish(actor=staff, page_id=page.pk)
