"""Topic pages (F25), merchant side: the topic card's rules, audit, and the guide block's text
read and refused the same way on save (Chinese messages naming the block and field)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from mall.errors import PermissionDenied
from mall.models import AuditLog, Category, Product, Sku
from mall.selectors.audit import audit_action_label
from marketing.errors import PageInvalid, PageNotFound
from marketing.models import CampaignPage, TopicPage
from marketing.pages.guide import guide_parse
from marketing.selectors.pages import page_blocks_resolve
from marketing.services.pages import PageData, page_create, page_save
from marketing.services.topics import TopicData, topic_remove, topic_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(staff: User) -> CampaignPage:
    return page_create(actor=staff, data=PageData(title="开学季必备", slug="back-to-school"))


def _product(title: str = "护眼台灯", stock: int = 5) -> Product:
    category = Category.objects.get_or_create(name="文具")[0]
    product = Product.objects.create(category=category, title=title, min_price=12900)
    Sku.objects.create(product=product, code=f"T-{title}", price=12900, stock=stock)
    return product


def test_guide_text_reads_into_headings_paragraphs_cards_and_pictures() -> None:
    body = (
        "新学期开始了。\r\n\r\n## 书桌上的好帮手\n\n晚上写作业：[商品:12] 再配[product：7]。\n\n"
        "[图片:https://cdn.example.com/a.jpg]\n\n\x07<b>不是标签</b>"
    )
    parsed = guide_parse(body)
    assert [(p.kind, p.text or p.product_id or p.url) for p in parsed.pieces] == [
        ("text", "新学期开始了。"),
        ("heading", "书桌上的好帮手"),
        ("text", "晚上写作业："),
        ("product", 12),
        ("text", "再配"),
        ("product", 7),
        ("text", "。"),
        ("image", "https://cdn.example.com/a.jpg"),
        ("text", "<b>不是标签</b>"),  # kept as text: both renderers draw it as text, never markup
    ]
    assert parsed.product_ids == [12, 7] and parsed.problems == ()
    bad = guide_parse("[商品:abc] [图片:javascript:alert(1)] [商品:0]")
    assert bad.problems == ("[商品:abc]", "[图片:javascript:alert(1)]", "[商品:0]") and bad.pieces == ()


def test_a_guide_block_is_saved_with_its_product_marks_checked(staff: User, page: CampaignPage) -> None:
    lamp = _product()
    version = page_save(
        actor=staff,
        page_id=page.pk,
        blocks=[{"type": "guide", "settings": {"title": "清单", "body": f"先看：[商品:{lamp.pk}]", "extra": 1}}],
    )
    assert version.blocks[0]["settings"] == {"title": "清单", "body": f"先看：[商品:{lamp.pk}]"}

    cases = [
        ("", "必填"),
        ("[商品:999999]", "编号不存在：999999"),
        ("[图片:ftp://x/a.jpg]", "无法识别：[图片:ftp://x/a.jpg]"),
        (" ".join(f"[商品:{lamp.pk + n}]" for n in range(21)), "最多插入 20 个商品"),
        ("字" * 4001, "最多 4000 个字"),
    ]
    for body, message in cases:
        with pytest.raises(PageInvalid) as refused:
            page_save(actor=staff, page_id=page.pk, blocks=[{"type": "guide", "settings": {"body": body}}])
        errors = refused.value.details["errors"]
        assert list(errors) == ["0.body"], body
        assert errors["0.body"].startswith("导购图文（第 1 个）正文：") and message in errors["0.body"], errors
    assert page.versions.count() == 2  # the refused saves wrote nothing


def test_a_page_becomes_a_topic_its_card_changes_and_it_stops_audited(staff: User, page: CampaignPage) -> None:
    start = timezone.now() + timedelta(days=1)
    data = TopicData(cover="/media/topics/school.jpg", subtitle=" 书桌、早餐一次备齐 ", sort_order=5, listed_from=start)
    topic = topic_set(actor=staff, page_id=page.pk, data=data)
    assert (topic.cover, topic.subtitle, topic.sort_order, topic.listed_from) == (
        "/media/topics/school.jpg",
        "书桌、早餐一次备齐",
        5,
        start,
    )
    again = topic_set(actor=staff, page_id=page.pk, data=TopicData(sort_order=9))
    assert again.pk == topic.pk and TopicPage.objects.get().sort_order == 9 and again.listed_from is None
    assert topic_remove(actor=staff, page_id=page.pk) is True
    assert topic_remove(actor=staff, page_id=page.pk) is False  # already not a topic: nothing to do
    assert CampaignPage.objects.filter(pk=page.pk).exists()  # the page stays
    logs = list(AuditLog.objects.filter(action__startswith="topic.").order_by("pk"))
    assert [log.action for log in logs] == ["topic.create", "topic.update", "topic.remove"]
    assert logs[0].data["before"] is None and logs[0].data["after"]["sort_order"] == 5
    assert logs[1].data["before"]["sort_order"] == 5 and logs[1].data["after"]["sort_order"] == 9
    assert all(log.actor_id == staff.pk for log in logs)
    labels = [audit_action_label(log.action) for log in logs]
    assert labels == ["新建专题页", "修改专题页", "取消专题"]  # the audit log reads as words, not codes


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (TopicData(cover="javascript:alert(1)"), "cover", "封面须为"),
        (TopicData(subtitle="字" * 61), "subtitle", "副标题最多 60 个字"),
        (TopicData(sort_order=10000), "sort_order", "排序须在"),
        (
            TopicData(listed_from=timezone.now(), listed_until=timezone.now() - timedelta(hours=1)),
            "listed_until",
            "须晚于",
        ),
        (TopicData(listed_from=timezone.now().replace(tzinfo=None)), "listed_from", "时区"),
    ],
)
def test_a_bad_card_is_refused_by_field_and_nothing_written(
    staff: User, page: CampaignPage, data: TopicData, field: str, message: str
) -> None:
    with pytest.raises(PageInvalid) as refused:
        topic_set(actor=staff, page_id=page.pk, data=data)
    assert refused.value.code == "page_invalid" and message in refused.value.details["errors"][field]
    assert not TopicPage.objects.exists() and not AuditLog.objects.filter(action__startswith="topic.").exists()


def test_the_home_page_unknown_pages_and_shoppers_are_refused(staff: User) -> None:
    home = page_create(actor=staff, data=PageData(title="首页", slug="index", is_home=True))
    with pytest.raises(PageInvalid, match="店铺首页"):
        topic_set(actor=staff, page_id=home.pk, data=TopicData())
    with pytest.raises(PageNotFound):
        topic_set(actor=staff, page_id=999999, data=TopicData())
    with pytest.raises(PermissionDenied):
        topic_set(actor=AnonymousUser(), page_id=home.pk, data=TopicData())
    assert not TopicPage.objects.exists()


def test_a_nav_icon_may_lead_to_the_topic_list(staff: User, page: CampaignPage) -> None:
    version = page_save(
        actor=staff,
        page_id=page.pk,
        blocks=[{"type": "nav_icons", "settings": {"items": "专题精选 | | topics"}}],
    )
    blocks, _next_change = page_blocks_resolve(version.blocks, now=timezone.now())
    assert blocks[0]["data"]["items"][0]["target"] == {"type": "topics"}
    with pytest.raises(PageInvalid, match="topics:1"):
        page_save(
            actor=staff, page_id=page.pk, blocks=[{"type": "nav_icons", "settings": {"items": "专题 | | topics:1"}}]
        )
