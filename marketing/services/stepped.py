"""F13 阶梯价: numbering an order's units in each stepped campaign's sequence.

``order_place`` calls :func:`stepped_units_take` inside its transaction, before it prices the
order. For each running stepped-price campaign whose SKU the order buys, one guarded
conditional UPDATE on the campaign's :class:`~marketing.models.StepCounter` row reserves the
next units::

    UPDATE step_counter SET taken_from = sold, sold = LEAST(sold + qty, last_upto)
     WHERE promotion_id = %s AND sold < last_upto

and the row is read back (our own locked row: nobody else can move it before we commit), so
the order knows it holds units ``taken_from + 1 … sold``. Its quote then prices exactly those
units (``SteppedPrice.sold = taken_from``): a line that straddles two steps pays each unit at
its own step, and units past the last step pay the list price and are not numbered. Two
placements can never hold the same number, so no step sells more units than it has.

Every unit of the campaign's SKU ordered while the campaign runs is numbered, whatever price
it finally pays (a better offer may win the line). A cancelled or expired order keeps its
numbers: its cheap step is not given back, so the campaign never sells more cheap units than
it promised, at the cost of some cheap units going unsold (documented in the README).

Previews (cart quote, checkout preview) read the counters through the fetch step and take
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Least

from mall.models import Sku
from marketing.models import PromotionType, StepCounter
from marketing.pricing import SteppedPrice
from marketing.selectors.pricing_rules import PricingRules, pricing_rules_active


def _counter_row(promotion_id: int) -> None:
    """The counter of a campaign made before the sequence existed and missed by the data
    migration (a hand-made row): created once, a racing creator's row wins."""
    try:
        with transaction.atomic():
            StepCounter.objects.create(promotion_id=promotion_id)
    except IntegrityError:
        pass


def _take(promotion_id: int, qty: int, last_upto: int) -> int:
    """Reserve up to ``qty`` units; returns how many units were numbered before them."""
    for _attempt in range(2):
        taken = StepCounter.objects.filter(promotion_id=promotion_id, sold__lt=last_upto).update(
            taken_from=F("sold"), sold=Least(F("sold") + qty, last_upto)
        )
        if taken:
            return int(StepCounter.objects.filter(promotion_id=promotion_id).values_list("taken_from", flat=True)[0])
        sold = StepCounter.objects.filter(promotion_id=promotion_id).values_list("sold", flat=True).first()
        if sold is not None:
            return int(sold)  # every step is sold: the units pay the list price, nothing is reserved
        _counter_row(promotion_id)
    raise AssertionError("unreachable: the counter row exists after _counter_row")  # pragma: no cover


@transaction.atomic(savepoint=False)  # issue 12: inside the placement's transaction, no savepoint round trips
def stepped_units_take(
    *, items: Sequence[tuple[Sku, int]], at: datetime, rules: PricingRules | None = None
) -> Mapping[int, int]:
    """Number this order's units in every running stepped campaign it buys from.

    Returns ``{promotion pk: units numbered before this order}`` for the quote. Must run inside
    the order's transaction: the counter rows stay locked until it commits (see
    ``orders.services.orders._order_create`` for why that is short), and a placement that
    fails afterwards gives its numbers back with the rollback. Rows are taken in promotion-id
    order, the one order every placement uses, so two orders never deadlock on them. ``rules``:
    the active rules the placement already read (the same version prices the order).
    """
    rules = rules or pricing_rules_active(now=at)
    qty_by_code: dict[str, int] = {}
    for sku, qty in items:
        qty_by_code[sku.code] = qty_by_code.get(sku.code, 0) + qty
    running: list[tuple[int, SteppedPrice]] = [
        (entry.pk, entry.spec)
        for entry in rules.promotions
        if entry.type == PromotionType.STEPPED_PRICE
        and isinstance(entry.spec, SteppedPrice)
        and entry.spec.sku in qty_by_code
        and entry.spec.in_window(at)
        and entry.spec.steps
    ]
    running.sort(key=lambda pair: pair[0])
    return {pk: _take(pk, qty_by_code[spec.sku], max(step.upto for step in spec.steps)) for pk, spec in running}
