"""Service errors carry both languages; pages show the one the reader chose."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from caicach.core.errors import BilingualError
from caicach.core.i18n import localized


def test_localized_follows_the_interface_language():
    error = BilingualError("Thời hạn không hợp lệ.", "The time limit is invalid.")
    with translation.override("vi"):
        assert localized(error) == "Thời hạn không hợp lệ."
    with translation.override("en"):
        assert localized(error) == "The time limit is invalid."
        rendered = Template("{% load bilingual %}{{ e|localized }}").render(Context({"e": error}))
        assert rendered == "The time limit is invalid."
