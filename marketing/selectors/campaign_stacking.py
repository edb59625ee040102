"""Several campaigns at once (F28): the goods they share, a sample cart priced by the engine,
and the warnings a merchant must confirm before a campaign is published or given a tool.

The sample cart holds up to three SKUs both campaigns may discount (the ones with a cost price
first, so the margin can be measured), with quantities raised until the biggest threshold among
the campaigns' rules is reached: a 满199减30 that the cart never reaches would prove nothing.
The cart is priced by the 试算 page's quote (``price_check_quote``) with only the compared
campaigns' promotions and, as the wallet, one coupon of each of their coupon templates (the
engine picks the best combination), for a normal-tier shopper at the start of the overlap (or
now, when the overlap has begun). Flash slots, group buys and bargains sell through their own
channels at their own prices, so they are named but not priced here.

Each campaign's outcome comes from the engine's explanation: the rules that applied and their
amounts, and the rules it rejected with the reason, in the merchant's words. A campaign whose
rules all lost to another campaign's by the stacking policy (reason ``conflict``) is *beaten*:
the merchant would be paying for nothing. The margin is ``(payable - cost) / payable`` over the
cart's goods including gifts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from mall.errors import ApplicationError
from mall.models import Category, ShopSettings, Sku
from mall.money import yuan_text
from marketing.models import (
    BargainCampaign,
    Campaign,
    CampaignStatus,
    CampaignTool,
    CampaignToolKind,
    CouponGroup,
    CouponTemplate,
    FlashItem,
    GroupBuyItem,
    Promotion,
)
from marketing.pricing import FullGift, FullReduction, NthItem
from marketing.pricing import reasons as engine_reasons
from marketing.pricing.types import CouponSpec
from marketing.selectors.campaign_studio import ALL_GOODS, campaign_overlaps
from marketing.selectors.price_check import price_check_quote
from marketing.selectors.pricing_rules import PricingRules, descendants, pricing_rules_load
from members.models import Member

SAMPLE_SKUS = 3
SHARED_SHOWN = 12
MAX_UNITS_PER_LINE = 20
PRICED_KINDS = (CampaignToolKind.PROMOTION, CampaignToolKind.COUPON)
ITEM_TYPES = frozenset({"flash_sale", "limited_discount", "stepped_price", "group_price", "bargain_price", "tier_rate"})
COUPON_TYPES = frozenset({"amount_off", "rate_off", "no_threshold"})


def _outcome_label(outcome: str) -> str:
    return {
        "stacked": _("叠加生效"),
        "alone": _("生效"),
        "beaten": _("被其他活动压过"),
        "not_applicable": _("本样例不适用"),
        "unpriced": _("独立渠道，不在样例中计价"),
    }[outcome]


@dataclass(frozen=True)
class RuleLine:
    """One of a campaign's rules on the sample cart: what it took off, or why it did not."""

    name: str
    type_label: str
    amount: int = 0
    reason: str = ""


@dataclass(frozen=True)
class CampaignOutcome:
    campaign: Campaign
    outcome: str
    outcome_label: str
    saved: int
    applied: tuple[RuleLine, ...]
    rejected: tuple[RuleLine, ...]
    other_channel_tools: int
    beaten_by: tuple[str, ...]


@dataclass(frozen=True)
class SampleLine:
    sku_id: int | None
    title: str
    specs: str
    qty: int
    list_total: int
    paid: int
    cost: int | None
    is_gift: bool


@dataclass(frozen=True)
class StackingSample:
    """The overlap detail: the campaigns, their shared goods, the priced sample cart."""

    campaigns: tuple[Campaign, ...]
    at: datetime
    whole_shop: bool
    shared_sku_ids: tuple[int, ...]
    cart: tuple[tuple[Sku, int], ...]
    shared_shown: tuple[Sku, ...] = ()  # the first SHARED_SHOWN shared SKUs, by name
    lines: tuple[SampleLine, ...] = ()
    subtotal: int = 0
    payable: int = 0
    cost: int | None = None
    margin_percent: Decimal | None = None
    missing_cost: tuple[str, ...] = ()
    floor_percent: int = 0
    outcomes: tuple[CampaignOutcome, ...] = ()
    error: str = ""
    policy_notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def below_floor(self) -> bool:
        return bool(self.floor_percent) and self.margin_percent is not None and self.margin_percent < self.floor_percent

    def outcome_of(self, campaign_id: int) -> CampaignOutcome | None:
        return next((o for o in self.outcomes if o.campaign.pk == campaign_id), None)


