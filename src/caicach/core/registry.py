"""What the apps above ``core`` plug into it at start-up, so that ``core`` imports none of them.

Each app registers, in its ``AppConfig.ready()``, its menu entries (:func:`register_menu`), the
figures and sections of the home page (:func:`register_home_card`,
:func:`register_home_section`), and the access app installs the rules that decide who may see
what (:func:`set_access_policy`), and the plans app offers its targets to the dashboards
(:func:`register_targets_provider`). ``core`` reads these lists; it never names a domain app.
Without a policy installed, nothing is allowed (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _


class AccessPolicy(Protocol):
    """The access rules as ``core`` sees them (``caicach.accounts.access`` is one)."""

    def allows(self, user: Any, action: str) -> bool: ...

    def require_anywhere(self, user: Any, action: str) -> None: ...

    def agency_filter(self, user: Any, action: str, field: str = "") -> Q: ...


class _DenyAll:
    """The policy until one is installed: nobody may do anything."""

    def allows(self, user: Any, action: str) -> bool:
        return False

    def require_anywhere(self, user: Any, action: str) -> None:
        raise PermissionDenied(_("Bạn không có quyền truy cập chức năng này."))

    def agency_filter(self, user: Any, action: str, field: str = "") -> Q:
        return Q(pk__in=[])


@dataclass(frozen=True)
class MenuEntry:
    """One link of the top navigation: shown to users allowed ``permission`` (to every signed-in
    user when it is empty), in ascending ``order``."""

    order: int
    label: Any  # a lazy translation
    url_name: str
    permission: str = ""


@dataclass(frozen=True)
class HomeCard:
    """A figure on the home page: ``value(user)`` above ``label``."""

    order: int
    label: Any  # a lazy translation
    value: Callable[[Any], object]


@dataclass(frozen=True)
class DossierPanel:
    """A block of the dossier page: ``template`` rendered with ``context(request, dossier)``."""

    order: int
    template: str
    context: Callable[[Any, Any], dict[str, Any]]


@dataclass(frozen=True)
class HomeSection:
    """A block of the home page below the figures: ``template`` rendered with
    ``context(user)``."""

    order: int
    template: str
    context: Callable[[Any], dict[str, Any]]


_policy: list[AccessPolicy] = [_DenyAll()]
_menu: list[MenuEntry] = []
_cards: list[HomeCard] = []
_sections: list[HomeSection] = []
_dossier_panels: list[DossierPanel] = []


def set_access_policy(policy: AccessPolicy) -> None:
    _policy[0] = policy


def access_policy() -> AccessPolicy:
    return _policy[0]


def _add(items: list[Any], item: Any) -> None:
    # ``ready()`` may run twice (tests, ``django.setup()``): a registration is kept once.
    if item not in items:
        items.append(item)
        items.sort(key=lambda entry: entry.order)


def register_menu(order: int, label: Any, url_name: str, permission: str = "") -> None:
    _add(_menu, MenuEntry(order, label, url_name, permission))


def register_home_card(order: int, label: Any, value: Callable[[Any], object]) -> None:
    _add(_cards, HomeCard(order, label, value))


def register_home_section(
    order: int, template: str, context: Callable[[Any], dict[str, Any]]
) -> None:
    _add(_sections, HomeSection(order, template, context))


def register_dossier_panel(
    order: int, template: str, context: Callable[[Any, Any], dict[str, Any]]
) -> None:
    """A block of the officer's dossier page, from an app above dossiers (payments, ratings):
    ``template`` rendered with ``context(request, dossier)``."""
    _add(_dossier_panels, DossierPanel(order, template, context))


def dossier_panels() -> list[DossierPanel]:
    return list(_dossier_panels)


def menu_for(user: Any) -> list[MenuEntry]:
    """The menu entries ``user`` may open, in order."""
    policy = access_policy()
    return [e for e in _menu if not e.permission or policy.allows(user, e.permission)]


def home_cards() -> list[HomeCard]:
    return list(_cards)


def home_sections() -> list[HomeSection]:
    return list(_sections)


_audit_labels: dict[str, Any] = {}


def register_audit_labels(labels: dict[str, Any]) -> None:
    """Words for audit actions (``"dossier.assign"`` → "Phân công") an app records; the audit
    trail page shows them instead of the codes."""
    _audit_labels.update(labels)


def audit_labels() -> dict[str, Any]:
    return dict(_audit_labels)


#: What a targets provider returns for each target (issue 14 dashboards; issue 15 plans):
#: ``{"kpi_code", "comparison", "threshold", "unit", "due", "status", "label_vi", "label_en",
#: "url"}``; ``kpi_code`` is empty for a target measured by a reported indicator.
TARGET_KEYS = (
    "kpi_code",
    "comparison",
    "threshold",
    "unit",
    "due",
    "status",
    "label_vi",
    "label_en",
    "url",
)

_targets_providers: list[Callable[[Any, Any], list[dict[str, Any]]]] = []


def register_targets_provider(fn: Callable[[Any, Any], list[dict[str, Any]]]) -> None:
    """A function ``fn(agency, day) -> [target dict]`` from an upper app (plans) for the pages of
    a lower one (the metrics dashboards), which cannot import it. Kept once, in order."""
    if fn not in _targets_providers:
        _targets_providers.append(fn)


def targets_provider() -> list[Callable[[Any, Any], list[dict[str, Any]]]]:
    return list(_targets_providers)


def targets_for(agency: Any, day: Any) -> list[dict[str, Any]]:
    """Every registered provider's targets for ``agency`` on ``day`` (keys: :data:`TARGET_KEYS`);
    an empty list when no app provides any."""
    out: list[dict[str, Any]] = []
    for fn in _targets_providers:
        out.extend(fn(agency, day))
    return out
