"""Settings for mypy's django-stubs plugin: the test settings with a database URL, so that
importing them starts no embedded PostgreSQL server (the plugin reads models, never connects)."""

import os

os.environ.setdefault("DATABASE_URL", "postgresql://typecheck@localhost:5432/typecheck")

from caicach.settings.test import *  # noqa: F403
