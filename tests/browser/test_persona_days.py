"""Issue 16, "Done means": each persona's working day through the PAGES only (menus, links,
buttons, forms; no API URL typed), in Vietnamese on a desktop and in English on a 390 px phone.

The province is the small one the other browser tests build (:func:`caicach.conftest.tree`), staffed
like the demo (:func:`caicach.demo.services.demo_officers`: a provincial service centre's desk, a
department's processor and head of office under its leader, a commune's whole chain, the reform
officer, the inspector, the administrator). What another person did before the day starts (a
dossier already assigned, a decision waiting for signature) is set up through the services.

Each test asserts what the officer reads: the page texts in the chosen language, taken from the
same catalogues as the page (gettext, the bilingual workflow labels), and in English no
Vietnamese-only leftover on the key screens (:func:`_vietnamese_leftovers`). With
``SCREENSHOTS=1`` every key screen is saved as ``persona_<who>_<step>_<lang>_<width>.png``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from caicach.accounts.models import User
from caicach.agencies.models import Agency, AgencyKind, AgencyLevel
from caicach.agencies.tests.factories import AgencyFactory
from caicach.dossiers.models import Dossier, Referral
from caicach.dossiers.tests.conftest import (  # noqa: F401 - agencies in operation since 2020
    _fresh_calendar_lookup,
    _media_in_tmp,
    tree,
)
from caicach.dossiers.tests.factories import CITIZEN_ID, act, procedure_version, receive
from caicach.dossiers.workflow import DossierAction, DossierState
from caicach.procedures.services import search_text
from tests.browser.conftest import login
from tests.browser.shots import shoot

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

#: (language, viewport width): every persona once in Vietnamese on a desktop and once in
#: English on a 390 px phone.
VARIANTS = [("vi", 1280), ("en", 390), ("vi", 390), ("en", 1280)]

# Letters only Vietnamese uses (a Vietnamese-only leftover in the English interface).
_VIETNAMESE = re.compile(
    "[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđăơư"
    "ẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸĐĂƠƯ]"
)


@dataclass
class Day:
    """The test's reader: the language and width, and the texts as the page shows them."""

    page: Page
    url: str
    lang: str
    width: int
    who: str
    data: list[str]  # names and values typed by people: Vietnamese in either language

    def t(self, text: str) -> str:
        """``text`` (a Vietnamese msgid) as the page shows it in the chosen language; in
        English the catalogue must have it (else the officer reads Vietnamese)."""
        with translation.override(self.lang):
            shown = gettext(text)
        if self.lang == "en":
            assert shown != text, f"no English for {text!r}"
        return shown

    def action(self, action: DossierAction) -> str:
        return action.label_en if self.lang == "en" else action.label_vi

    def state(self, state: DossierState) -> str:
        return state.label_en if self.lang == "en" else state.label_vi

    def menu(self, label: str) -> None:
        """Open a menu entry as the officer does: on a phone, through the "Menu" button."""
        toggle = self.page.locator(".menu-toggle")
        if toggle.is_visible():
            toggle.click()
        self.page.locator("#main-menu").get_by_role("link", name=self.t(label), exact=True).click()

    def shot(self, step: str) -> None:
        """Save the screen; on a phone, nothing may stick out sideways (a table scrolls in its
        own frame, the page does not)."""
        shoot(self.page, f"persona_{self.who}_{step}_{self.lang}_{self.width}")
        if self.width < 800:
            wide = self.page.evaluate(_OVERFLOW_JS)
            assert wide == [], (step, wide)
            scroll = self.page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= self.width + 1, (step, scroll, self.page.evaluate(_DEBUG_JS))

    def no_leftovers(self, where: str = "main") -> None:
        if self.lang == "en":
            found = _vietnamese_leftovers(self.page.locator(where).inner_text(), self.data)
            assert found == [], found

    def act(self, action: DossierAction, fill: dict[str, str] | None = None) -> None:
        """Open the action's box on the dossier page, fill it and confirm."""
        label = self.action(action)
        box = self.page.locator("details", has=self.page.locator("summary", has_text=label))
        box.locator("summary").click()
        for field, value in (fill or {}).items():
            box.get_by_label(self.t(field), exact=False).first.fill(value)
        note = box.locator("textarea[name=note][required]")
        if note.count() and not note.input_value():
            note.fill("Đã kiểm tra")
        confirm = self.t("Xác nhận: %(label)s") % {"label": label}
        box.get_by_role("button", name=confirm).click()

    def done(self, action: DossierAction) -> None:
        """The page says the action was done (the message names it, in the language)."""
        said = self.t("Đã thực hiện “%(action)s”. Trạng thái: %(state)s.")
        head = said.split("%(action)s")[0] + self.action(action)
        expect(self.page.get_by_role("status").filter(has_text=head)).to_be_visible()

    def print_forms(self) -> int:
        """Open every form the dossier page offers; each is a PDF. Returns how many."""
        links = self.page.locator("#forms").get_by_role("link")
        count = links.count()
        assert count >= 1
        for n in range(count):
            href = links.nth(n).get_attribute("href")
            assert href and not href.startswith("/api/"), href
            response = self.page.request.get(f"{self.url}{href}")
            assert response.status == 200, (href, response.status)
            assert response.headers["content-type"] == "application/pdf", href
        return count