# --- the goods they share -----------------------------------------------------------------


def _tools_by_campaign(campaign_ids: Sequence[int]) -> dict[int, list[CampaignTool]]:
    found: dict[int, list[CampaignTool]] = {pk: [] for pk in campaign_ids}
    for tool in CampaignTool.objects.filter(campaign_id__in=campaign_ids).order_by("kind", "object_id"):
        found[tool.campaign_id].append(tool)
    return found


def _row_scope(row: Any, parent: Mapping[int, int | None]) -> tuple[set[int], set[int]] | None:
    """A promotion's or coupon template's SKUs and categories (with sub-categories), or
    ALL_GOODS when it names neither."""
    skus = {sku.pk for sku in row.skus.all()}
    categories = {category.pk for category in row.categories.all()}
    if not skus and not categories:
        return ALL_GOODS
    return skus, descendants(categories, parent)


def campaign_scopes(tools: Mapping[int, list[CampaignTool]]) -> dict[int, set[int] | None]:
    """Every SKU each campaign may discount (or ALL_GOODS), like ``campaign_sku_scope`` but for
    several campaigns in a fixed number of queries: one per tool kind plus the categories."""
    ids: dict[str, set[int]] = {}
    for campaign_tools in tools.values():
        for tool in campaign_tools:
            ids.setdefault(tool.kind, set()).add(tool.object_id)
    parent = dict(Category.objects.values_list("pk", "parent_id"))
    rows: dict[tuple[str, int], tuple[set[int], set[int]] | None] = {}
    for model, kind in ((Promotion, CampaignToolKind.PROMOTION), (CouponTemplate, CampaignToolKind.COUPON)):
        if ids.get(kind):
            for row in model.objects.filter(pk__in=ids[kind]).prefetch_related("skus", "categories"):
                rows[(kind, row.pk)] = _row_scope(row, parent)
    special: dict[tuple[str, int], set[int]] = {}
    for kind, pairs in (
        (
            CampaignToolKind.FLASH,
            FlashItem.objects.filter(slot_id__in=ids.get("flash", ())).values_list("slot_id", "sku_id"),
        ),
        (
            CampaignToolKind.GROUP_BUY,
            GroupBuyItem.objects.filter(campaign_id__in=ids.get("group_buy", ())).values_list("campaign_id", "sku_id"),
        ),
        (
            CampaignToolKind.BARGAIN,
            BargainCampaign.objects.filter(pk__in=ids.get("bargain", ())).values_list("pk", "sku_id"),
        ),
    ):
        for object_id, sku_id in pairs if ids.get(kind) else ():
            special.setdefault((kind, object_id), set()).add(sku_id)
    wanted_categories = set().union(*(scope[1] for scope in rows.values() if scope is not ALL_GOODS))
    in_category: dict[int, set[int]] = {}
    if wanted_categories:
        for sku_id, category_id in Sku.objects.filter(product__category_id__in=wanted_categories).values_list(
            "pk", "product__category_id"
        ):
            in_category.setdefault(category_id, set()).add(sku_id)
    scopes: dict[int, set[int] | None] = {}
    for campaign_id, campaign_tools in tools.items():
        found: set[int] | None = set()
        for tool in campaign_tools:
            key = (tool.kind, tool.object_id)
            if key in rows:
                scope = rows[key]
                if scope is ALL_GOODS:
                    found = ALL_GOODS
                    break
                assert found is not None  # noqa: S101 - narrowed: ALL_GOODS breaks out above
                found |= scope[0]
                for category_id in scope[1]:
                    found |= in_category.get(category_id, set())
            elif found is not None:
                found |= special.get(key, set())
        scopes[campaign_id] = found
    return scopes


def shared_skus(tools: Mapping[int, list[CampaignTool]]) -> set[int] | None:
    """SKU ids every campaign may discount, or ALL_GOODS when all are whole-shop."""
    shared: set[int] | None = ALL_GOODS
    for scope in campaign_scopes(tools).values():
        if scope is ALL_GOODS:
            continue
        shared = set(scope) if shared is ALL_GOODS else shared & scope
    return shared


