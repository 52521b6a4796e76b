"""PAR-Index self-assessment services (issue 15; regulations.md §5.1: self-assessment →
appraisal, survey criteria from the sociological survey; §5.2 SIPAS). One transaction and one
audit entry per change.

Who: the unit's leaders (``plans.report`` over the unit) score its manual criteria with
evidence or a reason for none; the reform office (``plans.approve``) loads the criteria,
enters survey results and appraises; ``plans.view`` reads. For the leader's page:
:func:`par_status`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from caicach.accounts.access import require
from caicach.agencies.models import Agency
from caicach.core.audit import Actor, record
from caicach.core.errors import BilingualError, ConflictError
from caicach.plans import evidence as evidence_rules
from caicach.plans.models import ReportedValue, ReportState
from caicach.plans.parindex import scoring
from caicach.plans.parindex.fileformat import Node, ParFileError, read
from caicach.plans.parindex.models import ParAssessment, ParCriterion, ParIndexSet, ParScore

__all__ = [
    "appraise",
    "enter_survey",
    "load_index",
    "measure",
    "par_status",
    "results",
    "rule_of",
    "self_score",
    "start_assessment",
]


def _bad(vi: str, en: str) -> BilingualError:
    return BilingualError(vi, en)


def rule_of(criterion: ParCriterion) -> scoring.Rule | None:
    raw = criterion.rule
    if not raw:
        return None
    return scoring.Rule(
        kind=raw["kind"],
        source=raw.get("source", ""),
        thresholds=tuple((Decimal(b), Decimal(p)) for b, p in raw.get("thresholds", [])),
        linear=(Decimal(raw["linear"][0]), Decimal(raw["linear"][1]))
        if raw.get("linear")
        else None,
        higher_better=raw.get("higher_better", True),
    )


def _rule_data(rule: scoring.Rule) -> dict[str, Any]:
    return {
        "kind": rule.kind,
        "source": rule.source,
        "thresholds": [[str(b), str(p)] for b, p in rule.thresholds],
        "linear": [str(rule.linear[0]), str(rule.linear[1])] if rule.linear else None,
        "higher_better": rule.higher_better,
    }


def load_index(text: str, user: Any, actor: Actor, agency: Agency) -> ParIndexSet:
    """Load (or replace, while no unit has assessed against it) a year's criteria tree."""
    require(user, "plans.approve", agency)
    try:
        parsed = read(text)
    except ParFileError as exc:
        raise BilingualError(
            "Tệp bộ chỉ số có lỗi: " + "; ".join(vi for vi, _en in exc.errors),
            "The criteria file has errors: " + "; ".join(en for _vi, en in exc.errors),
            errors=exc.errors,
        ) from None
    from caicach.metrics.registry import all_kpis

    kpis = {k.code for k in all_kpis()}
    bad = []

    def walk(nodes: list[Node]) -> None:
        for n in nodes:
            if n.rule and n.rule.kind == "metric" and n.rule.source not in kpis:
                bad.append(n.code)
            walk(n.children)

    walk(parsed.domains)
    if bad:
        raise _bad(
            f"Chỉ số tự động không có trong danh mục: tiêu chí {', '.join(bad)}.",
            f"Unknown live metric in criteria {', '.join(bad)}.",
        )
    with transaction.atomic():
        existing = ParIndexSet.objects.select_for_update().filter(
            year=parsed.year, tier=parsed.tier
        )
        old = existing.first()
        if old is not None:
            if old.assessments.exists():
                raise ConflictError(
                    "Đã có đơn vị tự đánh giá theo bộ chỉ số này; không thay được.",
                    "Units have assessed against this set; it cannot be replaced.",
                )
            old.delete()
        index = ParIndexSet.objects.create(
            year=parsed.year,
            tier=parsed.tier,
            title=parsed.title[:300],
            basis=parsed.basis,
            illustrative=parsed.illustrative,
            maximum=parsed.maximum,
            source=text,
        )
        order = 0

        def save(nodes: list[Node], parent: ParCriterion | None, depth: int) -> None:
            nonlocal order
            for n in nodes:
                order += 1
                row = ParCriterion.objects.create(
                    index=index,
                    parent=parent,
                    code=n.code,
                    name=n.name[:500],
                    depth=depth,
                    maximum=n.maximum,
                    rule=_rule_data(n.rule) if n.rule else None,
                    evidence_hint=n.evidence[:300],
                    order=order,
                )
                save(n.children, row, depth + 1)

        save(parsed.domains, None, 1)
        record(
            actor,
            "plan.par.load",
            index,
            agency=agency,
            changes={"year": parsed.year, "tier": parsed.tier, "maximum": parsed.maximum},
        )
    return index


