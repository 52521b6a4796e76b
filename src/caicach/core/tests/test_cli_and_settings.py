"""The `caicach` command, the configuration reference, and the database choice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from caicach.cli import PROJECT_COMMANDS, main
from caicach.conf import REGISTRY, env, render_markdown
from caicach.db import database_settings

ROOT = Path(__file__).resolve().parents[4]


def test_help_lists_every_project_command(capsys):
    main(["caicach", "--help"])
    out = capsys.readouterr().out
    for name in PROJECT_COMMANDS:
        assert f"  {name} " in out


def test_configuration_reference_is_current():
    """docs/configuration.md is generated from the code; a stale file fails here and in CI."""
    result = subprocess.run(
        [sys.executable, "-m", "caicach", "config-docs", "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_env_reads_typed_values_and_documents_them(monkeypatch):
    monkeypatch.setenv("CAICACH_TEST_LIMIT", "7")
    monkeypatch.setenv("CAICACH_TEST_FLAG", "yes")
    assert env("CAICACH_TEST_LIMIT", 3, "A limit.", "Test") == 7
    assert env("CAICACH_TEST_FLAG", False, "A flag.", "Test") is True
    assert env("CAICACH_TEST_MISSING", "x", "Unset.", "Test") == "x"
    assert "| `CAICACH_TEST_LIMIT` | `3` | A limit. |" in render_markdown()
    for name in ("CAICACH_TEST_LIMIT", "CAICACH_TEST_FLAG", "CAICACH_TEST_MISSING"):
        REGISTRY.pop(name)


def test_database_url_wins_over_the_embedded_server(tmp_path):
    config = database_settings("postgresql://u:p@db.example:5433/caicach", tmp_path / "pg", 0)
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "caicach")
    assert not (tmp_path / "pg").exists()  # nothing embedded was started


def test_embedded_server_is_used_without_database_url(settings):
    """Without DATABASE_URL the tests themselves run on the embedded server's socket."""
    import os

    if os.environ.get("DATABASE_URL"):
        return
    host = settings.DATABASES["default"]["HOST"]
    assert host.startswith("/") and Path(host).exists()
