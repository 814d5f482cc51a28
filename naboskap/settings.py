"""Naboskap settings: one file, every knob from an environment variable.

`NABOSKAP_ENV=development` (the default) keeps a generated secret key in `var/` and turns
DEBUG on; `NABOSKAP_ENV=production` requires SECRET_KEY and ALLOWED_HOSTS and turns on the
security settings that `manage.py check --deploy` asks for. README.md lists every variable.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from naboskap.lib.env import envbool, envint, envlist, envnetworks, origin_of
from naboskap.lib.logs import console_formatter

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)

NABOSKAP_ENV = os.environ.get("NABOSKAP_ENV", "development")
if NABOSKAP_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("NABOSKAP_ENV must be 'development' or 'production'")
PRODUCTION = NABOSKAP_ENV == "production"
DEBUG = envbool("DEBUG", not PRODUCTION)


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when NABOSKAP_ENV=production")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "naboskap.tenancy",
    "naboskap.maps",
    # Before django_tasks_db: its db_worker command also runs the scheduled jobs.
    "naboskap.scheduling",
    "naboskap.outbox",
    # Stored documents (PDFs rendered by the worker); the domain apps register their kinds.
    "naboskap.documents",
    "naboskap.projects",
    "naboskap.concerns",
    "naboskap.plans",
    "naboskap.meetings",
    "naboskap.stakeholders",
    "naboskap.risk",
    "naboskap.routines",
    "naboskap.facility",
    "naboskap.insights",
    "naboskap.reports",
    "naboskap.situation",
    "naboskap.privacy",
    "naboskap.search",
    "naboskap.api",
    "naboskap.webhooks",
    "naboskap.archive",
    "naboskap.whatworks",
    "naboskap.portal",
    "naboskap.demo",
    # Django's admin, behind the staff pages' two-step login (tenancy.admin_site).
    "naboskap.tenancy.apps.NaboskapAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.syndication",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "auditlog",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "phonenumber_field",
    "django_ratelimit",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files, served from our own static files (no CDN) for /api/v1/docs/.
    "drf_spectacular_sidecar",
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Cache-Control: no-store on pages with personal data, Permissions-Policy on every page.
    "naboskap.lib.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "naboskap.tenancy.middleware.MunicipalityMiddleware",
    "naboskap.tenancy.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "naboskap.tenancy.sessions.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

FORM_RENDERER = "naboskap.lib.forms.FormRenderer"
ROOT_URLCONF = "naboskap.urls"
WSGI_APPLICATION = "naboskap.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "naboskap" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "naboskap.tenancy.context_processors.municipality",
            ],
        },
    },
]

# Database: SQLite in var/ (WAL) unless DATABASE_URL points elsewhere.
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"],
            conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
            # A connection kept open is checked before a request uses it: after the database
            # restarted, the first request does not fail on a dead connection.
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "naboskap.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared cache: the database cache by default, Redis when REDIS_URL is set. Rate limits and
# the public page cache live here, so they hold across several app processes.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "naboskap"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "naboskap_cache",
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "naboskap"),
            # Room for every visitor's rate-limit counter and every cached page; the default
            # (300 entries, a third dropped when full) would forget counters too early.
            "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 100_000), "CULL_FREQUENCY": 10},
        }
    }
PUBLIC_PAGE_CACHE_SECONDS = envint("PUBLIC_PAGE_CACHE_SECONDS", 300)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # Django's and allauth's backends, loading the user's profile with the user.
    "naboskap.tenancy.backends.ModelBackend",
    "naboskap.tenancy.backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "insights:home"
LOGOUT_REDIRECT_URL = "portal:home"

# django-allauth: local accounts with TOTP for staff, OpenID Connect by configuration.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_ALLOW_REGISTRATION = False
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "naboskap.tenancy.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "naboskap.tenancy.forms.LoginForm"}
SOCIALACCOUNT_ADAPTER = "naboskap.tenancy.adapters.SocialAccountAdapter"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
# ID-porten gives no email address, and Entra ID not always: a first login must still work.
SOCIALACCOUNT_EMAIL_REQUIRED = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Naboskap"
# Staff must enrol in TOTP before they can open non-public data (see tenancy.access).
NABOSKAP_MFA_REQUIRED = envbool("MFA_REQUIRED", True)
# Failed logins count per address, and per account *from that address*: a stranger who
# guesses wrong is throttled without locking the account for its owner elsewhere.
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip,5/15m/key"}
# Sessions end after this long without a request, and this long after signing in at most.
NABOSKAP_SESSION_IDLE_SECONDS = envint("SESSION_IDLE_MINUTES", 8 * 60) * 60
NABOSKAP_SESSION_MAX_SECONDS = envint("SESSION_MAX_MINUTES", 12 * 60) * 60
SESSION_COOKIE_AGE = NABOSKAP_SESSION_MAX_SECONDS


def _oidc_apps() -> list[dict]:
    """OpenID Connect providers from settings: Entra ID for staff, ID-porten for citizens."""
    apps = []
    for provider_id, name, prefix, scope in (
        ("entra", "Microsoft Entra ID", "OIDC_ENTRA", ["openid", "profile", "email"]),
        # ID-porten knows no "email" scope; "profile" gives the identity number.
        ("idporten", "ID-porten", "OIDC_IDPORTEN", ["openid", "profile"]),
    ):
        client_id = os.environ.get(f"{prefix}_CLIENT_ID")
        if not client_id:
            continue
        server_url = os.environ.get(f"{prefix}_SERVER_URL")
        if not server_url:
            raise ImproperlyConfigured(f"{prefix}_SERVER_URL must be set with {prefix}_CLIENT_ID")
        apps.append(
            {
                "provider_id": provider_id,
                "name": name,
                "client_id": client_id,
                "secret": os.environ.get(f"{prefix}_CLIENT_SECRET", ""),
                "settings": {
                    "server_url": server_url,
                    "scope": scope,
                    "token_auth_method": "client_secret_post",
                    "oauth_pkce_enabled": True,
                },
            }
        )
    return apps


SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": _oidc_apps(), "OAUTH_PKCE_ENABLED": True}}

# Languages: bokmål by default, nynorsk and English complete. Each municipality picks its
# default; a visitor's choice is kept in a cookie.
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", "Norsk bokmål"), ("nn", "Norsk nynorsk"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "naboskap" / "locale", BASE_DIR / "naboskap" / "locale_vendor"]
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    # The project's own files (naboskap/site.css): `naboskap` itself is not an app.
    BASE_DIR / "naboskap" / "static",
    (
        "vendor/designsystemet",
        BASE_DIR / "node_modules" / "@digdir" / "designsystemet-css" / "dist",
    ),
    ("vendor/inter", BASE_DIR / "node_modules/@fontsource/inter"),
    ("vendor/leaflet", BASE_DIR / "node_modules/leaflet/dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# Files nobody may reach by URL (photos attached to concerns): served only by views that check
# access, never by whitenoise or MEDIA_URL.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
CONCERN_PHOTO_MAX_BYTES = 10 * 1024 * 1024
CONCERN_PHOTO_MAX_COUNT = 5

# Email: console and an outbox folder in development, SMTP in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "naboskap.lib.mail.ConsoleAndOutboxBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "outbox"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
# Seconds to wait for the mail server: one that hangs must not hold the worker.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Naboskap <noreply@naboskap.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work: django-tasks with the database backend and `manage.py db_worker`.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# The REST API (/api/v1/, naboskap.api.rest): JSON only, errors as RFC 9457 problem details,
# cursor pagination, and nothing allowed unless a view says who may (the public endpoints
# allow anyone, within the public read limit).
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "naboskap.api.rest.conventions.Cursor",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "naboskap.api.rest.conventions.problem_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Naboskap API",
    "DESCRIPTION": (
        "Naboskap's REST API for the municipality's other systems: its website, its case and "
        "archive systems, BI tools. Public endpoints need no key and show exactly what the "
        "public pages show; they answer for the municipality whose address is asked. Errors "
        "are RFC 9457 problem details (`application/problem+json`). Lists are paged with "
        "cursors: follow `next` until it is null. Times are ISO 8601 with their offset."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Deep links put a link inside each operation's toggle button (a link in a button:
    # axe's nested-interactive), and the highlighter's colours fail WCAG contrast; the page
    # works the same without either.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "syntaxHighlight": False},
    # The documentation's sections, in this order: the public part first.
    "TAGS": [
        {"name": "Public", "description": "No key: what the public pages show."},
        {
            "name": "concerns",
            "description": "Staff, by token: the inbox's concerns, their messages, status "
            "and assignment.",
        },
        {"name": "measures", "description": "Staff, by token: measures and their progress."},
        {"name": "meetings", "description": "Staff, by token: meetings, agendas and minutes."},
        {"name": "analyses", "description": "Staff, by token: ROS analyses and their events."},
        {
            "name": "stakeholders",
            "description": "Staff, by token: the register's organisations and persons.",
        },
        {"name": "surveys", "description": "Staff, by token: survey rounds and their results."},
    ],
    "ENUM_NAME_OVERRIDES": {
        "Phase": "naboskap.projects.models.Phase",
        "ProjectKind": "naboskap.projects.models.Project.Kind",
        "MeetingKind": "naboskap.meetings.models.Meeting.Kind",
        "MeasureStatus": "naboskap.plans.models.Measure.Status",
        "ConcernStatus": "naboskap.concerns.workflow.Status",
        "MeasureKind": "naboskap.plans.models.Measure.Kind",
        "MinutesStatus": "naboskap.meetings.models.Minutes.Status",
        "AnalysisStatus": "naboskap.risk.models.Analysis.Status",
        "OrganisationKind": "naboskap.stakeholders.models.Organisation.Kind",
        "PersonKind": "naboskap.stakeholders.models.Person.Kind",
    },
}

# Background workers (naboskap.scheduling) say they are alive this often; one silent for
# WORKER_LOST_SECONDS is gone, and the tasks it was running are queued again.
WORKER_HEARTBEAT_SECONDS = envint("WORKER_HEARTBEAT_SECONDS", 20)
WORKER_LOST_SECONDS = envint("WORKER_LOST_SECONDS", 90)
# The outbox (naboskap.outbox): sent emails are kept this many days (failed ones three times
# as long), and a batch a worker claimed but never finished is sent again after this long.
OUTBOX_KEEP_DAYS = envint("OUTBOX_KEEP_DAYS", 30)
# Webhooks (ADR 0032): how long a receiver has to answer, and how long deliveries are kept.
WEBHOOKS_TIMEOUT = envint("WEBHOOKS_TIMEOUT", 10)
WEBHOOKS_KEEP_DAYS = envint("WEBHOOKS_KEEP_DAYS", 30)
# The archive (ADR 0033): packages for the archive system's import are written below
# ARCHIVE_FOLDER/<municipality>/, and its receipts are read from
# ARCHIVE_RECEIPTS_FOLDER/<municipality>/. ARCHIVE_SYSTEM names Naboskap to the archive (the
# fagsystem of every external key).
ARCHIVE_FOLDER = Path(os.environ.get("ARCHIVE_FOLDER", VAR_DIR / "archive" / "out"))
ARCHIVE_RECEIPTS_FOLDER = Path(
    os.environ.get("ARCHIVE_RECEIPTS_FOLDER", VAR_DIR / "archive" / "receipts")
)
ARCHIVE_SYSTEM = os.environ.get("ARCHIVE_SYSTEM", "Naboskap")
# Fiks IO (naboskap/archive/fiks_io.py), for archives whose settings name a Fiks IO account:
# Naboskap's own account and Fiks integration, the key and certificate the container is
# signed with (empty: the business certificate's), and Maskinporten for the access token.
ARCHIVE_FIKS_IO_URL = os.environ.get("ARCHIVE_FIKS_IO_URL", "https://api.fiks.ks.no")
ARCHIVE_FIKS_IO_ACCOUNT = os.environ.get("ARCHIVE_FIKS_IO_ACCOUNT", "")
ARCHIVE_FIKS_IO_INTEGRATION_ID = os.environ.get("ARCHIVE_FIKS_IO_INTEGRATION_ID", "")
ARCHIVE_FIKS_IO_INTEGRATION_PASSWORD = os.environ.get("ARCHIVE_FIKS_IO_INTEGRATION_PASSWORD", "")
ARCHIVE_FIKS_IO_PRIVATE_KEY = os.environ.get("ARCHIVE_FIKS_IO_PRIVATE_KEY", "")
ARCHIVE_FIKS_IO_CERTIFICATE = os.environ.get("ARCHIVE_FIKS_IO_CERTIFICATE", "")
ARCHIVE_FIKS_IO_AMQP_URL = os.environ.get("ARCHIVE_FIKS_IO_AMQP_URL", "amqps://io.fiks.ks.no:5671/")
ARCHIVE_FIKS_IO_ACCOUNT_KEY = os.environ.get("ARCHIVE_FIKS_IO_ACCOUNT_KEY", "")
ARCHIVE_FIKS_IO_ACCOUNT_CERTIFICATE = os.environ.get("ARCHIVE_FIKS_IO_ACCOUNT_CERTIFICATE", "")
ARCHIVE_MASKINPORTEN_URL = os.environ.get(
    "ARCHIVE_MASKINPORTEN_URL", "https://maskinporten.no/token"
)
ARCHIVE_MASKINPORTEN_AUDIENCE = os.environ.get(
    "ARCHIVE_MASKINPORTEN_AUDIENCE", "https://maskinporten.no/"
)
ARCHIVE_MASKINPORTEN_ISSUER = os.environ.get("ARCHIVE_MASKINPORTEN_ISSUER", "")
ARCHIVE_MASKINPORTEN_KEY = os.environ.get("ARCHIVE_MASKINPORTEN_KEY", "")
ARCHIVE_MASKINPORTEN_CERTIFICATE = os.environ.get("ARCHIVE_MASKINPORTEN_CERTIFICATE", "")
OUTBOX_CLAIM_SECONDS = envint("OUTBOX_CLAIM_SECONDS", 300)
# How long an email waits after each failed attempt (the server away, or 4xx), in seconds;
# after the last, it has failed: 1, 5, 15, 30 minutes, 1, 2, 4 and 6 hours.
OUTBOX_RETRY_SECONDS = [
    int(seconds)
    for seconds in envlist("OUTBOX_RETRY_SECONDS", "60,300,900,1800,3600,7200,14400,21600")
]

# When the worker runs each periodic job (naboskap.scheduling.jobs): SCHEDULE_<JOB>="30 2 * * *"
# (cron, in TIME_ZONE) or "off", for example SCHEDULE_CONCERN_RETENTION="0 4 * * *".
JOB_SCHEDULES = {
    name.removeprefix("SCHEDULE_").lower(): value
    for name, value in os.environ.items()
    if name.startswith("SCHEDULE_")
}

# Which municipality `/` shows when a request's host names none.
DEFAULT_MUNICIPALITY = os.environ.get("DEFAULT_MUNICIPALITY", "")

# Where neighbour lists find addresses: a class implementing
# naboskap.stakeholders.sources.AddressSource. The default reads the imported register.
ADDRESS_SOURCE = os.environ.get("ADDRESS_SOURCE", "naboskap.stakeholders.sources.RegisterSource")
# With ADDRESS_SOURCE=naboskap.stakeholders.sources.KartverketSource: Kartverket's open
# address API, asked at the moment instead of an imported register.
ADDRESS_API_URL = os.environ.get("ADDRESS_API_URL", "https://ws.geonorge.no/adresser/v1")

# Maps (naboskap.maps). The base map: a tile URL template with {z}, {x} and {y}, such as
# Kartverket's open WMTS cache in web mercator,
# https://cache.kartverket.no/v1/wmts/1.0.0/topograatone/default/webmercator/{z}/{y}/{x}.png
# (greyscale; `topo` for colour). Empty: the maps draw their own shapes on a plain background,
# as in the tests and in deployments without internet access.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "© Kartverket")
# A position marked with a concern is rounded to the centre of a square this many metres wide
# before it is stored: a precise point can identify a resident's door.
CONCERN_POSITION_ROUNDING_M = envint("CONCERN_POSITION_ROUNDING_M", 50)
# The police's situation picture counts concerns per square of this many metres, never by
# point; a square with fewer than five is shown as "under 5".
SITUATION_GRID_M = envint("SITUATION_GRID_M", 250)

# Rate limits for public endpoints (django-ratelimit on the shared cache). Views take them
# only through naboskap/lib/ratelimits.py, which reads these settings at each request.
RATELIMIT_ENABLE = envbool("RATELIMIT_ENABLE", True)
RATELIMIT_VIEW = "naboskap.portal.views.rate_limited"
# Per client address: reading public pages, and sending public forms.
PUBLIC_READ_RATE = os.environ.get("PUBLIC_READ_RATE", "300/m")
PUBLIC_WRITE_RATE = os.environ.get("PUBLIC_WRITE_RATE", "10/h")
# Votes in a live ROS scoring round: a meeting room often shares one address.
PUBLIC_VOTE_RATE = os.environ.get("PUBLIC_VOTE_RATE", "300/10m")
# Open311 clients with an API key (a municipal app) submit for many people at once.
OPEN311_KEY_RATE = os.environ.get("OPEN311_KEY_RATE", "600/h")
# Per REST API token (ADR 0031): a system that synchronises may read a lot, but not unbounded.
API_TOKEN_RATE = os.environ.get("API_TOKEN_RATE", "1200/m")
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY") or None
# The database cache's increment is a read and a write, not one atomic step: under a burst
# of parallel requests a limit may let a few more through. That is acceptable for abuse
# limits, and Redis (REDIS_URL) counts exactly. See docs/adr/0004-shared-cache.md.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Metrics for Prometheus at /metrics (naboskap.lib.metrics, docs/operations.md). Off: /metrics
# answers 404 like any unknown page. On: only from these addresses (the client address the
# rate limits use, RATELIMIT_IP_META_KEY) or with `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_ENABLED = envbool("METRICS_ENABLED", False)
METRICS_ALLOWED_IPS = envnetworks("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# Several gunicorn workers: each writes its request metrics to files here, and a scrape of any
# worker adds them up (prometheus_client's multiprocess mode, which reads the variable itself).
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
if METRICS_ENABLED:
    # django-prometheus, with the gauges Naboskap reads from its database at each scrape.
    INSTALLED_APPS.append("naboskap.lib.metrics.PrometheusConfig")
    # Requests counted and timed by view: first and last, around every other middleware.
    MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *MIDDLEWARE,
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ]

# Content Security Policy: nothing from outside, no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # The base map's tiles come from its server (MAP_TILE_URL), if one is set.
        "img-src": ["'self'", "data:", *origin_of(MAP_TILE_URL)],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "naboskap.portal.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Browser features that no page uses are off for every response (naboskap.lib.headers). No
# page asks for the position, the camera or the microphone: photos are chosen with a file
# field, which these do not affect. Add a feature here only when a page needs it.
NABOSKAP_PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "bluetooth": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
    "fullscreen": ["self"],
}
# Never stored by a browser or proxy cache (Cache-Control: private, no-store): staff pages and
# their files (every export), the Django admin, logins and invitations, by path; and the
# public pages a personal link opens, by URL name.
NABOSKAP_NO_STORE_PATHS = ["/app/", "/admin/", "/accounts/", "/invitasjon/"]
NABOSKAP_NO_STORE_URL_NAMES = [
    "portal:concern_follow_up",
    "portal:concern_short",
    "portal:concern_reply",
    "portal:concern_erase_contact",
    "portal:concern_satisfaction",
    "portal:concern_reopen",
    "portal:subscription_confirm",
    "portal:unsubscribe",
    "portal:survey_answer",
    "portal:member_login",
    "portal:members_page",
    "portal:members_comment",
    "portal:members_rsvp",
    "portal:members_consent",
    "portal:meeting_rsvp",
    "portal:rsvp_calendar",
    "portal:body_feed",
]
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Load balancers probe /healthz, and Prometheus may scrape /metrics, over plain HTTP
    # inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when NABOSKAP_ENV=production")

AUDITLOG_INCLUDE_ALL_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # LOG_FORMAT: `text` (the message alone) or `json` (one object per line, naboskap.lib.logs).
    "formatters": {"console": console_formatter(os.environ.get("LOG_FORMAT") or "text")},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "console"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # PDF rendering (naboskap.lib.pdf): a line per page and per font subset at INFO.
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # The archive's Fiks IO queue (naboskap.archive.fiks_io_receipts): a line per frame.
        "pika": {"level": "WARNING"},
    },
}