# The elements (outside a frame that scrolls sideways) whose right edge passes the window's.
_OVERFLOW_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    let inner = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(up).overflowX)) { inner = true; break; }
    }
    if (inner) continue;
    const r = el.getBoundingClientRect();
    if (r.width && r.right > window.innerWidth + 1) {
      out.push(el.tagName + (el.id ? '#' + el.id : '') + '.' + el.className + ' ' + Math.round(r.right));
    }
  }
  return out.slice(0, 8);
}"""


_DEBUG_JS = """() => Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + getComputedStyle(e).position).slice(0, 30)"""


def _vietnamese_leftovers(text: str, data: list[str]) -> list[str]:
    """Lines of ``text`` with Vietnamese letters once the people's data is taken out."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, "")
    text = re.sub(r"Lĩnh vực thử \d+", "", text)  # the factories' field names
    return [line.strip() for line in text.splitlines() if _VIETNAMESE.search(line)]


@dataclass
class Province:
    tree: Any
    centre: Agency
    department: Any  # the procedure version of Sở Tư pháp
    commune_version: Any
    officers: dict[str, User]


def _named(version: Any, name: str) -> Any:
    procedure = version.procedure
    procedure.name = name
    procedure.search_text = search_text(procedure.code, name, procedure.field.name)
    procedure.save()
    version.name = name
    version.save()
    return version


@pytest.fixture
def province(tree, make_officer) -> Province:  # noqa: F811
    """The province staffed as the demo is (caicach.demo.services.demo_officers)."""
    centre = AgencyFactory(
        code="000.00.30.H97",
        name="Trung tâm Phục vụ hành chính công tỉnh Thử",
        kind=AgencyKind.SERVICE_CENTRE,
        level=AgencyLevel.PROVINCE,
        parent=tree.province,
        valid_from=tree.province.valid_from,
    )
    people = {
        "admin": ("admin", tree.province, "Nguyễn Quản Trị"),
        "cchc": ("reform_officer", tree.province, "Trần Thị Cải Cách"),
        "thanhtra": ("inspector", tree.province, "Lê Văn Kiểm"),
        "tiepnhan": ("receiver", centre, "Phạm Thị Một Cửa"),
        "motcua": ("receiver", tree.dept_a, "Đỗ Văn Quầy"),
        "thuly": ("processor", tree.dept_a, "Hoàng Văn Thụ Lý"),
        "truongphong": ("unit_leader", tree.dept_a, "Vũ Thị Trưởng"),
        "giamdoc": ("agency_leader", tree.dept_a, "Đặng Văn Giám"),
        "xaydung": ("processor", tree.dept_b, "Lê Xây Dựng"),
        "xa.tiepnhan": ("receiver", tree.commune, "Bùi Thị Xã"),
        "xa.thuly": ("processor", tree.commune, "Lý Văn Công Chức"),
        "xa.chutich": ("agency_leader", tree.commune, "Trịnh Văn Xã"),
    }
    officers = {
        username: make_officer(role, agency, username=username, full_name=name)
        for username, (role, agency, name) in people.items()
    }
    department = _named(
        procedure_version(tree.dept_a, name="Cấp phiếu lý lịch tư pháp", promised_value=3),
        "Cấp phiếu lý lịch tư pháp",
    )
    department.components.create(
        order=2, name="Giấy khai sinh", copy_kind="copy", quantity=1, required=False, reusable=True
    )
    commune = _named(procedure_version(tree.commune, name="Đăng ký khai sinh"), "Đăng ký khai sinh")
    commune.components.create(
        order=2, name="Giấy chứng sinh", copy_kind="copy", quantity=1, required=False
    )
    return Province(tree, centre, department, commune, officers)


