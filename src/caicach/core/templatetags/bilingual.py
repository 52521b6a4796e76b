from typing import Any

from django import template

from caicach.core.i18n import localized as _localized

register = template.Library()


@register.filter
def localized(obj: Any) -> str:
    """``{{ error|localized }}``: the message in the interface language."""
    return _localized(obj)
