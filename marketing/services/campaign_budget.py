"""The campaign budget (B02): reserved atomically at placement, released on cancel and refund.

An order's discount is charged to the campaigns whose tools gave it: every engine rule the
quote applied (``promotion:7``, ``coupon:31``, ``flash:4``, ``group:2``, ``bargain:9``) is
mapped to its tool object and so to at most one campaign (a tool is in one campaign). For
each budgeted campaign the order reserves its discount and one use with a single guarded
UPDATE (``spent + amount <= budget``) on the campaign row, inside the order's transaction, and
keeps a :class:`CampaignBudgetHold`; 50 parallel checkouts queue on that row and the budget is
never exceeded (the database's CHECK constraints say so too).

* A reservation that does not fit refuses the order with ``campaign_budget_spent`` and flags
  the campaign; the minute sweep (:func:`campaigns_budget_sweep`) pauses flagged campaigns.
* A reservation that spends the last fen or the last use pauses the campaign at once, in the
  same transaction (so the next quote runs without its tools).
* Cancellation and expiry give back the whole hold; a refund gives back the refunded share of
  the discount (all of it, and the use, when the order is fully refunded); a late payment that
  revives a cancelled order reserves again or is refused like a gone deal (the payment is
  refunded). Every release is computed from the order's state, so running it twice is a no-op.

The order core never imports this: it runs through ``order_benefits`` (the deal/benefit seam)
and the ``refunded`` order hook.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q

from mall.cache import cache_write
from marketing.errors import CampaignBudgetSpent
from marketing.models import (
    Bargain,
    Campaign,
    CampaignBudgetHold,
    CampaignToolKind,
    Coupon,
    FlashItem,
)
from marketing.selectors.campaign_tool_maps import BUDGET_STATUSES, ToolKey, budgeted_tools
from orders.models import Order, OrderStatus, Refund
from orders.services.hooks import order_hook

SHORT_FLAG_KEY = "campaigns:budget-short:{}"
SHORT_FLAG_TTL = 3600
OPEN_STATUSES = BUDGET_STATUSES


def _ids(rule_ids: Iterable[str], head: str) -> set[int]:
    found = set()
    for rule_id in rule_ids:
        prefix, _sep, tail = rule_id.partition(":")
        if prefix == head and tail.isdigit():
            found.add(int(tail))
    return found


def _coupon_templates(ids: list[int]) -> list[tuple[int, int]]:
    """(coupon, template) pairs, written out (issue 12: the ORM's compile), for coupons whose
    order did not keep its template (:func:`coupon_templates_of`)."""
    with connection.cursor() as cursor:
        cursor.execute(_coupon_templates_sql(len(ids)), ids)
        return [(int(pk), int(template)) for pk, template in cursor.fetchall()]


@cache
def _coupon_templates_sql(count: int) -> str:
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * count)
    columns = f"{quote('id')}, {quote('template_id')}"
    return f"SELECT {columns} FROM {quote(Coupon._meta.db_table)} WHERE {quote('id')} IN ({marks})"  # noqa: S608 - names from model metadata, values bound


def coupon_templates_of(pricing: Mapping[str, Any] | None) -> dict[int, int]:
    """Coupon → template of the coupons an order's pricing judged (``Order.pricing["coupons"]``
    keeps each one's template since issue 12), so mapping them to campaigns asks no query;
    an order placed before that keeps none and its coupons are read."""
    found: dict[int, int] = {}
    for row in (pricing or {}).get("coupons") or []:
        pk, template = row.get("coupon_id"), row.get("template_id")
        if isinstance(pk, int) and isinstance(template, int):
            found[pk] = template
    return found


def rule_tool_keys(
    rule_ids: set[str], kinds: set[str], coupon_templates: Mapping[int, int] | None = None
) -> dict[str, ToolKey]:
    """Engine rule id → (tool kind, tool object id), querying only the kinds that are budgeted
    (``coupon_templates``: coupons whose template is known already, see :func:`coupon_templates_of`)."""
    keys: dict[str, ToolKey] = {}
    for pk in _ids(rule_ids, "promotion"):
        keys[f"promotion:{pk}"] = (CampaignToolKind.PROMOTION, pk)
    for pk in _ids(rule_ids, "group"):
        keys[f"group:{pk}"] = (CampaignToolKind.GROUP_BUY, pk)
    coupons = _ids(rule_ids, "coupon")
    if coupons and CampaignToolKind.COUPON in kinds:
        known = coupon_templates or {}
        missing = sorted(coupons - known.keys())
        pairs = [(pk, known[pk]) for pk in coupons if pk in known]
        for pk, template in pairs + (_coupon_templates(missing) if missing else []):
            keys[f"coupon:{pk}"] = (CampaignToolKind.COUPON, template)
    items = _ids(rule_ids, "flash")
    if items and CampaignToolKind.FLASH in kinds:
        for pk, slot in FlashItem.objects.filter(pk__in=items).values_list("pk", "slot_id"):
            keys[f"flash:{pk}"] = (CampaignToolKind.FLASH, slot)
    bargains = _ids(rule_ids, "bargain")
    if bargains and CampaignToolKind.BARGAIN in kinds:
        for pk, campaign in Bargain.objects.filter(pk__in=bargains).values_list("pk", "campaign_id"):
            keys[f"bargain:{pk}"] = (CampaignToolKind.BARGAIN, campaign)
    return keys


def budget_charges(
    applied: Iterable[Mapping[str, Any]], coupon_templates: Mapping[int, int] | None = None
) -> dict[int, int]:
    """Campaign id → discount (fen) this quote's applied rules charge to it (budgeted only)."""
    amounts: dict[str, int] = defaultdict(int)
    for row in applied:
        rule_id = str(row.get("rule_id", ""))
        if rule_id:
            amounts[rule_id] += int(row.get("amount", 0) or 0)
    if not amounts:
        return {}
    tools = budgeted_tools()
    if not tools:
        return {}
    keys = rule_tool_keys(set(amounts), {kind for kind, _pk in tools}, coupon_templates)
    charges: dict[int, int] = defaultdict(int)
    for rule_id, amount in amounts.items():
        key = keys.get(rule_id)
        campaign_id = tools.get(key) if key is not None else None
        if campaign_id is not None and amount > 0:
            charges[campaign_id] += amount
    return dict(charges)


def _flag_short(campaign_id: int) -> None:
    """Remembered outside the (rolled back) order transaction for the minute sweep."""
    cache_write(SHORT_FLAG_KEY.format(campaign_id), 1, timeout=SHORT_FLAG_TTL)


def _reserve(campaign_id: int, amount: int) -> Campaign:
    fits = Q(budget_amount__isnull=True) | Q(budget_amount__gte=F("spent_amount") + amount)
    fits &= Q(budget_uses__isnull=True) | Q(budget_uses__gte=F("spent_uses") + 1)
    updated = (
        Campaign.objects.filter(pk=campaign_id, status__in=OPEN_STATUSES)
        .filter(fits)
        .update(spent_amount=F("spent_amount") + amount, spent_uses=F("spent_uses") + 1)
    )
    if not updated:
        _flag_short(campaign_id)
        raise CampaignBudgetSpent(details={"campaign_id": campaign_id})
    return Campaign.objects.get(pk=campaign_id)


def _spent(campaign: Campaign) -> bool:
    amount_done = campaign.budget_amount is not None and campaign.spent_amount >= campaign.budget_amount
    uses_done = campaign.budget_uses is not None and campaign.spent_uses >= campaign.budget_uses
    return amount_done or uses_done


@transaction.atomic(savepoint=False)  # issue 12: a refusal fails the caller's whole change
def campaign_budget_take(*, order: Order, applied: Iterable[Mapping[str, Any]]) -> list[CampaignBudgetHold]:
    """At placement (or revival): reserve each budgeted campaign's share, or ``campaign_budget_spent``.

    Campaign rows are updated in id order (one lock order, no deadlocks between orders).
    """
    from marketing.services.campaigns import campaign_pause_for_budget  # campaigns imports this module

    charges = budget_charges(applied, coupon_templates_of(order.pricing))
    holds = []
    for campaign_id in sorted(charges):
        campaign = _reserve(campaign_id, charges[campaign_id])
        hold, created = CampaignBudgetHold.objects.get_or_create(
            campaign_id=campaign_id, order_id=order.pk, defaults={"amount": charges[campaign_id], "uses": 1}
        )
        if not created:  # a revived order: its hold was released in full at cancellation
            CampaignBudgetHold.objects.filter(pk=hold.pk).update(
                amount=charges[campaign_id], uses=1, released_amount=0, released_uses=0
            )
        holds.append(hold)
        if _spent(campaign):
            campaign_pause_for_budget(campaign_id=campaign_id)
    return holds


def _release_to(hold: CampaignBudgetHold, *, amount: int, uses: int) -> None:
    """Move the hold's released figures up to (amount, uses) and give the difference back."""
    more_amount, more_uses = amount - hold.released_amount, uses - hold.released_uses
    if more_amount <= 0 and more_uses <= 0:
        return
    more_amount, more_uses = max(more_amount, 0), max(more_uses, 0)
    CampaignBudgetHold.objects.filter(pk=hold.pk).update(
        released_amount=F("released_amount") + more_amount, released_uses=F("released_uses") + more_uses
    )
    Campaign.objects.filter(pk=hold.campaign_id).update(
        spent_amount=F("spent_amount") - more_amount, spent_uses=F("spent_uses") - more_uses
    )


def _holds(order_id: int) -> list[CampaignBudgetHold]:
    # Campaign-id order, the same as placement's.
    return list(CampaignBudgetHold.objects.select_for_update().filter(order_id=order_id).order_by("campaign_id"))


@transaction.atomic
def campaign_budget_release(*, order_id: int) -> None:
    """The order was cancelled or expired unpaid: everything it reserved comes back."""
    for hold in _holds(order_id):
        _release_to(hold, amount=hold.amount, uses=hold.uses)


@transaction.atomic
def campaign_budget_settle_refund(*, order: Order) -> None:
    """After a refund: the refunded share of each hold comes back (all of it, and the use, once
    the order is fully refunded). Computed from the order, so repeating it changes nothing."""
    paid = order.payable_amount
    full = order.status == OrderStatus.REFUNDED or (paid > 0 and order.refunded_amount >= paid)
    for hold in _holds(order.pk):
        if full:
            _release_to(hold, amount=hold.amount, uses=hold.uses)
        elif paid > 0:
            _release_to(hold, amount=hold.amount * min(order.refunded_amount, paid) // paid, uses=0)


@order_hook("refunded")
def _on_refunded(*, order: Order, refund: Refund | None = None) -> None:
    campaign_budget_settle_refund(order=order)
