"""The demo and development settings: debug on, mail to the console."""

from caicach.settings.base import *  # noqa: F403

DEBUG = env("DJANGO_DEBUG", True, "Debug pages with tracebacks. Never in production.", "Security")  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
