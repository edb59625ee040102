"""Settings shared by every environment, read from the environment (django-environ).

With nothing set they give the embedded set-up: SQLite (WAL), a local-memory cache and
Celery on kombu's filesystem transport, so ``make run`` needs no server.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

from mall.schedules import BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mall",
    "members",
    "marketing",
    "orders",
    "analytics",
]

# The console's middleware (sessions, CSRF, staff sign-in, messages) in console-only
# form (mall/middleware.py): /api/ requests carry a shopper's token and skip it.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "mall.middleware.ConsoleSessionMiddleware",
    "mall.middleware.ApiLocaleMiddleware",  # LocaleMiddleware, a short path for /api/
    "django.middleware.common.CommonMiddleware",
    # The real class, not a console-only subclass: `check --deploy` looks for it by name, and DRF
    # views are csrf_exempt already, so API requests pay only a cookie read here.
    "django.middleware.csrf.CsrfViewMiddleware",
    "mall.middleware.ConsoleAuthenticationMiddleware",
    "mall.middleware.ConsoleOTPMiddleware",
    "mall.middleware.ConsoleStaffTwoFactorMiddleware",
    "mall.middleware.ConsoleStaffSessionIdleMiddleware",
    "mall.middleware.ConsoleMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "mall.middleware.ReleaseApiCyclesMiddleware",  # sees the rendered response first
    # Last, as django-axes asks: turns a lockout flagged during login into the locked page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mall.urls"
WSGI_APPLICATION = "mall.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
# MariaDB / MySQL: Django's backend as DATABASE_URL names it, and ours built on it (below).
MYSQL_ENGINES = ("django.db.backends.mysql", "mall.dbbackend")
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # WAL lets the web server, worker and beat read while one of them writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
elif _db["ENGINE"] == "django.db.backends.mysql":
    # Django's MySQL backend with a health check that polls the socket instead of pinging
    # the server (issue 12: a round trip fewer on every request that reads the database)
    _db["ENGINE"] = "mall.dbbackend"
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"].update({"charset": "utf8mb4", "isolation_level": "read committed"})
    _db["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (issue 12): a request reuses its worker's MariaDB connection instead of
# opening one; the health check looks at a reused connection once per request before trusting
# it (``mall.dbbackend``: a poll of its socket, no round trip).
# DB_CONN_MAX_AGE seconds (0 = a connection per request, as before); SQLite keeps 0.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60 if _db["ENGINE"] in MYSQL_ENGINES else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DB_CONN_HEALTH_CHECKS", default=True)
# Reporting reads may go to a replica of the primary (mall/db_router.py): only queries that ask
# for it (``.using(reporting_alias())``); writes and migrations always stay on ``default``.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")


def replica_database(url: str, primary: dict) -> dict:
    """The ``replica`` alias for ``url``: the primary's connection options, opened read-only."""
    replica = env.db_url_config(url)
    replica["OPTIONS"] = {
        **primary.get("OPTIONS", {}),
        **replica.get("OPTIONS", {}),
        # A write sent there by mistake fails instead of diverging from the primary.
        "init_command": "SET SESSION TRANSACTION READ ONLY",
    }
    replica["ATOMIC_REQUESTS"] = False
    # Tests read the replica alias from the test database itself.
    replica["TEST"] = {"MIRROR": "default"}
    return replica


if DATABASE_REPLICA_URL:
    DATABASES["replica"] = replica_database(DATABASE_REPLICA_URL, _db)
DATABASE_ROUTERS = ["mall.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and Redis ------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                # Fail fast when Redis is down or hangs: callers fall back (mall.cache).
                "SOCKET_CONNECT_TIMEOUT": 1.0,
                "SOCKET_TIMEOUT": 2.0,
            },
            "KEY_PREFIX": "duoying",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "duoying"}}

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        # kombu otherwise writes its broadcast exchange to ./control in the working directory
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The queue the web, beat and workers share (several shops or a check run on one broker use their own).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")

