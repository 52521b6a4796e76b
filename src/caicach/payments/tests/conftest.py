"""The dossier tests' fixtures: a procedure handled by department A and its officers."""

from caicach.dossiers.tests.conftest import (  # noqa: F401
    _fresh_calendar_lookup,
    _media_in_tmp,
    officers,
    tree,
    version,
)
