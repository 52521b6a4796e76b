"""Password rules for officers, on top of Django's length, similarity, common-password and
numeric checks (Decree 13/2023/NĐ-CP: measures protecting personal data)."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from caicach.core.text import unaccent


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


#: Passwords published with the product (the demo password printed in the README) or known from
#: breaches in forms Django's list of 20,000 common passwords lacks, one a line, any case.
DENIED_PASSWORDS_FILE = Path(__file__).with_name("denied_passwords.txt")


@functools.cache
def _denied() -> frozenset[str]:
    lines = DENIED_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().casefold() for x in lines if x.strip() and not x.startswith("#"))


class DeniedPasswordValidator(CommonPasswordValidator):
    """A published or breached password, or a common one dressed up: ``Password123!`` is
    ``password123`` (in Django's list) with a symbol added, so the password is also checked
    without its symbols and without its trailing digits and symbols."""

    def validate(self, password: str, user: Any = None) -> None:
        text = password.strip().casefold()
        bare = re.sub(r"[\W_]+", "", text)
        forms = {text, bare, re.sub(r"[\d\W_]+$", "", text), re.sub(r"\d+$", "", bare)}
        if text in _denied() or any(f in self.passwords for f in forms if f):
            raise ValidationError(
                _("Mật khẩu này đã bị công bố hoặc quá phổ biến; hãy chọn mật khẩu khác."),
                code="password_denied",
            )

    def get_help_text(self) -> str:
        return _("Mật khẩu không được là mật khẩu phổ biến, đã lộ hay đã được công bố.")


class UserNamePasswordValidator:
    """The password does not contain the user name, the e-mail's name or a word (4 letters or
    more) of the full name, in any case and with or without diacritics. Django's similarity
    check misses a name inside a longer password (``Quantri@Caicach2025``)."""

    MIN_PART = 4

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        text = unaccent(password).casefold()
        parts = [getattr(user, "username", "") or ""]
        parts.append((getattr(user, "email", "") or "").split("@")[0])
        parts += (getattr(user, "full_name", "") or "").split()
        for part in parts:
            word = unaccent(part).casefold()
            if len(word) >= self.MIN_PART and word in text:
                raise ValidationError(
                    _("Mật khẩu không được chứa tên đăng nhập, thư điện tử hay họ tên."),
                    code="password_contains_user_name",
                )

    def get_help_text(self) -> str:
        return _("Mật khẩu không được chứa tên đăng nhập, thư điện tử hay họ tên.")