# --- i18n and time --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# locale/: English for the project's Chinese strings (makemessages -l en); locale_vendor/: hand-kept
# Chinese for django-unfold and admin JavaScript strings Django's own catalogues lack.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Picture URLs the API hands out: absolute once MEDIA_HOST names where the media are served
# (this host behind nginx, or a CDN: "https://img.example.com"); a path on this host otherwise.
MEDIA_HOST = env.str("MEDIA_HOST", default="").rstrip("/")
MEDIA_URL = f"{MEDIA_HOST}/media/" if MEDIA_HOST else "media/"
MEDIA_ROOT = VAR_DIR / "media"
# Sheets that background jobs read and write (P06: member imports, exports with phones): kept
# outside MEDIA_ROOT, never served as media; the console hands them out after a permission check.
SHEET_JOBS_ROOT = env.path("SHEET_JOBS_ROOT", default=str(VAR_DIR / "sheet_jobs"))
# Sheets up to this many rows run inline in the request (an answer at once); larger ones run as
# background jobs with a progress bar. Uploads for a background job may be up to SHEET_JOB_MAX_MB.
SHEET_INLINE_MAX_ROWS = env.int("SHEET_INLINE_MAX_ROWS", default=5000)
SHEET_JOB_MAX_MB = env.int("SHEET_JOB_MAX_MB", default=50)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- staff sign-in security (P05, OWASP ASVS level 2) ---------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: refuses a locked username / IP before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "mall.console.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "mall.console.passwords.DemoPasswordValidator"},
]
# The demo shop's published passwords (owner / duoying-owner …) are accepted only where this
# is on: the embedded/local settings. Production refuses to start while one is in use.
STAFF_DEMO_PASSWORDS_ALLOWED = False
# On in production: the WSGI/ASGI entry points refuse to start while a demo account keeps its password.
STAFF_REFUSE_DEFAULT_PASSWORDS = False
# Failed console logins: locked per username and per client IP (django-axes, database handler).
AXES_FAILURE_LIMIT = env.int("STAFF_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = __import__("datetime").timedelta(minutes=env.int("STAFF_LOGIN_LOCK_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "mall.console.security.login_client_ip"
AXES_LOCKOUT_CALLABLE = "mall.console.security.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False  # the console's own 登录锁定 page lists and unlocks (owner only)
AXES_VERBOSE = False
# Second factor (django-otp TOTP + recovery codes): required for these roles (they move money
# or hold every permission); optional for the others. A superuser counts as the owner.
STAFF_2FA_REQUIRED_ROLES = env.list("STAFF_2FA_REQUIRED_ROLES", default=["owner", "finance"])
OTP_TOTP_ISSUER = "多营商城"
# Staff sessions end after this much inactivity (signed-in requests push the expiry forward,
# see mall.console.security.StaffSessionIdleMiddleware), and on a password change.
SESSION_COOKIE_AGE = env.int("STAFF_SESSION_IDLE_SECONDS", default=2 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True

LOGIN_URL = "admin:login"
# unfold's login form posts no "next" field: without this, /admin/login/ lands on /accounts/profile/ (404).
LOGIN_REDIRECT_URL = "admin:index"

# --- API ------------------------------------------------------------------------------
# Proxies of our own in front of Django (nginx, a load balancer); only then is the client's
# address read from X-Forwarded-For (see mall/api/clients.py). 0 = REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Per-action limits (F45) for views that set ``throttle_action``: (per shopper, per IP),
# each overridable as THROTTLE_<ACTION>_SHOPPER / THROTTLE_<ACTION>_IP, e.g. "20/min".
THROTTLE_ACTIONS: dict[str, tuple[str, str]] = {
    "purchase": ("20/min", "300/min"),
    "claim": ("30/min", "300/min"),
    "reserve": ("30/min", "300/min"),
    "help": ("30/min", "300/min"),
    "captcha": ("20/min", "300/min"),
    # F06: promoter link clicks (attribution), applications, withdrawal requests.
    "click": ("60/min", "600/min"),
    "apply": ("10/min", "60/min"),
    "withdraw": ("10/min", "60/min"),
    # F45: counted by the guard in the services that take the scarce thing (any route):
    # ordinary orders, opening/joining a group, starting a bargain.
    "order": ("20/min", "300/min"),
    "group": ("10/min", "120/min"),
    "bargain": ("10/min", "120/min"),
    # F22: opening or joining a team of a team-split activity.
    "team": ("10/min", "120/min"),
    # F21: lucky-wheel draws (the per-day draw limit is the wheel's own).
    "wheel": ("20/min", "300/min"),
    # F24: entering a live room's comment lottery (one entry per shopper; bots are slowed down).
    "live_lottery": ("10/min", "300/min"),
    # P04: after-sales requests and their photo uploads.
    "after_sale": ("20/min", "120/min"),
    # F37: behaviour-event batches from the mini-program (anonymous devices count per IP).
    "events": ("60/min", "1200/min"),
    # F23: community posts, comments, reports and their uploads.
    "community": ("30/min", "300/min"),
}
_ACTION_RATES = {
    f"{action}.{kind}": env.str(f"THROTTLE_{action.upper()}_{kind.upper()}", default=rate)
    for action, rates in THROTTLE_ACTIONS.items()
    for kind, rate in zip(("shopper", "ip"), rates, strict=True)
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "members.authentication.MemberJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "mall.api.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "mall.api.throttling.ShopperRateThrottle",
        "mall.api.throttling.IpRateThrottle",
        "mall.api.throttling.ActionShopperRateThrottle",
        "mall.api.throttling.ActionIpRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "shopper": env.str("THROTTLE_SHOPPER", default="600/min"),
        "ip": env.str("THROTTLE_IP", default="1200/min"),
        **_ACTION_RATES,
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "mall.api.exception_handler.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "mall.api.schema.OperationSchema",
    "DEFAULT_RENDERER_CLASSES": ["mall.api.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["mall.api.parsers.BoundedJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "mall.api.negotiation.FastContentNegotiation",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Duoying Mall mini-program API",
    "DESCRIPTION": "多营商城小程序接口. Errors: {code, message, details}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "mall.api.not_found.document_not_found",
        "mall.api.schema.declare_request_body_errors",  # 400 request_too_deep, 413 request_too_large
    ],
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "orders.models.order.OrderStatus",  # the name it had before other "status" enums
        "GroupStatusEnum": "marketing.models.group_buys.GroupStatus",
        "GroupMemberStatusEnum": "marketing.models.group_buys.GroupMemberStatus",
        "GroupOutcomeEnum": "marketing.models.group_buys.GroupOutcome",
        "BargainStatusEnum": "marketing.models.bargains.BargainStatus",
        "AfterSaleStatusEnum": "orders.models.after_sales.AfterSaleStatus",
        "AfterSaleKindEnum": "orders.models.after_sales.AfterSaleKind",
        "AfterSaleReasonEnum": "orders.models.after_sales.AfterSaleReason",
        # "state" of a flash slot/item (every state) vs. of a product card's flash offer (two).
        "FlashStateEnum": "marketing.selectors.flash_sales.STATES",
        "FlashOfferStateEnum": [("upcoming", "upcoming"), ("live", "live")],
        # A campaign as the shopper sees it (detail and opened by id): never a draft.
        "CampaignStatusEnum": [("warmup", "warmup"), ("running", "running"), ("paused", "paused"), ("ended", "ended")],
    },
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": __import__("datetime").timedelta(hours=2),
    "REFRESH_TOKEN_LIFETIME": __import__("datetime").timedelta(days=30),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "member_id",
    "SIGNING_KEY": SECRET_KEY,
    "UPDATE_LAST_LOGIN": False,
}

# --- WeChat ---------------------------------------------------------------------------
WECHAT_APPID = env.str("WECHAT_APPID", default="")
WECHAT_SECRET = env.str("WECHAT_SECRET", default="")
# Development login (code -> a test shopper) only exists without a real appid.
DEV_LOGIN_ENABLED = env.bool("DEV_LOGIN_ENABLED", default=not WECHAT_APPID)
# django-celery-beat's own admin pages in the console (developers); merchants see 计划任务.
CONSOLE_DEVELOPER_TOOLS = env.bool("CONSOLE_DEVELOPER_TOOLS", default=False)
PAYMENT_PROVIDER = env.str(
    "PAYMENT_PROVIDER", default="wechat" if env.str("WECHAT_PAY_MCHID", default="") else "sandbox"
)
WECHAT_PAY_MCHID = env.str("WECHAT_PAY_MCHID", default="")
WECHAT_PAY_APIV3_KEY = env.str("WECHAT_PAY_APIV3_KEY", default="")
WECHAT_PAY_CERT_SERIAL_NO = env.str("WECHAT_PAY_CERT_SERIAL_NO", default="")
WECHAT_PAY_PRIVATE_KEY_PATH = env.str("WECHAT_PAY_PRIVATE_KEY_PATH", default="")
WECHAT_PAY_PUBLIC_KEY_PATH = env.str("WECHAT_PAY_PUBLIC_KEY_PATH", default="")
WECHAT_PAY_PUBLIC_KEY_ID = env.str("WECHAT_PAY_PUBLIC_KEY_ID", default="")
WECHAT_PAY_NOTIFY_URL = env.str("WECHAT_PAY_NOTIFY_URL", default="http://127.0.0.1:8000/api/v1/payments/wechat/notify")

# --- shop rules -----------------------------------------------------------------------
ORDER_LOCK_MINUTES = env.int("ORDER_LOCK_MINUTES", default=15)
# Subscribe pushes wait while the shop sleeps ("HH:MM-HH:MM" shop time; empty = never hold).
SUBSCRIBE_QUIET_HOURS = env.str("SUBSCRIBE_QUIET_HOURS", default="22:00-08:00")
# After-sales (P04): the merchant's review window, the shopper's return window, whether a
# refund-only request for an unshipped order is approved at once, and the photo upload limits.
AFTER_SALES_REVIEW_HOURS = env.int("AFTER_SALES_REVIEW_HOURS", default=48)
AFTER_SALES_RETURN_DAYS = env.int("AFTER_SALES_RETURN_DAYS", default=7)
AFTER_SALES_AUTO_APPROVE_UNSHIPPED = env.bool("AFTER_SALES_AUTO_APPROVE_UNSHIPPED", default=False)
AFTER_SALES_PHOTO_MAX_BYTES = env.int("AFTER_SALES_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
# 种草社区 (F23): upload limits; the public origin WeChat fetches pictures from for its async
# image check (MEDIA_HOST when set, else PUBLIC_BASE_URL + MEDIA_URL); the message-push token
# (the 消息推送 Token in the mini-program's settings) that signs WeChat's check results.
COMMUNITY_IMAGE_MAX_BYTES = env.int("COMMUNITY_IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
COMMUNITY_VIDEO_MAX_BYTES = env.int("COMMUNITY_VIDEO_MAX_BYTES", default=50 * 1024 * 1024)
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="").rstrip("/")
WECHAT_PUSH_TOKEN = env.str("WECHAT_PUSH_TOKEN", default="")

# --- behaviour analytics (F37) --------------------------------------------------------
# Raw behaviour events are kept this many days (older day partitions are dropped); rollups stay.
ANALYTICS_RETENTION_DAYS = env.int("ANALYTICS_RETENTION_DAYS", default=90)
# Day partitions created ahead of today (MariaDB/MySQL).
ANALYTICS_PARTITIONS_AHEAD = env.int("ANALYTICS_PARTITIONS_AHEAD", default=3)
# The Redis stream event batches are queued on (drained by analytics.tasks.events_drain_task).
ANALYTICS_STREAM = env.str("ANALYTICS_STREAM", default="analytics:events")

# --- console theme (django-unfold) ----------------------------------------------------
UNFOLD = {
    "SITE_TITLE": _("多营商城"),
    "SITE_HEADER": _("多营商城 · 商家后台"),
    "SITE_SYMBOL": "storefront",
    "SITE_FAVICONS": [
        {"rel": "icon", "sizes": "any", "type": "image/svg+xml", "href": lambda request: static("console/favicon.svg")},
    ],
    "SHOW_LANGUAGES": True,
    "DASHBOARD_CALLBACK": "mall.console.dashboard.dashboard_callback",
    # Sidebar built per request from the admin registry and the user's permissions.
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": True,
        "navigation": "mall.console.navigation.sidebar_navigation",
    },
    # Brand colour: a warm orange (Tailwind "orange" scale) instead of unfold's purple.
    "COLORS": {
        "primary": {
            "50": "oklch(98% .016 73.684)",
            "100": "oklch(95.4% .038 75.164)",
            "200": "oklch(90.1% .076 70.697)",
            "300": "oklch(83.7% .128 66.29)",
            "400": "oklch(75% .183 55.934)",
            "500": "oklch(70.5% .213 47.604)",
            "600": "oklch(64.6% .222 41.116)",
            "700": "oklch(55.3% .195 38.402)",
            "800": "oklch(47% .157 37.304)",
            "900": "oklch(40.8% .123 38.172)",
            "950": "oklch(26.6% .079 36.259)",
        },
    },
}

# Import/export pages need the model's add / view permission (the default lets any staff in).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django logs every 4xx answer as a warning ("Conflict: /api/v1/flash/…"): at a flash sale
    # that is a line per sold-out tap, written while the shopper waits (issue 12). The API's
    # refusals are answers with a code; 5xx stay logged as errors. DJANGO_REQUEST_LOG_LEVEL=WARNING
    # brings the 4xx lines back.
    "loggers": {"django.request": {"level": env.str("DJANGO_REQUEST_LOG_LEVEL", default="ERROR")}},
}

