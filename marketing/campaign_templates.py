"""The built-in campaign templates (F27), declared once as data in the template JSON format.

Each template is what a merchant could export: a campaign (its length in hours), its tools
(promotions, coupon templates, a flash slot) with times in hours from the chosen start, and its
page's blocks, whose settings point at the template's own tools by ``"@ref"`` and at the
campaign's window by ``"@start"`` / ``"@end"`` (``"@start+20h"``). One click in the console
turns a template into a draft campaign (``marketing.services.campaign_templates``).

The texts inside a template (tool names, block titles) are shop content the merchant edits,
like demo data; the template's name and description shown in the console are translated.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

TEMPLATE_FORMAT = "duoying.campaign_template"
TEMPLATE_VERSION = 1

TOP_SELLERS = {"pick": "top_sellers", "count": 3, "rate": "0.7", "quota": 50}


def _coupon(ref: str, name: str, threshold: str, off: str, **extra: Any) -> dict[str, Any]:
    return {
        "ref": ref,
        "kind": "coupon",
        "name": name,
        "coupon_kind": "amount_off" if threshold != "0.00" else "no_threshold",
        "threshold": threshold,
        "off": off,
        "channel": "claim",
        "per_user_limit": 1,
        "total_quantity": extra.pop("total_quantity", 1000),
        **extra,
    }


def _full_reduction(ref: str, name: str, tiers: list[tuple[str, str]], *, repeat: bool = False) -> dict[str, Any]:
    rules: dict[str, Any] = {"tiers": [{"threshold": t, "off": o} for t, o in tiers]}
    if repeat:
        rules["repeat"] = True
    return {"ref": ref, "kind": "promotion", "name": name, "type": "full_reduction", "rules": rules}


def _template(
    name: str, hours: int, tools: list[dict[str, Any]], page: dict[str, Any], budget: str | None = None
) -> dict[str, Any]:
    return {
        "format": TEMPLATE_FORMAT,
        "version": TEMPLATE_VERSION,
        "campaign": {"name": name, "hours": hours, "budget_amount": budget, "budget_uses": None, "holdout_percent": 0},
        "tools": tools,
        "page": page,
    }


def _countdown(title: str) -> dict[str, Any]:
    return {"type": "countdown", "settings": {"title": title, "starts_at": "@start", "ends_at": "@end"}}


def _text(title: str, body: str) -> dict[str, Any]:
    return {"type": "rich_text", "settings": {"title": title, "body": body}}


DIVIDER = {"type": "divider", "settings": {"style": "space", "height": 24}}

BUILTIN_TEMPLATES: dict[str, dict[str, Any]] = {
    "618": _template(
        "618 大促",
        72,
        [
            _full_reduction("mj", "618 满减", [("299.00", "30.00"), ("599.00", "70.00")]),
            _coupon("c20", "618 满199减20", "199.00", "20.00", total_quantity=2000),
            _coupon("c5", "618 无门槛5元", "0.00", "5.00", total_quantity=1000),
            {
                "ref": "flash",
                "kind": "flash",
                "title": "618 晚8点秒杀",
                "start_hours": 20,
                "hours": 2,
                "items": TOP_SELLERS,
            },
        ],
        {
            "title": "618 大促",
            "slug": "618",
            "share_title": "618 大促，满减叠券还有秒杀",
            "blocks": [
                _countdown("618 大促倒计时"),
                {"type": "coupon", "settings": {"title": "先领券再下单", "template_ids": ["@c20", "@c5"]}},
                {"type": "full_reduction", "settings": {"title": "全场满减", "promotion_id": "@mj"}},
                {"type": "flash_sale", "settings": {"title": "晚 8 点秒杀", "slot_id": "@flash"}},
                DIVIDER,
                _text("活动规则", "满减与优惠券可叠加使用。\n\n秒杀商品数量有限，每人限购 1 件。"),
            ],
        },
        budget="20000.00",
    ),
    "double11": _template(
        "双11 狂欢",
        48,
        [
            _full_reduction("mj", "双11 每满300减50", [("300.00", "50.00")], repeat=True),
            _coupon("c60", "双11 满500减60", "500.00", "60.00", total_quantity=2000),
            {
                "ref": "flash",
                "kind": "flash",
                "title": "双11 零点秒杀",
                "start_hours": 0,
                "hours": 2,
                "items": TOP_SELLERS,
            },
        ],
        {
            "title": "双11 狂欢",
            "slug": "double11",
            "share_title": "双11 每满300减50",
            "blocks": [
                _countdown("双11 狂欢倒计时"),
                {"type": "flash_sale", "settings": {"title": "零点秒杀", "slot_id": "@flash"}},
                {"type": "full_reduction", "settings": {"title": "每满300减50", "promotion_id": "@mj"}},
                {"type": "coupon", "settings": {"title": "大额券", "template_ids": ["@c60"]}},
                _text("活动规则", "每满 300 元减 50 元，上不封顶。\n\n优惠券与满减可叠加。"),
            ],
        },
        budget="30000.00",
    ),
    "newcomer": _template(
        "新人礼包",
        24 * 30,
        [
            _coupon("n10", "新人无门槛10元", "0.00", "10.00", new_user_only=True, total_quantity=5000),
            _coupon("n15", "新人满99减15", "99.00", "15.00", new_user_only=True, total_quantity=5000),
        ],
        {
            "title": "新人礼包",
            "slug": "newcomer",
            "share_title": "新人专享券包",
            "blocks": [
                {"type": "coupon", "settings": {"title": "新人专享", "template_ids": ["@n10", "@n15"]}},
                _text("新人须知", "首次下单的顾客可领取，每人限领一次。"),
                {"type": "checkin_entry", "settings": {"title": "每日签到领积分"}},
            ],
        },
    ),
    "member_day": _template(
        "会员日",
        24,
        [
            _coupon("m10", "会员日满100减10", "100.00", "10.00", total_quantity=1000),
            _full_reduction("mj", "会员日满减", [("199.00", "20.00")]),
        ],
        {
            "title": "会员日",
            "slug": "member-day",
            "share_title": "会员日，满减叠券",
            "blocks": [
                _countdown("会员日限时一天"),
                {"type": "coupon", "settings": {"title": "会员专享券", "template_ids": ["@m10"]}},
                {"type": "full_reduction", "settings": {"title": "会员日满减", "promotion_id": "@mj"}},
                {"type": "checkin_entry", "settings": {"title": "签到再领积分"}},
            ],
        },
    ),
    "back_to_school": _template(
        "开学季",
        24 * 7,
        [
            _full_reduction("mj", "开学季满减", [("199.00", "20.00"), ("399.00", "50.00")]),
            _coupon("c10", "开学季满99减10", "99.00", "10.00", total_quantity=1000),
        ],
        {
            "title": "开学季",
            "slug": "back-to-school",
            "share_title": "开学季好物满减",
            "blocks": [
                _countdown("开学季"),
                {"type": "full_reduction", "settings": {"title": "开学满减", "promotion_id": "@mj"}},
                {"type": "coupon", "settings": {"title": "开学券", "template_ids": ["@c10"]}},
                _text("活动说明", "活动期间全场满减，优惠券可叠加。"),
            ],
        },
    ),
    "new_year": _template(
        "年货节",
        24 * 10,
        [
            _full_reduction("mj", "年货节满减", [("399.00", "50.00"), ("799.00", "120.00")]),
            _coupon("c30", "年货节满299减30", "299.00", "30.00", total_quantity=2000),
            {
                "ref": "flash",
                "kind": "flash",
                "title": "年货秒杀",
                "start_hours": 10,
                "hours": 2,
                "items": TOP_SELLERS,
            },
        ],
        {
            "title": "年货节",
            "slug": "new-year",
            "share_title": "年货节，囤年货享满减",
            "blocks": [
                _countdown("年货节"),
                {"type": "flash_sale", "settings": {"title": "年货秒杀", "slot_id": "@flash"}},
                {"type": "full_reduction", "settings": {"title": "年货满减", "promotion_id": "@mj"}},
                {"type": "coupon", "settings": {"title": "年货券", "template_ids": ["@c30"]}},
            ],
        },
        budget="20000.00",
    ),
}

BUILTIN_LABELS: dict[str, tuple[Promise, Promise]] = {
    "618": (_("618 大促"), _("三天：满减、两张券、晚 8 点秒杀（畅销品）和活动页")),
    "double11": (_("双11"), _("两天：每满300减50、大额券、零点秒杀和活动页")),
    "newcomer": (_("新人礼包"), _("三十天：新人无门槛券和满减券，活动页带签到入口")),
    "member_day": (_("会员日"), _("一天：会员券和满减，活动页带签到入口")),
    "back_to_school": (_("开学季"), _("七天：两档满减和一张券")),
    "new_year": (_("年货节"), _("十天：两档满减、一张券、年货秒杀")),
}
