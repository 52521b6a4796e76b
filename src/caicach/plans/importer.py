"""``caicach plans import FILE``: a plan file (docs/formats/plans.md) into the database, all or
nothing (issue 15, "The seeds as plan files").

Everything is checked before anything is written; any error (with its line and field, in
Vietnamese and English) leaves the database unchanged. Agencies are named by code, KPIs by their
registry code, reported indicators by code (``data/indicators.yaml`` or the file's own
``indicators``), field groups by the catalogue's field codes. A target must have a unit, a
comparison, at least one stage, and no stage outside the plan's period and orientation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path as FsPath
from typing import Any

import yaml
from django.db import transaction

from caicach.agencies.models import Agency, AgencyLevel
from caicach.core.audit import Actor, record
from caicach.metrics import registry as kpis
from caicach.plans import trajectory
from caicach.plans.fileformat import FileIssue, Located, Path, fmt_path, read_plan_file
from caicach.plans.models import (
    Comparison,
    Domain,
    DomainCode,
    Plan,
    PlanKind,
    ReportedIndicator,
    ReportingDuty,
    ScopeKind,
    Stage,
    Target,
    Task,
)

__all__ = ["FORMAT", "ImportResult", "PlanImportError", "ensure_indicators", "import_plan"]

FORMAT = "caicach-plan/1"
DATA = FsPath(__file__).parent / "data"
FREQUENCIES = ("monthly", "quarterly", "half_yearly", "yearly", "ad_hoc")
UNITS = ("%", "rank", "count", "tier", "working_days", "days", "per_dossier")
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")


class PlanImportError(Exception):
    def __init__(self, issues: list[FileIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass
class ImportResult:
    plan: Plan | None
    targets: int = 0
    stages: int = 0
    tasks: int = 0
    duties: int = 0
    checked_only: bool = False

    def summary(self) -> str:
        verb = "Hợp lệ" if self.checked_only else "Đã nhập"
        return (
            f"{verb}: {self.targets} chỉ tiêu, {self.stages} mốc, {self.tasks} nhiệm vụ, "
            f"{self.duties} chế độ báo cáo."
        )


def ensure_indicators() -> int:
    """The shipped indicator catalogue, created where missing (idempotent)."""
    rows = yaml.safe_load((DATA / "indicators.yaml").read_text())
    made = 0
    for row in rows:
        _, created = ReportedIndicator.objects.get_or_create(
            code=row["code"],
            defaults={
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "unit": row["unit"],
                "period_kind": row.get("period", "year"),
            },
        )
        made += created
    return made


# -- checking ---------------------------------------------------------------------------------


@dataclass
class _Checker:
    src: Located
    issues: list[FileIssue] = field(default_factory=list)
    agencies: dict[str, Agency] = field(default_factory=dict)
    indicators: dict[str, ReportedIndicator] = field(default_factory=dict)
    new_indicators: dict[str, dict[str, Any]] = field(default_factory=dict)

    def bad(self, path: Path, vi: str, en: str) -> None:
        self.issues.append(FileIssue(self.src.line(path), fmt_path(path), vi, en))

    def get(self, obj: dict[str, Any], path: Path, key: str, kind: type | tuple[type, ...]) -> Any:
        value = obj.get(key)
        if value is None or value == "":
            self.bad((*path, key), "Thiếu giá trị bắt buộc.", "A required value is missing.")
            return None
        if not isinstance(value, kind) or isinstance(value, bool):
            self.bad((*path, key), "Giá trị sai kiểu.", "The value has the wrong type.")
            return None
        return value

    def opt(self, obj: dict[str, Any], path: Path, key: str, kind: type | tuple[type, ...]) -> Any:
        if obj.get(key) in (None, ""):
            return None
        return self.get(obj, path, key, kind)

    def mapping(self, value: Any, path: Path) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.bad(path, "Cần một bảng khóa: giá trị.", "A mapping (key: value) is expected.")
            return {}
        return value

    def items(self, obj: dict[str, Any], path: Path, key: str) -> list[Any]:
        value = obj.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.bad((*path, key), "Cần một danh sách.", "A list is expected.")
            return []
        return value

    def agency(self, code: Any, path: Path) -> Agency | None:
        if not isinstance(code, str):
            self.bad(path, "Mã cơ quan phải là chữ.", "An agency code must be text.")
            return None
        if code not in self.agencies:
            self.bad(
                path,
                f"Không có cơ quan mã {code!r}.",
                f"No agency with code {code!r}.",
            )
            return None
        return self.agencies[code]

    def day(self, value: Any, path: Path, *, end: bool = True) -> date | None:
        """A date, or a year (its last day; its first with ``end=False``)."""
        if isinstance(value, date):
            return value
        if isinstance(value, int) and not isinstance(value, bool) and 2000 <= value <= 2100:
            return date(value, 12, 31) if end else date(value, 1, 1)
        self.bad(path, "Cần một ngày YYYY-MM-DD hoặc một năm.", "A date YYYY-MM-DD or a year.")
        return None

    def number(self, value: Any, path: Path) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            self.bad(path, "Cần một số.", "A number is expected.")
            return None
        return Decimal(value)


def _choice(c: _Checker, obj: dict[str, Any], path: Path, key: str, choices: Any) -> str | None:
    value = c.get(obj, path, key, str)
    if value is not None and value not in choices:
        allowed = ", ".join(choices)
        c.bad((*path, key), f"Giá trị phải là một trong: {allowed}.", f"Must be one of: {allowed}.")
        return None
    return value


def _check_plan(c: _Checker, plan: dict[str, Any]) -> dict[str, Any]:
    p: Path = ("plan",)
    out: dict[str, Any] = {}
    code = c.get(plan, p, "code", str)
    if code is not None and not _CODE.match(code):
        c.bad((*p, "code"), "Mã kế hoạch chỉ gồm a-z, 0-9, '-'.", "Plan codes use a-z, 0-9, '-'.")
    elif code is not None and Plan.objects.filter(code=code).exists():
        c.bad((*p, "code"), f"Kế hoạch {code!r} đã có.", f"Plan {code!r} already exists.")
    out["code"] = code
    out["kind"] = _choice(c, plan, p, "kind", PlanKind.values)
    out["title"] = c.get(plan, p, "title", str)
    out["number"] = c.opt(plan, p, "number", str) or ""
    out["issuer"] = c.opt(plan, p, "issuer", str) or ""
    out["legal_basis"] = c.opt(plan, p, "legal_basis", str) or ""
    out["source"] = c.opt(plan, p, "source", str) or ""
    issued = plan.get("issued_on")
    out["issued_on"] = c.day(issued, (*p, "issued_on")) if issued is not None else None
    out["agency"] = c.agency(plan.get("agency"), (*p, "agency"))
    period = c.mapping(plan.get("period"), (*p, "period"))
    pp: Path = (*p, "period")
    start = c.day(period.get("start"), (*pp, "start"), end=False) if period else None
    end = c.day(period.get("end"), (*pp, "end")) if period else None
    orient = period.get("orientation")
    out["orientation_end"] = c.day(orient, (*pp, "orientation")) if orient is not None else None
    if start and end and end < start:
        c.bad((*pp, "end"), "Kỳ kế hoạch kết thúc trước khi bắt đầu.", "The period ends first.")
    if end and out["orientation_end"] and out["orientation_end"] < end:
        c.bad((*pp, "orientation"), "Định hướng phải sau kỳ kế hoạch.", "Orientation < period.")
    out["period_start"], out["period_end"] = start, end
    out["implements"] = None
    if (parent := plan.get("implements")) is not None:
        out["implements"] = Plan.objects.filter(code=str(parent)).first()
        if out["implements"] is None:
            c.bad(
                (*p, "implements"),
                f"Không có kế hoạch cấp trên mã {parent!r}.",
                f"No higher plan with code {parent!r}.",
            )
    return out


def _check_indicators(c: _Checker, rows: list[Any]) -> None:
    for i, row in enumerate(rows):
        path: Path = ("indicators", i)
        row = c.mapping(row, path)
        code = c.get(row, path, "code", str)
        values = {
            "name_vi": c.get(row, path, "name_vi", str),
            "name_en": c.get(row, path, "name_en", str),
            "unit": _choice(c, row, path, "unit", UNITS),
        }
        if code is None:
            continue
        known = c.indicators.get(code)
        if known is not None and known.unit != values["unit"]:
            c.bad((*path, "unit"), "Khác đơn vị đã khai báo.", "Differs from the declared unit.")
        elif known is None:
            c.new_indicators[code] = values


def _check_stages(
    c: _Checker, t: dict[str, Any], path: Path, plan: dict[str, Any], unit: str | None
) -> list[trajectory.Stage]:
    stages: list[trajectory.Stage] = []
    for j, raw in enumerate(c.items(t, path, "stages")):
        sp: Path = (*path, "stages", j)
        raw = c.mapping(raw, sp)
        if not raw:
            continue
        due = c.day(raw.get("due"), (*sp, "due"))
        threshold = raw.get("threshold")
        step = raw.get("step")
        if (threshold is None) == (step is None):
            c.bad(sp, "Mỗi mốc cần threshold hoặc step.", "Each stage needs threshold or step.")
            continue
        th = c.number(threshold, (*sp, "threshold")) if threshold is not None else None
        st = c.number(step, (*sp, "step")) if step is not None else None
        if due is not None:
            stages.append(trajectory.Stage(due, th, st, False))
    if (rule := t.get("trajectory")) is not None:
        try:
            stages.extend(trajectory.expand(c.mapping(rule, (*path, "trajectory"))))
        except trajectory.TrajectoryError as exc:
            c.bad((*path, "trajectory"), exc.vi, exc.en)
    if not stages:
        c.bad((*path, "stages"), "Chỉ tiêu cần ít nhất một mốc.", "A target needs a stage.")
    dues = [s.due for s in stages]
    if len(set(dues)) != len(dues):
        c.bad((*path, "stages"), "Hai mốc cùng thời hạn.", "Two stages share a due date.")
    start, horizon = plan.get("period_start"), plan.get("orientation_end") or plan.get("period_end")
    for j, s in enumerate(stages):
        sp = (*path, "stages", j) if not s.from_rule else (*path, "trajectory")
        if horizon is not None and s.due > horizon:
            c.bad(
                sp,
                f"Mốc {s.due:%d/%m/%Y} sau khi kế hoạch kết thúc ({horizon:%d/%m/%Y}).",
                f"Stage {s.due.isoformat()} is after the plan's end ({horizon.isoformat()}).",
            )
        if start is not None and s.due < start:
            c.bad(sp, "Mốc trước khi kế hoạch bắt đầu.", "A stage before the plan starts.")
        if unit == "%" and s.threshold is not None and not 0 <= s.threshold <= 100:
            c.bad(sp, "Tỷ lệ phải từ 0 đến 100.", "A percentage is between 0 and 100.")
    return sorted(stages, key=lambda s: s.due)


def _check_scope(c: _Checker, t: dict[str, Any], path: Path) -> dict[str, Any]:
    scope = t.get("scope")
    out: dict[str, Any] = {"scope_kind": ScopeKind.PLAN_AGENCY}
    if scope is None:
        return out
    sp: Path = (*path, "scope")
    scope = c.mapping(scope, sp)
    if "tier" in scope:
        out["scope_kind"] = ScopeKind.TIER
        out["scope_tier"] = _choice(c, scope, sp, "tier", AgencyLevel.values)
        share = scope.get("share", 100)
        out["share_required"] = c.number(share, (*sp, "share"))
    elif "agency" in scope:
        out["scope_kind"] = ScopeKind.AGENCY
        out["scope_agency"] = c.agency(scope["agency"], (*sp, "agency"))
    elif "fields" in scope:
        from caicach.procedures.models import Field

        codes = c.items(scope, sp, "fields")
        known = set(Field.objects.filter(code__in=codes).values_list("code", flat=True))
        for k, code in enumerate(codes):
            if code not in known:
                c.bad((*sp, "fields", k), f"Không có lĩnh vực {code!r}.", f"No field {code!r}.")
        out["scope_kind"] = ScopeKind.FIELD
        out["scope_field"] = ",".join(str(x) for x in codes)
    else:
        c.bad(sp, "Phạm vi cần tier, agency hoặc fields.", "Scope needs tier, agency or fields.")
    return out


def _check_target(
    c: _Checker, t: dict[str, Any], path: Path, plan: dict[str, Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {"path": path}
    out["code"] = c.get(t, path, "code", (str, int))
    out["label_vi"] = c.get(t, path, "label", str)
    out["label_en"] = c.opt(t, path, "label_en", str) or ""
    out["quote"] = c.opt(t, path, "quote", str) or ""
    out["comparison"] = _choice(c, t, path, "comparison", Comparison.values)
    unit = out["unit"] = c.get(t, path, "unit", str)
    kpi_code, indicator = t.get("kpi"), t.get("indicator")
    out["kpi_code"], out["indicator"] = "", None
    if (kpi_code is None) == (indicator is None):
        c.bad(path, "Cần đúng một trong kpi hoặc indicator.", "Exactly one of kpi or indicator.")
    elif kpi_code is not None:
        try:
            k = kpis.get(str(kpi_code))
            out["kpi_code"] = k.code
            if unit is not None and unit != k.unit:
                c.bad((*path, "unit"), f"Chỉ số {k.code} tính bằng {k.unit}.", f"Unit is {k.unit}.")
        except kpis.UnknownKPIError as exc:
            c.bad((*path, "kpi"), exc.vi, exc.en)
    else:
        ind = c.indicators.get(str(indicator))
        new = c.new_indicators.get(str(indicator))
        if ind is None and new is None:
            c.bad(
                (*path, "indicator"),
                f"Không có chỉ tiêu báo cáo mã {indicator!r}.",
                f"No reported indicator with code {indicator!r}.",
            )
        elif unit is not None and (ind.unit if ind else new["unit"] if new else unit) != unit:
            c.bad((*path, "unit"), "Khác đơn vị của chỉ tiêu báo cáo.", "Differs from its unit.")
        out["indicator"] = str(indicator)
    if unit is not None and unit not in UNITS:
        c.bad((*path, "unit"), "Đơn vị không hợp lệ.", f"Unknown unit; use {', '.join(UNITS)}.")
    if out["comparison"] == "rank_at_or_above" and unit not in ("rank", "tier"):
        c.bad((*path, "unit"), "So sánh thứ hạng cần đơn vị rank/tier.", "Ranks use rank/tier.")
    out["stages"] = _check_stages(c, t, path, plan, unit)
    out["trajectory"] = t.get("trajectory")
    baseline = t.get("baseline")
    out["baseline_due"] = c.day(baseline, (*path, "baseline")) if baseline is not None else None
    if any(s.threshold is None for s in out["stages"][:1]) and out["baseline_due"] is None:
        c.bad((*path, "baseline"), "Mốc tương đối đầu tiên cần baseline.", "Needs a baseline.")
    tolerance = t.get("tolerance", 0)
    out["tolerance"] = c.number(tolerance, (*path, "tolerance"))
    out.update(_check_scope(c, t, path))
    out["refines"] = None
    if (ref := t.get("refines")) is not None:
        plan_code, _, target_code = str(ref).partition("/")
        out["refines"] = Target.objects.filter(plan__code=plan_code, code=target_code).first()
        if out["refines"] is None:
            c.bad((*path, "refines"), f"Không có chỉ tiêu {ref!r}.", f"No target {ref!r}.")
    return out


def _check_task(c: _Checker, t: dict[str, Any], path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"title": c.get(t, path, "title", str)}
    out["expected_output"] = c.opt(t, path, "output", str) or ""
    out["lead_label"] = c.opt(t, path, "lead_label", str) or ""
    out["supporting_label"] = c.opt(t, path, "supporting_label", str) or ""
    out["recurrence"] = ""
    if t.get("recurrence") is not None:
        out["recurrence"] = _choice(c, t, path, "recurrence", FREQUENCIES) or ""
    out["lead_agency"] = c.agency(t["lead"], (*path, "lead")) if "lead" in t else None
    out["supporting"] = [
        c.agency(code, (*path, "supporting", k))
        for k, code in enumerate(c.items(t, path, "supporting"))
    ]
    deadline = t.get("deadline")
    out["deadline"] = c.day(deadline, (*path, "deadline")) if deadline is not None else None
    return out


def _check_duty(c: _Checker, d: dict[str, Any], path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"subject": c.get(d, path, "subject", str)}
    out["reporter"] = c.agency(d["reporter"], (*path, "reporter")) if "reporter" in d else None
    out["recipient"] = c.agency(d["recipient"], (*path, "recipient")) if "recipient" in d else None
    out["reporter_label"] = c.opt(d, path, "reporter_label", str) or ""
    out["recipient_label"] = c.opt(d, path, "recipient_label", str) or ""
    freqs = c.items(d, path, "frequencies")
    for k, f in enumerate(freqs):
        if f not in FREQUENCIES:
            c.bad((*path, "frequencies", k), "Định kỳ không hợp lệ.", "Unknown frequency.")
    if not freqs:
        c.bad((*path, "frequencies"), "Thiếu định kỳ báo cáo.", "No reporting frequency.")
    out["frequencies"] = freqs
    first = d.get("first_due")
    out["first_due"] = c.day(first, (*path, "first_due")) if first is not None else None
    # Periodic reports (plans.reporting): who else reports, how many working days after.
    below = d.get("reporters_below", False)
    if not isinstance(below, bool):
        c.bad((*path, "reporters_below"), "Cần true hoặc false.", "true or false is expected.")
    out["reporters_below"] = below is True
    days = c.opt(d, path, "due_working_days", int)
    if days is not None and not 0 <= days <= 60:
        c.bad((*path, "due_working_days"), "Từ 0 đến 60 ngày làm việc.", "0 to 60 working days.")
    out["due_working_days"] = days if days is not None and 0 <= days <= 60 else 5
    return out


def _check(src: Located) -> tuple[_Checker, dict[str, Any]]:
    c = _Checker(src)
    root = c.mapping(src.data, ())
    if root.get("format") != FORMAT:
        c.bad(("format",), f"Cần format: {FORMAT}.", f"Expected format: {FORMAT}.")
    codes: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, str):
            codes.add(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key in ("agency", "lead", "supporting", "reporter", "recipient") or isinstance(
                    item, (dict, list)
                ):
                    collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(root)
    c.agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    c.indicators = {i.code: i for i in ReportedIndicator.objects.all()}
    _check_indicators(c, c.items(root, (), "indicators"))
    plan = _check_plan(c, c.mapping(root.get("plan"), ("plan",)))
    out: dict[str, Any] = {"plan": plan, "domains": [], "tasks": [], "duties": []}
    seen: set[str] = set()
    for i, raw in enumerate(c.items(root, (), "domains")):
        dp: Path = ("domains", i)
        d = c.mapping(raw, dp)
        dom: dict[str, Any] = {
            "code": _choice(c, d, dp, "code", DomainCode.values),
            "name": c.opt(d, dp, "name", str) or "",
            "targets": [],
            "tasks": [],
        }
        for j, t in enumerate(c.items(d, dp, "targets")):
            tp: Path = (*dp, "targets", j)
            target = _check_target(c, c.mapping(t, tp), tp, plan)
            code = str(target["code"])
            if code in seen:
                c.bad((*tp, "code"), f"Mã chỉ tiêu {code} lặp lại.", f"Duplicate target {code}.")
            seen.add(code)
            dom["targets"].append(target)
        for j, t in enumerate(c.items(d, dp, "tasks")):
            tp = (*dp, "tasks", j)
            dom["tasks"].append(_check_task(c, c.mapping(t, tp), tp))
        out["domains"].append(dom)
    for j, t in enumerate(c.items(root, (), "tasks")):
        out["tasks"].append(_check_task(c, c.mapping(t, ("tasks", j)), ("tasks", j)))
    for j, d in enumerate(c.items(root, (), "duties")):
        out["duties"].append(_check_duty(c, c.mapping(d, ("duties", j)), ("duties", j)))
    return c, out


# -- writing ----------------------------------------------------------------------------------


def _write(c: _Checker, data: dict[str, Any], actor: Actor) -> ImportResult:
    for code, values in c.new_indicators.items():
        c.indicators[code] = ReportedIndicator.objects.create(code=code, **values)
    p = data["plan"]
    plan = Plan.objects.create(
        code=p["code"],
        kind=p["kind"],
        title=p["title"],
        number=p["number"],
        issued_on=p["issued_on"],
        issuer=p["issuer"],
        agency=p["agency"],
        period_start=p["period_start"],
        period_end=p["period_end"],
        orientation_end=p["orientation_end"],
        legal_basis=p["legal_basis"],
        implements=p["implements"],
        source=p["source"],
    )
    result = ImportResult(plan)
    order = 0
    for d_order, dom in enumerate(data["domains"]):
        domain = Domain.objects.create(
            plan=plan,
            code=dom["code"],
            name=dom["name"] or str(DomainCode(dom["code"]).label),
            order=d_order,
        )
        for t in dom["targets"]:
            order += 1
            last = t["stages"][-1]
            target = Target.objects.create(
                plan=plan,
                domain=domain,
                code=str(t["code"]),
                label_vi=t["label_vi"],
                label_en=t["label_en"],
                comparison=t["comparison"],
                threshold=last.threshold,
                unit=t["unit"],
                due=last.due,
                kpi_code=t["kpi_code"],
                kpi_formula_version=kpis.FORMULA_VERSION if t["kpi_code"] else "",
                indicator=c.indicators.get(t["indicator"]) if t["indicator"] else None,
                scope_kind=t["scope_kind"],
                scope_agency=t.get("scope_agency"),
                scope_tier=t.get("scope_tier") or "",
                scope_field=t.get("scope_field") or "",
                share_required=t.get("share_required") or 100,
                tolerance=t["tolerance"],
                trajectory=t["trajectory"],
                baseline_due=t["baseline_due"],
                refines=t["refines"],
                quote=t["quote"],
                order=order,
            )
            Stage.objects.bulk_create(
                Stage(
                    target=target,
                    due=s.due,
                    threshold=s.threshold,
                    step=s.step,
                    from_rule=s.from_rule,
                )
                for s in t["stages"]
            )
            result.targets += 1
            result.stages += len(t["stages"])
        for t in dom["tasks"]:
            _task(plan, domain, t, result)
    for t in data["tasks"]:
        _task(plan, None, t, result)
    for i, d in enumerate(data["duties"]):
        ReportingDuty.objects.create(plan=plan, order=i, **d)
        result.duties += 1
    record(
        actor,
        "plan.import",
        plan,
        agency=plan.agency,
        changes={"targets": result.targets, "tasks": result.tasks, "duties": result.duties},
    )
    return result


def _task(plan: Plan, domain: Domain | None, t: dict[str, Any], result: ImportResult) -> None:
    supporting = t.pop("supporting")
    result.tasks += 1
    task = Task.objects.create(plan=plan, domain=domain, order=result.tasks, **t)
    if supporting:
        task.supporting_agencies.set(supporting)


def import_plan(text: str, actor: Actor, *, check_only: bool = False) -> ImportResult:
    """Check a plan file and (unless ``check_only``) write it, in one transaction; raise
    :class:`PlanImportError` with every issue found, having written nothing."""
    src, issues = read_plan_file(text)
    if src is None:
        raise PlanImportError(issues)
    with transaction.atomic():
        ensure_indicators()
        checker, data = _check(src)
        if checker.issues:
            raise PlanImportError(checker.issues)
        if check_only:
            result = ImportResult(None, checked_only=True)
            for dom in data["domains"]:
                result.targets += len(dom["targets"])
                result.stages += sum(len(t["stages"]) for t in dom["targets"])
                result.tasks += len(dom["tasks"])
            result.tasks += len(data["tasks"])
            result.duties = len(data["duties"])
            transaction.set_rollback(True)
            return result
        return _write(checker, data, actor)
