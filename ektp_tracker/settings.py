"""Settings for e-KTP Tracker.

Every knob comes from the environment (django-environ). With no environment at all the app runs
in development mode on a SQLite file in the project folder, so `python3 bootstrap.py demo` needs
no configuration. `.env.example` documents every variable.
"""

import datetime as dt
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is optional; real deployments set variables in the process environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS. Everything is on once DEBUG is off (`manage.py check --deploy` passes with no
# warnings); development on http://127.0.0.1 keeps it all off. Each knob can be turned off
# explicitly, e.g. SECURE_HSTS_SECONDS=0 while a certificate is still being tried out.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe over plain HTTP; the pattern is matched without the leading slash.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# Behind a TLS-terminating proxy on another machine, name the header it sets (usually
# X-Forwarded-Proto) so Django knows the original request was HTTPS. Only set it if the proxy
# always overwrites that header: a client could otherwise claim HTTPS. (gunicorn already trusts
# X-Forwarded-Proto from 127.0.0.1, so a proxy on the same machine needs nothing.)
_proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _proxy_ssl_header.upper().replace("-", "_"),
        "https",
    )
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Sessions end after SESSION_COOKIE_AGE seconds without a request and when the browser closes
# (SessionRenewalMiddleware renews a session in use once a minute, rather than writing it on
# every request as SESSION_SAVE_EVERY_REQUEST would). An hour: long enough to type a day's
# counts for a whole kecamatan without saving in between, short enough that an unattended
# office PC does not stay logged in for the afternoon.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60)
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)

# Content-Security-Policy: only this site's own files; no inline script or style, no outside
# origin (pages, charts and exports need none, and office networks often have no internet).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: runserver serves static files through WhiteNoise too, as in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "axes",
    "csp",
    "huey.contrib.djhuey",
    "ektp_tracker",
    "districts",
    "recording",
    "cards",
    "approvals",
    # The demo and the national bench data: their commands, not part of the product's rules.
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Headers only, and first: every response gets them, the 400 of CraftedInputMiddleware too.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files come precompressed), before anything that writes a body.
    "ektp_tracker.middleware.CompressionMiddleware",
    "ektp_tracker.middleware.DefaultLanguageMiddleware",
    # Before the session is looked up: a cookie with a NUL would crash that query.
    "ektp_tracker.middleware.CraftedInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ektp_tracker.sessions.SessionRenewalMiddleware",
    "ektp_tracker.middleware.PrivateCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ektp_tracker.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "ektp_tracker.wsgi.application"

# An empty DATABASE_URL means "not set": the zero-setup SQLite file.
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A connection is kept for a minute between requests (opening one cost 15-55% of a page's time,
# measured) and checked before reuse, so a restarted database costs one retry, not an error.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two operators saving at once: the second waits for the first (up to SQLITE_BUSY_SECONDS)
    # instead of failing with "database is locked". IMMEDIATE takes the write lock when a
    # transaction begins, so a transaction that reads and then writes never meets a lock it
    # cannot wait for; WAL lets pages read while someone saves.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env.int("SQLITE_BUSY_SECONDS", default=20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: it refuses a locked-out username/IP before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
# from one IP address, that pair is refused for AXES_COOLOFF_MINUTES. Per pair, not per IP: a
# whole office behind one NAT address is not locked out by one operator's typing, and not per
# username alone: an outsider cannot lock a colleague out from elsewhere.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind reverse proxies, REMOTE_ADDR is the proxy's; TRUSTED_PROXY_COUNT says how many proxies
# append to X-Forwarded-For, so the client address is taken from the right place in it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "ektp_tracker.client_ip.client_ip"
# Lockouts are still logged (as warnings); this only drops the banner every command printed.
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The day pages show when none is asked for: empty means today (Asia/Jakarta). `bootstrap.py
# demo` sets 2012-04-16, the demo's story day.
_default_day = env.str("DEFAULT_DAY", default="")
try:
    DEFAULT_DAY = dt.date.fromisoformat(_default_day) if _default_day else None
except ValueError:
    raise ImproperlyConfigured(
        f"DEFAULT_DAY={_default_day!r}: write a date as YYYY-MM-DD (e.g. 2012-04-16), or nothing."
    ) from None

# Bahasa Indonesia first; English for staff who prefer it.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
# A day's count is on time when first saved by this hour (WIB) of the next day: the regency
# sends its recap to the province by noon.
REPORT_ON_TIME_HOUR = env.int("REPORT_ON_TIME_HOUR", default=12)
USE_I18N = True
USE_TZ = True
# Indonesian formats: 360.381 and 81,4 (the locale supplies the separators).
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default="") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves hashed (cache-busting) and pre-compressed copies made by collectstatic; in
# development and tests the files are served as they are, so no collectstatic is needed there.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Fixed from DEBUG as configured, not as the test runner flips it: tests then serve static
# files straight from static/ like the development server, with no collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Uploads of daily counts: seconds reading one XLSX may take (in a child process) before it is
# stopped and the file refused (a 100.000-row sheet reads in about 3 s); hours an upload never
# saved is kept; days a saved upload keeps its file (`manage.py purge_uploads` applies both).
UPLOAD_PARSE_SECONDS = env.float("UPLOAD_PARSE_SECONDS", default=6)
UPLOAD_UNCOMMITTED_HOURS = env.int("UPLOAD_UNCOMMITTED_HOURS", default=48)
UPLOAD_CONTENT_DAYS = env.int("UPLOAD_CONTENT_DAYS", default=90)

# Background work (huey): reading, checking and saving an upload run as tasks, so no web worker
# waits on them. With HUEY_REDIS_URL set (e.g. redis://127.0.0.1:6379/0) they go to Redis and
# `manage.py run_huey` runs them in HUEY_WORKERS threads; empty (local runs, the demo, the
# tests) they run at once in the process that started them, and nothing else is needed.
HUEY_REDIS_URL = env.str("HUEY_REDIS_URL", default="")
HUEY = {
    "name": "ektp_tracker",
    "huey_class": "huey.RedisHuey" if HUEY_REDIS_URL else "huey.MemoryHuey",
    "immediate": not HUEY_REDIS_URL,
    # A task is never retried on its own: one that crashed marks its upload failed, and the
    # operator starts it again from the page.
    "results": False,
    "consumer": {"workers": env.int("HUEY_WORKERS", default=2), "worker_type": "thread"},
}
if HUEY_REDIS_URL:
    HUEY["connection"] = {"url": HUEY_REDIS_URL}

MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default="") or BASE_DIR / "media")

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="e-KTP Tracker <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = [("Admin", a) for a in env.list("ADMINS", default=[])]

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
