"""LMO settings, read from the environment only (see README, "Configuration").

Development is the default (``LMO_DEBUG`` unset): SQLite under ``var/``, in-memory
channel layer, local-memory cache, tasks in the server process. Production
(``LMO_DEBUG=0``) needs ``LMO_SECRET_KEY`` and ``LMO_ALLOWED_HOSTS`` and turns on
HTTPS redirect, secure cookies and HSTS unless told otherwise.
"""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

import csp.constants as csp
import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from lmo import __version__
from lmo.env import (
    check_url,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_origins,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("LMO_VAR_DIR", str(BASE_DIR / "var")) or "var")
LMO_VERSION = __version__

DEBUG = env_bool("LMO_DEBUG", True)


def _secret_key() -> str:
    configured = env_str("LMO_SECRET_KEY")
    if configured is not None:
        if not DEBUG and (len(configured) < 50 or len(set(configured)) < 5):
            raise ImproperlyConfigured(
                "LMO_SECRET_KEY is too weak for production: use at least 50 random characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
            )
        return configured
    if not DEBUG:
        raise ImproperlyConfigured("LMO_SECRET_KEY must be set when LMO_DEBUG=0.")
    # Development: generate once and keep it so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()


ALLOWED_HOSTS = env_list("LMO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "LMO_ALLOWED_HOSTS must list the host names this server answers to when LMO_DEBUG=0 "
        "(for example LMO_ALLOWED_HOSTS=lmo.example.com)."
    )
CSRF_TRUSTED_ORIGINS = env_origins("LMO_CSRF_TRUSTED_ORIGINS", [])


def _encryption_keys() -> list[str]:
    """Fernet keys for secrets stored at rest (lmo.crypto): the first encrypts, all decrypt."""
    from cryptography.fernet import Fernet

    configured = env_list("LMO_ENCRYPTION_KEYS", [])
    if not configured:
        if not DEBUG:
            raise ImproperlyConfigured(
                "LMO_ENCRYPTION_KEYS must be set when LMO_DEBUG=0: one or more Fernet keys, "
                "comma-separated, newest first (python -c 'from cryptography.fernet import "
                "Fernet; print(Fernet.generate_key().decode())')."
            )
        key_file = VAR_DIR / "encryption_key"
        if not key_file.exists():
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            key_file.write_text(Fernet.generate_key().decode())
            key_file.chmod(0o600)
        configured = [key_file.read_text().strip()]
    for key in configured:
        try:
            Fernet(key.encode())
        except ValueError as exc:
            raise ImproperlyConfigured(
                "LMO_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe "
                "base64-encoded bytes); generate one with Fernet.generate_key()."
            ) from exc
    return configured


LMO_ENCRYPTION_KEYS = _encryption_keys()

INSTALLED_APPS = [
    "daphne",
    "lmo.apps.LMOAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "servestatic.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "csp",
    "template_partials",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "allauth",
    "allauth.account",
    "allauth.usersessions",
    "lmo.apps.LMOConfig",
    "lmo.accounts",
    "lmo.organisations",
    "lmo.usage",
    "ninja",
    "lmo.api",
    "lmo.mcp_server",
    "lmo.privacy",
    "chat",
    "activities",
    "permissions",
    "notifications",
    "agent_bridge",
]

MIDDLEWARE = [
    "lmo.logs.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # /api/: bearer keys only (cookies dropped), request log, ETags.
    "lmo.api.middleware.ApiMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Text no database keeps (NUL) is a 400 naming the field, for every page and form.
    "lmo.input.NulFreeInputMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lmo.accounts.middleware.SessionLifetimeMiddleware",
    "lmo.accounts.middleware.MFAGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "lmo.urls"
ASGI_APPLICATION = "lmo.asgi.application"

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
                "lmo.context_processors.shell",
                "notifications.context_processors.badge",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'lmo.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql", "pgsql"),
)
assert DATABASE_URL is not None
_db = environ.Env.db_url_config(DATABASE_URL)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL + IMMEDIATE transactions let the server, task threads and sockets share one file
    # without "database is locked" errors on concurrent writes.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests get a file too (not a shared in-memory database, which has table locks instead
    # of WAL), so task threads and the test behave as they do in the served app.
    _db["TEST"] = {"NAME": str(VAR_DIR / f"test-{Path(_db['NAME']).stem}.sqlite3")}