DATA = [
    "Trung tâm Phục vụ hành chính công tỉnh Thử",
    "UBND tỉnh Thử",
    "Sở Tư pháp",
    "Sở Xây dựng",
    "Phòng Hành chính tư pháp",
    "phường Bến Thành",
    "Xã Tân Phú",
    "Cấp phiếu lý lịch tư pháp",
    "Đăng ký khai sinh",
    "Tờ khai",
    "Giấy khai sinh",
    "Giấy chứng sinh",
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "12 Lê Lợi, phường Bến Thành",
    "Lệ phí",
    "Thiếu chữ ký người khai",
    "Bản chụp mờ",
    "Đề nghị cho ý kiến về nhân thân người đề nghị.",
    "Cần xác minh thêm với cơ quan khác",
    "Cần xác minh",
    "Hồ sơ không thuộc thẩm quyền giải quyết",
    "Người nộp đề nghị dừng giải quyết",
    "Đã kiểm tra",
]


@pytest.fixture(params=VARIANTS, ids=lambda v: f"{v[0]}-{v[1]}")
def day(request, page: Page, live_server, province, password, who) -> Iterator[Any]:
    """Sign in as ``who`` (the test's parameter), switch the language from the page's
    switcher and set the viewport width."""
    lang, width = request.param
    page.set_viewport_size({"width": width, "height": 900 if width > 800 else 844})
    login(page, live_server, who, password)
    if lang != "vi":
        page.get_by_label("Ngôn ngữ").select_option(lang)
        page.wait_for_load_state("networkidle")
        expect(page.locator("html")).to_have_attribute("lang", lang)
    names = [o.full_name for o in province.officers.values()]
    yield Day(page, live_server.url, lang, width, who.replace(".", "_"), DATA + names)
    # Nothing on the last screen overflows the phone.
    if width < 800:
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


def _received(province: Province, who: str = "motcua", **kwargs: Any) -> Dossier:
    return receive(province.officers[who], province.department, province.tree.dept_a, **kwargs)


def _dossier_from_inbox(day: Day, code: str, tab: str = "Tất cả") -> None:
    """Find the dossier in the inbox by its code (the search box) and open it."""
    day.menu("Hồ sơ")
    day.page.get_by_role("link", name=re.compile(re.escape(day.t(tab)))).first.click()
    row = day.page.locator("tbody tr", has=day.page.get_by_role("link", name=code))
    expect(row).to_have_count(1)
    row.get_by_role("link", name=code).click()
    expect(day.page.get_by_role("heading", level=1)).to_contain_text(code)


# -- the provincial service centre's counter -----------------------------------------------------


