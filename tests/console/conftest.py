"""Console fixtures: staff users in each role, made through ``staff_create`` like the console does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from mall.services.staff import staff_create


@pytest.fixture
def owner(db: Any) -> User:
    return User.objects.create_superuser(username="boss", password="boss-pass-123", email="boss@example.com")


@pytest.fixture
def staff_factory(db: Any, owner: User) -> Callable[[str], User]:
    """``staff_factory("finance")`` → a new staff user in that role, created by the owner."""
    made: dict[str, int] = {}

    def make(role: str) -> User:
        made[role] = made.get(role, 0) + 1
        return staff_create(username=f"{role}{made[role]}", password="staff-pass-123", role=role, actor=owner)

    return make


@pytest.fixture
def console_client() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