# 智能建议 (F39): thresholds of the nightly generator (analytics.services.suggestions).
SUGGESTION_WINDOW_DAYS = env.int("SUGGESTION_WINDOW_DAYS", default=30)
SUGGESTION_TOOL_MIN_ORDERS = env.int("SUGGESTION_TOOL_MIN_ORDERS", default=10)
SUGGESTION_TOOL_MIN_RATIO = env.float("SUGGESTION_TOOL_MIN_RATIO", default=1.5)
SUGGESTION_BASKET_MIN_REDEMPTION = env.int("SUGGESTION_BASKET_MIN_REDEMPTION", default=50)
SUGGESTION_BASKET_MIN_SHARE = env.int("SUGGESTION_BASKET_MIN_SHARE", default=15)
SUGGESTION_BASKET_MIN_ORDERS = env.int("SUGGESTION_BASKET_MIN_ORDERS", default=20)
SUGGESTION_TIME_MIN_ORDERS = env.int("SUGGESTION_TIME_MIN_ORDERS", default=20)
SUGGESTION_TIME_MIN_SHARE = env.int("SUGGESTION_TIME_MIN_SHARE", default=25)
SUGGESTION_PRODUCTS_MAX = env.int("SUGGESTION_PRODUCTS_MAX", default=3)
SUGGESTION_TRAFFIC_MIN_VISITORS = env.int("SUGGESTION_TRAFFIC_MIN_VISITORS", default=20)

# Staff alerts to the duty roster (F31, 系统 › 值班): links in the messages point at the console
# on CONSOLE_BASE_URL; e-mail goes through Django's mail backend (EMAIL_URL, e.g.
# smtp+tls://user:pass@smtp.example.com:587; the console backend prints it when unset).
CONSOLE_BASE_URL = env.str("CONSOLE_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)  # django-environ's documented way to set EMAIL_BACKEND, EMAIL_HOST, …
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="duoying-alerts@localhost")
