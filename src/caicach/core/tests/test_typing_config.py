"""The type-checking set-up: strict modules never hide behind the baseline, and the settings the
django-stubs plugin imports start no database server."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def _strict_modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    overrides = config["tool"]["mypy"]["overrides"]
    return [m for o in overrides if o.get("disallow_untyped_defs") for m in o["module"]]


def test_the_strict_modules_include_every_rules_module():
    strict = _strict_modules()
    rules = sorted(
        p.relative_to(ROOT / "src").with_suffix("") for p in ROOT.glob("src/*/*/rules.py")
    )
    assert rules
    for path in rules:
        assert ".".join(path.parts) in strict


def test_no_strict_module_has_a_baselined_error():
    """`make typecheck` forgives the errors in mypy-baseline.txt; a strict module has none."""
    baseline = (ROOT / "mypy-baseline.txt").read_text(encoding="utf-8").splitlines()
    paths = {"src/" + m.replace(".", "/") + ".py" for m in _strict_modules()}
    assert [line for line in baseline if line.split(":", 1)[0] in paths] == []


def test_typecheck_settings_start_no_embedded_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CAICACH_DATA_DIR")}
    env["CAICACH_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from caicach.settings import typecheck as s; print(s.DATABASES['default']['HOST'])",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "localhost"
    assert not (tmp_path / "postgres").exists()