def _targets(rules: PricingRules, templates: Iterable[CouponSpec]) -> tuple[int, int]:
    """The biggest amount threshold and unit count the campaigns' rules ask for."""
    amount, units = 0, 0
    for entry in rules.promotions:
        spec = entry.spec
        if isinstance(spec, FullReduction):
            amount = max(amount, *(t.threshold for t in spec.tiers))
        elif isinstance(spec, FullGift):
            amount = max(amount, spec.threshold)
        elif isinstance(spec, NthItem):
            units = max(units, spec.n)
    for coupon in templates:
        amount = max(amount, coupon.threshold)
    return amount, units


def sample_cart(sku_ids: set[int] | None, *, amount: int, units: int) -> list[tuple[Sku, int]]:
    """Up to three shared SKUs (those with a cost price first), enough units to reach the rules."""
    rows = Sku.objects.filter(is_active=True).select_related("product")
    if sku_ids is not ALL_GOODS:
        rows = rows.filter(pk__in=sku_ids)
    skus = sorted(rows.order_by("pk")[:50], key=lambda s: (s.cost_price is None, s.pk))[:SAMPLE_SKUS]
    if not skus:
        return []
    qtys = [1] * len(skus)
    position = 0
    while (sum(sku.price * qty for sku, qty in zip(skus, qtys, strict=True)) < amount or sum(qtys) < units) and min(
        qtys
    ) < MAX_UNITS_PER_LINE:
        qtys[position] = min(qtys[position] + 1, MAX_UNITS_PER_LINE)
        position = (position + 1) % len(skus)
    return list(zip(skus, qtys, strict=True))


# --- pricing and the explanation ------------------------------------------------------------


def _level(rule_type: str) -> str:
    if rule_type in ITEM_TYPES:
        return "item"
    return "coupon" if rule_type in COUPON_TYPES else "order"


def _reason_text(entry: Mapping[str, Any]) -> str:
    detail = entry.get("detail_label") or ""
    return f"{entry['reason_label']}（{detail}）" if detail else str(entry["reason_label"])


def _outcomes(
    campaigns: Sequence[Campaign],
    tools: Mapping[int, list[CampaignTool]],
    breakdown: Mapping[str, Any],
) -> list[CampaignOutcome]:
    owner: dict[str, int] = {}
    for campaign_id, campaign_tools in tools.items():
        for tool in campaign_tools:
            if tool.kind == CampaignToolKind.PROMOTION:
                owner[f"promotion:{tool.object_id}"] = campaign_id
            elif tool.kind == CampaignToolKind.COUPON:
                owner[f"template:{tool.object_id}"] = campaign_id
    names = {c.pk: c.name for c in campaigns}
    applied = [a for a in breakdown["applied"] if a["amount"]["fen"] > 0 or a.get("gifts")]
    saved = {c.pk: 0 for c in campaigns}
    for entry in applied:
        if entry["rule_id"] in owner:
            saved[owner[entry["rule_id"]]] += entry["amount"]["fen"]
    outcomes = []
    for campaign in campaigns:
        mine_applied = tuple(
            RuleLine(name=a["name"], type_label=a["type_label"], amount=a["amount"]["fen"])
            for a in applied
            if owner.get(a["rule_id"]) == campaign.pk
        )
        mine_rejected = [r for r in breakdown["rejected"] if owner.get(r["rule_id"]) == campaign.pk]
        beaten_by: set[str] = set()
        for rejected in mine_rejected:
            if rejected["reason"] != engine_reasons.CONFLICT:
                continue
            level = _level(rejected["type"])
            for winner in applied:
                winner_owner = owner.get(winner["rule_id"])
                same = _level(winner["type"]) == level and (level != "order" or winner["type"] == rejected["type"])
                if same and winner_owner != campaign.pk:
                    beaten_by.add(names[winner_owner] if winner_owner is not None else winner["name"])
        other_channel = sum(1 for t in tools[campaign.pk] if t.kind not in PRICED_KINDS)
        priced = any(t.kind in PRICED_KINDS for t in tools[campaign.pk])
        if not priced:
            outcome = "unpriced"
        elif saved[campaign.pk] > 0:
            others = any(v > 0 for pk, v in saved.items() if pk != campaign.pk)
            outcome = "stacked" if others else "alone"
        elif any(r["reason"] == engine_reasons.CONFLICT for r in mine_rejected):
            outcome = "beaten"
        else:
            outcome = "not_applicable"
        outcomes.append(
            CampaignOutcome(
                campaign=campaign,
                outcome=outcome,
                outcome_label=_outcome_label(outcome),
                saved=saved[campaign.pk],
                applied=mine_applied,
                rejected=tuple(
                    RuleLine(name=r["name"], type_label=r["type_label"], reason=_reason_text(r)) for r in mine_rejected
                ),
                other_channel_tools=other_channel,
                beaten_by=tuple(sorted(beaten_by)),
            )
        )
    return outcomes


