"""``{% load privacy_tags %}``: the applicant as the reader may see it, in templates
(:mod:`caicach.dossiers.privacy` decides)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django import template

from caicach.dossiers import privacy

register = template.Library()


@register.simple_tag
def applicant_view(applicant: Any, roles: Collection[str]) -> privacy.ApplicantView:
    """``{% applicant_view dossier.applicant roles as person %}``: ``roles`` are the reader's
    acting roles on the dossier, computed once by the view."""
    return privacy.applicant_view(applicant, privacy.disclosure_for(roles))
