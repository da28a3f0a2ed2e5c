"""Settings shared by every environment; everything that varies comes from the environment."""
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "auditlog",
    "csp",
    "common",
    "accounts",
    "producers",
    "listings",
    "marketplace",
    "payments",
    "dashboard",
]

MIDDLEWARE = [
    "common.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "common.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Brute force: five wrong passwords for one username from one address lock that pair for 15 minutes;
# across addresses a username is only slowed down (accounts/throttling.py), so nobody can lock
# someone else out. The address is the client's as the proxy saw it: TRUSTED_PROXY_COUNT is the
# number of our proxies in front of gunicorn (1 behind deploy/nginx.conf; 0 without a proxy, and then
# X-Forwarded-For is ignored). common/client_ip.py reads it, for axes and the sign-up throttle.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("AXES_IPWARE_PROXY_COUNT", default=0))
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "common.client_ip.client_ip"
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Refused sign-ups per client address and hour: probing for names is slow (accounts/throttling.py).
# Password-reset requests likewise: nobody floods someone's mailbox.
SIGNUP_ATTEMPTS_PER_HOUR = env.int("SIGNUP_ATTEMPTS_PER_HOUR", default=20)
PASSWORD_RESET_ATTEMPTS_PER_HOUR = env.int("PASSWORD_RESET_ATTEMPTS_PER_HOUR", default=10)

# Audit log (who, when, what changed), readable by officers at /can-bo/nhat-ky/. Secrets are never
# recorded; bank account numbers are masked.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    "producers.Producer",
    "producers.OcopProduct",
    "producers.Membership",
    {"model": "listings.MarketplaceAccount", "exclude_fields": ["access_token", "refresh_token", "credentials_extra"]},
    {"model": "listings.Listing", "exclude_fields": ["updated_at"]},
    {"model": "payments.BankAccount", "mask_fields": ["account_number"]},
)
AUDITLOG_DISABLE_REMOTE_ADDR = False

# Content Security Policy: everything from our own origin; no inline scripts anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.navigation.portal",
            ],
        },
    },
]

# No DATABASE_URL: an embedded SQLite database under var/, so a newcomer needs no server.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ocop.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait for each other instead of failing with "database is locked": every
    # transaction takes the write lock when it begins (IMMEDIATE; a deferred one that reads first
    # and writes later is refused at once when another writer got in between, whatever the
    # timeout), and waits up to 20 s for it; WAL lets readers go on while one writes. `synchronous`
    # stays FULL: a webhook answered 200 is on disk even after a power cut.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=20000",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def dashboard_replica(databases):
    """DASHBOARD_DATABASE_URL: a PostgreSQL read replica the dashboard reads from (dashboard/replica.py)."""
    if env("DASHBOARD_DATABASE_URL", default=""):
        databases["dashboard"] = {**env.db("DASHBOARD_DATABASE_URL"), "TEST": {"MIRROR": "default"},
                                  "CONN_MAX_AGE": databases["default"].get("CONN_MAX_AGE", 0)}
    return databases


dashboard_replica(DATABASES)
DATABASE_ROUTERS = ["dashboard.replica.ReplicaRouter"]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Django's validators worded in Vietnamese, plus common Vietnamese weak passwords, the user's phone
# numbers and username (accounts/password_validation.py, list in accounts/data/weak_passwords.txt).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.password_validation.MinimumLengthValidator"},
    {"NAME": "accounts.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.password_validation.VietnameseWeakPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 24 * 3600  # a reset link works once, for one day

# Vietnamese first; English through the i18n catalogue in locale/.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))


def media_storage():
    """Uploads (photos, receipts) on disk under MEDIA_ROOT, or, with MEDIA_S3_BUCKET, in a bucket on
    S3 or an S3-compatible object storage (MEDIA_S3_ENDPOINT_URL: MinIO, a cloud provider's) through
    django-storages, so web processes on several machines share them. The bucket stays private:
    pages get signed links that expire after an hour."""
    bucket = env("MEDIA_S3_BUCKET", default="")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {"BACKEND": "common.storage.PrivateMediaStorage", "OPTIONS": {
        "bucket_name": bucket,
        "endpoint_url": env("MEDIA_S3_ENDPOINT_URL", default="") or None,
        "region_name": env("MEDIA_S3_REGION", default="") or None,
        "access_key": env("MEDIA_S3_ACCESS_KEY", default="") or None,
        "secret_key": env("MEDIA_S3_SECRET_KEY", default="") or None,
        "location": env("MEDIA_S3_PREFIX", default="media"),
        "signature_version": "s3v4", "default_acl": None, "querystring_auth": True, "querystring_expire": 3600,
        "file_overwrite": False,
    }}


STORAGES = {
    "default": media_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads are bounded: photos are at most 10 MB, a spreadsheet at most 20 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 20
PHOTO_MAX_BYTES = 10 * 1024 * 1024
# Pixel caps, read from the header before any decode (producers/photos.py). A baseline JPEG is decoded
# at 1/2-1/8 scale, so it may be a phone's 64 MP full-resolution mode (9248 x 6936); 108 and 200 MP
# modes write files over 10 MB. PNG, WebP and progressive JPEG are decoded whole: 4096 x 4096 covers
# a 16 MP camera (4624 x 3472) and any phone or tablet screenshot (1440 x 3200, 2048 x 2732).
PHOTO_MAX_PIXELS = 65_000_000
PHOTO_MAX_PIXELS_FULL_DECODE = 4096 * 4096
# Images decoded at once per process (photos and receipts); the others wait up to the given seconds.
IMAGE_WORK_SLOTS = env.int("IMAGE_WORK_SLOTS", default=2)
IMAGE_WORK_WAIT_SECONDS = 30
IMPORT_MAX_BYTES = 20 * 1024 * 1024
IMPORT_MAX_ROWS = 5000

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "common.authentication.SessionAuthentication",  # DRF's, naming the audit log's actor (item 8, issue 12)
        "common.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [  # JSON nested deeper than common.jsonbody.MAX_DEPTH is a 400, not a 500
        "common.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OCOP Market API",
    "DESCRIPTION": "Producers, OCOP products, listings, payment codes and transactions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.schema.add_error_responses",
    ],
}

