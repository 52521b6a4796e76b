"""The demo and development settings: mail to the console.

Debug pages stay off (``DJANGO_DEBUG`` turns them on for a developer's own machine): ``caicach
serve`` and ``make demo`` use these settings and may be reached from a network, and a debug page
shows settings, tracebacks with personal data and, for a wrong URL, every URL pattern.
"""

from caicach.settings.base import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Static files without `collectstatic` (whitenoise reads the apps' static folders), debug or not.
WHITENOISE_USE_FINDERS = True
