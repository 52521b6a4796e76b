"""Catalogue pages: scoping, search, publishing a version from the form, import and export."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from caicach.core.audit import Actor
from caicach.procedures.models import Procedure
from caicach.procedures.services import (
    catalogue_to_xlsx,
    create_procedure,
    export_catalogue,
)
from caicach.procedures.tests.factories import (
    FieldFactory,
    ProcedureFactory,
    ProcedureVersionFactory,
    procedure_data,
)

pytestmark = pytest.mark.django_db
CLI = Actor.system("test")


@pytest.fixture
def catalogue(tree):
    """Birth registration handled by the commune (owned by the province); a building permit
    handled by department B."""
    hotich = FieldFactory(code="HOTICH", name="Hộ tịch")
    birth = create_procedure(
        CLI,
        procedure_data("1.001193", tree.province, [tree.commune], hotich, name="Đăng ký khai sinh"),
    )
    xaydung = FieldFactory(code="XAYDUNG", name="Xây dựng")
    permit = create_procedure(
        CLI,
        procedure_data(
            "1.009999", tree.dept_b, [tree.dept_b], xaydung, name="Cấp giấy phép xây dựng"
        ),
    )
    return {"birth": birth, "permit": permit}


@pytest.fixture
def reform(tree, make_officer, client):
    user = make_officer("reform_officer", tree.province)
    client.force_login(user)
    return user


def form_data(procedure: Procedure, **overrides: Any) -> dict[str, Any]:
    """What the "publish a version" page posts when submitted unchanged, plus overrides."""
    version = procedure.versions.order_by("-number").first()
    data: dict[str, Any] = {
        "name": version.name,
        "field": version.field_id,
        "authority_level": version.authority_level,
        "handling_agencies": [a.code for a in procedure.handling_agencies.all()],
        "online_level": version.online_level,
        "partial_reason": version.partial_reason,
        "statutory_value": "4",
        "statutory_unit": version.statutory_unit,
        "promised_value": "3",
        "cutoff": "15:00",
        "result_name": version.result_name,
        "result_paper": "on",
        "result_electronic": "on",
        "legal_basis": "",
        "effective_from": (timezone.localdate() + timedelta(days=1)).isoformat(),
    }
    # The catalogue facts' checkboxes, as the page shows them checked (issue 13).
    for fact in (
        "full_online_eligible",
        "national_portal_integrated",
        "payable_online",
        "served_at_centre",
    ):
        if getattr(version, fact):
            data[fact] = "on"
    for prefix, rows in {
        "components": [
            {"name": "Đơn đề nghị", "copy_kind": "original", "quantity": "1", "required": "on"}
        ],
        "fees": [{"name": "Lệ phí cấp phép", "kind": "fee", "amount": "8000"}],
        "steps": [
            {"order": "1", "name": "Tiếp nhận", "role": "receiver", "budget": "1"},
            {"order": "2", "name": "Thẩm định", "role": "processor", "budget": "2"},
            {"order": "3", "name": "Phê duyệt", "role": "agency_leader", "budget": "1"},
        ],
    }.items():
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows) + 1)  # one blank row, as the page has
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = value
    data.update(overrides)
    return data


def _errors(response: Any) -> Any:
    forms = response.context["forms"]
    return forms.form.errors, [
        (name, fs.errors, fs.non_form_errors()) for name, fs in forms.formsets.items()
    ]


def test_anonymous_is_sent_to_login(client, catalogue):
    for url in (
        reverse("procedures:list"),
        reverse("procedures:detail", args=["1.001193"]),
        reverse("procedures:new_version", args=["1.001193"]),
        reverse("procedures:import"),
        reverse("procedures:export", args=["json"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_every_officer_reads_the_whole_public_catalogue(client, tree, make_officer, catalogue):
    # Issue 16: reading the public catalogue is not changing it (a commune's receiver sees the
    # department's procedures too, read-only).
    client.force_login(make_officer("receiver", tree.commune))
    response = client.get(reverse("procedures:list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đăng ký khai sinh" in page
    assert "Cấp giấy phép xây dựng" in page


def test_search_without_diacritics(client, reform, catalogue):
    response = client.get(reverse("procedures:list"), {"q": "khai sinh"})
    assert [p.code for p in response.context["page"]] == ["1.001193"]
    response = client.get(reverse("procedures:list"), {"q": "GIẤY PHÉP"})
    assert [p.code for p in response.context["page"]] == ["1.009999"]


def test_filters(client, reform, catalogue):
    url = reverse("procedures:list")
    assert len(client.get(url, {"field": "XAYDUNG"}).context["page"]) == 1
    assert len(client.get(url, {"online_level": "full"}).context["page"]) == 2
    assert len(client.get(url, {"online_level": "none"}).context["page"]) == 0
    assert len(client.get(url, {"authority_level": "department"}).context["page"]) == 2
    assert client.get(url, {"online_level": "level4"}).status_code == 400
    assert client.get(url, {"page": "abc"}).status_code == 200


def test_list_query_count_does_not_grow(client, reform, tree, django_assert_max_num_queries):
    for _ in range(3):
        ProcedureVersionFactory(procedure=ProcedureFactory(owner_agency=tree.province))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("procedures:list"))
    for _ in range(20):
        ProcedureVersionFactory(procedure=ProcedureFactory(owner_agency=tree.province))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("procedures:list"))
    assert len(response.context["page"]) == 23


def test_detail_shows_everything(client, reform, catalogue):
    response = client.get(reverse("procedures:detail", args=["1.001193"]))
    page = response.content.decode()
    assert "8.000 đ" in page
    assert "Đơn đề nghị" in page
    assert "4 ngày làm việc / 4 ngày làm việc" in page  # total of the steps vs statutory
    assert "procedure.create" in page  # the reform officer sees the audit trail


def test_detail_query_count(client, reform, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        client.get(reverse("procedures:detail", args=["1.001193"]))


def test_any_detail_is_readable_but_not_changeable_and_unknown_is_404(
    client, tree, make_officer, catalogue
):
    client.force_login(make_officer("receiver", tree.commune))
    assert client.get(reverse("procedures:detail", args=["1.009999"])).status_code == 200
    assert client.get(reverse("procedures:new_version", args=["1.009999"])).status_code == 403
    assert client.get(reverse("procedures:detail", args=["9.999999"])).status_code == 404


def test_publishing_from_the_form_creates_a_version(client, reform, catalogue):
    procedure = catalogue["birth"]
    url = reverse("procedures:new_version", args=[procedure.code])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["forms"].form["statutory_value"].value() == Decimal(4)
    response = client.post(url, form_data(procedure, statutory_value="5"))
    assert response.status_code == 302, _errors(response)
    version = procedure.versions.get(number=2)
    assert version.statutory_value == 5
    assert [s.name for s in version.steps.all()] == ["Tiếp nhận", "Thẩm định", "Phê duyệt"]
    assert procedure.versions.get(number=1).effective_to == timezone.localdate()
    detail = client.get(response["Location"]).content.decode()
    assert "Đã công bố phiên bản 2" in detail


def test_a_budget_overflow_is_shown_next_to_the_steps(client, reform, catalogue):
    procedure = catalogue["birth"]
    response = client.post(
        reverse("procedures:new_version", args=[procedure.code]),
        form_data(procedure, **{"steps-1-budget": "2,5"}),
    )
    assert response.status_code == 400
    assert response.context["forms"].steps.non_form_errors() == [
        "Tổng thời gian các bước (4,5 ngày làm việc) vượt thời hạn giải quyết (4 ngày làm việc)."
    ]
    assert procedure.versions.count() == 1


def test_rule_errors_land_on_their_fields(client, reform, catalogue):
    procedure = catalogue["birth"]
    response = client.post(
        reverse("procedures:new_version", args=[procedure.code]),
        form_data(procedure, promised_value="6", online_level="partial", **{"steps-2-order": "5"}),
    )
    forms = response.context["forms"]
    assert "promised_value" in forms.form.errors
    assert "partial_reason" in forms.form.errors
    assert "Thứ tự các bước phải liên tiếp" in forms.steps.non_form_errors()[0]


def test_an_unchanged_form_publishes_nothing(client, reform, catalogue):
    procedure = catalogue["birth"]
    response = client.post(
        reverse("procedures:new_version", args=[procedure.code]), form_data(procedure)
    )
    assert response.status_code == 400
    assert "Không có thay đổi nào" in response.content.decode()


def test_garbage_post_is_400_not_500(client, reform, catalogue):
    url = reverse("procedures:new_version", args=["1.001193"])
    assert client.post(url, {"statutory_value": "nhiều"}).status_code == 400
    assert client.post(url, {"steps-TOTAL_FORMS": "x"}).status_code == 400


def test_officers_outside_the_owner_agency_get_403(client, tree, make_officer, catalogue):
    client.force_login(make_officer("reform_officer", tree.dept_b))
    birth = catalogue["birth"]  # owned by the province, above department B
    assert client.get(reverse("procedures:new_version", args=[birth.code])).status_code == 403
    assert (
        client.post(
            reverse("procedures:new_version", args=[birth.code]), form_data(birth)
        ).status_code
        == 403
    )
    permit = catalogue["permit"]
    assert client.get(reverse("procedures:new_version", args=[permit.code])).status_code == 200


def test_receivers_cannot_edit_or_create(client, tree, make_officer, catalogue):
    client.force_login(make_officer("receiver", tree.province))
    assert client.get(reverse("procedures:new_version", args=["1.001193"])).status_code == 403
    assert client.get(reverse("procedures:create")).status_code == 403
    assert client.post(reverse("procedures:import"), {}).status_code == 403


def test_create_page(client, reform, tree):
    url = reverse("procedures:create")
    assert client.get(url).status_code == 200
    post = {
        "code": "2.000815",
        "owner_agency": tree.dept_a.code,
        "name": "Chứng thực bản sao từ bản chính",
        "field_code": "CHUNGTHUC",
        "field_name": "Chứng thực",
        "authority_level": "commune",
        "handling_agency_kinds": ["commune"],
        "online_level": "full",
        "statutory_value": "1",
        "statutory_unit": "working_days",
        "promised_value": "1",
        "cutoff": "15:00",
        "result_name": "Bản sao được chứng thực",
        "result_paper": "on",
        "effective_from": "2025-07-01",
        "components-TOTAL_FORMS": "1",
        "components-INITIAL_FORMS": "0",
        "fees-TOTAL_FORMS": "1",
        "fees-INITIAL_FORMS": "0",
        "fees-0-name": "Phí chứng thực",
        "fees-0-kind": "charge",
        "fees-0-amount": "2000",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-0-order": "1",
        "steps-0-name": "Tiếp nhận và chứng thực",
        "steps-0-role": "processor",
        "steps-0-budget": "1",
    }
    response = client.post(url, post)
    assert response.status_code == 302, _errors(response)
    procedure = Procedure.objects.get(code="2.000815")
    assert procedure.field.name == "Chứng thực"
    assert list(procedure.handling_agencies.all()) == [tree.commune]
    again = client.post(url, post)
    assert again.status_code == 400
    assert "đã có trong danh mục" in str(again.context["forms"].form.errors["code"])


def test_export_downloads(client, reform, catalogue):
    response = client.get(reverse("procedures:export", args=["json"]))
    document = json.loads(response.content)
    assert [r["code"] for r in document["procedures"]] == ["1.001193", "1.009999"]
    assert "attachment" in response["Content-Disposition"]
    response = client.get(reverse("procedures:export", args=["xlsx"]))
    assert response.content.startswith(b"PK")
    assert client.get(reverse("procedures:export", args=["pdf"])).status_code == 404


def test_import_page_shows_every_error_and_changes_nothing(client, tree, make_officer, catalogue):
    client.force_login(make_officer("admin", tree.province))
    rows = export_catalogue(Procedure.objects.all())
    rows[0]["workflow"][0]["budget"] = 9
    rows[1]["online_level"] = "partial"
    rows[1]["partial_reason"] = ""
    upload = SimpleUploadedFile("danh-muc.xlsx", catalogue_to_xlsx(rows))
    response = client.post(reverse("procedures:import"), {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Chưa nhập: tệp có 2 lỗi" in page
    assert "vượt thời hạn giải quyết" in page
    assert "J · Lý do chỉ trực tuyến một phần" in page
    assert Procedure.objects.get(code="1.001193").versions.count() == 1


def test_import_page_success(client, tree, make_officer, catalogue):
    client.force_login(make_officer("admin", tree.province))
    rows = export_catalogue(Procedure.objects.all())
    rows[0]["statutory_time"]["value"] = 5
    rows[0]["effective_from"] = "2026-01-01"
    upload = SimpleUploadedFile("danh-muc.json", json.dumps(rows).encode())
    response = client.post(reverse("procedures:import"), {"file": upload}, follow=True)
    assert "1 phiên bản mới" in response.content.decode()
    assert Procedure.objects.get(code="1.001193").versions.count() == 2


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.json", b"{not json"),
        ("x.json", b"\xff\xfe"),
        ("x.xlsx", b"nope"),
        ("x.csv", b"a,b"),
        ("x.json", b"[1, 2]"),
    ],
)
def test_import_page_rejects_garbage_with_400(client, tree, make_officer, name, content):
    client.force_login(make_officer("admin", tree.province))
    response = client.post(
        reverse("procedures:import"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400


def test_version_page_shows_an_old_version(client, reform, catalogue):
    response = client.get(reverse("procedures:version", args=["1.001193", 1]))
    assert response.status_code == 200
    assert client.get(reverse("procedures:version", args=["1.001193", 7])).status_code == 404


def test_future_version_is_listed_as_upcoming(client, reform, tree):
    field = FieldFactory()
    data = procedure_data("1.000777", tree.province, [tree.commune], field)
    data.effective_from = timezone.localdate() + timedelta(days=30)
    create_procedure(CLI, data)
    page = client.get(reverse("procedures:list")).content.decode()
    assert "áp dụng từ" in page
