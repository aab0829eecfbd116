"""Django settings, read from the environment (JICENG_*).

Development needs nothing set: the data folder defaults to ./var and a secret is
generated there on first run. Production sets JICENG_SECRET_KEY, JICENG_DATABASE_URL
and JICENG_ALLOWED_HOSTS and keeps JICENG_DEBUG off (the default).
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
HOME = Path(os.environ.get("JICENG_HOME", "var")).resolve()
HOME.mkdir(parents=True, exist_ok=True)


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _development_secret() -> str:
    """A secret kept in the data folder, so sessions survive restarts in development."""
    path = HOME / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = _flag("JICENG_DEBUG")
SECRET_KEY = os.environ.get("JICENG_SECRET_KEY") or _development_secret()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("JICENG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("JICENG_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "jiceng.policy",
    "jiceng.audit",
    "jiceng.jobs",
    "jiceng.orgs",
    "jiceng.sheets",
    "jiceng.people",
    "jiceng.access",
    "jiceng.documents",
    "jiceng.life",
    "jiceng.elections",
    "jiceng.congress",
    "jiceng.assessment",
    "jiceng.stats",
    "jiceng.todo",
    "jiceng.ui",
    "jiceng.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jiceng.ui.middleware.ChosenLanguageMiddleware",
    "jiceng.ui.edge.ControlCharacterMiddleware",  # before anything reads the database
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jiceng.access.middleware.AssignmentCacheMiddleware",
    "jiceng.policy.middleware.PolicyMemoMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "jiceng.audit.context.SourceMiddleware",
]

ROOT_URLCONF = "jiceng.urls"
WSGI_APPLICATION = "jiceng.wsgi.application"
AUTH_USER_MODEL = "access.User"
AUTHENTICATION_BACKENDS = [
    "jiceng.access.throttle.AddressThrottleBackend",  # axes, plus a limit per address
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "ui:login"
LOGIN_REDIRECT_URL = "todo:centre"
LOGOUT_REDIRECT_URL = "ui:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiceng.ui.context.shell",
            ],
        },
    },
]

# SQLite in WAL mode with IMMEDIATE transactions: writers queue instead of failing,
# and the audit chain head is read and extended under one write lock.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("JICENG_DATABASE_URL") or f"sqlite:///{HOME / 'jiceng.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # Aggregates over many rows are priced past PostgreSQL's JIT thresholds, and compiling
    # costs more than it saves for these short queries (docs/benchmarks.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # An unreachable server fails a request in seconds instead of hanging it (and /healthz).
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Uploaded files (meeting attachments, members' photos). Never served by URL: each app's
# views check the right and stream the file.
MEDIA_ROOT = HOME / "media"
NODE_MODULES = Path(os.environ.get("JICENG_NODE_MODULES", PROJECT_DIR / "node_modules"))
# Front-end assets come from npm at install time (package.json + lock); none are committed.
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Safe production defaults: HTTPS-only cookies and strict headers unless debugging.
SECURE_COOKIES = _flag("JICENG_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("JICENG_HSTS_SECONDS", "31536000"))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from this site's files, so an injected
# <script> or on*= attribute does not run (templates keep no inline script; behaviours are
# data- attributes read by ui/static/ui/jiceng.js). Styles allow 'unsafe-inline': templates
# use style="" attributes and htmx and ECharts set inline styles. Images allow data: for
# Bootstrap's form-control icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Outgoing e-mail, for `jiceng.life.notify.EmailSender` (JICENG_NOTIFY_BACKEND).
EMAIL_HOST = os.environ.get("JICENG_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("JICENG_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("JICENG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("JICENG_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("JICENG_EMAIL_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("JICENG_EMAIL_FROM", "jiceng@localhost")

# Login throttling (django-axes): the limit and the cool-off are policy values.
AXES_FAILURE_LIMIT = "jiceng.access.throttle.failure_limit"
AXES_COOLOFF_TIME = "jiceng.access.throttle.cooloff"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "ui/locked_out.html"
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # With the database down, one line per kind of failure and a count of the repeats, not
    # a traceback per request (jiceng/kernel/logs.py).
    "filters": {"database_down": {"()": "jiceng.kernel.logs.DatabaseDownFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["database_down"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("JICENG_LOG_LEVEL", "WARNING")},
}
