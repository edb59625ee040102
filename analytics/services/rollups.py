"""Daily rollups of the behaviour events (F37): one day at a time, replaced whole.

``rollup_day`` deletes the day's rollup rows and writes them again from the raw events in one
transaction, so running it twice (beat every few minutes for today and yesterday, a re-run
after late events) gives the same figures. Visitors are distinct anonymous ids within the day.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from analytics.catalogue import HOME_PAGE, PATH_STEP_GAP, PAY_STEP
from analytics.models import BehaviourEvent, EventDay, FunnelDay, HourDay, LeaveDay, PageDay, PathDay, ProductDay

ROLLUPS = (PageDay, EventDay, ProductDay, FunnelDay, HourDay, LeaveDay, PathDay)
MAX_PATH_STEPS = 8


FUNNEL_STEPS = {"page_view": 0, "add_to_cart": 1, "checkout_start": 2, PAY_STEP: 3}


def path_key(page: str) -> str:
    """A page's short form in a click path ("pages/home/index" → "pages/home")."""
    return page[: -len("/index")] if page.endswith("/index") else page


def session_path(steps: list[str]) -> str | None:
    """The path from the first home view to the first payment, or None if the session paid not after home."""
    try:
        start = steps.index(HOME_PAGE)
    except ValueError:
        return None
    path: list[str] = []
    for step in steps[start:]:
        if path and path[-1] == step:
            continue
        path.append(step)
        if step == PAY_STEP:
            break
    else:
        return None
    if len(path) > MAX_PATH_STEPS:
        path = [*path[: MAX_PATH_STEPS - 4], PATH_STEP_GAP, *path[-3:]]
    return " > ".join(path_key(step) for step in path)[:255]


class _Tally:
    """Every figure of one day, counted in one pass over its events (ordered by session and time).

    One scan of the day's partition instead of a GROUP BY per rollup: on a busy database the
    distinct-visitor counts of seven grouped queries cost several times the one ordered read.
    """

    def __init__(self) -> None:
        self.pages: dict[str, list[Any]] = {}  # page → [views, visitors, dwell, dwell views]
        self.events: dict[str, list[Any]] = {}  # name → [events, visitors]
        self.products: dict[int, list[Any]] = {}  # product → [views, viewers, carts]
        self.funnels: dict[tuple[str, int], list[set[str]]] = {("", 0): [set(), set(), set(), set()]}
        self.funnel_views: Counter[tuple[str, int]] = Counter()  # page views per funnel key
        self.hours: dict[int, list[Any]] = {}  # hour → [events, visitors]
        self.leaves: Counter[str] = Counter()
        self.paths: Counter[str] = Counter()
        self._session: str | None = None
        self._steps: list[str] = []

    def add(self, row: tuple[Any, ...]) -> None:
        name, page, product_id, tool, campaign_id, dwell_ms, reason, hour, anon, session = row
        event = self.events.setdefault(name, [0, set()])
        event[0] += 1
        event[1].add(anon)
        by_hour = self.hours.setdefault(hour, [0, set()])
        by_hour[0] += 1
        by_hour[1].add(anon)
        if session != self._session:
            self._end_session()
            self._session = session
        if name == "page_view":
            stats = self.pages.setdefault(page, [0, set(), 0, 0])
            stats[0] += 1
            stats[1].add(anon)
            if dwell_ms is not None:
                stats[2] += dwell_ms
                stats[3] += 1
            self._steps.append(page)
        elif name == PAY_STEP:
            self._steps.append(PAY_STEP)
        elif name == "checkout_leave":
            self.leaves[reason] += 1
        if product_id is not None and name in ("page_view", "add_to_cart"):
            item = self.products.setdefault(product_id, [0, set(), 0])
            if name == "page_view":
                item[0] += 1
                item[1].add(anon)
            else:
                item[2] += 1
        keys = [("", 0)]
        if tool:
            keys.append((tool, 0))
            if campaign_id is not None:
                keys.append((tool, campaign_id))
        step = FUNNEL_STEPS.get(name)
        for key in keys:
            steps = self.funnels.setdefault(key, [set(), set(), set(), set()])
            if step is not None:
                steps[step].add(anon)
            if name == "page_view":
                self.funnel_views[key] += 1

    def _end_session(self) -> None:
        if self._steps and (path := session_path(self._steps)):
            self.paths[path] += 1
        self._steps = []

    def write(self, day: date) -> None:
        self._end_session()
        PageDay.objects.bulk_create(
            PageDay(day=day, page=page, views=v, visitors=len(u), dwell_ms=d, dwell_views=dv)
            for page, (v, u, d, dv) in self.pages.items()
        )
        EventDay.objects.bulk_create(
            EventDay(day=day, name=name, events=n, visitors=len(u)) for name, (n, u) in self.events.items()
        )
        ProductDay.objects.bulk_create(
            ProductDay(day=day, product_id=pid, views=v, visitors=len(u), carts=c)
            for pid, (v, u, c) in self.products.items()
        )
        FunnelDay.objects.bulk_create(
            FunnelDay(
                day=day,
                tool=tool,
                campaign_id=cid,
                views=self.funnel_views[(tool, cid)],
                viewers=len(a),
                carters=len(b),
                checkouts=len(c),
                payers=len(d),
            )
            for (tool, cid), (a, b, c, d) in self.funnels.items()
        )
        HourDay.objects.bulk_create(
            HourDay(day=day, hour=hour, events=n, visitors=len(u)) for hour, (n, u) in self.hours.items()
        )
        LeaveDay.objects.bulk_create(LeaveDay(day=day, reason=reason, leaves=n) for reason, n in self.leaves.items())
        PathDay.objects.bulk_create(PathDay(day=day, path=path, sessions=n) for path, n in self.paths.items())


ROW = ("name", "page", "product_id", "tool", "campaign_id", "dwell_ms", "reason", "hour", "anon_id", "session")


@transaction.atomic
def rollup_day(*, day: date) -> None:
    for model in ROLLUPS:
        model.objects.filter(day=day).delete()
    tally = _Tally()
    rows = BehaviourEvent.objects.filter(day=day).order_by("session", "occurred_at", "id").values_list(*ROW)
    for row in rows.iterator(chunk_size=20_000):
        tally.add(row)
    tally.write(day)


def rollup_recent(*, days: int = 2, today: date | None = None) -> list[date]:
    """Roll up the last ``days`` days (today included): late events of yesterday still count."""
    today = today or timezone.localdate()
    done = [today - timedelta(days=offset) for offset in range(days)]
    for day in done:
        rollup_day(day=day)
    return done
