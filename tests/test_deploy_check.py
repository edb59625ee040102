"""Production settings: `manage.py check --deploy` is clean (HTTPS behind nginx, drf-spectacular's
schema without collisions), the HTTPS settings come from the environment, unsafe set-ups refuse
to start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
# What a production host sets; nothing else of the developer's environment leaks in.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "mall.settings.production",
    "DJANGO_SECRET_KEY": "k7Rq9-Zt2vXw8mNp4LbY6cHs1dGf3jKa5eUo0iTr7yWq2xCv9bNm4zLp6sDf8gHj",
    "DATABASE_URL": "mysql://duoying@db.internal:3306/duoying",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "WECHAT_APPID": "wx1234567890abcdef",
    "WECHAT_SECRET": "0123456789abcdef0123456789abcdef",
    "WECHAT_PAY_MCHID": "1900000109",
    "DJANGO_ALLOWED_HOSTS": "shop.example.com",
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_https_settings_come_from_the_environment():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.SECURE_REDIRECT_EXEMPT)",
    )
    assert result.stdout.strip().splitlines()[-1] == "31536000 True ('HTTP_X_FORWARDED_PROTO', 'https') ['^healthz$']"
    relaxed = run_manage("check", "--deploy", SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")
    assert "security.W008" in relaxed.stderr + relaxed.stdout
    assert "security.W004" in relaxed.stderr + relaxed.stdout


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"STAFF_2FA_REQUIRED_ROLES": "owner"}, "STAFF_2FA_REQUIRED_ROLES"),
        ({"WECHAT_APPID": ""}, "DEV_LOGIN_ENABLED"),
    ],
)
def test_production_refuses_unsafe_set_ups(env, reason):
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert reason in result.stderr


@pytest.mark.django_db
def test_schema_has_one_shopper_token_scheme_and_named_state_enums(client):
    schema = client.get(reverse("api-schema"), headers={"accept": "application/vnd.oai.openapi+json"}).json()
    assert list(schema["components"]["securitySchemes"]) == ["memberJWT"]
    purchase = schema["paths"]["/api/v1/flash/items/{item_id}/purchase"]["post"]
    assert purchase["security"] == [{"memberJWT": []}]
    enums = schema["components"]["schemas"]
    assert enums["FlashStateEnum"]["enum"] == ["draft", "paused", "upcoming", "live", "sold_out", "ended"]
    assert enums["FlashOfferStateEnum"]["enum"] == ["upcoming", "live"]
    assert not [name for name in enums if name.startswith("State") and name.endswith("Enum")]
