"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against pytest-django's live_server.

Every test here gets the ``browser`` marker. They are skipped only when Chromium is missing
on a developer machine; in CI (``CI`` set) a missing browser is a failure, not a skip.

Playwright's sync API keeps an asyncio loop running in the test's thread, which makes
Django refuse ORM calls made from the test body ("SynchronousOnlyOperation"). The browser is
therefore started per test, and ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set only while it runs: the
ORM calls in these tests are plain synchronous calls on the test's own connection.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists() and not os.environ.get("CI"):
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} not installed (run `make install-test-browser`)"))


@pytest.fixture
def browser(transactional_db: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is required in CI for the console's browser tests")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page_factory(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """``page_factory(user=None, language="zh-hans")`` → a page; with a user, already signed in.

    Signing in copies a session made by Django's test client into the browser, so only the
    login test spends time on the login form.
    """
    contexts: list[Any] = []

    def make(user: User | None = None, language: str = "zh-hans") -> Any:
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN" if language == "zh-hans" else "en-US",
            viewport={"width": 1440, "height": 1000},
            extra_http_headers={"Accept-Language": language},
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def owner(transactional_db: Any) -> User:
    return User.objects.create_superuser(username="boss", password="boss-pass-123", email="boss@example.com")


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    """Where screenshots go: $BROWSER_SCREENSHOTS (kept, e.g. as a CI artefact) or the test's tmp dir."""
    target = Path(os.environ.get("BROWSER_SCREENSHOTS", tmp_path))
    target.mkdir(parents=True, exist_ok=True)
    return target
