"""Finding dossiers by what people type: a whole code, a citizen ID, a phone, a tax code, or
words of the applicant's name. Shared by the officers' inbox and the API's ``q`` filter."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from caicach.core.text import normalise
from caicach.dossiers.identity import IdentityError, validate_phone
from caicach.dossiers.models import Dossier, DossierQuerySet

#: A whole dossier code as printed on the receipt (``<agency code>-YYMMDD-XXXX``).
_WHOLE_CODE = re.compile(r"^[0-9A-Za-z.]+-\d{6}-\d{4,5}$")
_SEPARATORS = re.compile(r"[\s.()-]")


def _exact(text: str) -> Q | None:
    """The exact condition for a whole identifier, served by a btree index: a dossier code, a
    citizen ID (12 digits, also a personal tax code since 01/7/2025, TT 86/2024/TT-BTC), a
    phone number in any written form, a tax code (10 or 13 digits); else ``None``."""
    if _WHOLE_CODE.match(text):
        return Q(code=text.upper())
    digits = _SEPARATORS.sub("", text)
    if digits.isascii() and digits.isdigit():
        if len(digits) == 12:
            return Q(applicant__id_number=digits) | Q(applicant__tax_code=digits)
        if len(digits) == 13:
            return Q(applicant__tax_code=f"{digits[:10]}-{digits[10:]}")
        if len(digits) == 10:  # a mobile phone or an organisation's tax code
            return Q(applicant__phone=digits) | Q(applicant__tax_code=digits)
    try:
        phone = validate_phone(text)
    except IdentityError:
        return None
    return Q(applicant__phone=phone) | Q(applicant__tax_code=phone)


def search(queryset: QuerySet[Dossier], text: str) -> QuerySet[Dossier]:
    """Dossiers whose code, applicant name, citizen ID, tax code or phone contain every word of
    ``text``, diacritics or not ("nguyen van an" finds "Nguyễn Văn An"); the trigram index on
    ``search_text`` serves these ``LIKE`` queries. A whole identifier (a dossier code, a
    citizen ID, a phone typed as ``+84 912 345 678``, a tax code) is looked up exactly through
    its btree index: at millions of dossiers a trigram match on digits costs far more."""
    text = text.strip()
    exact = _exact(text)
    if exact is not None:
        return queryset.filter(exact)
    if isinstance(queryset, DossierQuerySet):
        queryset = queryset.scope_for_search()
    for word in normalise(text)[:200].split()[:10]:
        queryset = queryset.filter(search_text__contains=word)
    return queryset
