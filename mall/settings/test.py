"""Test settings. With REQUIRE_SERVICES=1 the suite refuses to fall back to SQLite or fakeredis."""

import atexit
import os
import shutil
import tempfile

from django.core.exceptions import ImproperlyConfigured

from mall.settings.base import *  # noqa: F403
from mall.settings.base import DATABASES, MYSQL_ENGINES, REDIS_URL, REST_FRAMEWORK, env

DEBUG = False
REQUIRE_SERVICES = env.bool("REQUIRE_SERVICES", default=False)
if REQUIRE_SERVICES:
    if DATABASES["default"]["ENGINE"] not in MYSQL_ENGINES:
        raise ImproperlyConfigured("REQUIRE_SERVICES=1 needs DATABASE_URL=mysql://…")
    if not REDIS_URL:
        raise ImproperlyConfigured("REQUIRE_SERVICES=1 needs REDIS_URL=redis://…")

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Race tests use real threads: SQLite's in-memory test database (shared cache) answers
    # "database table is locked" instead of waiting, so tests use a file in a directory of
    # this process, removed at exit with the WAL side files Django's teardown leaves behind.
    _TEST_DB_DIR = tempfile.mkdtemp(prefix="duoying_test_")
    atexit.register(shutil.rmtree, _TEST_DB_DIR, ignore_errors=True)
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(_TEST_DB_DIR, "test.sqlite3")}

# Tests never read a replica from the environment (mall/tests/test_replica_router.py starts its own).
DATABASES.pop("replica", None)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = False
DEV_LOGIN_ENABLED = True
PAYMENT_PROVIDER = "sandbox"
WECHAT_APPID = "wx-test-appid"
WECHAT_SECRET = "test-secret"  # noqa: S105 - not a real secret
# Real throttling classes stay on; rates high enough for suites, low-rate tests override.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {scope: "100000/min" for scope in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]},
}
LANGUAGE_CODE = "zh-hans"
# Suites sign staff in with force_login (no second factor); the 2FA tests switch it on per test
# with the roles production uses. The demo's passwords stay refused, as outside the demo.
STAFF_2FA_REQUIRED_ROLES = []