def _measure(rule: scoring.Rule, agency: Agency, year: int) -> tuple[Decimal | None, str]:
    """The value an automatic criterion is scored from, and where it came from."""
    if rule.kind == "metric":
        from caicach.metrics.compute import kpi
        from caicach.metrics.periods import Period

        figure = kpi(rule.source, agency, Period(date(year, 1, 1), date(year, 12, 31), "year"))
        if figure.value is None:  # type: ignore[union-attr]
            return None, figure.reason_vi[:300]  # type: ignore[union-attr]
        return Decimal(figure.value).quantize(Decimal("0.01")), f"{rule.source} {year}"  # type: ignore[union-attr]
    if rule.kind == "indicator":
        row = ReportedValue.objects.filter(
            indicator__code=rule.source, agency=agency, period=str(year), state=ReportState.APPROVED
        ).first()
        if row is None:
            return None, "Chưa có số liệu báo cáo đã duyệt"
        return row.value, f"{rule.source} {year} (đã duyệt)"
    return None, ""


def start_assessment(index_id: int, agency: Agency, user: Any, actor: Actor) -> ParAssessment:
    """The unit's assessment for the year, its live criteria (re)measured and scored."""
    require(user, "plans.report", agency)
    return measure(index_id, agency, actor)


def measure(index_id: int, agency: Agency, actor: Actor) -> ParAssessment:
    """:func:`start_assessment` without the caller's check: for the demo loader and jobs that
    re-measure the live criteria (no unit-entered score is touched)."""
    with transaction.atomic():
        index = ParIndexSet.objects.select_for_update().get(pk=index_id)
        assessment, created = ParAssessment.objects.get_or_create(index=index, agency=agency)
        leaves = [c for c in index.criteria.all() if c.rule]
        have = {s.criterion_id: s for s in assessment.scores.all()}
        measured = {}
        for c in leaves:
            rule = rule_of(c)
            assert rule is not None
            score = have.get(c.pk) or ParScore(assessment=assessment, criterion=c)
            if rule.kind in ("metric", "indicator"):
                score.measured, score.measured_note = _measure(rule, agency, index.year)
                score.self_points = scoring.points_for(rule, c.maximum, score.measured)
                measured[c.code] = str(score.measured)
            score.save()
        record(
            actor,
            "plan.par.start" if created else "plan.par.measure",
            assessment,
            agency=agency,
            changes={"measured": measured},
        )
    return assessment


def _points(text: str, maximum: Decimal) -> Decimal:
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation:
        raise _bad("Điểm phải là một số.", "Points must be a number.") from None
    if not value.is_finite() or value < 0 or value > maximum:
        raise _bad(f"Điểm phải từ 0 đến {maximum}.", f"Points must lie between 0 and {maximum}.")
    return value.quantize(Decimal("0.01"))


def _score(score_id: int) -> ParScore:
    try:
        return (
            ParScore.objects.select_for_update(of=("self",))
            .select_related("assessment__agency", "assessment__index", "criterion")
            .get(pk=score_id)
        )
    except ParScore.DoesNotExist:
        raise BilingualError("Không tìm thấy tiêu chí.", "Not found.", status=404) from None


def self_score(
    score_id: int,
    user: Any,
    actor: Actor,
    *,
    points: str,
    evidence: tuple[str, bytes] | None,
    reason: str,
) -> ParScore:
    """The unit scores a manual criterion, with evidence (type read from its bytes) or a reason
    for none."""
    reason = (reason or "").strip()
    kind = None
    if evidence is not None:
        if len(evidence[1]) > evidence_rules.MAX_EVIDENCE_BYTES:
            raise _bad("Tệp minh chứng quá 10 MB.", "The evidence file is over 10 MB.")
        kind = evidence_rules.sniff(evidence[1])
        if kind is None:
            raise _bad(
                "Minh chứng phải là PDF, DOCX, XLSX, JPG hoặc PNG.",
                "Evidence must be PDF, DOCX, XLSX, JPG or PNG.",
            )
    with transaction.atomic():
        score = _score(score_id)
        require(user, "plans.report", score.assessment.agency)
        rule = rule_of(score.criterion)
        if rule is None or rule.kind != "manual":
            raise _bad("Tiêu chí này được chấm tự động.", "This criterion is scored automatically.")
        if score.appraised_points is not None:
            raise ConflictError("Tiêu chí đã được thẩm định.", "Already appraised.")
        value = _points(points, score.criterion.maximum)
        if evidence is None and not score.evidence and not reason:
            raise _bad(
                "Cần tệp minh chứng hoặc lý do không có minh chứng.",
                "Attach evidence or give a reason for none.",
            )
        before = str(score.self_points)
        score.self_points = value
        score.no_evidence_reason = reason[:2000]
        if evidence is not None and kind is not None:
            digest = hashlib.sha256(evidence[1]).hexdigest()
            score.evidence.save(f"{digest}.{kind}", ContentFile(evidence[1]), save=False)
            score.evidence_name, score.evidence_type = evidence[0][:200], kind
        score.save()
        record(
            actor,
            "plan.par.self",
            score,
            agency=score.assessment.agency,
            changes={"criterion": score.criterion.code, "before": before, "after": str(value)},
        )
    return score


