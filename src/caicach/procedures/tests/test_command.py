"""``caicach catalogue import|export``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caicach.core.models import AuditEntry
from caicach.procedures.models import Procedure
from caicach.procedures.tests.test_services import row

pytestmark = pytest.mark.django_db


def test_import_prints_every_error_and_writes_nothing(tree, tmp_path):
    path = tmp_path / "catalogue.json"
    bad = row("1.000002", online_level="partial", partial_reason="")
    path.write_text(json.dumps({"procedures": [row("1.000001"), bad, row("1.0003")]}))
    err = StringIO()
    with pytest.raises(CommandError, match="2 lỗi"):
        call_command("catalogue", "import", str(path), stderr=err)
    lines = err.getvalue().splitlines()
    assert any(line.startswith("procedures dòng 2 partial_reason: Dịch vụ công") for line in lines)
    assert any(line.startswith("procedures dòng 3 code:") for line in lines)
    assert not Procedure.objects.exists()


def test_import_then_export_both_formats(tree, tmp_path, make_officer):
    source = tmp_path / "in.json"
    source.write_text(json.dumps([row()]))
    out = StringIO()
    call_command("catalogue", "import", str(source), stdout=out)
    assert "1 thủ tục mới" in out.getvalue()
    assert AuditEntry.objects.filter(action="procedure.create").get().actor_label == "cli"

    call_command("catalogue", "export", str(tmp_path / "out.json"), stdout=StringIO())
    exported = json.loads((tmp_path / "out.json").read_text())
    assert [r["code"] for r in exported["procedures"]] == ["1.004227"]

    call_command("catalogue", "export", str(tmp_path / "out.xlsx"), stdout=StringIO())
    make_officer("admin", tree.province, username="quantri")
    out = StringIO()
    call_command(
        "catalogue", "import", str(tmp_path / "out.xlsx"), "--as-user", "quantri", stdout=out
    )
    assert "1 không thay đổi" in out.getvalue()


def test_bad_arguments(tmp_path):
    with pytest.raises(CommandError):
        call_command("catalogue", "import", str(tmp_path / "missing.json"))
    (tmp_path / "x.csv").write_text("a")
    with pytest.raises(CommandError):
        call_command("catalogue", "import", str(tmp_path / "x.csv"))
    (tmp_path / "x.json").write_text("[]")
    with pytest.raises(CommandError):
        call_command("catalogue", "import", str(tmp_path / "x.json"), "--as-user", "nobody")
    with pytest.raises(CommandError):
        call_command("catalogue", "export", str(tmp_path / "x.pdf"))
