"""Segments (F34): a rule tree compiled into one set-based query over shoppers.

A tree is ``{"op": "all" | "any" | "none", "conditions": [condition or tree, …]}``. A
condition is ``{"field": …, "operator": …, "value": …, "days": N?}``; :data:`FIELDS` lists the
fields, their operators and what ``value`` is. Every condition becomes a ``Q`` over ``Member``
built from ``pk__in`` semi-joins on grouped subqueries (no per-shopper work in Python), so a
whole tree is one SQL statement: ``segment_members(rules).count()``.

Shoppers who never placed a spending order match neither ``days_since_last_order`` operator
(use ``order_count`` = 0 for them). ``city`` is the city of the shopper's default address.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mall.models import Category
from marketing.models import Bargain, Coupon, FlashPurchase, GroupBuyMember, Invite, PromotionUsage
from members.models import Address, CheckIn, Member, MemberRfm, MemberTag, PointsEntry, RfmGroup
from members.people_errors import SegmentRulesInvalid
from members.selectors.people import order_net_amount, spending_lines, spending_orders

NUMERIC_OPERATORS = ("gte", "lte", "eq", "between")
OPS = ("all", "any", "none")
MAX_DEPTH = 4
MAX_CONDITIONS = 50


@dataclass(frozen=True)
class Field:
    label: Any
    operators: tuple[str, ...]
    value: str  # "int", "money", "list", "id", "tool" — what the builder asks for
    windowed: bool = False  # takes "days" (None = ever)


FIELDS: dict[str, Field] = {
    "tier": Field(_("会员等级"), ("in", "not_in"), "list"),
    "tag": Field(_("标签"), ("has", "not_has"), "id"),
    "rfm_group": Field(_("RFM 分组"), ("in", "not_in"), "list"),
    "spend": Field(_("消费金额（元）"), NUMERIC_OPERATORS, "money", windowed=True),
    "order_count": Field(_("订单数"), NUMERIC_OPERATORS, "int", windowed=True),
    "days_since_last_order": Field(_("距上次下单天数"), ("gte", "lte"), "int"),
    "days_since_signup": Field(_("注册天数"), ("gte", "lte"), "int"),
    "bought_category": Field(_("买过类目"), ("yes", "no"), "id", windowed=True),
    "bought_product": Field(_("买过商品"), ("yes", "no"), "id", windowed=True),
    "took_part": Field(_("参与过活动"), ("yes", "no"), "tool", windowed=True),
    "points_balance": Field(_("积分余额"), NUMERIC_OPERATORS, "int"),
    "city": Field(_("城市"), ("in", "not_in"), "list"),
    "birthday_month": Field(_("生日月份"), ("in", "not_in"), "list"),
}
OPERATOR_LABELS = {
    "in": _("属于"),
    "not_in": _("不属于"),
    "has": _("有"),
    "not_has": _("没有"),
    "gte": _("≥"),
    "lte": _("≤"),
    "eq": _("="),
    "between": _("介于"),
    "yes": _("是"),
    "no": _("否"),
}
TOOLS: dict[str, Any] = {
    "flash": _("秒杀"),
    "group_buy": _("拼团"),
    "bargain": _("砍价"),
    "invite": _("邀请有礼"),
    "coupon": _("用券"),
    "promotion": _("满减满折"),
    "checkin": _("签到"),
}


def _ids(qs: QuerySet[Any], field: str = "member_id") -> QuerySet[Any]:
    return qs.order_by().values(field)


def _since(cond: Mapping[str, Any], now: datetime) -> datetime | None:
    days = cond.get("days")
    if days in (None, ""):
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
        raise SegmentRulesInvalid(details={"condition": dict(cond), "reason": "days"})
    return now - timedelta(days=days)


def _number(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10**12:
        raise SegmentRulesInvalid(details={"value": value, "reason": "number"})
    return value


def _aggregate_q(grouped: Callable[[str, int], QuerySet[Any]], operator: str, value: Any) -> Q:
    """A numeric condition over a per-shopper aggregate (shoppers without rows count as 0):
    ``grouped(lookup, n)`` is the member ids whose aggregate satisfies ``lookup`` n."""
    if operator == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise SegmentRulesInvalid(details={"value": value, "reason": "between"})
        return _aggregate_q(grouped, "gte", value[0]) & _aggregate_q(grouped, "lte", value[1])
    n = _number(value)
    if operator == "gte":
        return Q() if n <= 0 else Q(pk__in=grouped("gte", n))
    if operator == "lte":
        return ~Q(pk__in=grouped("gt", n))
    if operator == "eq":
        return ~Q(pk__in=grouped("gt", 0)) if n == 0 else Q(pk__in=grouped("exact", n))
    raise SegmentRulesInvalid(details={"operator": operator})


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list) or not value or len(value) > 500:
        raise SegmentRulesInvalid(details={"value": value, "reason": "list"})
    return value


def _id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SegmentRulesInvalid(details={"value": value, "reason": "id"})
    return value


def _yes_no(operator: str, q: Q) -> Q:
    return q if operator == "yes" else ~q


def _tool_ids(tool: str, since: datetime | None) -> QuerySet[Any]:
    def window(qs: QuerySet[Any], field: str) -> QuerySet[Any]:
        return qs.filter(**{f"{field}__gte": since}) if since is not None else qs

    if tool == "flash":
        return _ids(window(FlashPurchase.objects.filter(status="paid"), "created_at"))
    if tool == "group_buy":
        return _ids(window(GroupBuyMember.objects.filter(paid_at__isnull=False), "paid_at"))
    if tool == "bargain":
        return _ids(window(Bargain.objects.all(), "created_at"))
    if tool == "invite":
        return _ids(window(Invite.objects.all(), "created_at"), "inviter_id")
    if tool == "coupon":
        return _ids(window(Coupon.objects.filter(status="used"), "used_at"))
    if tool == "promotion":
        return _ids(window(PromotionUsage.objects.all(), "created_at"))
    if tool == "checkin":
        return _ids(window(CheckIn.objects.all(), "created_at"))
    raise SegmentRulesInvalid(details={"tool": tool})


def _category_tree(category_id: int) -> list[int]:
    """The category and its descendants (three levels)."""
    level = [category_id]
    ids = [category_id]
    for _depth in range(3):
        level = list(Category.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        ids += level
    return ids


def condition_q(cond: Mapping[str, Any], now: datetime) -> Q:
    field_name, operator, value = cond.get("field"), cond.get("operator"), cond.get("value")
    field = FIELDS.get(str(field_name))
    if field is None or operator not in field.operators:
        raise SegmentRulesInvalid(details={"field": field_name, "operator": operator})
    since = _since(cond, now) if field.windowed else None
    if field_name == "tier":
        q = Q(tier__in=[str(v) for v in _list(value)])
        return q if operator == "in" else ~q
    if field_name == "tag":
        q = Q(pk__in=_ids(MemberTag.objects.filter(tag_id=_id(value))))
        return q if operator == "has" else ~q
    if field_name == "rfm_group":
        groups = [str(v) for v in _list(value)]
        if set(groups) - set(RfmGroup.values):
            raise SegmentRulesInvalid(details={"value": value})
        q = Q(pk__in=_ids(MemberRfm.objects.filter(group__in=groups)))
        return q if operator == "in" else ~q
    if field_name in ("spend", "order_count"):
        aggregate = Sum(order_net_amount()) if field_name == "spend" else Count("id")

        def grouped(lookup: str, n: int) -> QuerySet[Any]:
            per_member = spending_orders(since=since).values("member_id").annotate(total=aggregate)
            return per_member.filter(**{f"total__{lookup}": n}).values("member_id")

        return _aggregate_q(grouped, str(operator), value)
    if field_name == "points_balance":

        def points(lookup: str, n: int) -> QuerySet[Any]:
            per_member = PointsEntry.objects.order_by().values("member_id").annotate(total=Sum("delta"))
            return per_member.filter(**{f"total__{lookup}": n}).values("member_id")

        return _aggregate_q(points, str(operator), value)
    if field_name == "days_since_last_order":
        cutoff = now - timedelta(days=_number(value))
        recent = Q(pk__in=_ids(spending_orders(since=cutoff)))
        if operator == "lte":
            return recent
        return Q(pk__in=_ids(spending_orders())) & ~recent
    if field_name == "days_since_signup":
        cutoff = now - timedelta(days=_number(value))
        return Q(created_at__lte=cutoff) if operator == "gte" else Q(created_at__gte=cutoff)
    if field_name == "bought_category":
        lines = spending_lines(since=since).filter(product__category_id__in=_category_tree(_id(value)))
        return _yes_no(str(operator), Q(pk__in=_ids(lines, "order__member_id")))
    if field_name == "bought_product":
        lines = spending_lines(since=since).filter(product_id=_id(value))
        return _yes_no(str(operator), Q(pk__in=_ids(lines, "order__member_id")))
    if field_name == "took_part":
        return _yes_no(str(operator), Q(pk__in=_tool_ids(str(value), since)))
    if field_name == "city":
        cities = [str(v) for v in _list(value)]
        q = Q(pk__in=_ids(Address.objects.filter(is_default=True, city__in=cities)))
        return q if operator == "in" else ~q
    if field_name == "birthday_month":
        months = _list(value)
        if any(isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= 12 for m in months):
            raise SegmentRulesInvalid(details={"value": value})
        q = Q(birthday__month__in=months)
        return q if operator == "in" else ~q & Q(birthday__isnull=False)
    raise SegmentRulesInvalid(details={"field": field_name})


def rules_q(rules: Mapping[str, Any], now: datetime | None = None, *, _depth: int = 0) -> Q:
    """The tree as one ``Q`` over ``Member``; :class:`SegmentRulesInvalid` for a bad tree."""
    now = now or timezone.now()
    if not isinstance(rules, Mapping) or _depth > MAX_DEPTH:
        raise SegmentRulesInvalid(details={"reason": "tree"})
    op, conditions = rules.get("op", "all"), rules.get("conditions", [])
    if op not in OPS or not isinstance(conditions, list) or len(conditions) > MAX_CONDITIONS:
        raise SegmentRulesInvalid(details={"op": op})
    parts = [
        rules_q(c, now, _depth=_depth + 1) if isinstance(c, Mapping) and "conditions" in c else condition_q(c, now)
        for c in conditions
    ]
    if not parts:
        return Q() if op != "any" else Q(pk__in=[])
    combined = parts[0]
    for part in parts[1:]:
        combined = combined & part if op == "all" else combined | part  # none = not any
    return ~combined if op == "none" else combined


def segment_members(rules: Mapping[str, Any], now: datetime | None = None) -> QuerySet[Member]:
    return Member.objects.filter(rules_q(rules, now)).order_by()


def segment_count(rules: Mapping[str, Any], now: datetime | None = None) -> int:
    return segment_members(rules, now).count()


def segment_sample(rules: Mapping[str, Any], *, size: int = 10, now: datetime | None = None) -> list[Member]:
    return list(segment_members(rules, now).order_by("-pk")[:size])
