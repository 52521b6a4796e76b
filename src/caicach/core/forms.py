"""The base of every form of the site."""

from __future__ import annotations

from typing import Any

from django import forms


class Form(forms.Form):
    """Labels without Django's trailing colon: the site's style (``<label>`` sits above)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
