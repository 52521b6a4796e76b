"""The dossier tests' fixtures (tree in operation, a procedure of department A, officers)."""

from caicach.dossiers.tests.conftest import (  # noqa: F401
    _fresh_calendar_lookup,
    _media_in_tmp,
    officers,
    tree,
    version,
)
