"""Order-level promotions (step 2), each measured on the item-level amounts of its scope."""

from __future__ import annotations

from bisect import bisect_right

from mall.money import Fen, format_yuan, rate_applier
from marketing.pricing import reasons
from marketing.pricing.rules.base import OrderOutcome, OrderRule, RuleContext, register_order
from marketing.pricing.state import LineState, ScopeLines
from marketing.pricing.types import BuyXGetY, FullGift, FullReduction, Hint, NthItem

# OrderOutcome(...) without the Python frame of a NamedTuple's constructor: one outcome is built
# per promotion per quote (issue 12); every field is given, in the NamedTuple's order
_new = tuple.__new__
_NOTHING_MORE = "the discounted units cost nothing more at this rate"


@register_order
class NthItemRule(OrderRule[NthItem]):
    """第 n 件 rate 折. Units are ranked dearest first (SKU breaks ties, so cart order never
    matters) and taken n at a time; the last unit of each full group gets the rate. Positions
    are counted per line, so a line of 1,000 units costs the same as a line of one."""

    replayable = True
    type = "nth_item"
    sequence = 0

    def __init__(self, spec: NthItem) -> None:
        super().__init__(spec)
        self.apply = rate_applier(spec.rate)
        self.n = spec.n
        # the rate's (2 × numerator, denominator, 2 × denominator): ``apply`` worked out inline
        num, den = spec.rate.as_integer_ratio()
        self.fraction = (2 * num, den, 2 * den)

    def evaluate(self, scope: ScopeLines, ctx: RuleContext) -> OrderOutcome:
        n = self.n
        units = scope[2]
        if units < n:
            detail = f"{units} units in scope, needs {n}"
            return _new(OrderOutcome, (0, reasons.THRESHOLD_NOT_MET, detail, (), 0, (), None))
        per_line: list[tuple[int, Fen]] = []
        seen = total = 0
        num2, den, den2 = self.fraction
        eligible = scope[0]
        if len(eligible) == 2:  # the sort below for two lines, without its key calls
            first, second = eligible
            if (-second.unit_price, second.sku) < (-first.unit_price, first.sku):
                first, second = second, first
            ranked: list[LineState] = [first, second]
        else:
            ranked = sorted(eligible, key=_dearest_first) if len(eligible) > 1 else eligible
        for line in ranked:
            qty = line.qty
            discounted = (seen + qty) // n - seen // n
            seen += qty
            if discounted:
                price = line.unit_price
                # mall.money.rate_applier's rounding half up, inlined for prices >= 0
                off = (price - ((price * num2 + den) // den2 if price >= 0 else self.apply(price))) * discounted
                if off:
                    per_line.append((line.pos, off))
                    total += off
        if not total:
            return _new(OrderOutcome, (0, reasons.NO_BENEFIT, _NOTHING_MORE, (), 0, (), None))
        per_line_sorted = tuple(sorted(per_line)) if len(per_line) > 1 else tuple(per_line)
        return _new(OrderOutcome, (total, None, "", per_line_sorted, 0, (), None))


def _dearest_first(line: LineState) -> tuple[Fen, str]:
    return (-line.unit_price, line.sku)


@register_order
class FullReductionRule(OrderRule[FullReduction]):
    """满减: the best reached tier for the shopper (每满 multiplies it), capped by ``max_off``."""

    replayable = True
    type = "full_reduction"
    sequence = 1

    def __init__(self, spec: FullReduction) -> None:
        super().__init__(spec)
        tiers = sorted((t for t in spec.tiers if t.threshold > 0), key=lambda t: t.threshold)
        self.thresholds = [t.threshold for t in tiers]
        self.offs = [t.off for t in tiers]
        self.best_offs: list[Fen] = []  # best off among the tiers up to each threshold
        for off in self.offs:
            self.best_offs.append(max(off, self.best_offs[-1] if self.best_offs else 0))
        # what each tier's own threshold earns: fixed by the spec, so the next tier a (non-每满)
        # hint names is found without working each threshold out again per quote (issue 12)
        self.rewards = [self.off_at(threshold) for threshold in self.thresholds]
        self.below = f" below {format_yuan(self.thresholds[0] if self.thresholds else 0)}"
        # (non-每满) per count of reached tiers: the off before the amount cap, and the first
        # tier after them that takes more than that off (None: none), so ``evaluate`` reads
        # both with one bisection when the amount does not cap the off (issue 12)
        self.reached_off: list[Fen] = []
        self.next_index: list[int | None] = []
        for reached in range(len(self.thresholds) + 1):
            off = self.best_offs[reached - 1] if reached else 0
            if spec.max_off is not None:
                off = min(off, spec.max_off)
            self.reached_off.append(off)
            later = (i for i in range(reached, len(self.rewards)) if self.rewards[i] > off)
            self.next_index.append(next(later, None))

    def off_at(self, amount: Fen) -> Fen:
        if self.spec.repeat:
            best = max((off * (amount // th) for th, off in zip(self.thresholds, self.offs, strict=True)), default=0)
        else:
            reached = bisect_right(self.thresholds, amount)
            best = self.best_offs[reached - 1] if reached else 0
        if self.spec.max_off is not None:
            best = min(best, self.spec.max_off)
        return min(best, amount)

    def next_tier(self, amount: Fen, off: Fen) -> tuple[Fen, Fen] | None:
        """The smallest amount above ``amount`` that takes more off, and what it takes."""
        if not self.spec.repeat:
            rewards = self.rewards
            for i in range(bisect_right(self.thresholds, amount), len(rewards)):
                if rewards[i] > off:
                    return self.thresholds[i], rewards[i]
            return None
        points = sorted({(amount // th + 1) * th for th in self.thresholds})
        for point in points:
            reward = self.off_at(point)
            if reward > off:
                return point, reward
        return None

    def evaluate(self, scope: ScopeLines, ctx: RuleContext) -> OrderOutcome:
        amount = scope[1]
        outcome = self.outcomes.get(amount)
        if outcome is None:
            outcome = self.remember(amount, self._measure(amount))
        return outcome

    def _measure(self, amount: Fen) -> OrderOutcome:
        """The off, the next tier's hint and the rejection: the amount alone decides them."""
        upcoming: tuple[Fen, Fen] | None
        if self.spec.repeat:
            off = self.off_at(amount)
            upcoming = self.next_tier(amount, off)
        else:  # off_at and next_tier from the tables
            reached = bisect_right(self.thresholds, amount)
            off = self.reached_off[reached]
            if off > amount:
                off = amount
                upcoming = self.next_tier(amount, off)
            else:
                i = self.next_index[reached]
                upcoming = None if i is None else (self.thresholds[i], self.rewards[i])
        hint = None
        if upcoming is not None:
            point, reward = upcoming
            hint = Hint(
                rule_id=self.id,
                rule_type=self.type,
                short_by=point - amount,
                reward=reward,
                gift_sku=None,
                text=f"再买 ¥{format_yuan(point - amount)} 可减 ¥{format_yuan(reward)}",
            )
        if not off:
            detail = f"scope amount {format_yuan(amount)}{self.below}"
            return _new(OrderOutcome, (0, reasons.THRESHOLD_NOT_MET, detail, (), 0, (), hint))
        return _new(OrderOutcome, (off, None, "", (), off, (), hint))


@register_order
class FullGiftRule(OrderRule[FullGift]):
    """满赠: once per order; ranked by the gifts' list value."""

    replayable = True
    type = "full_gift"
    sequence = 3

    def __init__(self, spec: FullGift) -> None:
        super().__init__(spec)
        self.below = f" below {format_yuan(spec.threshold)}"
        self.threshold, self.gift_sku, self.gift_qty = spec.threshold, spec.gift_sku, spec.gift_qty
        self.gifts = ((spec.gift_sku, spec.gift_qty),)
        self.gift_skus = (spec.gift_sku,)

    def evaluate(self, scope: ScopeLines, ctx: RuleContext) -> OrderOutcome:
        amount = scope[1]
        if amount >= self.threshold:
            value = ctx.price_of(self.gift_sku) * self.gift_qty
            return _new(OrderOutcome, (value, None, "", (), 0, self.gifts, None))
        outcome = self.outcomes.get(amount)
        if outcome is None:
            outcome = self.remember(amount, self._short(amount))
        return outcome

    def _short(self, amount: Fen) -> OrderOutcome:
        """Below the threshold: the hint and the rejection, which depend on the amount alone."""
        short = self.threshold - amount
        hint = Hint(
            rule_id=self.id,
            rule_type=self.type,
            short_by=short,
            reward=0,
            gift_sku=self.gift_sku,
            text=f"再买 ¥{format_yuan(short)} 可享满赠",
        )
        detail = f"scope amount {format_yuan(amount)}{self.below}"
        return _new(OrderOutcome, (0, reasons.THRESHOLD_NOT_MET, detail, (), 0, (), hint))


@register_order
class BuyXGetYRule(OrderRule[BuyXGetY]):
    """买A送B: every ``buy_qty`` units bought add ``gift_qty`` gifts."""

    replayable = True
    type = "buy_x_get_y"
    sku_field = "buy_sku"
    sequence = 2

    def __init__(self, spec: BuyXGetY) -> None:
        super().__init__(spec)
        self.gift_skus = (spec.gift_sku,)

    def evaluate(self, scope: ScopeLines, ctx: RuleContext) -> OrderOutcome:
        spec = self.spec
        units = scope.units
        times = units // spec.buy_qty
        if not times:
            detail = f"{units} of {spec.buy_sku} bought, needs {spec.buy_qty}"
            return _new(OrderOutcome, (0, reasons.THRESHOLD_NOT_MET, detail, (), 0, (), None))
        count = times * spec.gift_qty
        value = ctx.price_of(spec.gift_sku) * count
        return _new(OrderOutcome, (value, None, "", (), 0, ((spec.gift_sku, count),), None))
