"""The global holdout (B03): a small, stable share of shoppers who get no marketing at all.

The merchant switches it on in the shop settings with a percentage (1–10 %). Who is held out is
decided by a hash of the shopper's id and a salt fixed when the holdout was switched on, so the
group never reshuffles while it runs (raising the percentage only adds shoppers; switching it
off and on again starts a new group). Held-out shoppers are left out of segment campaigns and
lifecycle journeys (recorded as skipped, so reports stay honest) and get no marketing message
(:func:`members.message_kinds.message_kind_is_marketing`); they still get every transactional
notice and can shop and use public promotions like anyone else. Comparing them with everyone
else measures what the marketing as a whole adds (``analytics.selectors.uplift``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from mall.models import ShopSettings

BUCKETS = 10_000
PERCENT_MIN = 1
PERCENT_MAX = 10
SKIP_REASON = "global_holdout"


@dataclass(frozen=True)
class GlobalHoldout:
    """The holdout as it stands: on or off, its share and the salt of its group."""

    enabled: bool = False
    percent: int = 0
    salt: str = ""
    since: datetime | None = None
    until: datetime | None = None  # when it was switched off (None while on)

    @property
    def active(self) -> bool:
        return self.enabled and bool(self.salt) and self.percent > 0

    def holds_out(self, member_id: int) -> bool:
        return self.active and global_holdout_bucket(self.salt, member_id) < self.percent * BUCKETS // 100

    def held_out(self, member_ids: Iterable[int]) -> set[int]:
        """The held-out shoppers among ``member_ids`` (no query)."""
        if not self.active:
            return set()
        return {member_id for member_id in member_ids if self.holds_out(member_id)}


OFF = GlobalHoldout()


def global_holdout_bucket(salt: str, member_id: int) -> int:
    """0..9999, stable for (salt, shopper): the first 8 hex digits of SHA-256("salt:member")."""
    digest = hashlib.sha256(f"{salt}:{member_id}".encode()).hexdigest()
    return int(digest[:8], 16) % BUCKETS


def global_holdout_current() -> GlobalHoldout:
    """The shop's global holdout (one query; off when the shop has no settings row yet)."""
    row = (
        ShopSettings.objects.order_by("pk")
        .values_list(
            "global_holdout_enabled",
            "global_holdout_percent",
            "global_holdout_salt",
            "global_holdout_since",
            "global_holdout_until",
        )
        .first()
    )
    if row is None:
        return OFF
    enabled, percent, salt, since, until = row
    return GlobalHoldout(enabled=enabled, percent=percent, salt=salt, since=since, until=until)


def is_globally_held_out(member_id: int) -> bool:
    return global_holdout_current().holds_out(member_id)
