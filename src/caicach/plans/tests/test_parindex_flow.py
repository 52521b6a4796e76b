"""PAR-Index self-assessment end to end (issue 15; regulations.md §5.1): the reform office
loads the departments' 2025 set, department A self-assesses (live criteria measured, manual
ones with evidence or a reason), the reform office enters the SIPAS result and appraises; the
totals, gap and ranking, the pages, the CSV, and the scope."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.plans.parindex import services
from caicach.plans.parindex.models import ParScore

DATA = Path(__file__).parents[1] / "parindex" / "data"
ACTOR = Actor.system("test")
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def world(tree: Any, make_officer: Any, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    office = make_officer("reform_officer", tree.province, username="cchc")
    leader = make_officer("agency_leader", tree.dept_a, username="giamdoc_a")
    text = (DATA / "par_index_department_2025.yaml").read_text(encoding="utf-8")
    index = services.load_index(text, office, ACTOR, tree.province)
    assessment = services.start_assessment(index.pk, tree.dept_a, leader, ACTOR)
    scores = {s.criterion.code: s for s in assessment.scores.select_related("criterion")}
    return index, assessment, scores, office, leader


@pytest.mark.django_db
def test_self_assess_appraise_totals(world: Any, tree: Any, make_officer: Any) -> None:
    index, assessment, scores, office, leader = world
    assert index.maximum == Decimal(100) and len(scores) == 18  # leaves only
    # A live criterion without data this year: no value, no points, the reason kept.
    assert scores["7.1"].measured is None and scores["7.1"].self_points is None
    services.self_score(
        scores["1.1"].pk, leader, ACTOR, points="3", evidence=("kh.pdf", PDF), reason=""
    )
    services.self_score(
        scores["1.2"].pk, leader, ACTOR, points="2", evidence=None, reason="Báo cáo giấy"
    )
    with pytest.raises(BilingualError):  # neither evidence nor a reason
        services.self_score(scores["1.3"].pk, leader, ACTOR, points="1", evidence=None, reason="")
    with pytest.raises(BilingualError):  # above the maximum (4)
        services.self_score(scores["1.3"].pk, leader, ACTOR, points="5", evidence=None, reason="x")
    with pytest.raises(BilingualError):  # a forbidden evidence type
        services.self_score(
            scores["1.3"].pk, leader, ACTOR, points="1", evidence=("x.exe", b"MZ\x90"), reason=""
        )
    with pytest.raises(BilingualError):  # a live criterion is not scored by the unit
        services.self_score(scores["7.1"].pk, leader, ACTOR, points="1", evidence=None, reason="x")
    with pytest.raises(PermissionDenied):  # the unit does not enter the survey
        services.enter_survey(scores["8.1"].pk, leader, ACTOR, value="87.4")
    services.enter_survey(scores["8.1"].pk, office, ACTOR, value="87.4")  # 10 × 87.4% = 8.74
    with pytest.raises(BilingualError):  # adjusting needs a comment
        services.appraise(scores["1.1"].pk, office, ACTOR, points="2", comment="")
    services.appraise(scores["1.1"].pk, office, ACTOR, points="2", comment="Ban hành chậm 5 ngày")
    services.appraise(scores["1.2"].pk, office, ACTOR, points="2", comment="")
    assert ParScore.objects.get(pk=scores["1.3"].pk).self_points is None  # nothing written
    # Self 3 + 2 + 8.74 = 13.74; appraised 2 + 2 + 8.74 = 12.74; gap 1.
    status = services.par_status(tree.dept_a, 2025)
    assert status is not None
    assert (status["self_total"], status["appraised_total"]) == (Decimal("13.74"), Decimal("12.74"))
    assert status["appraised"] == 2 and status["criteria"] == 18
    assert services.par_status(tree.dept_b, 2025) is None
    # Department B, appraised total 20 (manual 1.1 + 5.1 + 5.2...), ranks above A.
    leader_b = make_officer("agency_leader", tree.dept_b)
    b = services.start_assessment(index.pk, tree.dept_b, leader_b, ACTOR)
    for code in ("5.1", "5.2"):
        s = b.scores.get(criterion__code=code)
        services.self_score(s.pk, leader_b, ACTOR, points="8", evidence=None, reason="x")
    ranked = services.results(index, type(assessment).objects.all())
    assert [(r.assessment.agency, r.rank, r.appraised_total) for r in ranked] == [
        (tree.dept_b, 1, Decimal(16)),
        (tree.dept_a, 2, Decimal("12.74")),
    ]


@pytest.mark.django_db
def test_pages_csv_and_scope(
    client: Any, world: Any, tree: Any, make_officer: Any, django_assert_max_num_queries: Any
) -> None:
    index, assessment, scores, office, leader = world
    client.force_login(leader)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("plans:par_index", args=[index.pk]))
    html = page.content.decode()
    assert (
        page.status_code == 200 and "MINH HỌA" in html and "Tỷ lệ hồ sơ giải quyết đúng hạn" in html
    )
    with django_assert_max_num_queries(15):
        page = client.get(reverse("plans:par_assessment", args=[assessment.pk]))
    assert page.status_code == 200 and "Lưu điểm" in page.content.decode()
    # Re-measuring the live criteria keeps the unit's own scores.
    services.self_score(scores["1.3"].pk, leader, ACTOR, points="2", evidence=None, reason="x")
    again = client.post(reverse("plans:par_start", args=[index.pk]), {"agency": tree.dept_a.code})
    assert again.status_code == 302 and ParScore.objects.get(pk=scores["1.3"].pk).self_points == 2
    assert "Điểm thẩm định" not in page.content.decode()  # the unit does not appraise
    upload = SimpleUploadedFile("kh.pdf", PDF, content_type="application/pdf")
    client.post(
        reverse("plans:par_self", args=[scores["1.1"].pk]), {"points": "3", "evidence": upload}
    )
    assert ParScore.objects.get(pk=scores["1.1"].pk).self_points == Decimal(3)
    bad = client.post(reverse("plans:par_self", args=[scores["1.2"].pk]), {"points": "abc"})
    assert bad.status_code == 302 and ParScore.objects.get(pk=scores["1.2"].pk).self_points is None
    assert client.get(reverse("plans:par_evidence", args=[scores["1.1"].pk])).status_code == 200
    csv = client.get(reverse("plans:par_index", args=[index.pk]) + "?fmt=csv")
    assert csv["Content-Type"].startswith("text/csv") and "Sở Tư pháp" in csv.content.decode()
    # The reform office appraises through the page.
    client.force_login(office)
    client.post(reverse("plans:par_appraise", args=[scores["1.1"].pk]), {"points": "3"})
    assert ParScore.objects.get(pk=scores["1.1"].pk).appraised_points == Decimal(3)
    # Department B's leader sees neither A's assessment nor its evidence.
    client.force_login(make_officer("agency_leader", tree.dept_b))
    assert client.get(reverse("plans:par_assessment", args=[assessment.pk])).status_code == 404
    assert client.get(reverse("plans:par_evidence", args=[scores["1.1"].pk])).status_code == 404
    assert (
        client.post(reverse("plans:par_self", args=[scores["1.2"].pk]), {"points": "1"}).status_code
        == 404
    )
