"""Password rules for officers, on top of Django's length, common-password and numeric checks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassesValidator:
    """At least one lower-case letter, one upper-case letter, one digit and one symbol."""

    def validate(self, password: str, user: Any = None) -> None:
        missing = []
        if not any(c.islower() for c in password):
            missing.append(_("chữ thường"))
        if not any(c.isupper() for c in password):
            missing.append(_("chữ hoa"))
        if not any(c.isdigit() for c in password):
            missing.append(_("chữ số"))
        if all(c.isalnum() for c in password):
            missing.append(_("ký tự đặc biệt"))
        if missing:
            raise ValidationError(
                _("Mật khẩu phải có ít nhất một %(classes)s.") % {"classes": ", ".join(missing)},
                code="password_character_classes",
            )

    def get_help_text(self) -> str:
        return _("Mật khẩu phải có chữ thường, chữ hoa, chữ số và ký tự đặc biệt.")
