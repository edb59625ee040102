"""Production: refuses to start with debug helpers or the sandbox payment provider."""

from django.core.exceptions import ImproperlyConfigured

from mall.settings.base import *  # noqa: F403
from mall.settings.base import DATABASES, DEV_LOGIN_ENABLED, PAYMENT_PROVIDER, env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
if DEV_LOGIN_ENABLED:
    raise ImproperlyConfigured("DEV_LOGIN_ENABLED must be off in production (set WECHAT_APPID).")
if PAYMENT_PROVIDER != "wechat":
    raise ImproperlyConfigured("Production needs PAYMENT_PROVIDER=wechat; the sandbox provider is for development.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    raise ImproperlyConfigured("Production needs DATABASE_URL pointing at MySQL/MariaDB.")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
