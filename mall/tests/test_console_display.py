"""The console's one yuan helper: fen in, yuan on screen, the sign in front of the ¥."""

from __future__ import annotations

import pytest

from mall.console.display import yuan


@pytest.mark.parametrize(
    ("fen", "shown"),
    [
        (39900, "¥399.00"),
        (5, "¥0.05"),
        (0, "¥0.00"),
        (-420, "-¥4.20"),
        (-139040, "-¥1,390.40"),
        (123_456_789, "¥1,234,567.89"),
        (None, "-"),
    ],
)
def test_yuan_puts_the_sign_before_the_currency(fen: int | None, shown: str) -> None:
    assert yuan(fen) == shown
