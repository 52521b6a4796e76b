"""Workspace reports: the period rules, the dossier register (PDF, XLSX) and apologies and
lateness per agency, their scoping, bad input (4xx, never 500) and query counts."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import load_workbook
from rest_framework.test import APIClient

from caicach.core.models import AuditEntry
from caicach.dossiers import documents, reports
from caicach.dossiers.models import Dossier, DossierEvent
from caicach.dossiers.reports import GroupBy, Period, PeriodError
from caicach.dossiers.tests.factories import (
    CITIZEN_ID,
    PERSON,
    act,
    procedure_version,
    receive,
    vn,
)

JUNE = Period(date(2025, 6, 1), date(2025, 6, 30))
NOW = vn(2025, 6, 20, 9)

# --------------------------------------------------------------------------------------------
# The period (pure)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("", "", Period(date(2025, 6, 1), date(2025, 6, 30))),  # this month by default
        ("2025-06-03", "2025-06-05", Period(date(2025, 6, 3), date(2025, 6, 5))),
        ("03/06/2025", "5/6/2025", Period(date(2025, 6, 3), date(2025, 6, 5))),
        ("2025-06-10", "", Period(date(2025, 6, 10), date(2025, 6, 30))),
        ("2024-06-16", "2025-06-16", Period(date(2024, 6, 16), date(2025, 6, 16))),  # 366 days
        ("2025-06-05", "2025-06-05", Period(date(2025, 6, 5), date(2025, 6, 5))),
    ],
)
def test_a_period_is_read_from_the_query(start, end, expected):
    assert reports.parse_period(start, end, date(2025, 6, 16)) == expected


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        ("2025-06-31", "", "không đúng định dạng"),  # no such day
        ("hôm qua", "", "không đúng định dạng"),
        ("", "2025/06/30", "không đúng định dạng"),
        ("1" * 400, "", "không đúng định dạng"),
        ("2025-06-10", "2025-06-09", "phải trước"),
        ("2024-06-15", "2025-06-16", "tối đa 366 ngày"),  # 367 days
        ("0001-01-01", "9999-12-31", "tối đa 366 ngày"),
    ],
)
def test_a_bad_period_is_a_bilingual_400(start, end, words):
    with pytest.raises(PeriodError) as caught:
        reports.parse_period(start, end, date(2025, 6, 16))
    assert caught.value.status == 400
    assert words in caught.value.message_vi
    assert caught.value.message_en


@given(st.dates(), st.dates(), st.dates())
@example(date(2025, 6, 1), date(2025, 6, 30), date(9999, 12, 1))  # December 9999 has an end
def test_parse_period_either_succeeds_within_the_bounds_or_raises_period_error(a, b, today):
    try:
        period = reports.parse_period(a.isoformat(), b.isoformat(), today)
    except PeriodError:
        assert a > b or (b - a).days + 1 > reports.MAX_PERIOD_DAYS
    else:
        assert (period.start, period.end) == (a, b)
        assert 1 <= period.days <= reports.MAX_PERIOD_DAYS


@given(st.dates())
@example(date(9999, 12, 31))
def test_the_default_period_is_the_month_of_today(today):
    period = reports.default_period(today)
    assert period.start <= today <= period.end
    assert period.start.day == 1 and period.start.month == period.end.month
    assert period.end == date.max or (period.end + timedelta(days=1)).day == 1
    assert period.bounds()[0] < period.bounds()[1]  # the instants of the last month too


# --------------------------------------------------------------------------------------------
# Data: five dossiers of department A in June 2025, one of department B
# --------------------------------------------------------------------------------------------


def _finish(o: Any, tree: Any, d: Dossier, traveller: Any, finish_at: Any) -> Dossier:
    d = act(o.receiver, d, "assign", agency=tree.unit_a.code, assignee=o.processor.pk)
    d = act(o.processor, d, "accept")
    d = act(o.processor, d, "appraise", note="Hồ sơ hợp lệ.")
    d = act(o.processor, d, "submit_for_approval")
    d = act(o.leader, d, "approve")
    traveller.move_to(finish_at)
    return act(o.processor, d, "mark_result_ready")


@pytest.fixture
def june(tree, officers, version) -> Any:
    """Received Mon 02/06/2025 (promised 3 working days: due Thu 05/06 17:00)."""
    o = officers

    class June:
        pass

    with time_machine.travel(vn(2025, 6, 2, 9), tick=False) as traveller:
        early = receive(o.receiver, version, tree.dept_a)
        late = receive(o.receiver, version, tree.dept_a)
        apologised = receive(o.receiver, version, tree.dept_a)
        overdue = receive(o.receiver, version, tree.dept_a)
        version_b = procedure_version(tree.dept_b)
        other = receive(o.receiver_b, version_b, tree.dept_b)
        traveller.move_to(vn(2025, 6, 2, 10))
        June.early = _finish(o, tree, early, traveller, vn(2025, 6, 3, 11))
        traveller.move_to(vn(2025, 6, 3, 10))
        June.apologised = act(
            o.leader, apologised, "apologise", reason="Chờ xác minh.", new_due=vn(2025, 6, 10, 17)
        )
        June.late = _finish(o, tree, late, traveller, vn(2025, 6, 9, 10))
    June.overdue = overdue
    June.other = other
    # An apology sent too late (history imported from an older system): the guard of
    # NĐ 61/2018 art. 19 would refuse it, the report must show it.
    DossierEvent.objects.create(
        dossier=June.late,
        at=vn(2025, 6, 5, 9),
        action="apologise",
        from_state="processing",
        to_state="processing",
        agency=tree.unit_a,
        payload={"previous_due_at": vn(2025, 6, 5, 17).isoformat()},
    )
    return June


# --------------------------------------------------------------------------------------------
# Apologies and lateness per agency
# --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_figures_per_deciding_agency(tree, officers, june, make_officer):
    inspector = make_officer("inspector", tree.province, username="thanhtra")
    report = reports.apology_stats(inspector, tree.province, JUNE, GroupBy.DECIDING, now=NOW)
    by_code = {r.code: r for r in report.rows}
    a = by_code[tree.dept_a.code]
    assert (a.finished, a.late, a.apologies, a.late_apologies, a.overdue_unapologised) == (
        2,
        1,
        2,
        1,
        1,
    )
    b = by_code[tree.dept_b.code]
    assert (b.finished, b.apologies, b.overdue_unapologised) == (0, 0, 1)
    assert report.totals == {
        "finished": 2,
        "late": 1,
        "apologies": 2,
        "late_apologies": 1,
        "overdue_unapologised": 2,
    }
    # Sorting by a figure, most first; ties in tree order.
    assert [r.code for r in report.sorted_rows("overdue_unapologised", True)] == [
        tree.dept_a.code,
        tree.dept_b.code,
    ]


@pytest.mark.django_db
def test_figures_per_holding_unit(tree, officers, june):
    report = reports.apology_stats(officers.leader, tree.dept_a, JUNE, GroupBy.HOLDING, now=NOW)
    by_code = {r.code: r for r in report.rows}
    # Finished dossiers end at the desk of department A; the apology of the leader counts for
    # department A, the imported late one for the unit that sent it.
    assert by_code[tree.dept_a.code].finished == 2
    assert by_code[tree.dept_a.code].apologies == 1
    assert by_code[tree.unit_a.code].late_apologies == 1
    assert tree.dept_b.code not in by_code


@pytest.mark.django_db
def test_before_the_due_date_nothing_is_overdue(tree, officers, june):
    report = reports.apology_stats(
        officers.leader, tree.dept_a, JUNE, GroupBy.DECIDING, now=vn(2025, 6, 4, 9)
    )
    assert report.totals["overdue_unapologised"] == 0


@pytest.mark.django_db
def test_the_figures_cost_a_fixed_number_of_queries(
    tree, officers, june, make_officer, django_assert_max_num_queries
):
    inspector = make_officer("inspector", tree.province, username="thanhtra")
    reports.apology_stats(inspector, tree.province, JUNE, now=NOW)  # warm the calendar cache
    inspector = type(inspector).objects.get(pk=inspector.pk)
    with django_assert_max_num_queries(5):  # assignments, 2 aggregates, agencies, calendar
        reports.apology_stats(inspector, tree.province, JUNE, now=NOW)


@pytest.mark.django_db
def test_another_agency_is_out_of_scope(tree, officers, june):
    with pytest.raises(reports.AgencyNotInScopeError) as caught:
        reports.apology_stats(officers.leader, tree.dept_b, JUNE)
    assert caught.value.status == 404 and "phạm vi" in caught.value.message_vi
    with pytest.raises(reports.AgencyNotInScopeError):
        reports.resolve_agency(officers.leader, tree.province.code, "reports.view")
    with pytest.raises(reports.AgencyNotInScopeError):  # a receiver may not see the figures
        reports.apology_stats(officers.receiver, tree.dept_a, JUNE)


@pytest.mark.django_db
def test_the_dossiers_behind_a_figure(tree, officers, june):
    def codes(metric: str, by: GroupBy = GroupBy.DECIDING) -> set[str]:
        found = reports.metric_dossiers(
            officers.leader, tree.dept_a, JUNE, by, reports.Metric(metric), now=NOW
        )
        return {d.code for d in found}

    assert codes("finished") == {june.early.code, june.late.code}
    assert codes("late") == {june.late.code}
    assert codes("apologies") == {june.apologised.code, june.late.code}
    assert codes("late_apologies") == {june.late.code}
    assert codes("overdue_unapologised") == {june.overdue.code}


# --------------------------------------------------------------------------------------------
# The register
# --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_register_lists_what_the_agency_received_in_order(tree, officers, june):
    rows = list(reports.register_queryset(officers.receiver, tree.dept_a, JUNE))
    assert [d.code for d in rows] == sorted(
        [june.early.code, june.late.code, june.apologised.code, june.overdue.code]
    )
    assert not list(
        reports.register_queryset(
            officers.receiver, tree.dept_a, Period(date(2025, 7, 1), date(2025, 7, 31))
        )
    )


@pytest.mark.django_db
def test_the_register_as_xlsx(tree, officers, june):
    content = reports.register_xlsx(officers.receiver, tree.dept_a, JUNE)
    sheet = load_workbook(io.BytesIO(content.read())).active
    assert sheet.freeze_panes == "A5"  # the title, the period and the column headings stay
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0][0].startswith("SỔ THEO DÕI HỒ SƠ")
    assert values[1][0] == "Từ ngày 01/06/2025 đến ngày 30/06/2025"
    assert values[3][:3] == ["TT", "Mã hồ sơ", "Tên thủ tục hành chính"]
    body = values[4:]
    assert [r[0] for r in body] == [1, 2, 3, 4]
    assert {r[1] for r in body} == {
        june.early.code,
        june.late.code,
        june.apologised.code,
        june.overdue.code,
    }
    first = next(r for r in body if r[1] == june.early.code)
    assert first[3] == 1  # one component
    assert first[6].strftime("%H:%M %d/%m/%Y") == "09:00 02/06/2025"  # Vietnam time
    assert first[11] == "Trước hạn"
    text = repr(values)
    assert CITIZEN_ID not in text and "0912345678" not in text


@pytest.mark.django_db
def test_the_register_pdf_and_its_bound(tree, officers, june, monkeypatch):
    pdf = reports.register_pdf(officers.receiver, tree.dept_a, JUNE)
    assert pdf.startswith(b"%PDF")
    html = documents.render_register_html(
        tree.dept_a,
        JUNE.start,
        JUNE.end,
        reports.register.register_queryset(officers.receiver, tree.dept_a, JUNE),
    )
    assert "{#" not in html and "Fixed layout" not in html  # no template comment printed
    monkeypatch.setattr(reports.register, "PDF_MAX_ROWS", 3)
    with pytest.raises(reports.TooManyRowsError) as caught:
        reports.register_pdf(officers.receiver, tree.dept_a, JUNE)
    assert caught.value.status == 400 and "XLSX" in caught.value.message_vi


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_register_page_downloads_pdf_and_xlsx(client, tree, officers, june):
    client.force_login(officers.receiver)
    url = reverse("dossiers:register")
    page = client.get(url, {"from": "2025-06-01", "to": "2025-06-30"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sổ theo dõi hồ sơ" in html and "4 hồ sơ trong sổ" in html
    assert tree.dept_b.code not in html  # not offered
    response = client.get(url, {"from": "2025-06-01", "to": "2025-06-30", "tai": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    response = client.get(url, {"from": "2025-06-01", "to": "2025-06-30", "tai": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == reports.XLSX_TYPE
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.active.max_row == 8
    exports = AuditEntry.objects.filter(action="dossier.register_export")
    assert sorted(e.changes["format"] for e in exports) == ["pdf", "xlsx"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"from": "2025-06-30", "to": "2025-06-01", "tai": "pdf"}, 400, "phải trước"),
        ({"from": "ngày mai", "tai": "xlsx"}, 400, "không đúng định dạng"),
        ({"from": "2024-01-01", "to": "2025-06-01"}, 400, "tối đa 366 ngày"),
        ({"agency": "000.00.02.H97", "tai": "pdf"}, 404, "phạm vi"),
        ({"agency": "không-có"}, 404, "phạm vi"),
    ],
)
def test_the_register_page_refuses_bad_input(client, tree, officers, june, params, status, words):
    client.force_login(officers.receiver)
    response = client.get(reverse("dossiers:register"), params)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert words in response.content.decode()
    assert not AuditEntry.objects.filter(action="dossier.register_export").exists()


@pytest.mark.django_db
def test_the_apology_page_table_links_and_queries(
    client, tree, officers, june, make_officer, django_assert_max_num_queries
):
    reformer = make_officer("reform_officer", tree.province, username="cchc")
    client.force_login(reformer)
    url = reverse("dossiers:apologies")
    params = {"agency": tree.province.code, "from": "2025-06-01", "to": "2025-06-30"}
    client.get(url, params)  # warm caches (calendar, session)
    with django_assert_max_num_queries(9):
        response = client.get(url, {**params, "sort": "late", "dir": "desc"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sở Tư pháp" in html and "Sở Xây dựng" in html and "Tổng cộng" in html
    rows = response.context["rows"]
    assert rows[0]["row"].code == tree.dept_a.code  # most late first
    link = next(c["link"] for c in rows[0]["cells"] if c["metric"] == "late")
    listing = client.get(link)
    assert listing.status_code == 200
    assert june.late.code in listing.content.decode()
    assert june.early.code not in listing.content.decode()
    holding = client.get(url, {**params, "by": "holding"})
    assert "đơn vị giữ hồ sơ" in holding.content.decode()


@pytest.mark.django_db
def test_the_apology_page_is_for_leaders_and_scoped(client, tree, officers, june):
    client.force_login(officers.receiver)
    assert client.get(reverse("dossiers:apologies")).status_code == 403
    menu = client.get(reverse("dossiers:inbox")).content.decode()
    assert reverse("dossiers:register") in menu
    assert reverse("dossiers:apologies") not in menu
    client.force_login(officers.leader)
    menu = client.get(reverse("dossiers:inbox")).content.decode()
    assert reverse("dossiers:apologies") in menu
    response = client.get(reverse("dossiers:apologies"), {"agency": tree.dept_b.code})
    assert response.status_code == 404 and "phạm vi" in response.content.decode()
    response = client.get(reverse("dossiers:apologies"), {"from": "x"})
    assert response.status_code == 400
    response = client.get(
        reverse("dossiers:apology_dossiers"),
        {"agency": tree.dept_a.code, "metric": "nope"},
    )
    assert response.status_code == 400
    response = client.get(
        reverse("dossiers:apology_dossiers"),
        {"agency": tree.dept_b.code, "metric": "late"},
    )
    assert response.status_code == 404


# --------------------------------------------------------------------------------------------
# API
# --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_register_api(tree, officers, june):
    api = APIClient()
    api.force_authenticate(officers.receiver)
    base = f"/api/v1/registers/{tree.dept_a.code}"
    response = api.get(f"{base}.pdf", {"from": "2025-06-01", "to": "2025-06-30"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    response = api.get(f"{base}.xlsx", {"from": "01/06/2025", "to": "30/06/2025"})
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.max_row == 8
    response = api.get(f"{base}.pdf", {"from": "2025-06-30", "to": "2025-06-01"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_period" and response.json()["detail_vi"]
    response = api.get(f"/api/v1/registers/{tree.dept_b.code}.xlsx")
    assert response.status_code == 404 and response.json()["code"] == "agency_not_found"


@pytest.mark.django_db
def test_the_apology_api(tree, officers, june, make_officer, django_assert_max_num_queries):
    inspector = make_officer("inspector", tree.province, username="thanhtra")
    api = APIClient()
    api.force_authenticate(inspector)
    url = "/api/v1/reports/apologies/"
    params = {"agency": tree.province.code, "from": "2025-06-01", "to": "2025-06-30"}
    api.get(url, params)
    with django_assert_max_num_queries(7):
        response = api.get(url, params)
    assert response.status_code == 200
    data = response.json()
    assert data["by"] == "deciding" and data["date_from"] == "2025-06-01"
    assert data["totals"]["finished"] == 2 and data["totals"]["late_apologies"] == 1
    assert {r["agency"]["code"] for r in data["rows"]} == {tree.dept_a.code, tree.dept_b.code}
    assert api.get(url, {**params, "by": "x"}).status_code == 400
    assert api.get(url, {**params, "to": "2024-01-01"}).status_code == 400
    api.force_authenticate(officers.leader)
    assert api.get(url, params).status_code == 404
    assert api.get(url, {"agency": tree.dept_a.code}).status_code == 200
    api.force_authenticate(officers.processor)
    assert api.get(url).status_code == 403


@pytest.mark.django_db
def test_the_register_xlsx_writes_a_formula_like_name_as_text(tree, officers, version):
    """An applicant named ``=HYPERLINK(…)`` stays a name in the workbook (issue 17 item 6)."""
    name = '=HYPERLINK("http://evil.example","Bấm vào đây")'
    with time_machine.travel(vn(2025, 6, 2, 9), tick=False):
        receive(officers.receiver, version, tree.dept_a, applicant={**PERSON, "full_name": name})
    content = reports.register_xlsx(officers.receiver, tree.dept_a, JUNE).read()
    row = next(iter(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=5)))
    assert (row[4].value, row[4].data_type, row[4].quotePrefix) == (name, "s", True)
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
