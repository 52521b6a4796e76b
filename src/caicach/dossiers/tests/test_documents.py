"""The one-stop forms as PDF: each form renders on A5 with the shipped font, the texts the
regulation asks for, the QR look-up address, and the state and scope rules of the API."""

from __future__ import annotations

import os
import re
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from caicach.core.errors import ConflictError
from caicach.dossiers import documents
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import ORGANISATION, act, receive, vn

pytestmark = pytest.mark.django_db

FONT = b"Caicach-Liberation-Serif"  # WeasyPrint names the subsets after the @font-face family
#: A5 portrait and A4 landscape in PDF points.
A5 = (419.53, 595.28)
A4_LANDSCAPE = (841.89, 595.28)


def inflated(pdf: bytes) -> bytes:
    """The PDF with its Flate streams inflated (WeasyPrint puts the objects, font dictionaries
    included, in compressed object streams)."""
    parts = [pdf]
    # Inflate from each stream's first byte and let zlib find the end: slicing up to
    # "endstream" with a regex would eat a data byte that happens to be a CR (flaky).
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            parts.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue  # not Flate (or a font program): skip
    return b"\n".join(parts)


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    found = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", inflated(pdf))
    return [(round(float(w), 2), round(float(h), 2)) for w, h in found]


def check_pdf(pdf: bytes, size: tuple[float, float]) -> None:
    assert pdf.startswith(b"%PDF-")
    objects = inflated(pdf)
    fonts = set(re.findall(rb"/BaseFont\s*/([^\s/<>\[\]]+)", objects))
    assert fonts
    for name in fonts:  # only the shipped font (subsets named ABCDEF+Liberation-Serif-Bold)
        assert FONT in name, name
    assert b"/FontFile2" in objects  # embedded TrueType, not a reference to a system font
    sizes = page_sizes(pdf)
    assert sizes
    for width, height in sizes:
        assert abs(width - size[0]) < 1 and abs(height - size[1]) < 1


