"""Settings for the test suite: fast password hashing, no lock-out noise between tests."""

from caicach.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The live server of the browser tests serves static files itself (staticfiles finders).
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
# Each test sees the figures it just wrote (the dashboards' short-lived cache is tested on its own).
METRICS_DASHBOARD_CACHE_SECONDS = 0
METRICS_RANKING_CACHE_SECONDS = 0  # the rankings' cache: tested on its own too
