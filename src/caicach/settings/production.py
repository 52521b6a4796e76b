"""Production settings: everything that ``manage.py check --deploy`` asks for."""

from caicach.settings.base import *  # noqa: F403
from caicach.settings.base import env

# The development default key starts with "django-insecure-", which `check --deploy` rejects.

DEBUG = False
SECURE_SSL_REDIRECT = env(
    "SECURE_SSL_REDIRECT",
    True,
    "Redirect plain HTTP to HTTPS (off behind a TLS proxy that does it).",
    "Security",
)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env("SECURE_HSTS_SECONDS", 31536000, "HSTS max-age in seconds.", "Security")
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
