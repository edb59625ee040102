"""Switching the global holdout on for a test with a salt that holds out exactly the shoppers named."""

from __future__ import annotations

from collections.abc import Sequence

from mall.models import ShopSettings
from mall.services.shop import shop_settings_update
from members.global_holdout import GlobalHoldout
from members.models import Member


def global_holdout_on(held: Sequence[Member], free: Sequence[Member], percent: int = 10) -> str:
    """The holdout switched on through the service, then its salt swapped for one that puts
    ``held`` in the group and ``free`` outside it (the service's salt is random)."""
    shop_settings_update(actor=None, global_holdout_enabled=True, global_holdout_percent=percent)
    for n in range(100_000):
        salt = f"test-{n}"
        holdout = GlobalHoldout(enabled=True, percent=percent, salt=salt)
        if all(holdout.holds_out(m.pk) for m in held) and not any(holdout.holds_out(m.pk) for m in free):
            ShopSettings.objects.update(global_holdout_salt=salt)
            return salt
    raise AssertionError("no salt splits these shoppers")  # pragma: no cover
