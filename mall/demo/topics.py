"""The demo shop's topic pages (F25): "开学季必备" and "出差便携套装".

Each is a published campaign page with a guide block (paragraphs with the demo's own products
inline) and a product grid, made a topic with a cover and subtitle through the services, so the
mini-program's topic list and the console's topics page open on real content. A product the
demo catalogue lacks is left out of the text. A second run finds the pages and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from mall.models import Product
from marketing.models import CampaignPage
from marketing.services.pages import PageData, page_create, page_publish, page_save
from marketing.services.topics import TopicData, topic_set

SCHOOL_SLUG = "back-to-school"
TRAVEL_SLUG = "business-trip"


def _owner() -> User | None:
    return User.objects.filter(is_superuser=True).order_by("pk").first()


def _products(*names: str) -> list[Product]:
    """The demo products whose title starts with each name, in that order (missing ones skipped)."""
    found = []
    for name in names:
        product = Product.objects.filter(title__startswith=name, is_on_shelf=True).order_by("pk").first()
        if product is not None:
            found.append(product)
    return found


def _guide(intro: str, sections: list[tuple[str, str, list[Product]]]) -> str:
    parts = [intro]
    for heading, text, products in sections:
        if not products:
            continue
        parts += [f"## {heading}", text, *(f"[商品:{p.pk}]" for p in products)]
    return "\n\n".join(parts)


def _image(products: list[Product]) -> str:
    return next((p.main_image.url for p in products if p.main_image), "")


def _topic(slug: str, title: str) -> tuple[PageData, list[dict[str, Any]], TopicData]:
    if slug == SCHOOL_SLUG:
        study = _products("护眼智能台灯", "儿童启蒙绘本")
        tech = _products("智能手环", "头戴式电竞耳机")
        snacks = _products("低糖即食燕麦片", "原味开心果")
        body = _guide(
            "新学期开始了：书桌、早餐和课间加餐，我们替家长挑好了。",
            [
                ("书桌上的好帮手", "晚上写作业不伤眼，睡前再读一本绘本。", study),
                ("运动与网课", "记录每天的运动量，网课听得清楚。", tech),
                ("早餐与课间", "来不及做早饭时的燕麦，课间的一小把坚果。", snacks),
            ],
        )
        everything = study + tech + snacks
        data = TopicData(subtitle="书桌、网课、早餐一次备齐", sort_order=20, cover=_image(everything))
    else:
        power = _products("20W PD 快充充电器", "编织快充数据线")
        care = _products("美白防蛀牙膏", "睡眠免洗面膜")
        fun = _products("便携蓝牙音箱")
        body = _guide(
            "一只背包装下三天出差：充电、洗漱和酒店里的一点放松。",
            [
                ("充电不焦虑", "一个快充头配一根编织线，高铁上半小时回血。", power),
                ("洗漱小样", "牙膏和免洗面膜，酒店里也能好好照顾自己。", care),
                ("酒店里的音乐", "巴掌大的音箱，放进背包侧袋。", fun),
            ],
        )
        everything = power + care + fun
        data = TopicData(subtitle="充电、洗漱、放松，一个背包装下", sort_order=10, cover=_image(everything))
    blocks: list[dict[str, Any]] = [{"type": "guide", "settings": {"title": title, "body": body}}]
    if everything:
        ids = [p.pk for p in everything]
        blocks.append(
            {"type": "product_grid", "settings": {"title": "本期清单", "source": "products", "product_ids": ids}}
        )
    return PageData(title=title, slug=slug, share_title=f"{title}｜多营商城"), blocks, data


@transaction.atomic
def build_topics() -> dict[str, int]:
    owner = _owner()
    if owner is None or CampaignPage.objects.filter(slug__in=[SCHOOL_SLUG, TRAVEL_SLUG]).exists():
        return {"topic pages": 0}
    made = 0
    for slug, title in ((SCHOOL_SLUG, "开学季必备"), (TRAVEL_SLUG, "出差便携套装")):
        page_data, blocks, topic_data = _topic(slug, title)
        page = page_create(actor=owner, data=page_data)
        page_save(actor=owner, page_id=page.pk, blocks=blocks, note="演示数据")
        page_publish(actor=owner, page_id=page.pk)
        topic_set(actor=owner, page_id=page.pk, data=topic_data)
        made += 1
    return {"topic pages": made}