@pytest.mark.parametrize("who", ["tiepnhan"])
def test_service_centre_receiver(day: Day, province: Province) -> None:
    """Receives a department's dossier with its documents, takes the fee, prints the receipt
    and the other forms, then filters and exports the inbox."""
    page = day.page
    day.menu("Hồ sơ")
    page.get_by_role("link", name=day.t("Tiếp nhận hồ sơ")).click()
    page.get_by_label(day.t("Thủ tục hành chính")).select_option(province.department.procedure.code)
    checklist = page.locator("#checklist")
    expect(checklist).to_contain_text("Giấy khai sinh")
    page.get_by_label(day.t("Họ tên người nộp / tên tổ chức")).fill("Nguyễn Văn An")
    page.get_by_label(day.t("Số định danh cá nhân (CCCD)")).fill(CITIZEN_ID)
    page.get_by_label(day.t("Điện thoại")).fill("0912345678")
    page.get_by_label(day.t("Địa chỉ"), exact=True).fill("12 Lê Lợi, phường Bến Thành")
    checklist.get_by_label("Tờ khai").set_input_files(
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    checklist.locator("input[type=text]").fill("KHO-0001")
    day.no_leftovers()
    day.shot("1_intake")
    page.get_by_role("button", name=day.t("Tiếp nhận hồ sơ"), exact=True).click()
    dossier = Dossier.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(dossier.code)
    expect(page.locator("#clock-h")).to_be_visible()
    expect(page.locator("main")).to_contain_text(day.state(DossierState.RECEIVED))

    # The fee, in cash, with its receipt.
    fees = page.locator("#fees")
    fees.locator("#cash-form").get_by_role(
        "button", name=day.t("Thu tiền mặt và in biên lai")
    ).click()
    expect(fees.locator("#payments tbody tr")).to_have_count(1)
    receipt = fees.locator("#payments tbody tr").first.get_by_role("link").first
    response = page.request.get(day.url + receipt.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert day.print_forms() >= 2  # 01 receipt and 06 control sheet at least
    day.no_leftovers()
    day.shot("2_dossier")

    # The inbox: filter by channel, then export the filtered list.
    receive(province.officers["tiepnhan"], province.department, province.centre, channel="post")
    day.menu("Hồ sơ")
    page.locator("summary", has_text=day.t("Lọc")).click()
    page.get_by_label(day.t("Kênh nộp")).select_option("post")
    page.get_by_role("button", name=day.t("Lọc"), exact=True).click()
    expect(page.locator("tbody tr")).to_have_count(1)
    day.no_leftovers()
    day.shot("3_inbox")
    with page.expect_download() as info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    assert len(list(sheet.iter_rows(min_row=2, values_only=True))) == 1


# -- a commune's desk ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["xa.tiepnhan"])
def test_commune_receiver(day: Day, province: Province) -> None:
    """Receives a commune dossier, asks for a supplement per document, receives it with the
    file, and returns a signed result to its applicant."""
    page = day.page
    officers = province.officers
    # A dossier signed yesterday, waiting at the desk for its applicant.
    signed = receive(officers["xa.tiepnhan"], province.commune_version, province.tree.commune)
    signed = act(officers["xa.tiepnhan"], signed, "assign", assignee=officers["xa.thuly"].pk)
    signed = act(officers["xa.thuly"], signed, "accept")
    signed = act(officers["xa.thuly"], signed, "submit_for_approval")
    signed = act(officers["xa.chutich"], signed, "approve")

    day.menu("Hồ sơ")
    page.get_by_role("link", name=day.t("Tiếp nhận hồ sơ")).click()
    page.get_by_label(day.t("Thủ tục hành chính")).select_option(
        province.commune_version.procedure.code
    )
    page.get_by_label(day.t("Họ tên người nộp / tên tổ chức")).fill("Trần Thị Bình")
    page.get_by_label(day.t("Số định danh cá nhân (CCCD)")).fill(CITIZEN_ID)
    page.locator("#checklist").get_by_label("Tờ khai").set_input_files(
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name=day.t("Tiếp nhận hồ sơ"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("000.00.61.H97")

    # A supplement per document, then the supplied file.
    label = day.action(DossierAction.REQUEST_SUPPLEMENT)
    box = page.locator("details", has=page.locator("summary", has_text=label))
    box.locator("summary").click()
    box.get_by_role("checkbox", name="Tờ khai").check()
    box.get_by_label(day.t("Lý do bổ sung “%(name)s”") % {"name": "Tờ khai"}).fill(
        "Thiếu chữ ký người khai"
    )
    box.get_by_role("checkbox", name="Giấy chứng sinh").check()
    box.get_by_label(day.t("Lý do bổ sung “%(name)s”") % {"name": "Giấy chứng sinh"}).fill(
        "Bản chụp mờ"
    )
    day.shot("1_supplement_request")
    box.get_by_role("button", name=day.t("Xác nhận: %(label)s") % {"label": label}).click()
    day.done(DossierAction.REQUEST_SUPPLEMENT)
    expect(page.locator("#timeline")).to_contain_text("Tờ khai: Thiếu chữ ký người khai")
    expect(page.locator("main")).to_contain_text(day.state(DossierState.AWAITING_SUPPLEMENT))
    day.no_leftovers()

    label = day.action(DossierAction.SUPPLEMENT_RECEIVED)
    box = page.locator("details", has=page.locator("summary", has_text=label))
    box.locator("summary").click()
    box.get_by_label("Tờ khai *").set_input_files(
        {"name": "to-khai-ky.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    box.get_by_label("Giấy chứng sinh *").set_input_files(
        {"name": "chung-sinh.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    box.get_by_role("button", name=day.t("Xác nhận: %(label)s") % {"label": label}).click()
    day.done(DossierAction.SUPPLEMENT_RECEIVED)
    dossier = Dossier.objects.exclude(pk=signed.pk).get()
    assert dossier.components.count() == 3
    note = day.t(
        "Ngày hẹn trả đã tính lại sau khi bổ sung hồ sơ: thời hạn được tính lại từ đầu "
        "khi nhận đủ hồ sơ lúc %(at)s; hạn theo quy định cũng tính lại từ thời điểm đó: "
        "%(legal)s."
    )
    expect(page.locator("#due-notes")).to_contain_text(note.split("%(at)s")[0].strip())
    assert day.print_forms() >= 3  # 01 (the new receipt), 02, 06
    day.no_leftovers()
    day.shot("2_supplement_received")

    # A dossier refused at the desk (form 03).
    refused = receive(officers["xa.tiepnhan"], province.commune_version, province.tree.commune)
    _dossier_from_inbox(day, refused.code)
    day.act(DossierAction.REFUSE, {"Lý do": "Hồ sơ không thuộc thẩm quyền giải quyết"})
    day.done(DossierAction.REFUSE)
    expect(page.locator("#forms")).to_contain_text(day.t("Mẫu %(n)s") % {"n": "03"})
    day.print_forms()
    day.no_leftovers()

    # The signed result goes back to its applicant.
    _dossier_from_inbox(day, signed.code)
    day.act(DossierAction.RETURN_RESULT)
    day.done(DossierAction.RETURN_RESULT)
    expect(page.locator("main")).to_contain_text(day.state(DossierState.RETURNED))
    assert Dossier.objects.get(pk=signed.pk).state == DossierState.RETURNED
    day.no_leftovers()
    day.shot("3_returned")


# -- the department's processor -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["thuly"])
def test_processor(day: Day, province: Province) -> None:
    """Takes an assigned dossier, consults another department, and sends a finished one for
    signature; prints the control sheet."""
    officers = province.officers
    page = day.page
    first = act(officers["motcua"], _received(province), "assign", assignee=officers["thuly"].pk)
    second = act(officers["motcua"], _received(province), "assign", assignee=officers["thuly"].pk)
    second = act(officers["thuly"], second, "accept")

    _dossier_from_inbox(day, first.code)
    day.act(DossierAction.ACCEPT)
    day.done(DossierAction.ACCEPT)
    expect(page.locator("main")).to_contain_text(day.state(DossierState.PROCESSING))
    day.act(
        DossierAction.CONSULT,
        {
            "Cơ quan, đơn vị được hỏi ý kiến": province.tree.dept_b.code,
            "Hạn trả lời (số ngày làm việc)": "3",
            "Nội dung xin ý kiến": "Đề nghị cho ý kiến về nhân thân người đề nghị.",
        },
    )
    day.done(DossierAction.CONSULT)
    expect(page.locator("#referrals tbody tr")).to_have_count(1)
    expect(page.locator("#referrals")).to_contain_text("nhân thân người đề nghị")
    assert Referral.objects.filter(dossier=first, agency=province.tree.dept_b).exists()
    day.no_leftovers()
    day.shot("1_consulting")

    _dossier_from_inbox(day, second.code)
    day.act(DossierAction.SUBMIT_FOR_APPROVAL)
    day.done(DossierAction.SUBMIT_FOR_APPROVAL)
    expect(page.locator("main")).to_contain_text(day.state(DossierState.AWAITING_APPROVAL))
    assert day.print_forms() >= 2
    day.no_leftovers()
    day.shot("2_submitted")


# -- the head of office ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["truongphong"])
def test_unit_leader(day: Day, province: Province) -> None:
    """Assigns a received dossier to a processor and reads the lateness report."""
    page = day.page
    dossier = _received(province)
    _dossier_from_inbox(day, dossier.code)
    label = day.action(DossierAction.ASSIGN)
    box = page.locator("details", has=page.locator("summary", has_text=label))
    box.locator("summary").click()
    box.get_by_label(day.t("Chuyên viên thụ lý")).select_option(str(province.officers["thuly"].pk))
    box.get_by_role("button", name=day.t("Xác nhận: %(label)s") % {"label": label}).click()
    day.done(DossierAction.ASSIGN)
    expect(page.locator("main")).to_contain_text(day.state(DossierState.ASSIGNED))
    assert Dossier.objects.get().assigned_to_id == province.officers["thuly"].pk
    day.no_leftovers()
    day.shot("1_assigned")
    _report(day)


def _report(day: Day) -> None:
    """The apology and lateness report per agency, this month."""
    day.menu("Xin lỗi, trễ hạn")
    expect(day.page.get_by_role("heading", level=1)).to_have_text(
        day.t("Xin lỗi và trễ hạn theo cơ quan")
    )
    day.page.get_by_role("button", name=day.t("Xem"), exact=True).click()
    expect(day.page.locator("#apology-table")).to_be_visible()
    day.no_leftovers()
    day.shot("report")


# -- the agency's leader ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["giamdoc"])
def test_agency_leader(day: Day, province: Province) -> None:
    """Signs a dossier waiting for approval, apologises for a late one with a new date (form
    04), and reads the report."""
    officers = province.officers
    page = day.page
    waiting = act(officers["motcua"], _received(province), "assign", assignee=officers["thuly"].pk)
    waiting = act(officers["thuly"], waiting, "accept")
    waiting = act(officers["thuly"], waiting, "submit_for_approval")
    late = _received(province)

    _dossier_from_inbox(day, waiting.code)
    day.act(DossierAction.APPROVE)
    day.done(DossierAction.APPROVE)
    expect(page.locator("main")).to_contain_text(day.state(DossierState.APPROVED))
    day.no_leftovers()
    day.shot("1_approved")

    _dossier_from_inbox(day, late.code)
    label = day.action(DossierAction.APOLOGISE)
    box = page.locator("details", has=page.locator("summary", has_text=label))
    box.locator("summary").click()
    box.get_by_label(day.t("Lý do")).first.fill("Cần xác minh thêm với cơ quan khác")
    box.get_by_label(day.t("Ngày hẹn trả mới")).fill(_next_week(late).strftime("%Y-%m-%dT%H:%M"))
    box.get_by_role("button", name=day.t("Xác nhận: %(label)s") % {"label": label}).click()
    day.done(DossierAction.APOLOGISE)
    expect(page.locator("#due-dates")).to_contain_text(day.t("Hẹn trả mới (sau xin lỗi)"))
    expect(page.locator("#forms")).to_contain_text(day.t("Mẫu %(n)s") % {"n": "04"})
    assert day.print_forms() >= 3
    day.no_leftovers()
    day.shot("2_apologised")

    # A dossier stopped (TT 03/2025: form 05).
    stopped = _received(province)
    _dossier_from_inbox(day, stopped.code)
    day.act(DossierAction.STOP, {"Lý do": "Người nộp đề nghị dừng giải quyết"})
    day.done(DossierAction.STOP)
    expect(page.locator("#forms")).to_contain_text(day.t("Mẫu %(n)s") % {"n": "05"})
    day.print_forms()
    day.no_leftovers()
    _report(day)


def _next_week(dossier: Dossier) -> Any:
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localtime(dossier.legal_due_at + timedelta(days=7)).replace(hour=17, minute=0)


# -- the reform office -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["cchc"])
def test_reform_officer(day: Day, province: Province) -> None:
    """Reads the report per agency and the home page's figures, then the catalogue."""
    dossier = _received(province)
    act(
        province.officers["giamdoc"],
        dossier,
        "apologise",
        reason="Cần xác minh",
        new_due=_next_week(dossier),
    )
    expect(day.page.get_by_role("heading", level=1)).to_be_visible()
    day.no_leftovers()
    day.shot("1_home")
    _report(day)
    expect(day.page.locator("#apology-table tbody tr")).to_have_count(1)
    expect(day.page.locator("#apology-table")).to_contain_text("Sở Tư pháp")
    day.menu("Thủ tục hành chính")
    expect(day.page.locator("tbody")).to_contain_text("Cấp phiếu lý lịch tư pháp")
    day.no_leftovers()
    day.shot("2_catalogue")


# -- the inspector -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["thanhtra"])
def test_inspector(day: Day, province: Province) -> None:
    """Reads the audit trail filtered by action, then a dossier (read only: no actions)."""
    officers = province.officers
    dossier = act(officers["motcua"], _received(province), "assign", assignee=officers["thuly"].pk)
    page = day.page
    day.menu("Nhật ký")
    page.get_by_label(day.t("Hành động")).select_option(label=day.action(DossierAction.ASSIGN))
    page.get_by_role("button", name=day.t("Lọc")).click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(dossier.code)
    expect(page.locator("body")).not_to_contain_text("dossier.assign")
    day.no_leftovers()
    day.shot("1_audit")
    _dossier_from_inbox(day, dossier.code)
    expect(page.locator("#actions-h")).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text(day.action(DossierAction.ASSIGN))
    day.no_leftovers()
    day.shot("2_dossier")


# -- the administrator ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin"])
def test_admin(day: Day, province: Province) -> None:
    """Finds an officer, gives them a second role, and suspends another account."""
    page = day.page
    day.menu("Cán bộ")
    page.get_by_label(day.t("Tìm theo tên, tên đăng nhập")).fill("thu ly")
    page.get_by_label(day.t("Tìm theo tên, tên đăng nhập")).press("Enter")
    page.get_by_role("link", name="Hoàng Văn Thụ Lý").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hoàng Văn Thụ Lý")
    form = page.locator("form", has=page.get_by_role("button", name=day.t("Thêm"), exact=True))
    form.get_by_label(day.t("Vai trò"), exact=True).select_option("unit_leader")
    form.get_by_label(day.t("Cơ quan (phạm vi)")).select_option(str(province.tree.dept_a.pk))
    form.get_by_role("button", name=day.t("Thêm"), exact=True).click()
    thuly = province.officers["thuly"]
    assert thuly.roles.filter(role="unit_leader").exists()
    day.no_leftovers()
    day.shot("1_role_added")

    page.on("dialog", lambda dialog: dialog.accept())
    day.menu("Cán bộ")
    page.get_by_role("link", name="Lê Xây Dựng").click()
    page.get_by_role("button", name=day.t("Ngừng hoạt động")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(day.t("Ngừng hoạt động"))
    assert not User.objects.get(username="xaydung").is_active
    # The officer's history says it in words, not as a code.
    expect(page.locator("main")).to_contain_text(day.t("Khóa tài khoản cán bộ"))
    expect(page.locator("main")).not_to_contain_text("officer.deactivate")
    day.no_leftovers()
    day.shot("2_suspended")
