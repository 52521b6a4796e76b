"""The menu and the home page come from what the apps register; access is the installed policy's
decision, and nothing is allowed without one."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from caicach.accounts import access
from caicach.core import registry


def test_the_access_app_installs_its_rules_as_the_policy() -> None:
    assert registry.access_policy() is access


def test_without_a_policy_only_open_entries_show_and_the_trail_is_refused(
    monkeypatch: pytest.MonkeyPatch, tree: Any, make_officer: Any
) -> None:
    admin = make_officer("admin", tree.province)
    monkeypatch.setattr(registry, "_policy", [registry._DenyAll()])
    assert [e.url_name for e in registry.menu_for(admin)] == ["core:home"]
    with pytest.raises(PermissionDenied):
        registry.access_policy().require_anywhere(admin, "audit.view")


def test_each_officer_sees_the_registered_entries_allowed_in_order(
    tree: Any, make_officer: Any
) -> None:
    admin = make_officer("admin", tree.province)
    receiver = make_officer("receiver", tree.unit_a)
    assert [e.url_name for e in registry.menu_for(admin)] == [
        "core:home",
        "dossiers:inbox",
        "dossiers:register",
        "dossiers:apologies",
        "dashboards:overview",  # the reform dashboards (metrics, issue 14)
        "metrics_documents:page",  # the official reform reports (metrics, issue 14)
        "rankings:tiers",  # the fair rankings (metrics.rankings)
        "plans:list",  # the reform plans (plans.view)
        "plans:inspections",  # reform inspections (plans.inspections)
        "plans:reporting:list",  # periodic reports (plans.reporting)
        "plans:par",  # the PAR-Index self-assessment (plans.parindex)
        "agencies:list",
        "accounts:officer_list",
        "procedures:list",
        "calendars:year",
        "core:audit",
    ]
    assert [e.url_name for e in registry.menu_for(receiver)] == [
        "core:home",
        "dossiers:inbox",
        "dossiers:register",
        "kiosk:open",  # the counter desk's rating tablet (ratings)
        "agencies:list",
        "procedures:list",
        "calendars:year",
    ]


def test_registering_twice_keeps_one_entry() -> None:
    before = len(registry._menu)
    sections = len(registry.home_sections())
    from django.apps import apps

    for label in ("core", "accounts", "agencies", "procedures", "calendars"):
        apps.get_app_config(label).ready()
    assert len(registry._menu) == before
    assert len(registry.home_cards()) == 2 and len(registry.home_sections()) == sections


def test_the_home_page_shows_the_registered_figures_and_roles(
    client: Any, tree: Any, make_officer: Any
) -> None:
    processor = make_officer("processor", tree.unit_a)
    client.force_login(processor)
    page = client.get("/").content.decode()
    assert '<div class="stat">1</div><div>cơ quan, đơn vị trong phạm vi của bạn</div>' in page
    assert "thủ tục hành chính bạn được xem" in page
    assert "Chuyên viên thụ lý" in page and tree.unit_a.name in page


def test_targets_providers_are_kept_once_and_concatenated(monkeypatch: Any) -> None:
    """An upper app (plans) offers targets to a lower one (the dashboards) without an import."""
    monkeypatch.setattr(registry, "_targets_providers", [])
    assert registry.targets_for("agency", "day") == []

    def first(agency: Any, day: Any) -> list[dict[str, Any]]:
        return [dict.fromkeys(registry.TARGET_KEYS, f"{agency}-{day}")]

    def second(agency: Any, day: Any) -> list[dict[str, Any]]:
        return [{"kpi_code": "x"}]

    registry.register_targets_provider(first)
    registry.register_targets_provider(first)  # ready() may run twice
    registry.register_targets_provider(second)
    assert registry.targets_provider() == [first, second]
    rows = registry.targets_for("A", "D")
    assert rows[0]["status"] == "A-D" and rows[1] == {"kpi_code": "x"}