def enter_survey(score_id: int, user: Any, actor: Actor, *, value: str) -> ParScore:
    """The reform office enters a survey criterion's result (SIPAS %), scored by its rule."""
    with transaction.atomic():
        score = _score(score_id)
        require(user, "plans.approve", score.assessment.agency)
        rule = rule_of(score.criterion)
        if rule is None or rule.kind != "survey":
            raise _bad("Không phải tiêu chí điều tra.", "Not a survey criterion.")
        result = _points(value, Decimal(100))
        score.measured, score.measured_note = result, f"{rule.source or 'SIPAS'} (nhập)"
        score.self_points = scoring.points_for(rule, score.criterion.maximum, result)
        score.save()
        record(
            actor,
            "plan.par.survey",
            score,
            agency=score.assessment.agency,
            changes={"criterion": score.criterion.code, "value": str(result)},
        )
    return score


def appraise(score_id: int, user: Any, actor: Actor, *, points: str, comment: str) -> ParScore:
    """The reform office's appraised points; a comment is required when they differ from the
    self-score (regulations.md §5.1 step 2: accept or adjust)."""
    comment = (comment or "").strip()
    with transaction.atomic():
        score = _score(score_id)
        require(user, "plans.approve", score.assessment.agency)
        value = _points(points, score.criterion.maximum)
        if value != score.self_points and not comment:
            raise _bad(
                "Cần ghi nhận xét khi điều chỉnh điểm tự đánh giá.",
                "A comment is required when adjusting the self-score.",
            )
        score.appraised_points = value
        score.appraisal_comment = comment[:2000]
        score.appraised_by = user
        score.appraised_at = timezone.now()
        score.save()
        record(
            actor,
            "plan.par.appraise",
            score,
            agency=score.assessment.agency,
            changes={
                "criterion": score.criterion.code,
                "self": str(score.self_points),
                "appraised": str(value),
                "comment": score.appraisal_comment,
            },
        )
    return score


@dataclass(frozen=True)
class UnitResult:
    assessment: ParAssessment
    self_total: Decimal
    appraised_total: Decimal
    gap: Decimal
    rank: int
    appraised: int
    leaves: int


def results(index: ParIndexSet, assessments: Any) -> list[UnitResult]:
    """Totals, gap (self − appraised) and rank by appraised total, for ``assessments`` (already
    scoped by the caller) of ``index``."""
    rows = list(assessments.filter(index=index).select_related("agency"))
    leaves = index.criteria.exclude(rule=None).count()
    scores: dict[int, list[ParScore]] = {}
    for s in ParScore.objects.filter(assessment__in=rows).select_related("criterion"):
        scores.setdefault(s.assessment_id, []).append(s)
    totals = {}
    out = {}
    for a in rows:
        mine = scores.get(a.pk, [])
        self_total = scoring.total((s.self_points, s.criterion.maximum) for s in mine)
        _gaps, gap = scoring.gaps(
            [(s.criterion.code, s.self_points, s.appraised_points) for s in mine]
        )
        appraised_total = self_total - gap
        totals[str(a.pk)] = appraised_total
        out[str(a.pk)] = (
            a,
            self_total,
            appraised_total,
            gap,
            sum(1 for s in mine if s.appraised_points is not None),
        )
    ranked = scoring.rank(totals)
    return [
        UnitResult(out[k][0], out[k][1], out[k][2], out[k][3], place, out[k][4], leaves)
        for k, _total, place in ranked
    ]


def par_status(agency: Agency, year: int) -> dict[str, Any] | None:
    """For the leader's page: ``agency``'s PAR-Index assessment of ``year`` — set title,
    maximum, self total, appraised total (self where not yet appraised), criteria appraised of
    all, and whether it exists at all (``None``: no assessment). The caller scopes ``agency``."""
    assessment = (
        ParAssessment.objects.filter(agency=agency, index__year=year)
        .select_related("index")
        .first()
    )
    if assessment is None:
        return None
    result = results(assessment.index, ParAssessment.objects.filter(pk=assessment.pk))[0]
    return {
        "index": assessment.index.title,
        "maximum": assessment.index.maximum,
        "self_total": result.self_total,
        "appraised_total": result.appraised_total,
        "appraised": result.appraised,
        "criteria": result.leaves,
        "assessment_id": assessment.pk,
    }
