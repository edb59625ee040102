"""The campaign template JSON format (F27): checked before anything is created or stored.

A template is plain JSON so a merchant can export it, keep it, and import it into another shop::

    {"format": "duoying.campaign_template", "version": 1,
     "campaign": {"name", "hours", "budget_amount": "20000.00" | null, "budget_uses", "holdout_percent"},
     "tools": [{"ref", "kind": "promotion" | "coupon" | "flash", "start_hours", "hours", …}],
     "page": {"title", "slug", "share_title", "blocks": [{"type", "settings"}]} | null}

Times are hours from the campaign's start; money is yuan strings (as in the rule forms); a
block's setting that names one of the template's tools says ``"@ref"``; a time says ``"@start"``,
``"@end"`` or ``"@start+20h"``. Every error names where it is (``tools.2.threshold``) in Chinese,
all at once. What only the shop can tell (does that SKU exist, does the flash slot collide) is
checked by creating the draft (see ``campaign_templates``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from mall.money import MoneyFormatError, parse_yuan
from marketing.campaign_templates import TEMPLATE_FORMAT, TEMPLATE_VERSION
from marketing.errors import CampaignTemplateInvalid
from marketing.models import MAX_ITEMS_PER_SLOT, CouponChannel, CouponKind, PromotionType
from marketing.pages.blocks import BLOCKS, MAX_BLOCKS

MAX_HOURS = 24 * 90
MAX_TOOLS = 20
MAX_FLASH_ITEMS = MAX_ITEMS_PER_SLOT
REF_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
TIME_PATTERN = re.compile(r"^@(start|end)(?:([+-]\d{1,4})h)?$")
# Block settings that hold ids of a tool kind the template can create.
REF_FIELDS = {"slot_id": "flash", "promotion_id": "promotion", "template_ids": "coupon"}
TOOL_KINDS = ("promotion", "coupon", "flash")


class _Errors:
    def __init__(self) -> None:
        self.items: dict[str, str] = {}

    def add(self, path: str, message: str) -> None:
        self.items.setdefault(path, message)

    def text(self, data: Mapping[str, Any], key: str, path: str, *, most: int, required: bool = True) -> str:
        value = data.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()) or len(value) > most:
            self.add(
                f"{path}{key}",
                _("须为 1–%(n)d 个字的文字。") % {"n": most} if required else _("最多 %(n)d 个字。") % {"n": most},
            )
            return ""
        return value

    def count(
        self, data: Mapping[str, Any], key: str, path: str, *, low: int, high: int, optional: bool = False
    ) -> int:
        value = data.get(key)
        if optional and value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.add(f"{path}{key}", _("须为 %(low)d 到 %(high)d 之间的整数。") % {"low": low, "high": high})
            return 0
        return value

    def money(self, data: Mapping[str, Any], key: str, path: str, *, optional: bool = False) -> int | None:
        value = data.get(key)
        if optional and value in (None, ""):
            return None
        try:
            return parse_yuan(value if isinstance(value, str) else "")
        except (MoneyFormatError, TypeError):
            self.add(f"{path}{key}", _('金额应写成元的文字，最多两位小数，如 "99.00"。'))
            return None


def template_time(value: str, *, starts_at: datetime, ends_at: datetime) -> datetime | None:
    """``"@start"``, ``"@end"`` or ``"@start+20h"`` as a moment of this campaign (None if not one)."""
    match = TIME_PATTERN.match(value)
    if match is None:
        return None
    base = starts_at if match.group(1) == "start" else ends_at
    return base + timedelta(hours=int(match.group(2) or 0))


def _campaign(errors: _Errors, data: Any) -> int:
    if not isinstance(data, dict):
        errors.add("campaign", _("缺少活动设置。"))
        return 0
    errors.text(data, "name", "campaign.", most=60)
    hours = errors.count(data, "hours", "campaign.", low=1, high=MAX_HOURS)
    amount = errors.money(data, "budget_amount", "campaign.", optional=True)
    if amount is not None and amount <= 0:
        errors.add("campaign.budget_amount", _("优惠预算须大于 0，或为空表示不限。"))
    errors.count(data, "budget_uses", "campaign.", low=1, high=10_000_000, optional=True)
    errors.count(data, "holdout_percent", "campaign.", low=0, high=50, optional=True)
    return hours


def _window(errors: _Errors, tool: Mapping[str, Any], path: str, hours: int) -> None:
    start = errors.count(tool, "start_hours", path, low=0, high=MAX_HOURS, optional=True)
    length = tool.get("hours")
    if length is None:
        return
    length = errors.count(tool, "hours", path, low=1, high=MAX_HOURS)
    if hours and length and start + length > hours:
        errors.add(f"{path}hours", _("工具的时间须在活动时间之内。"))


def _promotion(errors: _Errors, tool: Mapping[str, Any], path: str) -> None:
    errors.text(tool, "name", path, most=60)
    if tool.get("type") not in PromotionType.values:
        errors.add(f"{path}type", _("未知的价格规则类型。"))
    if not isinstance(tool.get("rules"), dict):
        errors.add(f"{path}rules", _("规则须为对象。"))
    for key in ("category_ids", "sku_codes"):
        value = tool.get(key, [])
        kind = int if key == "category_ids" else str
        if not isinstance(value, list) or not all(isinstance(v, kind) and not isinstance(v, bool) for v in value):
            errors.add(f"{path}{key}", _("须为列表。"))
    errors.count(tool, "per_user_limit", path, low=1, high=10_000, optional=True)


def _coupon(errors: _Errors, tool: Mapping[str, Any], path: str) -> None:
    errors.text(tool, "name", path, most=60)
    if tool.get("coupon_kind") not in CouponKind.values:
        errors.add(f"{path}coupon_kind", _("未知的优惠券类型。"))
    if tool.get("channel", CouponChannel.CLAIM) not in CouponChannel.values:
        errors.add(f"{path}channel", _("未知的发放方式。"))
    errors.money(tool, "threshold", path, optional=True)
    errors.money(tool, "off", path, optional=True)
    errors.money(tool, "max_off", path, optional=True)
    rate = tool.get("rate")
    if rate is not None and not isinstance(rate, str):
        errors.add(f"{path}rate", _('折扣率须为文字，如 "0.9"。'))
    errors.count(tool, "total_quantity", path, low=1, high=10_000_000, optional=True)
    errors.count(tool, "per_user_limit", path, low=1, high=100, optional=True)
    errors.count(tool, "valid_days", path, low=1, high=365, optional=True)
    if not isinstance(tool.get("new_user_only", False), bool):
        errors.add(f"{path}new_user_only", _("须为是或否。"))


def _flash(errors: _Errors, tool: Mapping[str, Any], path: str) -> None:
    errors.text(tool, "title", path, most=60, required=False)
    if tool.get("hours") is None:
        errors.add(f"{path}hours", _("请填写秒杀场次的时长（小时）。"))
    items = tool.get("items", {"pick": "none"})
    if isinstance(items, dict):
        if items.get("pick") == "top_sellers":
            errors.count(items, "count", f"{path}items.", low=1, high=MAX_FLASH_ITEMS)
            errors.count(items, "quota", f"{path}items.", low=1, high=1_000_000)
            rate = items.get("rate")
            if not isinstance(rate, str) or not re.match(r"^0\.\d{1,2}$", rate) or rate in ("0.0", "0.00"):
                errors.add(f"{path}items.rate", _('折扣率须为 0.01–0.99 的文字，如 "0.7"。'))
        elif items.get("pick") != "none":
            errors.add(f"{path}items.pick", _("商品来源须为 top_sellers（畅销品）或 none（留空）。"))
    elif isinstance(items, list):
        if len(items) > MAX_FLASH_ITEMS:
            errors.add(f"{path}items", _("每个场次最多 %(n)d 个商品。") % {"n": MAX_FLASH_ITEMS})
        for n, item in enumerate(items):
            where = f"{path}items.{n}."
            if not isinstance(item, dict):
                errors.add(where.rstrip("."), _("须为对象。"))
                continue
            errors.text(item, "sku", where, most=64)
            errors.money(item, "flash_price", where)
            errors.count(item, "quota", where, low=1, high=1_000_000)
            errors.count(item, "per_shopper_limit", where, low=1, high=100, optional=True)
    else:
        errors.add(f"{path}items", _("商品须为列表或畅销品设置。"))


def _tools(errors: _Errors, tools: Any, hours: int) -> dict[str, str]:
    """The tools' refs → kinds."""
    if not isinstance(tools, list) or len(tools) > MAX_TOOLS:
        errors.add("tools", _("工具须为列表，最多 %(n)d 个。") % {"n": MAX_TOOLS})
        return {}
    refs: dict[str, str] = {}
    for n, tool in enumerate(tools):
        path = f"tools.{n}."
        if not isinstance(tool, dict):
            errors.add(f"tools.{n}", _("须为对象。"))
            continue
        ref, kind = tool.get("ref"), tool.get("kind")
        if not isinstance(ref, str) or not REF_PATTERN.match(ref) or ref in refs:
            errors.add(f"{path}ref", _("引用名须为 1–20 个字母、数字、下划线或连字符，且不重复。"))
        if kind not in TOOL_KINDS:
            errors.add(f"{path}kind", _("工具类型须为 promotion（价格规则）、coupon（优惠券）或 flash（秒杀场次）。"))
            continue
        if isinstance(ref, str):
            refs[ref] = kind
        _window(errors, tool, path, hours)
        {"promotion": _promotion, "coupon": _coupon, "flash": _flash}[kind](errors, tool, path)
    return refs