else:
    _db["CONN_HEALTH_CHECKS"] = True
    # Keep connections open between requests and socket frames (Channels closes them after
    # every database_sync_to_async call otherwise, and a new PostgreSQL connection per
    # agent frame costs milliseconds).
    _db["CONN_MAX_AGE"] = env_int("LMO_DB_CONN_MAX_AGE", 300, minimum=0)
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, Celery ------------------------------------------------
REDIS_URL = env_url("REDIS_URL", None, schemes=("redis", "rediss", "unix"))
LMO_SCALED = REDIS_URL is not None

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lmo",
        }
    }
    # Pub/sub layer: lowest latency, and at-most-once delivery is all LMO asks of a channel
    # layer (it only notifies; commands and messages are in the database first).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "lmo-asgi"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "lmo.live.layers.ThreadSafeInMemoryChannelLayer"}}

# Celery. Without Redis, tasks run in a thread pool inside the server process (lmo.tasks).
LMO_TASKS_IN_PROCESS = not LMO_SCALED
LMO_TASK_THREADS = env_int("LMO_TASK_THREADS", 4, minimum=1, maximum=64)
LMO_TASK_TIME_LIMIT = env_int("LMO_TASK_TIME_LIMIT", 900, minimum=10)
LMO_TASK_VISIBILITY_TIMEOUT = env_int("LMO_TASK_VISIBILITY_TIMEOUT", 3600, minimum=60)
if LMO_TASK_VISIBILITY_TIMEOUT <= LMO_TASK_TIME_LIMIT:
    # With acks_late, a task still running when the visibility timeout passes is handed to
    # a second worker: the hard time limit must end it first.
    raise ImproperlyConfigured(
        f"LMO_TASK_VISIBILITY_TIMEOUT ({LMO_TASK_VISIBILITY_TIMEOUT}s) must be longer than "
        f"LMO_TASK_TIME_LIMIT ({LMO_TASK_TIME_LIMIT}s)."
    )
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": LMO_TASK_VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": LMO_TASK_VISIBILITY_TIMEOUT}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_QUEUES = (Queue("default"), Queue("high"))
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = LMO_TASK_TIME_LIMIT
CELERY_TASK_SOFT_TIME_LIMIT = max(LMO_TASK_TIME_LIMIT - 30, 5)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TIMEZONE = "UTC"
# Periodic tasks: run by ``celery -A lmo beat`` in the scaled mode, by a thread of the
# server in the embedded mode (lmo.periodic).
CELERY_BEAT_SCHEDULE = {
    "notifications-digest": {
        "task": "notifications.send_digests",
        "schedule": crontab(minute=0),
    },
    "notifications-purge": {
        "task": "notifications.purge",
        "schedule": crontab(hour=3, minute=17),
    },
    "permissions-expire-requests": {
        "task": "permissions.expire_requests",
        "schedule": 15.0,  # seconds: unanswered requests end their chat run promptly
    },
    "activities-retention": {
        "task": "activities.apply_retention",
        "schedule": crontab(hour=4, minute=7),  # daily
    },
    "activities-unusual-spending": {
        "task": "activities.unusual_spending",
        "schedule": crontab(hour=7, minute=23),  # daily, before most people's day
    },
    "privacy-resume-deletions": {
        "task": "privacy.resume_deletions",
        "schedule": 300.0,  # seconds: an account deletion a crash stopped goes on
    },
    "privacy-purge-exports": {
        "task": "privacy.purge_exports",
        "schedule": crontab(minute=41),  # hourly
    },
    "api-purge-request-log": {
        "task": "api.purge_request_log",
        "schedule": crontab(hour=4, minute=37),  # daily
    },
    "permissions-expire-runs": {
        "task": "permissions.expire_runs",
        "schedule": 10.0,  # seconds: commands past their deadline end promptly
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Authentication: allauth (e-mail login) + django-otp (second factor) ---------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_choice(
    "LMO_EMAIL_VERIFICATION", "mandatory", ("mandatory", "optional", "none")
)
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[LMO] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
USERSESSIONS_TRACK_ACTIVITY = True

OTP_TOTP_ISSUER = env_str("LMO_OTP_ISSUER", "LMO")
OTP_TOTP_THROTTLE_FACTOR = 1
LMO_BACKUP_THROTTLE_FACTOR = 1
LMO_REQUIRE_MFA = env_bool("LMO_REQUIRE_MFA", True)

# Sessions: an idle timeout and an absolute lifetime, both enforced server-side.
LMO_SESSION_IDLE_TIMEOUT = env_int("LMO_SESSION_IDLE_TIMEOUT", 8 * 3600, minimum=60)
LMO_SESSION_MAX_AGE = env_int("LMO_SESSION_MAX_AGE", 14 * 24 * 3600, minimum=300)
SESSION_COOKIE_AGE = LMO_SESSION_MAX_AGE
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security ---------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("LMO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("LMO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("LMO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("LMO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("LMO_SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp; Django 5.2 has none built in).
# Scripts only from LMO's own static files (an inline one needs request.csp_nonce); styles
# may be inline because Plotly and htmx set them; the socket is same-origin ('self').
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:", "blob:"],
        "media-src": [csp.SELF, "blob:"],
        "font-src": [csp.SELF, "data:"],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
if env_bool("LMO_TRUST_X_FORWARDED_PROTO", False):
    # Only behind a proxy that sets (and strips client-sent) X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- E-mail ------------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL", "consolemail://" if DEBUG else "smtp://localhost:25")
assert EMAIL_URL is not None
check_url(
    "EMAIL_URL",
    EMAIL_URL,
    ("smtp", "smtps", "consolemail", "filemail", "memorymail", "dummymail"),
)
_email = environ.Env.email_url_config(EMAIL_URL)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = int(_email.get("EMAIL_PORT") or 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
if EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    EMAIL_FILE_PATH = urlsplit(EMAIL_URL).path  # filemail:///abs/dir keeps its leading slash
DEFAULT_FROM_EMAIL = env_str("LMO_FROM_EMAIL", "LMO <lmo@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where users reach this server: links in e-mails are absolute.
LMO_PUBLIC_URL = env_url("LMO_PUBLIC_URL", "http://127.0.0.1:8000", schemes=("http", "https"))
assert LMO_PUBLIC_URL is not None

# --- Notifications -----------------------------------------------------------------------
LMO_NOTIFICATION_RETENTION_DAYS = env_int("LMO_NOTIFICATION_RETENTION_DAYS", 90, minimum=1)

# --- Your data -----------------------------------------------------------------------------
# How long an export's download link works before the archive is deleted.
LMO_EXPORT_HOURS = env_int("LMO_EXPORT_HOURS", 48, minimum=1, maximum=24 * 30)

# --- The agent bridge -------------------------------------------------------------------
# How long a command may wait for its computer (offline, busy) before it times out.
LMO_AGENT_COMMAND_TIMEOUT = env_int("LMO_AGENT_COMMAND_TIMEOUT", 120, minimum=5, maximum=86400)
# The largest command result a computer may send (in parts when over one frame); larger
# ones are refused with a clear error, once. Results with files keep them in MEDIA_ROOT.
LMO_AGENT_MAX_RESULT_MB = env_int("LMO_AGENT_MAX_RESULT_MB", 25, minimum=1, maximum=1024)

# --- Permissions -------------------------------------------------------------------------
# How long a permission request waits for an answer, how long "Allow for N minutes" lasts,
# and how recent the last code must be to allow shell or write actions "Always".
LMO_PERMISSION_REQUEST_MINUTES = env_int("LMO_PERMISSION_REQUEST_MINUTES", 15, minimum=1)
LMO_PERMISSION_WINDOW_MINUTES = env_int("LMO_PERMISSION_WINDOW_MINUTES", 15, minimum=1)
LMO_STEP_UP_MINUTES = env_int("LMO_STEP_UP_MINUTES", 10, minimum=1)

# --- The assistant -----------------------------------------------------------------------
# Any OpenAI-compatible endpoint (OpenAI, llama.cpp, vLLM, Ollama...). With neither a base
# URL nor a key the built-in offline assistant answers (chat.pipeline.offline).
LMO_LLM_BASE_URL = env_url("LMO_LLM_BASE_URL", None, schemes=("http", "https"))
LMO_LLM_API_KEY = env_str("LMO_LLM_API_KEY")
LMO_LLM_MODEL = env_str("LMO_LLM_MODEL", "gpt-4o-mini") or "gpt-4o-mini"
LMO_LLM_TEMPERATURE = env_float("LMO_LLM_TEMPERATURE", 0.2, minimum=0.0, maximum=2.0)
LMO_LLM_TIMEOUT = env_float("LMO_LLM_TIMEOUT", 60.0, minimum=1.0)
LMO_LLM_MAX_RETRIES = env_int("LMO_LLM_MAX_RETRIES", 2, minimum=0, maximum=10)
LMO_LLM_CONTEXT_TOKENS = env_int("LMO_LLM_CONTEXT_TOKENS", 8000, minimum=500)
LMO_LLM_ENABLED = bool(LMO_LLM_BASE_URL or LMO_LLM_API_KEY)


def _prices() -> dict[str, tuple[Decimal, Decimal]]:
    """LMO_LLM_PRICES: "model=input/output,..." in a currency of your choice per 1M tokens."""
    table: dict[str, tuple[Decimal, Decimal]] = {}
    for entry in env_list("LMO_LLM_PRICES", []):
        model, _, prices = entry.partition("=")
        prompt, _, completion = prices.partition("/")
        try:
            table[model.strip()] = (Decimal(prompt.strip()), Decimal(completion.strip()))
        except (InvalidOperation, ValueError):
            raise ImproperlyConfigured(
                f"LMO_LLM_PRICES entry {entry!r} must look like model=0.15/0.60 "
                "(prompt/completion price per 1M tokens)."
            ) from None
        if not model.strip():
            raise ImproperlyConfigured(f"LMO_LLM_PRICES entry {entry!r} names no model.")
    return table


# Optional: turns the Usage tab's tokens into an estimated cost.
LMO_LLM_PRICES = _prices()
# Speech to text for voice messages: an OpenAI-compatible /audio/transcriptions endpoint.
LMO_STT_BASE_URL = env_url("LMO_STT_BASE_URL", None, schemes=("http", "https"))
LMO_STT_API_KEY = env_str("LMO_STT_API_KEY")
LMO_STT_MODEL = env_str("LMO_STT_MODEL", "whisper-1") or "whisper-1"
LMO_STT_ENABLED = bool(LMO_STT_BASE_URL or LMO_STT_API_KEY)
LMO_VOICE_MAX_BYTES = env_int("LMO_VOICE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# Embedded-mode LangGraph checkpoints (the scaled mode keeps them in PostgreSQL).
LMO_CHECKPOINT_PATH = Path(
    env_str("LMO_CHECKPOINT_PATH", str(VAR_DIR / "checkpoints.sqlite3")) or "checkpoints"
)
MEDIA_ROOT = Path(env_str("LMO_MEDIA_ROOT", str(VAR_DIR / "media")) or "media")
# Uploaded voice clips are served only through access-checked views, never from here.
MEDIA_URL = "/media-not-served/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- The API ---------------------------------------------------------------------------
# Days the request log keeps its rows (cleaned up daily).
LMO_REQUEST_LOG_DAYS = env_int("LMO_REQUEST_LOG_DAYS", 30, minimum=1, maximum=3650)
# API requests per minute (lmo.api.ratelimit): each key, and each organisation in all.
# An organisation's owners and admins may set their own in Settings → Organisation.
LMO_API_KEY_REQUESTS_PER_MINUTE = env_int("LMO_API_KEY_REQUESTS_PER_MINUTE", 120, minimum=1)
LMO_API_ORG_REQUESTS_PER_MINUTE = env_int("LMO_API_ORG_REQUESTS_PER_MINUTE", 1200, minimum=1)
# Seconds between SSE keep-alive comments while a stream waits (for a permission...).
LMO_API_KEEPALIVE_SECONDS = env_float("LMO_API_KEEPALIVE_SECONDS", 15.0, minimum=0.5)
# How long a non-streaming completion waits for the answer before it answers 504.
LMO_API_COMPLETION_TIMEOUT = env_float("LMO_API_COMPLETION_TIMEOUT", 600.0, minimum=1.0)

# --- Static files, i18n -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "lmo.staticfinders.PlotlyFinder",
]
SERVESTATIC_USE_FINDERS = env_bool("LMO_SERVE_STATIC_FROM_APPS", True)
SERVESTATIC_AUTOREFRESH = DEBUG

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LMO_LOG_LEVEL = env_choice("LMO_LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper()
# plain: one readable line; json: one JSON object per line (lmo/logs.py).
LMO_LOG_FORMAT = env_choice("LMO_LOG_FORMAT", "plain", ("plain", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "lmo.logs.RequestContextFilter"},
        "expected": {"()": "lmo.logs.ExpectedErrorsFilter"},
    },
    "formatters": {
        "plain": {
            "()": "logging.Formatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s",
        },
        "json": {"()": "lmo.logs.json_formatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LMO_LOG_FORMAT,
            "filters": ["context", "expected"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "lmo": {"level": LMO_LOG_LEVEL},
        "chat": {"level": LMO_LOG_LEVEL},
        "activities": {"level": LMO_LOG_LEVEL},
        "permissions": {"level": LMO_LOG_LEVEL},
        "notifications": {"level": LMO_LOG_LEVEL},
        "agent_bridge": {"level": LMO_LOG_LEVEL},
        "django": {"level": "INFO"},
        # One line per request with its id, route, user and duration: in JSON for log
        # collectors; the plain console has Daphne's access lines already.
        "lmo.request": {"level": "INFO" if LMO_LOG_FORMAT == "json" else "WARNING"},
    },
}
