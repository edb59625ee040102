"""Production: refuses to start with debug helpers, the sandbox payment provider or a weak login set-up.

Runs behind nginx, which terminates TLS and sets ``X-Forwarded-Proto``; the HTTPS settings below
come from the environment with defaults that are safe there (``manage.py check --deploy`` is
clean with them, checked in tests/test_deploy_check.py).
"""

from django.core.exceptions import ImproperlyConfigured

from mall.settings.base import *  # noqa: F403
from mall.settings.base import (
    DATABASES,
    DEV_LOGIN_ENABLED,
    PAYMENT_PROVIDER,
    STAFF_2FA_REQUIRED_ROLES,
    STAFF_DEMO_PASSWORDS_ALLOWED,
    env,
)

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
if DEV_LOGIN_ENABLED:
    raise ImproperlyConfigured("DEV_LOGIN_ENABLED must be off in production (set WECHAT_APPID).")
if PAYMENT_PROVIDER != "wechat":
    raise ImproperlyConfigured("Production needs PAYMENT_PROVIDER=wechat; the sandbox provider is for development.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    raise ImproperlyConfigured("Production needs DATABASE_URL pointing at MySQL/MariaDB.")
if STAFF_DEMO_PASSWORDS_ALLOWED:
    raise ImproperlyConfigured("The demo's published staff passwords are never accepted in production.")
if not {"owner", "finance"} <= set(STAFF_2FA_REQUIRED_ROLES):
    raise ImproperlyConfigured("STAFF_2FA_REQUIRED_ROLES must keep owner and finance (they move money).")
# `manage.py ensure_owner` and the WSGI entry point refuse the demo's passwords (see mall/wsgi.py).
STAFF_REFUSE_DEFAULT_PASSWORDS = True

# --- HTTPS behind nginx -----------------------------------------------------------------
# nginx terminates TLS and forwards "X-Forwarded-Proto: https"; only then is a request secure.
# Set SECURE_PROXY_SSL_HEADER="" if Django is reached without such a proxy.
_proxy_header = env.str("SECURE_PROXY_SSL_HEADER", default="HTTP_X_FORWARDED_PROTO,https")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_header.split(",", 1)) if _proxy_header else None  # type: ignore[assignment]
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers and nginx probe /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
