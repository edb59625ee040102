"""Reads for the console's security pages: one's own sessions, the current login locks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Max, Sum
from django.utils import timezone

from mall.models import StaffSession
from mall.services.staff_security import staff_session_is_live

# (token in the user agent, name shown) — first match wins, so the specific ones come first.
_BROWSERS = (
    ("MicroMessenger", "微信"),
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Mac OS X", "macOS"),
    ("Android", "Android"),
    ("Linux", "Linux"),
)


def user_agent_label(user_agent: str) -> str:
    """``Mozilla/5.0 (X11; Linux x86_64) … Chrome/…`` → ``Chrome · Linux``: what a person reads
    in a session list (the full string stays in the page's tooltip)."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), "")
    system = next((name for token, name in _SYSTEMS if token in user_agent), "")
    return " · ".join(part for part in (browser, system) if part) or (user_agent[:40] or "-")


@dataclass(frozen=True)
class SessionRow:
    id: int
    ip_address: str
    user_agent: str
    created_at: datetime
    current: bool

    @property
    def browser(self) -> str:
        return user_agent_label(self.user_agent)


@dataclass(frozen=True)
class LockRow:
    kind: str  # "username" or "ip"
    value: str
    failures: int
    locked_until: datetime


def staff_session_list(*, user: User, current_key: str) -> list[SessionRow]:
    """The user's live console sessions, the current one first; dead rows are dropped on the way.

    A session stops being live when it expires (idle timeout), is signed out, or the password
    changes (Django's session hash no longer matches).
    """
    rows: list[SessionRow] = []
    dead: list[int] = []
    for session in StaffSession.objects.filter(user=user):
        if session.session_key != current_key and not staff_session_is_live(user=user, session_key=session.session_key):
            dead.append(session.pk)
            continue
        rows.append(
            SessionRow(
                id=session.pk,
                ip_address=session.ip_address,
                user_agent=session.user_agent,
                created_at=session.created_at,
                current=session.session_key == current_key,
            )
        )
    if dead:
        StaffSession.objects.filter(pk__in=dead).delete()
    return sorted(rows, key=lambda row: (not row.current, -row.created_at.timestamp()))


def staff_login_lock_list() -> list[LockRow]:
    """Usernames and IPs locked now (failures within the cool-off at or over the limit)."""
    cool_off = get_cool_off()
    if cool_off is None:
        return []
    limit = int(settings.AXES_FAILURE_LIMIT)
    recent = AccessAttempt.objects.filter(attempt_time__gt=timezone.now() - cool_off)
    locks: list[LockRow] = []
    for kind, field in (("username", "username"), ("ip", "ip_address")):
        present = recent.exclude(**{f"{field}__isnull": True})
        if kind == "username":
            present = present.exclude(username="")
        grouped = (
            present.values(field)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=limit)
            .order_by("-last")
        )
        locks.extend(
            LockRow(kind=kind, value=row[field], failures=row["failures"], locked_until=row["last"] + cool_off)
            for row in grouped
        )
    return locks
