"""Money is integer fen everywhere; this module is the one place that converts and rounds.

No Django imports: the pricing engine uses it too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

Fen = int

_YUAN_RE = re.compile(r"^-?\d+(\.\d{1,2})?$")


class MoneyFormatError(ValueError):
    """A yuan string that is not a plain amount with at most two decimals."""


def parse_yuan(value: str | int | Decimal) -> Fen:
    """'12.50' -> 1250. Ints are yuan. Refuses floats and more than two decimals."""
    if isinstance(value, bool | float):
        raise MoneyFormatError(f"amount must be a string like '12.50', got {value!r}")
    if isinstance(value, int):
        return value * 100
    text = str(value).strip()
    if not _YUAN_RE.match(text):
        raise MoneyFormatError(f"not an amount in yuan: {value!r}")
    return int(Decimal(text) * 100)


def format_yuan(fen: Fen) -> str:
    """1250 -> '12.50' (always two decimals, '-' for negatives)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def yuan_text(fen: Fen | None) -> str:
    """Money as people read it, the one display helper: ``12345600`` → ``¥123,456.00`` (thousands
    grouped), ``-420`` → ``-¥4.20``, ``None`` → ``-``. ``format_yuan`` stays for values in forms and
    files (no ¥, no grouping, so they parse back)."""
    if fen is None:
        return "-"
    whole, cents = format_yuan(int(fen)).split(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}¥{int(whole.lstrip('-')):,}.{cents}"


def parse_rate(value: str | Decimal) -> Decimal:
    """'0.8' (8折) -> Decimal('0.8'); must lie in [0, 1]."""
    try:
        rate = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise MoneyFormatError(f"not a rate: {value!r}") from exc
    if not rate.is_finite() or rate < 0 or rate > 1:
        raise MoneyFormatError(f"rate must be between 0 and 1: {value!r}")
    return rate


def apply_rate(fen: Fen, rate: Decimal) -> Fen:
    """fen × rate, rounded half up to the fen (the only rounding rule for rates)."""
    return int((Decimal(fen) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rate_applier(rate: Decimal) -> Callable[[Fen], Fen]:
    """``apply_rate`` for one rate over many amounts (the pricing engine's hot loops): the same
    round-half-up result, with the rate turned into an integer fraction once instead of a
    Decimal multiplication and quantize per amount."""
    num, den = rate.as_integer_ratio()
    twice = 2 * den

    def apply(fen: Fen) -> Fen:
        if fen >= 0:
            return (2 * fen * num + den) // twice
        return -((-2 * fen * num + den) // twice)

    return apply


def allocate(total: Fen, weights: Sequence[int]) -> list[Fen]:
    """Spread ``total`` over ``weights`` proportionally by largest remainder.

    The parts always sum to ``total``; ties go to the earlier index, so the result is
    deterministic. All-zero weights spread evenly.
    """
    if total < 0:
        raise ValueError("total must be >= 0")
    n = len(weights)
    if n == 0:
        if total:
            raise ValueError("cannot allocate a non-zero total over no weights")
        return []
    if min(weights) < 0:
        raise ValueError("weights must be >= 0")
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights = [1] * n
        weight_sum = n
    shares = [total * w // weight_sum for w in weights]
    left = total - sum(shares)
    if left:
        remainders = [total * w % weight_sum for w in weights]
        # a stable sort (reverse keeps it stable): equal remainders favour the earlier index
        for i in sorted(range(n), key=remainders.__getitem__, reverse=True)[:left]:
            shares[i] += 1
    return shares
