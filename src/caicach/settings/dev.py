"""The demo and development settings: mail to the console.

Debug pages stay off (``DJANGO_DEBUG`` turns them on for a developer's own machine): ``caicach
serve`` and ``make demo`` use these settings and may be reached from a network, and a debug page
shows settings, tracebacks with personal data and, for a wrong URL, every URL pattern.
"""

from caicach.settings.base import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Static files without `collectstatic` (whitenoise reads the apps' static folders), debug or not.
WHITENOISE_USE_FINDERS = True
# The demo accounts share the demo password printed in the README; elsewhere it must be changed
# at the first sign-in (caicach.accounts.backends).
PASSWORD_POLICY_AT_SIGN_IN = False
