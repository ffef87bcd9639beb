"""Settings, read from the environment (and a git-ignored .env) with django-environ.

The variable names are fixed by ARCHITECTURE.md because deployments and tests set them.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from crm_project.queues import task_routes
from vault.keyring import check_key_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is not set; `make run` writes a dev one to .env.")
    SECRET_KEY = "insecure-dev-only"  # noqa: S105 (DEBUG only)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Vault: master keys (first wraps, all unwrap) and the blind-index key, 32 bytes each in
# URL-safe base64. Outside DEBUG a missing or malformed key stops start-up.
VAULT_MASTER_KEYS = env.list("VAULT_MASTER_KEYS", default=[])
VAULT_INDEX_KEY = env.str("VAULT_INDEX_KEY", default="")
# Blind-index keys being rotated out: still matched by lookups until `rotate_index_key`
# has re-indexed every row; destroyed at the key-store backup horizon
# (docs/operating/keys-and-backups.md).
VAULT_RETIRED_INDEX_KEYS = env.list("VAULT_RETIRED_INDEX_KEYS", default=[])
# Subkeys of pseudonyms and audit seals, which never change: unset, they are derived from
# VAULT_INDEX_KEY; before its first rotation set them (rotate_index_key --derive-stable-keys).
VAULT_PSEUDONYM_KEY = env.str("VAULT_PSEUDONYM_KEY", default="")
VAULT_AUDIT_SEAL_KEY = env.str("VAULT_AUDIT_SEAL_KEY", default="")
if not DEBUG:
    check_key_settings(
        VAULT_MASTER_KEYS,
        VAULT_INDEX_KEY,
        VAULT_RETIRED_INDEX_KEYS,
        {"VAULT_PSEUDONYM_KEY": VAULT_PSEUDONYM_KEY, "VAULT_AUDIT_SEAL_KEY": VAULT_AUDIT_SEAL_KEY},
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "pgtrigger",
    "vault",
    "audit",
    "access",
    "outbox",
    "runtime",
    "changes",
    "customers",
    "consent",
    "recommendations",
    "disposal",
    "privacy",
    "campaigns",
    "leads",
    "service",
    "api",
    "dashboard",
    "portal",
]

MIDDLEWARE = [
    # First: everything under /api/ answers JSON (errors, 413, 500), the trailing slash
    # is optional there, and every answer carries the RateLimit-* headers.
    "api.middleware.ApiMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # A lost database answers 503 (JSON under /api/, a calm page elsewhere): runtime.outage.
    "runtime.outage.DatabaseOutageMiddleware",
    # An id per request, on the response and every log line (and the tasks it queues).
    "runtime.logs.RequestIdMiddleware",
    "runtime.metrics.RequestMetricsMiddleware",
    # A request that writes reads from the primary only (runtime/replica.py).
    "runtime.replica.ReplicaRequestMiddleware",
    "crm_project.middleware.RejectNulBytesMiddleware",
    # Pages of the portal, dashboard and lead confirmations: Cache-Control: no-store.
    "crm_project.middleware.NoStoreForPersonalPagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "vault.middleware.KeyScopeMiddleware",
    "vault.middleware.VaultErrorMiddleware",
    "portal.sessions.PortalSessionMiddleware",
    "dashboard.middleware.IdleTimeoutMiddleware",
    "dashboard.middleware.SecondFactorMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "dashboard:login"
LOGIN_REDIRECT_URL = "dashboard:home"

# Staff sign-in lockout (django-axes): after AXES_FAILURE_LIMIT failed attempts for one
# username, that username is locked for DASHBOARD_LOCKOUT_MINUTES (or until
# `manage.py axes_reset_username <username>`). Successful sign-ins are not logged.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
# Per-client limits ask one function (runtime.clients.client_address), axes too.
AXES_CLIENT_IP_CALLABLE = "runtime.clients.client_address"
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DASHBOARD_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks to lock by IP too. Locking by username alone already stops guessing one
# account's password from any number of addresses; locking by IP would also lock a whole
# office behind one NAT address after a few typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "dashboard/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Dashboard sessions end after this many minutes without a request (sliding expiry).
DASHBOARD_IDLE_MINUTES = env.int("DASHBOARD_IDLE_MINUTES", default=15)
# Service desk: a ticket is due this many hours after it was opened, by priority
# (calendar hours; business hours are not modelled). docs/staff/service-desk.md.
SERVICE_SLA_HOURS = {
    "urgent": env.int("SERVICE_SLA_URGENT_HOURS", default=4),
    "high": env.int("SERVICE_SLA_HIGH_HOURS", default=8),
    "normal": env.int("SERVICE_SLA_NORMAL_HOURS", default=24),
    "low": env.int("SERVICE_SLA_LOW_HOURS", default=72),
}
# The site's public address: every link in every mail (portal, confirmations,
# unsubscribe, capture forms) is built from it (runtime/links.py), never from a request.
PUBLIC_URL = env.str("PUBLIC_URL", default="http://127.0.0.1:8000")
# Privacy officers are mailed about data-subject requests due within this many days.
PRIVACY_REMINDER_DAYS = env.int("PRIVACY_REMINDER_DAYS", default=5)
# The fixed parts of the records of processing (GDPR Art. 30(1)(a) and (g)): who the
# controller is, its representative, its data protection officer, its country (a
# processor elsewhere is a transfer), and security measures beyond those the code takes.
PRIVACY_CONTROLLER = env.str("PRIVACY_CONTROLLER", default="")
PRIVACY_CONTROLLER_COUNTRY = env.str("PRIVACY_CONTROLLER_COUNTRY", default="ID").upper()
PRIVACY_REPRESENTATIVE = env.str("PRIVACY_REPRESENTATIVE", default="")
PRIVACY_DPO = env.str("PRIVACY_DPO", default="")
PRIVACY_SECURITY_MEASURES = env.list("PRIVACY_SECURITY_MEASURES", default=[])

ROOT_URLCONF = "crm_project.urls"
# Where the Django admin lives (a path without the leading slash, e.g. "staff-admin-7f3c/"):
# moving it off /admin/ keeps drive-by scanners off its sign-in page.
ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip("/") + "/"

# Second factor (TOTP, django-otp) for administrators and privacy officers on the dashboard
# and the admin: enrolment with a QR code, then a code after every password sign-in.
# Only `make run`'s demo .env turns it off (OTP_REQUIRED=false).
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Custodian")
# Each wrong code doubles the wait before the next one is checked (django-otp throttling).
OTP_TOTP_THROTTLE_FACTOR = 1

# Content Security Policy (django-csp 4): nothing inline, nothing from another origin.
# Views that need more say so with csp.decorators (the API docs, the chart images).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
# Browser features no page of ours uses, switched off (django-permissions-policy).
PERMISSIONS_POLICY: dict[str, list] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}
# No URL of ours (a portal path, a customer id in a dashboard URL) leaves the site in a
# Referer header. Not "no-referrer": with it browsers send "Origin: null" on form posts,
# which Django's CSRF check (rightly) refuses.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

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
                "dashboard.context_processors.dashboard",
            ],
        },
    },
]

WSGI_APPLICATION = "crm_project.wsgi.application"

# Two databases: the data database and the key store. They are never in the same backup.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
    "keys": env.db("KEYS_DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'keys.sqlite3'}"),
}
# An optional streaming read replica of the data database (runtime/replica.py): only
# reads marked as tolerating lag go there, and they fall back to the primary when it is
# down or more than REPLICA_MAX_LAG_SECONDS behind (checked every REPLICA_CHECK_SECONDS).
REPLICA_DATABASE_URL = env.str("REPLICA_DATABASE_URL", default="")
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=30.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=5.0)
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = env.db_url_config(REPLICA_DATABASE_URL)
    # A down replica must cost a request little: fail fast, then fall back.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # Tests read the primary's test database through this alias.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# Persistent connections: opening one costs more than most API requests (issue 12's
# profile: 18.9 ms vs 4.6 ms for GET customer). Each is checked before reuse, so a
# restarted server costs one failed check, not an error.
DB_CONN_MAX_AGE = env.int("DB_CONN_MAX_AGE", default=60)
for _database in DATABASES.values():
    _database.setdefault("CONN_MAX_AGE", DB_CONN_MAX_AGE)
    _database.setdefault("CONN_HEALTH_CHECKS", True)
DATABASE_ROUTERS = ["vault.routers.KeyStoreRouter", "runtime.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# The seeds' two languages. Catalogues (locale/, and a surface's own <app>/locale/) ship
# with their compiled .mo committed, so no machine needs gettext; the switch posts to
# /i18n/setlang/.
LANGUAGES = [("en-gb", "English"), ("id", "Bahasa Indonesia")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language, the same on every page and mail (crm_project/formats/).
FORMAT_MODULE_PATH = ["crm_project.formats"]
# The shop's zone: the portal shows dates and times in it, and names it.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
# The currency the shop's prices are in (an ISO 4217 code): pages show prices with it,
# formatted per language by Babel ("€57.13", "€57,13"). The demo catalogue's prices
# (0.99 to 999, with cents, European customers) are euros.
CURRENCY = env.str("CURRENCY", default="EUR").upper()
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# The sender of every mail to customers, leads and staff (Django's default would be
# webmaster@localhost). Give the shop's name and an address it can receive replies at.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Custodian <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when REDIS_URL is set, otherwise tasks run eagerly in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fix-up closes every database connection before and after each task
# unless this is set: profiled, two new connections (data and key store) per job were
# most of a 6.3 ms no-op job. With it, a worker keeps its connections as CONN_MAX_AGE
# says, checked around each task like a request's (crm_project/celery.py); the fix-up
# still closes them after 2 x this many tasks.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
# A broker outage must not hold a web request: fail fast when handing a job over (the
# outbox keeps it and the sweep below hands it over when the broker is back).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": env.float("CELERY_SOCKET_TIMEOUT", default=5.0),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
# No job's result is read except the runtime ping's (check_runtime --worker), so none is
# kept: handing a job over then never touches the result backend. With results on, the
# Redis backend subscribed for every job sent and, with Redis down, held the request
# 12-19 s in reconnect retries and then asked at CRITICAL for a restart.
CELERY_TASK_IGNORE_RESULT = True
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = CELERY_BROKER_CONNECTION_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"]
CELERY_REDIS_RETRY_ON_TIMEOUT = False
CELERY_RESULT_BACKEND_ALWAYS_RETRY = False
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
}
# The broker comes back on its own: workers and beat reconnect, without a limit.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=30.0)
# Embedded default (no REDIS_URL, so no beat): after a request, at most this often, the
# web process runs beat's sweeps itself (outbox/embedded.py), so jobs scheduled for later
# (webhook retries) still run on time. 0 turns it off; with a broker it is off.
EMBEDDED_SWEEP_SECONDS = env.float(
    "EMBEDDED_SWEEP_SECONDS", default=0.0 if REDIS_URL else OUTBOX_SWEEP_SECONDS
)
EMBEDDED_SWEEP_TASKS = [
    "outbox.tasks.dispatch_pending",
    "disposal.tasks.deliver_due_webhooks",
    "campaigns.tasks.start_due_campaigns",
]
# acks_late + reject_on_worker_lost: a job whose worker dies is not lost. Redis hands an
# unacknowledged job to another worker after the visibility timeout; keep it longer than
# the longest job (an erasure, a model build), since a job still running past it would
# be handed out twice (harmless, as jobs are idempotent, but wasted work).
CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = env.int(
    "CELERY_VISIBILITY_TIMEOUT", default=3600
)
# Queues per job kind (crm_project/queues.py): off, one queue; on, erasures, webhooks,
# campaigns and recommendation builds each have their own, for workers of their own.
CELERY_TASK_ROUTES = task_routes(env.bool("CELERY_QUEUES_BY_KIND", default=False))
CELERY_BEAT_SCHEDULE: dict = {
    "dispatch-outbox": {
        "task": "outbox.tasks.dispatch_pending",
        "schedule": OUTBOX_SWEEP_SECONDS,
    },
    "apply-retention-daily": {
        "task": "disposal.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=15),
    },
    "resume-stalled-erasures": {
        "task": "disposal.tasks.resume_stalled_erasures",
        "schedule": crontab(minute="*"),
    },
    "deliver-due-webhooks": {
        "task": "disposal.tasks.deliver_due_webhooks",
        "schedule": crontab(minute="*"),
    },
    "remind-due-data-subject-requests": {
        "task": "privacy.tasks.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    "seal-audit-events": {
        "task": "audit.tasks.seal_audit_events",
        "schedule": env.float("AUDIT_SEAL_SECONDS", default=60),
    },
    "purge-idempotent-replies": {
        "task": "api.tasks.purge_idempotent_replies",
        "schedule": crontab(minute=5),
    },
    "start-scheduled-campaigns": {
        "task": "campaigns.tasks.start_due_campaigns",
        "schedule": crontab(minute="*"),
    },
    "resume-campaign-sends": {
        "task": "campaigns.tasks.resume_stalled_sends",
        "schedule": crontab(minute="*"),
    },
    "prune-email-undos-daily": {
        "task": "portal.tasks.prune_email_undos",
        "schedule": crontab(hour=3, minute=50),
    },
    "prune-change-feed-daily": {
        "task": "changes.tasks.prune_change_feed",
        "schedule": crontab(hour=3, minute=45),
    },
    "rebuild-recommendations": {
        "task": "recommendations.tasks.rebuild_recommendations",
        "schedule": env.float("RECOMMENDATIONS_BUILD_SECONDS", default=6 * 3600),
    },
    "resume-interrupted-recommendation-builds": {
        "task": "recommendations.tasks.resume_interrupted_builds",
        "schedule": crontab(minute="*"),
    },
    "apply-pending-recommendation-forgets": {
        "task": "recommendations.tasks.apply_pending_forgets",
        "schedule": crontab(minute="*"),
    },
}
# Audit chain (audit/chain.py): events per seal, and how long an event waits before it
# is sealed (a margin for clocks and for transactions still open when the job runs).
AUDIT_SEAL_BATCH_SIZE = env.int("AUDIT_SEAL_BATCH_SIZE", default=1000)
AUDIT_SEAL_SETTLE_SECONDS = env.int("AUDIT_SEAL_SETTLE_SECONDS", default=60)
# Recommendations: categories never learned from nor recommended (recommendations/policy.py).
RECOMMENDATIONS_SENSITIVE_CATEGORIES = env.list(
    "RECOMMENDATIONS_SENSITIVE_CATEGORIES", default=["health", "pharmacy", "adult"]
)
RECOMMENDATIONS_IGNORED_CATEGORIES = env.list(
    "RECOMMENDATIONS_IGNORED_CATEGORIES", default=["fees", "shipping", "gift-cards"]
)
# The fewest distinct customers behind a pair bought together or a popular item, so no
# recommendation or also-bought list shows one customer's basket (recommendations/policy.py).
RECS_MIN_SUPPORT = env.int("RECS_MIN_SUPPORT", default=5)
# A running build renews this lease as it reports progress; once it lapses (the worker
# died), the minute's sweep queues a new build.
RECS_BUILD_LEASE_SECONDS = env.int("RECS_BUILD_LEASE_SECONDS", default=120)
# Erasures reaching the forget step within this window are subtracted from the counts
# together (recommendations/batches.py); their supports and contributor rows go at once.
# 0: each erasure subtracts at once.
RECS_FORGET_BATCH_SECONDS = env.float("RECS_FORGET_BATCH_SECONDS", default=5)

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }

# Storefront API (contract: ../shared/API_CONTRACT.md). Keys come from api.models.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.authentication.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env.str("API_RATE_LIMIT", default="1200/min")},
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Custodian storefront API",
    "DESCRIPTION": "Customers, products, purchases and consents for storefronts. "
    "Authenticate with `Authorization: Api-Key <key>`. Every answer is JSON, errors "
    'included (`{"detail": "..."}` or field messages); a method a path does not have is '
    "405 with `Allow`; the trailing slash of a path is optional. The contract, with "
    "examples: docs/api.md in the repository.",
    "VERSION": "1.1.0",
    # Where the API is served; relative ("/") means the host that serves this schema.
    "SERVERS": [{"url": env.str("API_PUBLIC_URL", default="/"), "description": "This Custodian."}],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.postprocess",
    ],
    # Several choice sets share the field name "status"; named here, the schema is stable
    # and `check --deploy` stays silent (drf_spectacular.W001).
    "ENUM_NAME_OVERRIDES": {
        "ErasureStatusEnum": "disposal.models.ErasureStatus",
        "PurchaseLineStatusEnum": ["created", "duplicate"],
        "LeadStatusEnum": "leads.models.LeadStatus",
        "LeadStatusChangeEnum": ["new", "contacted", "qualified", "disqualified"],
    },
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
API_MAX_BATCH = 1000
# Customers per bulk POST /api/v1/customers/ (bulk onboarding).
API_MAX_CUSTOMER_BATCH = 500
# How long a POST's answer is kept for a repeat with the same Idempotency-Key.
IDEMPOTENCY_HOURS = env.int("IDEMPOTENCY_HOURS", default=24)
# A request with an Idempotency-Key whose transaction sits idle this long (its server
# vanished without closing the connection) is ended by PostgreSQL, freeing its key.
IDEMPOTENCY_IDLE_SECONDS = env.int("IDEMPOTENCY_IDLE_SECONDS", default=15)
# The largest request body the API reads (413 JSON naming it above); 1000 purchase lines
# take about 250 kB.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=2_621_440)
# How far ahead of the server's clock (seconds) a reported purchase, return or
# interaction may be before it is refused as implausible (v1.3).
API_MAX_CLOCK_SKEW = env.int("API_MAX_CLOCK_SKEW", default=3600)

# Phone numbers without a leading + are read in this region (ISO 3166 code); empty
# means every number must carry its country code.
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="")

# One-time codes (portal sign-in, email changes): how long they live, how many tries.
VERIFICATION_CODE_MINUTES = env.int("VERIFICATION_CODE_MINUTES", default=10)
VERIFICATION_MAX_ATTEMPTS = env.int("VERIFICATION_MAX_ATTEMPTS", default=5)

# Customer portal: sign-in requests per hour per address and per client, and how long
# a signed-in customer may be idle before signing in again.
PORTAL_SIGN_IN_PER_ADDRESS = env.int("PORTAL_SIGN_IN_PER_ADDRESS", default=5)
PORTAL_SIGN_IN_PER_CLIENT = env.int("PORTAL_SIGN_IN_PER_CLIENT", default=30)
PORTAL_IDLE_MINUTES = env.int("PORTAL_IDLE_MINUTES", default=15)

# Consent: purposes granted only through a link mailed to the customer (double opt-in),
# and how long such a link stays valid.
CONSENT_DOUBLE_OPT_IN = env.list("CONSENT_DOUBLE_OPT_IN", default=["marketing_email"])
CONSENT_CONFIRMATION_HOURS = env.int("CONSENT_CONFIRMATION_HOURS", default=48)

# The call centre's name lookup: a blind index of each name token (customers.name_index).
# Off: no token is stored (`manage.py index_customer_names` deletes them) and staff find
# customers by email, phone, external id or order number only. SECURITY.md weighs it.
CUSTOMER_NAME_INDEX = env.bool("CUSTOMER_NAME_INDEX", default=True)

# Change feed (GET /api/v1/changes/): entries, erased customers' sealed ids included, are
# kept this long; a storefront that polls less often resyncs from a lookup.
CHANGES_KEEP_DAYS = env.int("CHANGES_KEEP_DAYS", default=30)

# Leads: capture-form submissions per client per hour, extra score points per source
# name (JSON, e.g. {"webinar": 20}), and the most rows a dashboard upload may hold
# (bigger files go through `manage.py import_leads`).
LEADS_FORM_PER_CLIENT = env.int("LEADS_FORM_PER_CLIENT", default=10)
LEADS_SOURCE_POINTS = env.json("LEADS_SOURCE_POINTS", default={})
LEADS_IMPORT_MAX_UPLOAD_ROWS = env.int("LEADS_IMPORT_MAX_UPLOAD_ROWS", default=5000)

# Disposal (erasure, retention, processors).
# Invoice lines stay (unlinked from the customer) this long for tax law: 6 years in the UK.
INVOICE_HOLD_DAYS = env.int("INVOICE_HOLD_DAYS", default=6 * 365 + 2)
# An erasure still running after this long (a killed worker) is started again.
ERASURE_STALL_MINUTES = env.int("ERASURE_STALL_MINUTES", default=15)
# A running erasure holds a lease its worker renews at every step; a lapsed lease (a
# killed worker, a run cut off by a lost database) is resumed by the minute's sweep.
ERASURE_LEASE_SECONDS = env.int("ERASURE_LEASE_SECONDS", default=60)
# An erasure job takes up to this many waiting requests with it, each step a few
# statements for the whole batch (1 = one request per job).
ERASURE_BATCH_SIZE = env.int("ERASURE_BATCH_SIZE", default=100)
# A step that fails on a lost database or broker connection is retried this often,
# with backoff (1, 2, 4 ... up to 30 s), before the request is left to the sweep.
JOB_CONNECTION_RETRIES = env.int("JOB_CONNECTION_RETRIES", default=8)
ERASURE_TEST_PAUSE = env.str("ERASURE_TEST_PAUSE", default="")  # tests only: "step:seconds"
# How long the key store's backups are kept: the certificate's backup horizon.
KEY_BACKUP_RETENTION_DAYS = env.int("KEY_BACKUP_RETENTION_DAYS", default=35)
# Access review (privacy desk): one staff member revealing customers' details more
# than this many times in one local day is flagged for review.
ACCESS_REVIEW_DAILY_REVEALS = env.int("ACCESS_REVIEW_DAILY_REVEALS", default=50)
# Data carriers: automatic copies (exports, disclosures to processors) are registered
# with an expiry; the privacy desk lists those past it that nobody confirmed destroyed.
CARRIER_EXPORT_EXPIRY_DAYS = env.int("CARRIER_EXPORT_EXPIRY_DAYS", default=30)
CARRIER_PROCESSOR_COPY_EXPIRY_DAYS = env.int("CARRIER_PROCESSOR_COPY_EXPIRY_DAYS", default=90)
# Signed erasure webhooks to processors: attempts, first retry delay (doubles each time).
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_SECONDS = env.float("WEBHOOK_RETRY_SECONDS", default=30.0)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Processor webhooks (disposal/webhook_targets.py): https:// only unless DEBUG, and never
# to a loopback, private, link-local or metadata address, except in these networks
# (comma-separated CIDR, e.g. 10.20.0.0/16 for a processor on the operator's network).
WEBHOOK_REQUIRE_HTTPS = not DEBUG
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])
for _network in WEBHOOK_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(f"WEBHOOK_ALLOWED_NETWORKS: {error}.") from None

# Debug pages and error reports hide the vault's marked variables with DEBUG on too.
DEFAULT_EXCEPTION_REPORTER_FILTER = "crm_project.debug.AlwaysSafeExceptionReporterFilter"

# Access logs never carry query strings (an old client may still put an email in one):
# runserver's request log goes through this filter, gunicorn uses gunicorn.conf.py.
# Logs: JSON lines (LOG_FORMAT=text for plain ones), each with the request id, scrubbed
# of anything shaped like an email or phone number on every handler (runtime.logs).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_query_strings": {"()": "crm_project.logging.StripQueryStrings"},
        "request_id": {"()": "runtime.logs.RequestIdFilter"},
        "scrub": {"()": "runtime.logs.ScrubPersonalData"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT if LOG_FORMAT == "text" else "json",
            "filters": ["request_id", "scrub"],
        },
        "requests": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT if LOG_FORMAT == "text" else "json",
            "filters": ["no_query_strings", "request_id", "scrub"],
        },
    },
    "loggers": {
        "django.server": {"handlers": ["requests"], "level": "INFO", "propagate": False},
        # django-axes logs every sign-in at INFO; lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Error reports to Sentry when SENTRY_DSN is set; scrubbed of personal data (runtime.reporting).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from runtime.reporting import init_error_reporting

    init_error_reporting(
        SENTRY_DSN, environment=env.str("SENTRY_ENVIRONMENT", default="production")
    )

# /metrics (Prometheus) answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it is off.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# Staff sessions (admin, dashboard) end after a working day, not Django's two weeks.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)

# How many reverse proxies in front of the app append to X-Forwarded-For (the TLS proxy
# of docker-compose: 1). Per-client limits (portal sign-in, lead forms) then count the
# address the nearest proxy saw; 0 trusts no header (runtime.clients).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured("PROXY_COUNT must be 0 or more.")

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    # Production runs behind a TLS-terminating proxy (docs/operating/deployment.md), which sets
    # X-Forwarded-Proto and must overwrite whatever the client sent in it.
    if env.bool("BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # Preloading commits every subdomain of the site's domain to HTTPS for months: the
    # operator opts in (SECURE_HSTS_PRELOAD=true) when submitting the domain, not us.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]

# Campaigns (campaigns/): recipients per batch of a send, the spend bands of segments
# (total spend below the first bound is low, from the second on high), and how long a
# send may go without progress before the sweep hands it to a worker again.
CAMPAIGNS_BATCH_SIZE = env.int("CAMPAIGNS_BATCH_SIZE", default=200)
CAMPAIGNS_SPEND_BANDS = env.list("CAMPAIGNS_SPEND_BANDS", cast=float, default=[100.0, 500.0])
CAMPAIGNS_STALL_MINUTES = env.int("CAMPAIGNS_STALL_MINUTES", default=1)
# How long an unsubscribe link in a message keeps working (then: the portal's choices).
CAMPAIGNS_UNSUBSCRIBE_DAYS = env.int("CAMPAIGNS_UNSUBSCRIBE_DAYS", default=60)
# Phone: a call list closes this many days after it opened (entries left are skipped),
# and an agent's claim on an entry lapses after this many minutes without an outcome.
CAMPAIGNS_CALL_LIST_DAYS = env.int("CAMPAIGNS_CALL_LIST_DAYS", default=14)
CAMPAIGNS_CALL_CLAIM_MINUTES = env.int("CAMPAIGNS_CALL_CLAIM_MINUTES", default=30)
CAMPAIGNS_TEST_PAUSE = env.str("CAMPAIGNS_TEST_PAUSE", default="")  # tests only: "sent:seconds"
