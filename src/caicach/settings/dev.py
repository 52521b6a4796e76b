"""The demo and development settings: debug pages on, mail to the console."""

from caicach.settings.base import *  # noqa: F403

DEBUG = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
