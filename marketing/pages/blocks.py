"""The block catalogue of campaign pages (F26), declared once per type.

Each :class:`BlockType` has its settings schema (validation on save and the console editor's
form), a ``check`` of the ids it references (run on save, so a page never points at a row
that does not exist), and a resolver that fills its live data when the page is served. The
mini-program renders each type with the component of the same name in
``miniprogram/components/page-blocks``; the console preview renders the same resolved JSON with
``templates/marketing/page_blocks.html``. A test renders every type in both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mall.models import Category, Product, ProductTag
from marketing.models import (
    BargainCampaign,
    Campaign,
    CampaignPage,
    CouponTemplate,
    FlashSlot,
    GroupBuyCampaign,
    Promotion,
    PromotionType,
)
from marketing.pages import resolvers
from marketing.pages.guide import MAX_IMAGES as GUIDE_MAX_IMAGES
from marketing.pages.guide import MAX_PRODUCTS as GUIDE_MAX_PRODUCTS
from marketing.pages.guide import guide_parse
from marketing.pages.schema import Field

Check = Callable[[Mapping[str, Any]], dict[str, str]]
Resolver = Callable[[Sequence[Mapping[str, Any]], datetime], resolvers.Resolved]

LINK_HELP = gettext_lazy(
    "product:商品编号 / category:分类编号 / page:页面地址 / campaign:活动编号 / coupons / checkin / flash / "
    "points-mall / topics / community（种草社区） / live（直播间）；留空不跳转"
)
# topics: the F25 list; community: the F23 feed; live: the F24 room list
LINK_WORDS = ("coupons", "checkin", "flash", "points-mall", "member", "topics", "community", "live")


@dataclass(frozen=True)
class BlockType:
    type: str
    label: Any
    icon: str  # a Material Symbols name for the console's palette
    fields: tuple[Field, ...]
    resolve: Resolver
    check: Check | None = None
    creates_tool: str = ""  # "flash" / "group_buy" / "bargain": the editor can create the tool inline

    def describe(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "label": str(self.label),
            "icon": self.icon,
            "fields": [f.describe() for f in self.fields],
            "creates_tool": self.creates_tool,
        }


def _missing(field: str, model: Any, ids: Sequence[int], extra: Q | None = None) -> dict[str, str]:
    missing = resolvers.ids_missing(model, ids, extra)
    if not missing:
        return {}
    return {field: _("编号不存在：%(ids)s") % {"ids": "、".join(str(i) for i in missing)}}


def check_link(link: str) -> str:
    """'' when the link is one the mini-program can open, else the Chinese reason."""
    if not link:
        return ""
    kind, _sep, ref = link.partition(":")
    if kind == "product":
        ok = ref.isdigit() and Product.objects.filter(pk=int(ref)).exists()
    elif kind == "category":
        ok = ref.isdigit() and Category.objects.filter(pk=int(ref), is_active=True).exists()
    elif kind == "page":
        ok = CampaignPage.objects.filter(slug=ref).exists()
    elif kind == "campaign":  # a campaign (活动) by its id: its state, window and page (issue 17)
        ok = ref.isdigit() and Campaign.objects.filter(pk=int(ref)).exists()
    else:
        ok = kind in LINK_WORDS and not ref
    return "" if ok else _("跳转“%(link)s”无效。") % {"link": link}


def _check_banner(s: Mapping[str, Any]) -> dict[str, str]:
    reason = check_link(s.get("link", ""))
    return {"link": reason} if reason else {}


def _check_nav(s: Mapping[str, Any]) -> dict[str, str]:
    for number, item in enumerate(s.get("items", []), start=1):
        reason = check_link(item.get("link", ""))
        if reason:
            return {"items": _("第 %(n)d 行：%(reason)s") % {"n": number, "reason": reason}}
    return {}


def _check_grid(s: Mapping[str, Any]) -> dict[str, str]:
    source = s.get("source")
    if source == "category":
        return _missing("category_id", Category, [s["category_id"]])
    if source == "tag":
        exists = ProductTag.objects.filter(name=s["tag"]).exists()
        return {} if exists else {"tag": _("标签“%(tag)s”不存在。") % {"tag": s["tag"]}}
    return _missing("product_ids", Product, s.get("product_ids", []))


def _check_countdown(s: Mapping[str, Any]) -> dict[str, str]:
    starts, ends = s.get("starts_at"), s.get("ends_at")
    if starts and ends and datetime.fromisoformat(ends) <= datetime.fromisoformat(starts):
        return {"ends_at": _("结束时间必须晚于开始时间。")}
    return {}


def _check_guide(s: Mapping[str, Any]) -> dict[str, str]:
    """Every mark readable, within the limits, and every product mark an existing product."""
    parsed = guide_parse(str(s.get("body", "")))
    if parsed.problems:
        return {
            "body": _("无法识别：%(marks)s。商品写作 [商品:编号]，图片写作 [图片:https://…]")
            % {"marks": "、".join(parsed.problems[:3])}
        }
    if len(parsed.product_ids) > GUIDE_MAX_PRODUCTS:
        return {"body": _("最多插入 %(n)d 个商品。") % {"n": GUIDE_MAX_PRODUCTS}}
    if sum(1 for p in parsed.pieces if p.kind == "image") > GUIDE_MAX_IMAGES:
        return {"body": _("最多插入 %(n)d 张图片。") % {"n": GUIDE_MAX_IMAGES}}
    return _missing("body", Product, parsed.product_ids)


TITLE = Field("title", gettext_lazy("标题"), max_length=30)

BLOCKS: dict[str, BlockType] = {
    block.type: block
    for block in (
        BlockType(
            "banner",
            gettext_lazy("轮播图 / 横幅"),
            "image",
            (
                Field("image", gettext_lazy("图片地址"), "media", required=True, max_length=500),
                Field("title", gettext_lazy("标题"), max_length=30, help=gettext_lazy("读屏和分享时使用")),
                Field("link", gettext_lazy("点击跳转"), max_length=60, help=LINK_HELP),
            ),
            resolvers.resolve_banner,
            _check_banner,
        ),
        BlockType(
            "countdown",
            gettext_lazy("倒计时头图"),
            "timer",
            (
                Field("title", gettext_lazy("标题"), required=True, max_length=30),
                Field("starts_at", gettext_lazy("开始时间"), "datetime", help=gettext_lazy("开始前倒数到开始")),
                Field("ends_at", gettext_lazy("结束时间"), "datetime", required=True),
            ),
            resolvers.resolve_countdown,
            _check_countdown,
        ),
        BlockType(
            "product_grid",
            gettext_lazy("商品列表"),
            "grid_view",
            (
                TITLE,
                Field(
                    "source",
                    gettext_lazy("商品来源"),
                    "choice",
                    required=True,
                    default="products",
                    choices=(
                        ("products", gettext_lazy("指定商品")),
                        ("category", gettext_lazy("按分类")),
                        ("tag", gettext_lazy("按标签")),
                    ),
                ),
                Field(
                    "product_ids",
                    gettext_lazy("商品编号"),
                    "ids",
                    required=True,
                    help=gettext_lazy("以逗号分隔，按此顺序显示"),
                    when=("source", ("products",)),
                ),
                Field(
                    "category_id",
                    gettext_lazy("分类编号"),
                    "int",
                    required=True,
                    min_value=1,
                    when=("source", ("category",)),
                ),
                Field("tag", gettext_lazy("标签名称"), required=True, max_length=30, when=("source", ("tag",))),
                Field("limit", gettext_lazy("最多显示"), "int", default=6, min_value=1, max_value=20),
                Field(
                    "columns",
                    gettext_lazy("每行"),
                    "choice",
                    default="2",
                    choices=(("1", gettext_lazy("1 个")), ("2", gettext_lazy("2 个")), ("3", gettext_lazy("3 个"))),
                ),
            ),
            resolvers.resolve_product_grid,
            _check_grid,
        ),
        BlockType(
            "flash_sale",
            gettext_lazy("秒杀"),
            "bolt",
            (TITLE, Field("slot_id", gettext_lazy("秒杀场次编号"), "int", required=True, min_value=1)),
            resolvers.resolve_flash_sale,
            lambda s: _missing("slot_id", FlashSlot, [s["slot_id"]]),
            creates_tool="flash",
        ),
        BlockType(
            "group_buy",
            gettext_lazy("拼团"),
            "groups",
            (TITLE, Field("campaign_ids", gettext_lazy("拼团活动编号"), "ids", required=True, max_value=10)),
            resolvers.resolve_group_buy,
            lambda s: _missing("campaign_ids", GroupBuyCampaign, s["campaign_ids"]),
            creates_tool="group_buy",
        ),
        BlockType(
            "bargain",
            gettext_lazy("砍价"),
            "content_cut",
            (TITLE, Field("campaign_ids", gettext_lazy("砍价活动编号"), "ids", required=True, max_value=10)),
            resolvers.resolve_bargain,
            lambda s: _missing("campaign_ids", BargainCampaign, s["campaign_ids"]),
            creates_tool="bargain",
        ),
        BlockType(
            "coupon",
            gettext_lazy("领券"),
            "confirmation_number",
            (TITLE, Field("template_ids", gettext_lazy("优惠券模板编号"), "ids", required=True, max_value=6)),
            resolvers.resolve_coupon,
            lambda s: _missing("template_ids", CouponTemplate, s["template_ids"]),
        ),
        BlockType(
            "full_reduction",
            gettext_lazy("满减活动条"),
            "sell",
            (TITLE, Field("promotion_id", gettext_lazy("满减活动编号"), "int", required=True, min_value=1)),
            resolvers.resolve_full_reduction,
            lambda s: _missing("promotion_id", Promotion, [s["promotion_id"]], Q(type=PromotionType.FULL_REDUCTION)),
        ),
        BlockType(
            "rich_text",
            gettext_lazy("图文说明"),
            "article",
            (
                TITLE,
                Field(
                    "body",
                    gettext_lazy("正文"),
                    "textarea",
                    required=True,
                    max_length=2000,
                    help=gettext_lazy("空一行分段"),
                ),
                Field("image", gettext_lazy("配图地址"), "media", max_length=500),
            ),
            resolvers.resolve_rich_text,
        ),
        BlockType(
            "guide",
            gettext_lazy("导购图文"),
            "menu_book",
            (
                TITLE,
                Field(
                    "body",
                    gettext_lazy("正文"),
                    "textarea",
                    required=True,
                    max_length=4000,
                    help=gettext_lazy(
                        "空一行分段；“## 小标题”为小标题；[商品:编号] 插入商品卡片；[图片:https://…] 插入图片"
                    ),
                ),
            ),
            resolvers.resolve_guide,
            _check_guide,
        ),
        BlockType(
            "video",
            gettext_lazy("视频"),
            "movie",
            (
                TITLE,
                Field("url", gettext_lazy("视频地址"), "media", required=True, max_length=500),
                Field("poster", gettext_lazy("封面图地址"), "media", max_length=500),
            ),
            resolvers.resolve_static,
        ),
        BlockType(
            "nav_icons",
            gettext_lazy("图标导航"),
            "apps",
            (
                Field(
                    "items",
                    gettext_lazy("图标"),
                    "lines",
                    required=True,
                    max_length=8,
                    columns=("title", "icon", "link"),
                    help=gettext_lazy("每行一个：名称 | 图标地址 | 跳转"),
                ),
                Field("columns", gettext_lazy("每行个数"), "int", default=4, min_value=3, max_value=5),
            ),
            resolvers.resolve_nav_icons,
            _check_nav,
        ),
        BlockType(
            "checkin_entry",
            gettext_lazy("签到入口"),
            "event_available",
            (
                Field("title", gettext_lazy("标题"), default="每日签到领积分", max_length=30),
                Field("subtitle", gettext_lazy("副标题"), max_length=40),
            ),
            resolvers.resolve_checkin_entry,
        ),
        BlockType(
            "divider",
            gettext_lazy("分隔"),
            "horizontal_rule",
            (
                Field(
                    "style",
                    gettext_lazy("样式"),
                    "choice",
                    default="line",
                    choices=(("line", gettext_lazy("细线")), ("space", gettext_lazy("留白"))),
                ),
                Field("height", gettext_lazy("高度(rpx)"), "int", default=24, min_value=8, max_value=200),
            ),
            resolvers.resolve_static,
        ),
    )
}

MAX_BLOCKS = 40


def block_catalogue() -> list[dict[str, Any]]:
    """Every block type with its form, for the console editor's palette."""
    return [block.describe() for block in BLOCKS.values()]