def _margin(payable: int, cost: int) -> Decimal:
    if payable <= 0:
        return Decimal("-100.0") if cost > 0 else Decimal("0.0")
    return (Decimal(payable - cost) * 100 / payable).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _policy_notes(rules: PricingRules) -> tuple[str, ...]:
    policy = rules.policy
    notes = [
        _("同类型的订单优惠只取最优惠的一个。") if policy.same_type == "best" else _("同类型的订单优惠全部叠加。"),
        _("单品价（限时折扣、会员折扣等）每件商品只取最低的一个，不会相乘。"),
        _("优惠券可叠加的分组：%(groups)s，每组最多 %(n)d 张。")
        % {
            "groups": "、".join(
                str(CouponGroup(g).label) if g in CouponGroup.values else g for g in policy.coupon_groups
            )
            or _("无"),
            "n": policy.coupons_per_group,
        },
    ]
    return tuple(str(note) for note in notes)


def stacking_sample(
    *,
    campaign_ids: Sequence[int],
    now: datetime,
    cart: Sequence[tuple[Sku, int]] | None = None,
) -> StackingSample:
    """Price a sample cart (``cart``, or one built from the shared goods) against the campaigns."""
    campaigns = list(Campaign.objects.filter(pk__in=campaign_ids).order_by("starts_at", "pk"))
    tools = _tools_by_campaign([c.pk for c in campaigns])
    if not campaigns:
        return StackingSample(campaigns=(), at=now, whole_shop=False, shared_sku_ids=(), cart=())
    starts = max(c.starts_at for c in campaigns)
    ends = min(c.ends_at for c in campaigns)
    at = max(starts, now) if now < ends else starts
    shared = shared_skus(tools)
    promotion_ids = {t.object_id for ts in tools.values() for t in ts if t.kind == CampaignToolKind.PROMOTION}
    template_ids = {t.object_id for ts in tools.values() for t in ts if t.kind == CampaignToolKind.COUPON}
    rules = pricing_rules_load(now=at, include_inactive=True)
    rules = replace(rules, promotions=tuple(p for p in rules.promotions if p.pk in promotion_ids))
    templates = list(CouponTemplate.objects.filter(pk__in=template_ids).order_by("pk"))
    if cart is None:
        amount, units = _targets(rules, (rules.templates[t.pk].spec for t in templates if t.pk in rules.templates))
        cart = sample_cart(shared, amount=amount, units=units)
    floor = ShopSettings.load().margin_floor_percent
    sample = StackingSample(
        campaigns=tuple(campaigns),
        at=at,
        whole_shop=shared is ALL_GOODS,
        shared_sku_ids=tuple(sorted(shared or ())),
        shared_shown=tuple(
            Sku.objects.filter(pk__in=sorted(shared)[:SHARED_SHOWN]).select_related("product").order_by("pk")
        )
        if shared
        else (),
        cart=tuple(cart),
        floor_percent=floor,
        policy_notes=_policy_notes(rules),
    )
    if not cart:
        return replace(sample, error=_("这些活动没有共同的商品，不会在同一件商品上叠加。"))
    try:
        priced = price_check_quote(
            lines=cart,
            tier=Member.Tier.NORMAL,
            is_new=False,
            points_balance=0,
            points=0,
            templates=templates,
            auto_coupons=True,
            at=at,
            include_inactive=True,
            rules=rules,
        )
    except ApplicationError as exc:
        return replace(sample, error=str(exc.message))
    breakdown: dict[str, Any] = priced.breakdown
    line_rows: list[dict[str, Any]] = breakdown["lines"]
    costs = dict(
        Sku.objects.filter(pk__in=[row["sku_id"] for row in line_rows if row["sku_id"]]).values_list("pk", "cost_price")
    )
    lines, missing, cost = [], [], 0
    for row in line_rows:
        unit_cost = costs.get(row["sku_id"])
        if unit_cost is None:
            missing.append(row["title"])
        else:
            cost += unit_cost * row["qty"]
        lines.append(
            SampleLine(
                sku_id=row["sku_id"],
                title=row["title"],
                specs=" ".join(str(v) for v in (row["specs"] or {}).values()),
                qty=row["qty"],
                list_total=row["list_price"]["fen"] * row["qty"],
                paid=row["paid"]["fen"],
                cost=None if unit_cost is None else unit_cost * row["qty"],
                is_gift=row["is_gift"],
            )
        )
    payable = breakdown["payable"]["fen"]
    return replace(
        sample,
        lines=tuple(lines),
        subtotal=breakdown["subtotal"]["fen"],
        payable=payable,
        cost=None if missing else cost,
        margin_percent=None if missing else _margin(payable, cost),
        missing_cost=tuple(missing),
        outcomes=tuple(_outcomes(campaigns, tools, breakdown)),
    )