# Celery: no broker configured means tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every periodic task of the deployment, and nowhere else: `celery beat` runs this schedule, and
# `manage.py run_periodic` (common/scheduler.py) runs it where there is no broker.
CELERY_BEAT_SCHEDULE = {
    # Re-send webhook events left in `received` (the broker lost the task, or it failed).
    "payments-sweep-inbound-events": {"task": "payments.tasks.sweep_inbound_events", "schedule": 600.0},
    # Every connected shop's new and changed orders, and the pushes marketplaces kept for us.
    "payments-poll-marketplace-orders": {"task": "payments.tasks.poll_marketplace_orders", "schedule": 900.0},
    # Listings left `queued` or `publishing` too long (the broker lost the task) are sent again.
    "listings-sweep-stuck": {"task": "listings.tasks.sweep_stuck_listings", "schedule": 300.0},
    # Connected shops whose refresh token ends within a week are refreshed.
    "listings-refresh-tokens": {"task": "listings.tasks.refresh_marketplace_tokens", "schedule": 3600.0},
    # Listings waiting for the marketplace's review (Lazada QC, Tiki requests): asked about again.
    "listings-check-review": {"task": "listings.tasks.check_listings_in_review", "schedule": 900.0},
}
# Three queues that scale independently (deploy/systemd/ocop-worker@.service runs one unit per queue).
CELERY_TASK_ROUTES = {
    "listings.tasks.*": {"queue": "publishing"},
    "payments.tasks.*": {"queue": "events"},
}
CELERY_TASK_DEFAULT_QUEUE = "celery"

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://ocop")
    if not env("REDIS_URL", default="")
    else {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="OCOP Market <no-reply@ocop.local>")

# The province this deployment serves (Lào Cai by default: code 15 in vietnam-provinces).
OCOP_PROVINCE_CODE = env.int("OCOP_PROVINCE_CODE", default=15)

LOG_FORMAT = env("LOG_FORMAT", default="plain")  # "json" in production
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "common.logging.RedactPersonalDataFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "common.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["personal_data"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Marketplaces: one package each under marketplace/connectors/, enabled here by its connector's
# dotted path (the registry's only list: choices, capabilities, names); base URLs overridable so
# tests use local fakes.
MARKETPLACE_CONNECTORS = env.list(
    "MARKETPLACE_CONNECTORS",
    default=[
        "marketplace.connectors.sandbox.SandboxConnector",
        "marketplace.connectors.shopee.ShopeeConnector",
        "marketplace.connectors.lazada.LazadaConnector",
        "marketplace.connectors.tiki.TikiConnector",
        "marketplace.connectors.postmart.PostmartConnector",
        "marketplace.connectors.voso.VosoConnector",
    ],
)
# Calls per second and burst per shop, overriding a connector's declared rate_limit:
# {"shopee": (5.0, 10), "default": (2.0, 4)} ("default": marketplaces that declare none).
MARKETPLACE_RATE_LIMITS = {}
SHOPEE_API_BASE = env("SHOPEE_API_BASE", default="https://partner.shopeemobile.com")
SHOPEE_PARTNER_ID = int(env("SHOPEE_PARTNER_ID", default="") or 0)  # empty in the env file: Shopee off
SHOPEE_PARTNER_KEY = env("SHOPEE_PARTNER_KEY", default="")
LAZADA_API_BASE = env("LAZADA_API_BASE", default="https://api.lazada.vn/rest")
LAZADA_AUTH_BASE = env("LAZADA_AUTH_BASE", default="https://auth.lazada.com/rest")
LAZADA_APP_KEY = env("LAZADA_APP_KEY", default="")
LAZADA_APP_SECRET = env("LAZADA_APP_SECRET", default="")
TIKI_API_BASE = env("TIKI_API_BASE", default="https://api.tiki.vn")
TIKI_CLIENT_ID = env("TIKI_CLIENT_ID", default="")
TIKI_CLIENT_SECRET = env("TIKI_CLIENT_SECRET", default="")
# Our public address as marketplaces see it (absolute photo URLs, push URLs behind a proxy).
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="")
SHOPEE_PUSH_URL = env("SHOPEE_PUSH_URL", default="")
MARKETPLACE_HTTP_TIMEOUT = env.float("MARKETPLACE_HTTP_TIMEOUT", default=10.0)
# Fernet key for marketplace tokens at rest. Local/test derive one from SECRET_KEY; production must set it.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", default="")

# Bank-transfer notification services (SePay, Casso): secrets per deployment.
SEPAY_API_KEY = env("SEPAY_API_KEY", default="")
SEPAY_HMAC_SECRET = env("SEPAY_HMAC_SECRET", default="")
CASSO_CHECKSUM_KEY = env("CASSO_CHECKSUM_KEY", default="")
# Bank-notification services, each a channel of its own kind at /webhooks/<code>/ (payments/banks/).
BANK_NOTIFICATION_SERVICES = env.list(
    "BANK_NOTIFICATION_SERVICES", default=["payments.banks.sepay.SePay", "payments.banks.casso.Casso"],
)
WEBHOOK_TOLERANCE_SECONDS = 300