def _setting(errors: _Errors, path: str, key: str, value: Any, refs: Mapping[str, str], block_type: str) -> None:
    values = value if isinstance(value, list) else [value]
    for item in values:
        if not isinstance(item, str) or not item.startswith("@"):
            continue
        field = next((f for f in BLOCKS[block_type].fields if f.name == key), None)
        if field is not None and field.kind == "datetime":
            if not TIME_PATTERN.match(item):
                errors.add(f"{path}{key}", _("时间须为 @start、@end 或 @start+20h。"))
        elif REF_FIELDS.get(key) is None or refs.get(item[1:]) != REF_FIELDS[key]:
            errors.add(f"{path}{key}", _("引用 %(ref)s 不是模板里对应类型的工具。") % {"ref": item})


def _page(errors: _Errors, page: Any, refs: Mapping[str, str]) -> None:
    if page is None:
        return
    if not isinstance(page, dict):
        errors.add("page", _("页面须为对象或 null。"))
        return
    errors.text(page, "title", "page.", most=60)
    errors.text(page, "slug", "page.", most=32, required=False)
    errors.text(page, "share_title", "page.", most=60, required=False)
    blocks = page.get("blocks", [])
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
        errors.add("page.blocks", _("区块须为列表，最多 %(n)d 个。") % {"n": MAX_BLOCKS})
        return
    for n, block in enumerate(blocks):
        path = f"page.blocks.{n}."
        if not isinstance(block, dict) or block.get("type") not in BLOCKS:
            errors.add(f"{path}type", _("第 %(n)d 个区块的类型未知。") % {"n": n + 1})
            continue
        settings = block.get("settings", {})
        if not isinstance(settings, dict):
            errors.add(f"{path}settings", _("区块设置须为对象。"))
            continue
        for key, value in settings.items():
            _setting(errors, path, key, value, refs, block["type"])


def template_validate(data: Any) -> dict[str, Any]:
    """The template, unchanged, when its shape holds; else CampaignTemplateInvalid with every
    error by path (``details.errors``)."""
    errors = _Errors()
    if not isinstance(data, dict):
        errors.add("", _("模板须为 JSON 对象。"))
    elif data.get("format") != TEMPLATE_FORMAT or data.get("version") != TEMPLATE_VERSION:
        errors.add("format", _("不是多营商城的活动模板（format / version 不对）。"))
    else:
        hours = _campaign(errors, data.get("campaign"))
        refs = _tools(errors, data.get("tools", []), hours)
        _page(errors, data.get("page"), refs)
    if errors.items:
        path, message = next(iter(errors.items.items()))
        first = f"{path}：{message}" if path else message
        raise CampaignTemplateInvalid(first, details={"errors": errors.items})
    assert isinstance(data, dict)  # noqa: S101 - an error was raised otherwise
    return data
