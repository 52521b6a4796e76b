"""The demo and development settings: debug pages on, mail to the console."""

from caicach.settings.base import *  # noqa: F403

DEBUG = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# The demo accounts share the demo password printed in the README; elsewhere it must be changed
# at the first sign-in (caicach.accounts.backends).
PASSWORD_POLICY_AT_SIGN_IN = False
