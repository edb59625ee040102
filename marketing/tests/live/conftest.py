"""Fixtures of the live-selling tests: WeChat at the HTTP boundary, a staff user, clean replay and room tables."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

from marketing.services.live import SYNC_LOCK_KEY
from marketing.tests.live import helpers


@pytest.fixture(autouse=True)
def _clean_live_state() -> Iterator[None]:
    helpers._replays.clear()
    helpers._listed.clear()
    cache.delete(SYNC_LOCK_KEY)
    yield
    helpers._replays.clear()
    helpers._listed.clear()


@pytest.fixture
def staff(db: Any) -> User:
    return helpers.staff_user()