# --- the warnings a merchant confirms -------------------------------------------------------


@dataclass(frozen=True)
class StackingWarning:
    """One reason to think twice, with the evidence (all in yuan and names, never ids or codes)."""

    kind: str  # "beaten" | "margin"
    other_id: int
    other_name: str
    text: str
    evidence: tuple[str, ...]

    def as_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "other_id": self.other_id,
            "other_name": self.other_name,
            "text": self.text,
            "evidence": list(self.evidence),
        }


def _evidence(sample: StackingSample) -> tuple[str, ...]:
    cart = "、".join(f"{line.title} ×{line.qty}" for line in sample.lines if not line.is_gift)
    rows = [
        _("样例购物车：%(cart)s，原价 %(subtotal)s，实付 %(payable)s。")
        % {"cart": cart, "subtotal": yuan_text(sample.subtotal), "payable": yuan_text(sample.payable)}
    ]
    for outcome in sample.outcomes:
        parts = [f"{rule.name} -{yuan_text(rule.amount)}" for rule in outcome.applied]
        parts += [f"{rule.name}：{rule.reason}" for rule in outcome.rejected]
        detail = "；".join(parts) or _("无可计价的优惠")
        rows.append(f"「{outcome.campaign.name}」{outcome.outcome_label}：{detail}")
    if sample.margin_percent is not None and sample.cost is not None:
        figures = {"cost": yuan_text(sample.cost), "margin": sample.margin_percent, "floor": sample.floor_percent}
        if sample.floor_percent:
            rows.append(_("成本 %(cost)s，毛利率 %(margin)s%%（最低 %(floor)s%%）。") % figures)
        else:
            rows.append(_("成本 %(cost)s，毛利率 %(margin)s%%。") % figures)
    return tuple(str(row) for row in rows)


def sample_warnings(*, sample: StackingSample, campaign_id: int) -> list[StackingWarning]:
    """What the merchant must confirm about ``campaign_id`` on one overlap's sample cart."""
    mine = sample.outcome_of(campaign_id)
    others = [c for c in sample.campaigns if c.pk != campaign_id]
    if mine is None or not others or sample.error:
        return []
    other = others[0]
    warnings = []
    if mine.outcome == "beaten":
        winners = "、".join(mine.beaten_by) or other.name
        warnings.append(
            StackingWarning(
                kind="beaten",
                other_id=other.pk,
                other_name=other.name,
                text=_("与「%(other)s」同时进行时，本活动的优惠在共同商品上被「%(winners)s」压过，顾客享受不到。")
                % {"other": other.name, "winners": winners},
                evidence=_evidence(sample),
            )
        )
    if mine.saved > 0 and sample.below_floor:
        warnings.append(
            StackingWarning(
                kind="margin",
                other_id=other.pk,
                other_name=other.name,
                text=_("与「%(other)s」叠加后，样例购物车的毛利率为 %(margin)s%%，低于最低毛利率 %(floor)s%%。")
                % {"other": other.name, "margin": sample.margin_percent, "floor": sample.floor_percent},
                evidence=_evidence(sample),
            )
        )
    return warnings


def campaign_stacking_warnings(*, campaign: Campaign, now: datetime) -> list[StackingWarning]:
    """Warnings over every open campaign this one overlaps on shared goods (a service calls it
    after linking a tool, inside its transaction, so the new tool counts)."""
    if campaign.status == CampaignStatus.ENDED:
        return []
    tools = list(CampaignTool.objects.filter(campaign=campaign))
    warnings: list[StackingWarning] = []
    for overlap in campaign_overlaps(campaign=campaign, tools=tools):
        if not overlap.whole_shop and not overlap.shared_sku_count:
            continue
        sample = stacking_sample(campaign_ids=[campaign.pk, overlap.campaign.pk], now=now)
        warnings.extend(sample_warnings(sample=sample, campaign_id=campaign.pk))
    return warnings
