"""The behaviour-event catalogue (F37): every event the mini-program may send, declared once.

Each entry names the event, who sends it and the properties it may carry with their types.
``POST /api/v1/events/batch`` validates every event against this table (unknown events,
unknown properties, wrong types and missing required properties are refused per event), the
mini-program's tracker (miniprogram/core/track.js) sends exactly these, and the rollups read
the same property names.

Properties shared by many events:

* ``page``: the mini-program route the shopper is on ("pages/home/index").
* ``product_id``: the product concerned.
* ``tool`` / ``campaign_id``: the marketing tool (one of :data:`TOOLS`) and its campaign
  (flash slot, group-buy campaign …) that brought the shopper to this page, carried along to
  the cart, the checkout and the payment so the funnel can be counted per campaign.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MINI_PROGRAM = "mini-program"

# The tools a funnel may be counted for (the marketing app's tool kinds).
TOOLS = (
    "flash",
    "group_buy",
    "bargain",
    "release",
    "coupon",
    "promotion",
    "invite",
    "promoter",
    "message",
    "wheel",
    "topic",
)

# Why a shopper left the checkout: what they last saw there.
LEAVE_REASONS: dict[str, Promise] = {
    "price": _("价格"),
    "sold_out": _("库存"),
    "coupon_unusable": _("优惠券不可用"),
    "other": _("其他"),
}

MAX_BATCH = 50
MAX_DWELL_MS = 6 * 60 * 60 * 1000  # a page left open for hours counts as six


@dataclass(frozen=True)
class Prop:
    kind: type  # str or int
    required: bool = False
    max_length: int = 128  # str
    minimum: int = 0  # int
    maximum: int = 2**31 - 1  # int
    choices: tuple[str, ...] = ()

    def check(self, value: Any) -> str | None:
        """None when ``value`` fits, else the reason (a stable code)."""
        if self.kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                return "not_integer"
            if not self.minimum <= value <= self.maximum:
                return "out_of_range"
            return None
        if not isinstance(value, str):
            return "not_string"
        if not value or len(value) > self.max_length:
            return "bad_length"
        if self.choices and value not in self.choices:
            return "not_a_choice"
        return None


@dataclass(frozen=True)
class EventSpec:
    name: str
    title: Promise
    sender: str
    props: dict[str, Prop] = field(default_factory=dict)


PAGE = Prop(str, required=True)
PRODUCT = Prop(int, minimum=1)
TOOL = Prop(str, max_length=16, choices=TOOLS)
CAMPAIGN = Prop(int, minimum=1)
ATTRIBUTION = {"tool": TOOL, "campaign_id": CAMPAIGN}

CATALOGUE: dict[str, EventSpec] = {
    spec.name: spec
    for spec in (
        EventSpec(
            "page_view",
            _("浏览页面"),
            MINI_PROGRAM,
            {"page": PAGE, "dwell_ms": Prop(int, maximum=MAX_DWELL_MS), "product_id": PRODUCT, **ATTRIBUTION},
        ),
        EventSpec(
            "tap",
            _("点击"),
            MINI_PROGRAM,
            {"page": PAGE, "element": Prop(str, required=True, max_length=64), "product_id": PRODUCT, **ATTRIBUTION},
        ),
        EventSpec("share", _("分享"), MINI_PROGRAM, {"page": PAGE, "product_id": PRODUCT, **ATTRIBUTION}),
        EventSpec(
            "add_to_cart",
            _("加入购物车"),
            MINI_PROGRAM,
            {
                "page": PAGE,
                "product_id": Prop(int, required=True, minimum=1),
                "sku_id": Prop(int, minimum=1),
                "quantity": Prop(int, minimum=1, maximum=999),
                **ATTRIBUTION,
            },
        ),
        EventSpec(
            "checkout_start",
            _("进入结算"),
            MINI_PROGRAM,
            {"page": PAGE, "items": Prop(int, minimum=1, maximum=999), "amount": Prop(int), **ATTRIBUTION},
        ),
        EventSpec(
            "checkout_leave",
            _("离开结算"),
            MINI_PROGRAM,
            {
                "page": PAGE,
                "reason": Prop(str, required=True, max_length=16, choices=tuple(LEAVE_REASONS)),
                "product_id": PRODUCT,
                "sku_id": Prop(int, minimum=1),
                "coupon_id": Prop(int, minimum=1),
                "amount": Prop(int),
                **ATTRIBUTION,
            },
        ),
        EventSpec("pay", _("支付成功"), MINI_PROGRAM, {"page": PAGE, "amount": Prop(int), **ATTRIBUTION}),
        EventSpec(
            "search",
            _("搜索"),
            MINI_PROGRAM,
            {"page": PAGE, "query": Prop(str, required=True, max_length=64), "results": Prop(int)},
        ),
    )
}


# Events the server records itself (``analytics.services.events.event_record``) when a shopper
# plays a game: declared here so the rollups and the data issue read one list, but never accepted
# from the mini-program's batch (a client cannot claim it checked in or won a split).
SERVER = "server"
SERVER_EVENTS: dict[str, EventSpec] = {
    spec.name: spec
    for spec in (
        EventSpec(
            "checkin",
            _("签到"),
            SERVER,
            {"day": Prop(str, required=True, max_length=10), "streak": Prop(int, required=True), "points": Prop(int)},
        ),
        EventSpec(
            "checkin_makeup",
            _("补签"),
            SERVER,
            {"day": Prop(str, required=True, max_length=10), "cost": Prop(int), "points": Prop(int)},
        ),
        EventSpec(
            "team_open",
            _("组队瓜分开团"),
            SERVER,
            {"team_id": Prop(int, required=True, minimum=1), "activity_id": Prop(int, required=True, minimum=1)},
        ),
        EventSpec(
            "team_join",
            _("加入组队瓜分团队"),
            SERVER,
            {"team_id": Prop(int, required=True, minimum=1), "activity_id": Prop(int, required=True, minimum=1)},
        ),
        EventSpec(
            "team_reached",
            _("组队消费达标"),
            SERVER,
            {"team_id": Prop(int, required=True, minimum=1), "spent": Prop(int, required=True)},
        ),
        EventSpec(
            "team_reward",
            _("组队瓜分得券"),
            SERVER,
            {"team_id": Prop(int, required=True, minimum=1), "share": Prop(int, required=True)},
        ),
    )
}


def event_problem(name: Any, props: Any) -> str | None:
    """Why an event does not fit the catalogue (a stable code), or None when it does."""
    spec = CATALOGUE.get(name) if isinstance(name, str) else None
    if spec is None:
        return "unknown_event"
    if not isinstance(props, dict):
        return "bad_props"
    for key, value in props.items():
        prop = spec.props.get(key)
        if prop is None:
            return f"unknown_prop:{key}"
        problem = prop.check(value)
        if problem:
            return f"{problem}:{key}"
    for key, prop in spec.props.items():
        if prop.required and key not in props:
            return f"missing_prop:{key}"
    return None


# The mini-program's pages by route, as the merchant names them (charts and click paths).
PAGE_NAMES: dict[str, Promise] = {
    "pages/home/index": _("首页"),
    "pages/category/index": _("分类"),
    "pages/cart/index": _("购物车"),
    "pages/member/index": _("我的"),
    "pages/product/index": _("商品详情"),
    "pages/login/index": _("登录"),
    "package-order/checkout/index": _("结算"),
    "package-order/orders/index": _("我的订单"),
    "package-order/order-detail/index": _("订单详情"),
    "package-social/group/index": _("拼团"),
    "package-social/bargain/index": _("砍价"),
    "package-growth/invite/index": _("邀请有礼"),
    "package-growth/promoter/index": _("推广员"),
    "package-flash/index/index": _("秒杀"),
    "package-flash/promotion/index": _("促销活动"),
    "package-member/coupons/index": _("优惠券"),
    "package-member/checkin/index": _("签到"),
    "package-social/team/index": _("组队瓜分"),
    "package-member/wheel/index": _("幸运大转盘"),
}
# Activity pages: where dwell time tells whether a campaign holds attention.
ACTIVITY_PAGES = (
    "package-flash/index/index",
    "package-flash/promotion/index",
    "package-social/group/index",
    "package-social/bargain/index",
    "package-growth/invite/index",
    "package-member/wheel/index",
)
HOME_PAGE = "pages/home/index"
PAY_STEP = "pay"  # the last step of a click path: the ``pay`` event
PATH_STEP_GAP = "…"  # steps left out of a long click path


def page_name(route: str) -> str:
    if route == PAY_STEP:
        return str(_("支付"))
    name = PAGE_NAMES.get(route)
    return str(name) if name is not None else route
