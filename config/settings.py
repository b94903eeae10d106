"""Tunebench settings, read from the environment only.

With nothing set, Tunebench runs *embedded*: SQLite under ``var/``, Celery's filesystem
transport under ``var/broker`` and uploaded files under ``var/media``, so ``make run`` needs
no service. ``TUNEBENCH_VAR_DIR`` moves all three (tests and scripts use it to run a
throwaway stack). ``TUNEBENCH_PROFILE=production`` turns on the production profile, which
refuses to start without a secret key, allowed hosts, a ``mysql://`` database and a
``redis://`` broker. Nothing is edited per machine (STYLE.md 2.7).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

PROFILE = env("TUNEBENCH_PROFILE", default="embedded")
if PROFILE not in {"embedded", "production"}:
    raise ImproperlyConfigured(
        f"TUNEBENCH_PROFILE must be 'embedded' or 'production', not {PROFILE!r}."
    )
PRODUCTION = PROFILE == "production"

VAR_DIR = Path(env("TUNEBENCH_VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
MEDIA_ROOT = VAR_DIR / "media"
BROKER_DIR = VAR_DIR / "broker"


def _require(name: str, *, scheme: str | None = None) -> str:
    """Read a variable the production profile cannot run without, failing fast and clearly."""
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is required when TUNEBENCH_PROFILE=production (see platform/env.example)."
        )
    if scheme and not value.startswith(f"{scheme}://"):
        raise ImproperlyConfigured(
            f"{name} must be a {scheme}:// URL when TUNEBENCH_PROFILE=production."
        )
    return value


# --- Core -------------------------------------------------------------------------------

if PRODUCTION:
    SECRET_KEY = _require("TUNEBENCH_SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "TUNEBENCH_SECRET_KEY must be at least 50 random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
    ALLOWED_HOSTS = [h for h in _require("TUNEBENCH_ALLOWED_HOSTS").split(",") if h.strip()]
    DATABASE_URL = _require("DATABASE_URL", scheme="mysql")
    CELERY_BROKER_URL = _require("CELERY_BROKER_URL", scheme="redis")
else:
    # Only ever used by the embedded default on a developer's machine; the production
    # profile above refuses to start without a real key.
    SECRET_KEY = env.str("TUNEBENCH_SECRET_KEY", default="embedded-only-not-a-secret")
    ALLOWED_HOSTS = env.list(
        "TUNEBENCH_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
    )
    DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")

DEBUG = env.bool("TUNEBENCH_DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("TUNEBENCH_DEBUG must be off when TUNEBENCH_PROFILE=production.")
CSRF_TRUSTED_ORIGINS = env.list("TUNEBENCH_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "accounts",
    "datasets",
    "tasks",
    "flows",
    "runs",
    "health",
    "api",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "datasets.uploads.UploadCapMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------

DATABASES = {"default": env.db_url_config(DATABASE_URL)}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # The web server and the worker write concurrently: WAL lets readers run beside one
    # writer, IMMEDIATE takes the write lock at BEGIN (no deadlock on lock upgrade), and
    # the timeout makes a second writer wait instead of failing with "database is locked".
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif _db["ENGINE"] == "django.db.backends.mysql":
    _db["OPTIONS"] = {
        "charset": "utf8mb4",
        # Django's default and the only level at which get_or_create is safe on MySQL.
        "isolation_level": "read committed",
        "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
    }
    _db["CONN_MAX_AGE"] = env.int("TUNEBENCH_CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
    _db["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
else:
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:// or mysql:// URL.")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------


def _redis_db_url(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


_cache_url = env.str(
    "TUNEBENCH_CACHE_URL",
    default=_redis_db_url(CELERY_BROKER_URL, 1) if PRODUCTION else "locmem://",
)
if _cache_url.startswith("redis://"):
    # Throttle counters must be shared by every web process, so production keeps them in
    # Redis; the embedded default runs one web process and keeps them in memory.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "account"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- I18n, static, media, uploads -------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("TUNEBENCH_STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root

DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # bigger uploads spool to disk, never into memory
FILE_UPLOAD_TEMP_DIR = str(VAR_DIR / "uploads")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
TUNEBENCH_MAX_UPLOAD_BYTES = env.int("TUNEBENCH_MAX_UPLOAD_BYTES", default=1 << 30)  # 1 GiB
FILE_UPLOAD_HANDLERS = [
    "datasets.uploads.CappedMemoryFileUploadHandler",
    "datasets.uploads.CappedTemporaryFileUploadHandler",
]

# --- Security ---------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("TUNEBENCH_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("TUNEBENCH_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # /api/v1/health/ is polled over plain HTTP by the container health check.
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/$"]

# --- REST API ---------------------------------------------------------------------------

REST_FRAMEWORK = {
    # The API key comes first so a 401 carries "WWW-Authenticate: Token".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only: form encoding silently collapses repeated keys. Strict JSON: duplicate
    # keys, NaN/Infinity and deep nesting are a 400 (api/parsers.py). Upload endpoints add
    # MultiPartParser on their own views.
    "DEFAULT_PARSER_CLASSES": ["api.parsers.StrictJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("TUNEBENCH_THROTTLE_ANON", default="1200/min"),
        "user": env.str("TUNEBENCH_THROTTLE_USER", default="6000/min"),
        "api_keys": env.str("TUNEBENCH_THROTTLE_API_KEYS", default="60/hour"),
        "teams": env.str("TUNEBENCH_THROTTLE_TEAMS", default="120/hour"),
        "datasets": env.str("TUNEBENCH_THROTTLE_DATASETS", default="60/hour"),
        "tasks": env.str("TUNEBENCH_THROTTLE_TASKS", default="120/hour"),
        # Publishing a run also posts its flow (and maybe a configuration): flows get twice
        # the budget of runs, shared by POST /flows/ and POST /configurations/.
        "flows": env.str("TUNEBENCH_THROTTLE_FLOWS", default="1200/hour"),
        "runs": env.str("TUNEBENCH_THROTTLE_RUNS", default="600/hour"),
        "login": env.str("TUNEBENCH_THROTTLE_LOGIN", default="20/min"),
        "signup": env.str("TUNEBENCH_THROTTLE_SIGNUP", default="30/hour"),
    },
    "NUM_PROXIES": env.int("TUNEBENCH_NUM_PROXIES", default=1 if PRODUCTION else 0),
    "EXCEPTION_HANDLER": "api.errors.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Tunebench API",
    "DESCRIPTION": (
        "Share datasets, tasks, flows and runs; every run is scored by the server. "
        "Authenticate with `Authorization: Token <api key>`. Every error is an RFC 9457 "
        "problem+json document with a stable `code`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "RunStatusEnum": "runs.models.Run.Status",
        "DatasetStatusEnum": "datasets.models.Dataset.Status",
        "TaskStatusEnum": "tasks.models.Task.Status",
    },
}

# --- Celery -----------------------------------------------------------------------------
# The reliability baseline of shared/reference/reliability-checklist.md (appendix, C1).

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # the database is the truth about every job
CELERY_RESULT_BACKEND = None
CELERY_TASK_SOFT_TIME_LIMIT = env.int("TUNEBENCH_JOB_SOFT_TIME_LIMIT_S", default=1500)
CELERY_TASK_TIME_LIMIT = env.int("TUNEBENCH_JOB_TIME_LIMIT_S", default=1800)
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("The soft job time limit must be below the hard one.")
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("TUNEBENCH_WORKER_MAX_MEMORY_KIB", default=512_000)
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 30
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = (Queue("default"), Queue("score"), Queue("execute"))
CELERY_TASK_ROUTES = {
    "runs.score_run": {"queue": "score"},
    "runs.execute_run": {"queue": "execute"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# A late-acked message is redelivered after the visibility timeout, so it must exceed the
# longest hard limit, with one value everywhere (reliability-checklist.md, Celery section).
VISIBILITY_TIMEOUT_S = env.int("TUNEBENCH_VISIBILITY_TIMEOUT_S", default=2 * CELERY_TASK_TIME_LIMIT)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = BROKER_DIR / "queue"
    for _folder in (_queue_dir, BROKER_DIR / "processed", BROKER_DIR / "control"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # The transport polls its folder; at the default 1 s a worker takes one short job
        # per second, so a backlog of quick scoring jobs would crawl.
        "polling_interval": 0.1,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": VISIBILITY_TIMEOUT_S}
    # Lets several stacks share one Redis without seeing each other's messages (the
    # end-to-end tests start a throwaway stack beside a developer's own).
    if _prefix := env.str("TUNEBENCH_BROKER_PREFIX", default=""):
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = _prefix
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": VISIBILITY_TIMEOUT_S}

HEARTBEAT_INTERVAL_S = env.int("TUNEBENCH_HEARTBEAT_INTERVAL_S", default=60)
CELERY_BEAT_SCHEDULE = {
    f"heartbeat-{queue.name}": {
        "task": "health.heartbeat",
        "schedule": HEARTBEAT_INTERVAL_S,
        "options": {"queue": queue.name, "expires": HEARTBEAT_INTERVAL_S},
        "kwargs": {"queue": queue.name},
    }
    for queue in CELERY_TASK_QUEUES
}
CELERY_BEAT_SCHEDULE["requeue-stuck-datasets"] = {
    "task": "datasets.requeue_stuck_datasets",
    "schedule": env.int("TUNEBENCH_SWEEP_INTERVAL_S", default=300),
    "options": {"queue": "default"},
}
CELERY_BEAT_SCHEDULE["requeue-stuck-tasks"] = {
    "task": "tasks.requeue_stuck_tasks",
    "schedule": env.int("TUNEBENCH_SWEEP_INTERVAL_S", default=300),
    "options": {"queue": "default"},
}

# Scoring a run (queue "score"): limits of one job, and when the sweeper steps in.
TUNEBENCH_RUN_SCORE_SOFT_TIME_LIMIT_S = env.int(
    "TUNEBENCH_RUN_SCORE_SOFT_TIME_LIMIT_S", default=540
)
TUNEBENCH_RUN_SCORE_TIME_LIMIT_S = env.int("TUNEBENCH_RUN_SCORE_TIME_LIMIT_S", default=600)
if TUNEBENCH_RUN_SCORE_SOFT_TIME_LIMIT_S >= TUNEBENCH_RUN_SCORE_TIME_LIMIT_S:
    raise ImproperlyConfigured("The scoring soft time limit must be below its hard limit.")
# A run scoring for longer than this (the hard limit plus a margin) lost its worker.
TUNEBENCH_RUN_SCORE_DEADLINE_S = env.int(
    "TUNEBENCH_RUN_SCORE_DEADLINE_S", default=TUNEBENCH_RUN_SCORE_TIME_LIMIT_S + 60
)
# A run queued this long since its message was sent gets the message again.
TUNEBENCH_RUN_RESEND_AFTER_S = env.int("TUNEBENCH_RUN_RESEND_AFTER_S", default=1800)

# Executing a submitted configuration (queue "execute"): the sandbox's limits per run, the
# job's own limits around them, and the fairness rules (docs/execution.md).
TUNEBENCH_EXECUTE_MEMORY_MB = env.int("TUNEBENCH_EXECUTE_MEMORY_MB", default=4096)
TUNEBENCH_EXECUTE_WALL_S = env.int("TUNEBENCH_EXECUTE_WALL_S", default=1800)
TUNEBENCH_EXECUTE_CPU_S = env.int("TUNEBENCH_EXECUTE_CPU_S", default=TUNEBENCH_EXECUTE_WALL_S)
# The job waits for the sandbox and then scores inline: its limits leave room for both.
TUNEBENCH_EXECUTE_SOFT_TIME_LIMIT_S = (
    TUNEBENCH_EXECUTE_WALL_S + TUNEBENCH_RUN_SCORE_SOFT_TIME_LIMIT_S
)
TUNEBENCH_EXECUTE_TIME_LIMIT_S = TUNEBENCH_EXECUTE_WALL_S + TUNEBENCH_RUN_SCORE_TIME_LIMIT_S
# A run executing for longer than this lost its worker.
TUNEBENCH_RUN_EXECUTE_DEADLINE_S = env.int(
    "TUNEBENCH_RUN_EXECUTE_DEADLINE_S", default=TUNEBENCH_EXECUTE_TIME_LIMIT_S + 60
)
# Runs sent to the broker at once, over all teams; the rest wait in the database, where the
# dispatcher orders them fairly (one team's 500 runs do not starve another's one).
TUNEBENCH_EXECUTE_SLOTS = env.int("TUNEBENCH_EXECUTE_SLOTS", default=8)
# Per team (or per person, for runs without a team): runs executing at once, and server runs
# per rolling 24 hours (runs that failed because of the platform are not counted).
TUNEBENCH_EXECUTE_CONCURRENCY = env.int("TUNEBENCH_EXECUTE_CONCURRENCY", default=4)
TUNEBENCH_EXECUTE_DAILY_QUOTA = env.int("TUNEBENCH_EXECUTE_DAILY_QUOTA", default=500)
# Drop the sandboxed child to this user when the worker runs as root (production images run
# the worker as an unprivileged user already).
TUNEBENCH_SANDBOX_USER = env.str("TUNEBENCH_SANDBOX_USER", default="")
# Start each worker process's sandbox when the process starts, not on its first run.
TUNEBENCH_SANDBOX_PRESTART = env.bool("TUNEBENCH_SANDBOX_PRESTART", default=True)
# The server's own tests turn on estimators that sleep, hog memory or crash on purpose.
TUNEBENCH_TEST_ESTIMATORS = env.bool("TUNEBENCH_TEST_ESTIMATORS", default=False)
if PRODUCTION and TUNEBENCH_TEST_ESTIMATORS:
    raise ImproperlyConfigured("TUNEBENCH_TEST_ESTIMATORS must be off in production.")

_longest_job = max(
    CELERY_TASK_TIME_LIMIT,
    TUNEBENCH_RUN_SCORE_TIME_LIMIT_S,
    TUNEBENCH_RUN_SCORE_DEADLINE_S,
    TUNEBENCH_EXECUTE_TIME_LIMIT_S,
    TUNEBENCH_RUN_EXECUTE_DEADLINE_S,
)
if not CELERY_BROKER_URL.startswith("filesystem://") and _longest_job >= VISIBILITY_TIMEOUT_S:
    # Redis would redeliver a job still running (reliability-checklist.md C1).
    raise ImproperlyConfigured(
        f"TUNEBENCH_VISIBILITY_TIMEOUT_S ({VISIBILITY_TIMEOUT_S}) must exceed the longest job "
        f"limit and the scoring deadline ({_longest_job} s)."
    )
CELERY_BEAT_SCHEDULE["requeue-stuck-runs"] = {
    "task": "runs.requeue_stuck_runs",
    "schedule": env.int("TUNEBENCH_RUN_SWEEP_INTERVAL_S", default=60),
    "options": {"queue": "default"},
}

# --- Logging ----------------------------------------------------------------------------

LOG_LEVEL = env.str("TUNEBENCH_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# The public address of the site, for what commands print (make run, create_api_key).
SITE_URL = env.str("TUNEBENCH_SITE_URL", default="http://127.0.0.1:8000")