def dump(pdf: bytes, name: str) -> None:
    """``CAICACH_DUMP_FORMS=/dir`` keeps the PDFs, to look at them."""
    target = os.environ.get("CAICACH_DUMP_FORMS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        (Path(target) / f"{name}.pdf").write_bytes(pdf)


@pytest.fixture
def dossier(tree, officers, version) -> Dossier:
    with time_machine.travel(vn(2025, 6, 2, 9, 30), tick=False):
        return receive(officers.receiver, version, tree.dept_a)


# -- rendering -------------------------------------------------------------------------------


def test_the_receipt_has_the_header_the_applicant_and_the_dates(dossier, version, settings):
    settings.CAICACH_PROVINCE_NAME = "tỉnh An Hòa"
    html = documents.render_form_html(dossier, "receipt", base_url="https://dvc.example.vn")
    assert "Cộng hòa xã hội chủ nghĩa Việt Nam" in html
    assert "Độc lập - Tự do - Hạnh phúc" in html
    assert "An Hòa, ngày 02 tháng 6 năm 2025" in html
    assert "Sở Tư pháp" in html and "UBND tỉnh Thử" in html
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in html
    assert dossier.code in html
    assert version.name in html
    assert "Nguyễn Văn An" in html
    assert "Tờ khai" in html
    assert "09 giờ 30 phút, ngày 02/06/2025" in html  # received
    assert "17 giờ 00 phút, ngày 05/06/2025" in html  # promised: 3 working days
    # Decree 13/2023: only the last four digits of the citizen ID, no phone or address.
    assert "••••••••2345" in html
    assert "001085012345" not in html
    assert "0912345678" not in html
    assert "Lê Lợi" not in html
    # The QR code of the public look-up address, as inline SVG.
    url = f"https://dvc.example.vn/tra-cuu/{dossier.code}?t={dossier.lookup_token}"
    assert url in html
    assert "<svg" in html and 'aria-label="QR"' in html


def test_the_receipt_is_an_a5_pdf_with_the_embedded_font(dossier):
    pdf = documents.render_form(dossier, "receipt")
    dump(pdf, "receipt")
    check_pdf(pdf, A5)
    assert len(page_sizes(pdf)) == 1


def test_the_font_is_loaded_from_the_shipped_files(dossier):
    css = documents.font_faces()
    for name in ("Regular", "Bold", "Italic", "BoldItalic"):
        path = documents.FONT_DIR / f"LiberationSerif-{name}.ttf"
        assert path.is_file()
        assert path.as_uri() in css
    assert (documents.FONT_DIR / "OFL.txt").is_file()


def test_the_lookup_url_is_relative_without_a_public_address(dossier, settings):
    settings.CAICACH_PUBLIC_URL = ""
    assert documents.lookup_url(dossier) == f"/tra-cuu/{dossier.code}?t={dossier.lookup_token}"
    settings.CAICACH_PUBLIC_URL = "https://dichvucong.example.vn/"
    assert documents.lookup_url(dossier).startswith(
        "https://dichvucong.example.vn/tra-cuu/000.00.01.H97-250602-0001?t="
    )


def test_a_supplement_request_prints_the_reason(dossier, officers):
    with time_machine.travel(vn(2025, 6, 3, 10), tick=False):
        d = act(
            officers.receiver, dossier, "request_supplement", reason="Thiếu bản sao giấy khai sinh."
        )
    html = documents.render_form_html(d, "supplement")
    assert "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ" in html
    assert "Thiếu bản sao giấy khai sinh." in html
    assert "ngày 03 tháng 6 năm 2025" in html
    assert d.code in html
    pdf = documents.render_form(d, "supplement")
    dump(pdf, "supplement")
    check_pdf(pdf, A5)


def test_a_refusal_prints_the_reason(dossier, officers):
    d = act(officers.receiver, dossier, "refuse", reason="Không thuộc thẩm quyền giải quyết.")
    html = documents.render_form_html(d, "refusal")
    assert "Phiếu từ chối tiếp nhận giải quyết hồ sơ" in html
    assert "Không thuộc thẩm quyền giải quyết." in html
    assert d.code in html
    pdf = documents.render_form(d, "refusal")
    dump(pdf, "refusal")
    check_pdf(pdf, A5)


def test_an_apology_prints_the_old_and_new_dates(dossier, officers):
    with time_machine.travel(vn(2025, 6, 3, 10), tick=False):
        d = act(
            officers.leader,
            dossier,
            "apologise",
            reason="Chờ xác minh.",
            new_due=vn(2025, 6, 10, 17),
        )
    html = documents.render_form_html(d, "apology")
    assert "Phiếu xin lỗi và hẹn lại ngày trả kết quả" in html
    assert "Chờ xác minh." in html
    assert "17 giờ 00 phút, ngày 05/06/2025" in html  # the first promise
    assert "17 giờ 00 phút, ngày 10/06/2025" in html  # the new one
    assert d.code in html
    pdf = documents.render_form(d, "apology")
    dump(pdf, "apology")
    check_pdf(pdf, A5)


def test_a_stop_notice_prints_the_reason(dossier, officers):
    d = act(officers.receiver, dossier, "assign")
    d = act(officers.processor, d, "accept")
    d = act(officers.leader, d, "stop", reason="Người nộp đề nghị dừng để điều chỉnh hồ sơ.")
    assert d.state == "stopped"
    html = documents.render_form_html(d, "stop")
    assert "Thông báo dừng giải quyết hồ sơ" in html
    assert "Người nộp đề nghị dừng để điều chỉnh hồ sơ." in html
    pdf = documents.render_form(d, "stop")
    dump(pdf, "stop")
    check_pdf(pdf, A5)


def test_the_control_sheet_is_the_hand_over_grid(dossier, officers):
    d = act(officers.receiver, dossier, "assign")
    d = act(officers.processor, d, "accept")
    d = act(officers.processor, d, "appraise", note="Hồ sơ hợp lệ.")
    html = documents.render_form_html(d, "control_sheet")
    assert "Phiếu kiểm soát quá trình giải quyết hồ sơ" in html
    assert d.code in html
    # Form 06: one row per hand-over (the desk to the processor), giver and receiver named,
    # with a signature cell for each; not a log of every event.
    context = documents.form_context(d, "control_sheet")
    (handover,) = context["handovers"]
    assert handover["giver"] == officers.receiver.username  # no full name in the fixture
    assert handover["taker"] == officers.processor.username
    assert handover["action"] == "Nhận thụ lý"
    assert html.count('<td class="sign"></td>') == 2
    assert "Người giao ký" in html and "Người nhận ký" in html
    pdf = documents.render_form(d, "control_sheet")
    dump(pdf, "control_sheet")
    check_pdf(pdf, (595.28, 841.89))  # A4 portrait


def test_an_organisation_is_printed_with_its_representative(tree, officers, version):
    d = receive(officers.receiver, version, tree.dept_a, applicant=ORGANISATION)
    html = documents.render_form_html(d, "receipt")
    assert "Công ty TNHH Thử Nghiệm" in html
    assert "Trần Thị Bình" in html
    assert "Số định danh cá nhân" not in html


def test_the_register_is_an_a4_landscape_pdf(tree, officers, version, dossier):
    with time_machine.travel(vn(2025, 6, 2, 14), tick=False):
        other = receive(officers.receiver, version, tree.dept_a, applicant=ORGANISATION)
    rows = list(
        Dossier.objects.filter(pk__in=[dossier.pk, other.pk])
        .select_related("procedure_version", "applicant", "deciding_agency")
        .prefetch_related("components")
        .order_by("received_at", "id")
    )
    html = documents.render_register_html(tree.dept_a, date(2025, 6, 1), date(2025, 6, 30), rows)
    assert "Sổ theo dõi hồ sơ" in html
    assert "Từ ngày 01/06/2025 đến ngày 30/06/2025" in html
    assert dossier.code in html and other.code in html
    assert "001085012345" not in html
    pdf = documents.render_register(tree.dept_a, date(2025, 6, 1), date(2025, 6, 30), rows)
    dump(pdf, "register")
    check_pdf(pdf, A4_LANDSCAPE)


@pytest.mark.parametrize("form", ["supplement", "refusal", "apology", "stop"])
def test_a_form_the_history_does_not_support_is_a_409(dossier, form):
    with pytest.raises(ConflictError) as caught:
        documents.render_form(dossier, form)
    assert caught.value.status == 409
    assert caught.value.code == "form_not_available"
    assert caught.value.message_vi and caught.value.message_en


def test_an_unknown_form_is_a_404(dossier):
    with pytest.raises(documents.UnknownFormError) as caught:
        documents.render_form(dossier, "nonsense")
    assert caught.value.status == 404


# -- API -------------------------------------------------------------------------------------


def url(code: str, form: str) -> str:
    return f"/api/v1/dossiers/{code}/forms/{form}.pdf"


def test_the_api_returns_the_pdf(dossier, officers):
    api = APIClient()
    api.force_authenticate(officers.processor)
    response = api.get(url(dossier.code, "receipt"), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{dossier.code}-receipt.pdf"' in response["Content-Disposition"]
    check_pdf(response.content, A5)
    # Any Accept header: a browser link works too.
    assert api.get(url(dossier.code, "control_sheet")).status_code == 200


def test_the_api_prints_an_absolute_lookup_address(dossier, officers, monkeypatch, settings):
    seen: list[Any] = []
    real = documents.render_form

    def spy(d: Dossier, form: str, *, base_url: str | None = None) -> bytes:
        seen.append(base_url)
        return real(d, form, base_url=base_url)

    monkeypatch.setattr(documents, "render_form", spy)
    api = APIClient()
    api.force_authenticate(officers.receiver)
    settings.CAICACH_PUBLIC_URL = ""
    assert api.get(url(dossier.code, "receipt")).status_code == 200
    settings.CAICACH_PUBLIC_URL = "https://dichvucong.example.vn"
    assert api.get(url(dossier.code, "receipt")).status_code == 200
    assert seen == ["http://testserver", None]  # None: the setting wins in lookup_url


def test_the_api_refuses_a_form_that_does_not_fit_with_a_409(dossier, officers):
    api = APIClient()
    api.force_authenticate(officers.receiver)
    response = api.get(url(dossier.code, "refusal"), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "form_not_available"
    assert "từ chối" in body["detail_vi"]


def test_the_api_hides_dossiers_out_of_scope_and_unknown_forms(dossier, officers):
    api = APIClient()
    api.force_authenticate(officers.receiver_b)
    response = api.get(url(dossier.code, "receipt"))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    api.force_authenticate(officers.receiver)
    assert api.get(url(dossier.code, "nonsense")).status_code == 404
    assert api.get(url("000.00.01.H97-250602-9999", "receipt")).status_code == 404


def test_the_api_needs_an_officer(dossier):
    response = APIClient().get(url(dossier.code, "receipt"))
    assert response.status_code in (401, 403)


def _pages(html: str) -> int:
    from weasyprint import HTML

    return len(HTML(string=html, base_url=documents.FONT_DIR.as_uri() + "/").render().pages)


@pytest.mark.parametrize("form", ["receipt", "supplement"])
def test_a5_slips_fit_one_page_in_the_worst_case(tree, officers, version, form):
    """Issue 16: a long agency, an organisation with address and phone, ten documents and a
    long request still fit one A5 page with the QR code and the signatures."""
    from django.template.loader import render_to_string

    with time_machine.travel(vn(2025, 6, 2, 9, 30), tick=False):
        d = receive(
            officers.receiver,
            version,
            tree.dept_a,
            applicant={**ORGANISATION, "address": "Số 1 đường Trần Hưng Đạo, phường Hải Châu"},
        )
    if form == "supplement":
        with time_machine.travel(vn(2025, 6, 3, 10), tick=False):
            d = act(officers.receiver, d, "request_supplement", reason="Thiếu giấy tờ. " * 20)
    context = documents.form_context(d, form)
    context["agency"] = {
        "parent": "Ủy ban nhân dân tỉnh Thử Nghiệm",
        "name": "Trung tâm Phục vụ hành chính công tỉnh Thử Nghiệm",
    }
    context["components"] = [
        f"Bản sao có chứng thực giấy tờ chứng minh số {i} theo quy định" for i in range(10)
    ]
    # Issue 16: with the line under a provisional return date too.
    context.update(due_provisional=True, due_year=2027)
    html = render_to_string(f"dossiers/forms/{form}.html", context)
    dump(documents._pdf(html), f"worst-{form}")
    if os.environ.get("CAICACH_DUMP_FORMS"):
        Path(os.environ["CAICACH_DUMP_FORMS"], f"worst-{form}.html").write_text(html)
    assert _pages(html) == 1
    assert "Số: " in html and "<svg" in html
    if form == "receipt":
        assert "Mã số thuế: 0100109106" in html
        assert "Địa chỉ:" in html
        assert "(tạm tính)" in html
    else:
        assert "Nơi nhận:" in html


def test_a_long_agency_name_prints_its_short_name(tree):
    tree.dept_a.name = "Ban quản lý các khu công nghiệp, khu kinh tế và khu công nghệ cao tỉnh Thử"
    tree.dept_a.short_name = "Ban quản lý các KCN"
    assert documents._agency_header(tree.dept_a)["name"] == "Ban quản lý các KCN"
