"""Fixtures of the 种草社区 tests: uploads under a temporary MEDIA_ROOT, a public origin and
WeChat's push token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from marketing.tests.community.helpers import PUSH_TOKEN


@pytest.fixture(autouse=True)
def community_settings(settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_BASE_URL = "https://shop.example.com"
    settings.WECHAT_PUSH_TOKEN = PUSH_TOKEN
    return settings
