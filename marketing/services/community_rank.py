"""The 推荐 (recommended) order of the community feed: engaging first, decayed by age.

    engagement = likes + 2 × comments + favourites
    rank_score = log10(1 + engagement) + FEATURED_BOOST × featured + (published_at − EPOCH) / DECAY_SECONDS

The score is stored on the post and recomputed whenever a counter or the featured flag
changes, so the feed sorts on one indexed column with cursor paging. Because age enters as a
linear term next to the *logarithm* of engagement (Reddit's "hot" formula), a post published
12.5 hours later needs ten times less engagement to rank level with an older one: old posts
decay without any periodic rescoring. Featured posts count as if they had ten times the
engagement (+1).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
DECAY_SECONDS = 45_000  # 12.5 hours: the age that weighs as much as a tenfold engagement
FEATURED_BOOST = 1.0


def rank_score(*, likes: int, comments: int, favourites: int, featured: bool, published_at: datetime | None) -> float:
    if published_at is None:
        return 0.0
    engagement = likes + 2 * comments + favourites
    age_term = (published_at - EPOCH).total_seconds() / DECAY_SECONDS
    return round(math.log10(1 + max(engagement, 0)) + (FEATURED_BOOST if featured else 0.0) + age_term, 6)
