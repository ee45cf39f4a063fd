"""Settings for Flywheel Audit, all from environment variables.

Local defaults need no configuration: DEBUG on and an SQLite file in the project folder.
For a team: DJANGO_DEBUG=0, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and a PostgreSQL
DATABASE_URL (see README, "Running for a team").
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def development_secret_key(path: Path) -> str:
    """Return this machine's development key, kept in `path` (git-ignored) and made on first use.

    Each checkout signs its sessions and links with a key of its own, never one published with
    the code. With DEBUG off, DJANGO_SECRET_KEY is required instead.
    """
    try:
        # O_EXCL: a key once made is never replaced; owner-only, like any credential file.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
    return key


DEBUG = envbool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # Exit with the message alone (no traceback): this is an operator's mistake, not a bug.
        raise SystemExit(
            "Configuration error: DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG=0 the app needs a secret key: "
            "set DJANGO_SECRET_KEY to a long random string, for example the output of "
            'python -c "import secrets; print(secrets.token_urlsafe(50))".'
        )
    SECRET_KEY = development_secret_key(BASE_DIR / ".secret_key")

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "audits",
]

MIDDLEWARE = [
    # The security headers' middlewares come first, so that they wrap every middleware that can
    # answer by itself (the guest scope's "link closed" page and redirects, the slash redirect,
    # a bad host's 400, the CSRF failure page, the lockout page) and static files too: every
    # response carries the headers (tests/test_headers_everywhere.py).
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages gzipped for a workshop's wifi (a step page's ~340 kB of cells is ~17 kB), Django's
    # BREACH padding included; static files come gzipped from WhiteNoise above, a stored poll
    # answer is gzipped already (audits/live/answers.py).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (the language cookie, then Accept-Language); after the session,
    # before CommonMiddleware, as Django asks.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in user's own language wins over the browser's: after the user is known.
    "audits.accounts.preferences.UserLanguageMiddleware",
    # Guests who joined a workshop by link reach only that audit (audits/accounts/guests.py).
    "audits.accounts.guests.GuestScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "flywheel_audit.urls"
WSGI_APPLICATION = "flywheel_audit.wsgi.application"

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
                "audits.accounts.context_processors.organizations",
                "audits.accounts.context_processors.preferences",
            ],
        },
    },
]

# SQLite by default, tuned for a room full of people saving at once: WAL lets readers and a
# writer work together, the busy timeout waits for a lock instead of failing, and IMMEDIATE
# transactions take the write lock up front, so two read-then-write transactions never
# deadlock into "database is locked".
# A server database keeps each worker's connection for a minute (checked before reuse): opening
# one per request costs more than a live page's poll itself (bench/load.py measured it).
DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
_server_database = DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3"
DATABASES["default"]["CONN_MAX_AGE"] = envint("DATABASE_CONN_MAX_AGE", 60 if _server_database else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = _server_database
if not _server_database:
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "audits:home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes with audits/accounts/login_throttle.py): after AXES_FAILURE_LIMIT failures
# for one username from one address, that pair is locked out for the cool-off time; after
# LOGIN_FAILURE_LIMIT_PER_ADDRESS failures from one address, whatever the usernames (one password
# tried on many accounts), the whole address is. That limit is higher: a workshop room shares one
# address. Both see templates/registration/locked_out.html.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = envint("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 30)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "audits.accounts.login_throttle.AxesHandler"
AXES_LOCKOUT_CALLABLE = "audits.accounts.login_throttle.lockout_response"
AXES_USERNAME_CALLABLE = "audits.accounts.login_throttle.recorded_username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind a proxy every client would share the proxy's address: with DJANGO_BEHIND_PROXY the address
# counted is the client's as the proxies saw it, from X-Forwarded-For (AXES_PROXY_COUNT proxies in
# front, 1 by default). Without it the header is ignored, since any client can send one. (axes reads
# the header itself only with django-ipware installed; the callable needs no extra package.)
AXES_CLIENT_IP_CALLABLE = "audits.accounts.login_throttle.forwarded_client_address"
AXES_IPWARE_PROXY_COUNT = envint("AXES_PROXY_COUNT", 1) if envbool("DJANGO_BEHIND_PROXY", False) else 0

# Sign-up: the e-mailed confirmation link works this long (audits/accounts/signups.py).
SIGNUP_CONFIRMATION_DAYS = 3

LANGUAGE_CODE = "en"
# The interface languages; an audit's own language (its exports) has the same three choices.
LANGUAGES = [("en", "English"), ("vi", "Tiếng Việt"), ("fa", "فارسی")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Numbers and dates follow the active language through Django's format files (vi: 1.234,5).
# Grouping stays off for plain {{ number }} output: it would turn years into "2.025" and ids in
# form values and data attributes into "1.234"; the number filters group on purpose instead.
USE_THOUSAND_SEPARATOR = False
# Our additions to Django's vi and fa format files (their thousands grouping).
FORMAT_MODULE_PATH = ["flywheel_audit.formats"]
# The picker's choice outlives the browser session (a signed-in user's is in their profile too).
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail: printed to the console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Flywheel Audit <noreply@localhost>")

# Security headers on every response.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# Behind TLS (the default for DEBUG off). DJANGO_HTTPS=0 only for a plain-HTTP trial run.
if not DEBUG and envbool("DJANGO_HTTPS", True):
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("DJANGO_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
if envbool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The cache holds the workshop's rendered fragments (audits/live/render_cache.py) and the API's rate counts.
# By default each process keeps its own in memory: nothing to install, and `make run` has one process.
# With several workers (gunicorn) or machines, CACHE_URL (or REDIS_URL), e.g. redis://127.0.0.1:6379/1,
# shares one Redis: a fragment rendered by one worker serves every other, and counts add up.
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
    # A shared cache also holds the sessions, read on every request (written to the database too). Not
    # with per-process memory: a log-out would clear only one process's copy.
    SESSION_ENGINE = "audits.accounts.sessions"
else:
    # A large audit's pages hold a few thousand fragments; the default 300 entries would churn.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 20_000)},
        }
    }

# The live workshop: a poll's answer brings pages to the audit's version as the first page found it in
# this many seconds (audits/live/answers.py), so in a busy room one answer serves every page. 0: no wait.
LIVE_ANSWER_SECONDS = float(os.environ.get("LIVE_ANSWER_SECONDS", "0.5"))

# Imports: the largest upload, and what an xlsx may unpack to (zip bombs) and hold. Every row read
# counts, blank or not; reading a file stops after IMPORT_MAX_SECONDS (under gunicorn's 30 s
# timeout: checking and saving the largest file's rows come after it).
IMPORT_MAX_BYTES = envint("IMPORT_MAX_MB", 10) * 1024 * 1024
IMPORT_MAX_UNPACKED_BYTES = envint("IMPORT_MAX_UNPACKED_MB", 100) * 1024 * 1024
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 20_000)
IMPORT_MAX_SECONDS = envint("IMPORT_MAX_SECONDS", 10)

# The read-only JSON API: requests per token per minute (counted in the cache: with several
# processes, point CACHES at Redis or the database cache so they share the count).
API_RATE_LIMIT_PER_MINUTE = envint("API_RATE_LIMIT_PER_MINUTE", 120)

# Invitations and the trash.
INVITATION_DAYS = envint("INVITATION_DAYS", 7)
TRASH_DAYS = 30

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
