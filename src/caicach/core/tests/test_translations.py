"""The English catalogues are complete and compiled, and the language switch really switches.

The msgids are the Vietnamese source text, so Vietnamese needs no catalogue; English comes from
``locale/en`` (the project's) and the apps' own ``<app>/locale/en`` (makemessages writes an app's
strings there when the app has a ``locale`` folder, as ``accounts`` does).
"""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

PACKAGE_DIR = Path(__file__).resolve().parents[2]
EN_CATALOGUES = sorted(PACKAGE_DIR.glob("**/locale/en/LC_MESSAGES/django.po"))

#: Letters that only Vietnamese uses among the interface's languages.
VIETNAMESE = re.compile(
    "[ăâđêôơưĂÂĐÊÔƠƯ"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ]"
)
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]|%[sdif]|\{[A-Za-z_][A-Za-z0-9_]*\}")
#: msgids whose English is the msgid itself.
SAME_IN_ENGLISH = {"English", "Menu"}


# --------------------------------------------------------------------------------------------
# A small .po reader (the stdlib has none)
# --------------------------------------------------------------------------------------------


class Entry:
    def __init__(self) -> None:
        self.flags: set[str] = set()
        self.msgctxt: str | None = None
        self.msgid = ""
        self.msgid_plural: str | None = None
        self.msgstr: dict[int, str] = {}
        self.line = 0

    @property
    def key(self) -> str:
        """The key the compiled catalogue uses: ``context\\x04msgid``."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def read_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] = ("", 0)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            entry = None
            continue
        if line.startswith("#~"):
            raise AssertionError(f"{path}:{number}: obsolete entry left in the catalogue")
        if entry is None:
            entry = Entry()
            entry.line = number
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            rest = line
        else:
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            target = ("msgstr", int(match[1])) if match else (keyword, 0)
        text = ast.literal_eval(rest)
        field, index = target
        if field == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + text
        elif field in {"msgid", "msgid_plural", "msgctxt"}:
            setattr(entry, field, (getattr(entry, field) or "") + text)
        else:
            raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
    return entries


def messages(path: Path) -> Iterator[Entry]:
    return (entry for entry in read_po(path) if entry.msgid)


def test_english_catalogues_exist() -> None:
    assert PACKAGE_DIR / "locale/en/LC_MESSAGES/django.po" in EN_CATALOGUES
    # No Vietnamese catalogue is needed: the msgids are Vietnamese. The only one is the
    # accounts app's, for a Django message its own Vietnamese catalogue lacks.
    vi = sorted(PACKAGE_DIR.glob("**/locale/vi/LC_MESSAGES/django.po"))
    assert vi == [PACKAGE_DIR / "accounts/locale/vi/LC_MESSAGES/django.po"]


@pytest.mark.parametrize("path", EN_CATALOGUES, ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_english_catalogue_is_fully_translated(path: Path) -> None:
    entries = read_po(path)
    header = entries[0]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]
    problems = []
    for entry in entries[1:]:
        where = f"{path.name}:{entry.line} {entry.msgid[:60]!r}"
        forms = 2 if entry.msgid_plural is not None else 1
        if "fuzzy" in entry.flags:
            problems.append(f"{where}: fuzzy")
        if sorted(entry.msgstr) != list(range(forms)) or not all(entry.msgstr.values()):
            problems.append(f"{where}: untranslated")
            continue
        for text in entry.msgstr.values():
            if text == entry.msgid and entry.msgid not in SAME_IN_ENGLISH:
                problems.append(f"{where}: copied, not translated")
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(entry.msgid)):
                problems.append(f"{where}: placeholders differ in {text!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", EN_CATALOGUES, ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_compiled_catalogue_matches_the_po_file(path: Path) -> None:
    """The committed ``.mo`` holds exactly the ``.po``'s translations (run compilemessages)."""
    mo = path.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `django-admin compilemessages` in src/caicach"
    with mo.open("rb") as handle:
        compiled: dict[Any, str] = dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]
    expected: dict[Any, str] = {}
    for entry in messages(path):
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            for index, text in entry.msgstr.items():
                expected[(entry.key, index)] = text
    compiled.pop("", None)  # the header
    assert compiled == expected, f"{mo} is out of date: run `django-admin compilemessages`"


def test_catalogues_are_used() -> None:
    with translation.override("en"):
        assert translation.gettext("Thủ tục hành chính") == "Administrative procedures"
        assert translation.gettext("Đăng nhập cán bộ") == "Officer sign-in"  # accounts' catalogue
        assert translation.pgettext("weekday abbreviation", "CN") == "Sun"
        assert translation.ngettext("%(counter)s thủ tục", "%(counter)s thủ tục", 2) == (
            "%(counter)s procedures"
        )
    with translation.override("vi"):
        assert translation.gettext("Thủ tục hành chính") == "Thủ tục hành chính"
        # The accounts app's Vietnamese for a Django message still wins over Django's own.
        assert translation.ngettext(
            "This password is too short. It must contain at least %d character.",
            "This password is too short. It must contain at least %d characters.",
            12,
        ) == ("Mật khẩu quá ngắn: cần ít nhất %d ký tự.")


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


class _Text(HTMLParser):
    """The visible text of a page, or of its first ``tag`` element having the attribute ``attr``."""

    def __init__(self, tag: str | None = None, attr: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.tag, self.attr = tag, attr
        self.depth = 0  # how deep inside the chosen element
        self.done = False
        self.skip = 0  # inside <script> or <style>
        self.parts: list[str] = []

    def _inside(self) -> bool:
        return self.tag is None or self.depth > 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self.skip += 1
        if self.tag is not None and tag == self.tag:
            if self.depth:
                self.depth += 1
            elif not self.done and (self.attr is None or self.attr in attrs):
                self.depth = 1
        if self._inside():
            self.parts.extend(value or "" for name, value in attrs if name in _TEXT_ATTRS)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self.skip -= 1
        if self.tag is not None and tag == self.tag and self.depth:
            self.depth -= 1
            self.done = self.depth == 0

    def handle_data(self, data: str) -> None:
        if self._inside() and not self.skip:
            self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


_TEXT_ATTRS = {"title", "aria-label", "placeholder", "alt"}


def visible_text(html: str, tag: str | None = None, attr: tuple[str, str] | None = None) -> str:
    parser = _Text(tag, attr)
    parser.feed(html)
    return parser.text()


def leftover_vietnamese(text: str, *data: str) -> list[str]:
    """Words of ``text`` in Vietnamese, once the given data (names, not interface) is removed."""
    for value in (settings.CAICACH_PROVINCE_NAME, *data):
        text = text.replace(str(value), " ")
    return [word for word in text.split() if VIETNAMESE.search(word)]


@pytest.fixture(autouse=True)
def _default_language_afterwards() -> Iterator[None]:
    """A request activates its language for the whole thread: leave Vietnamese behind."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def officer(tree: Any, make_officer: Any) -> Any:
    """A reform officer (no second factor required) who sees every menu entry but "Officers"."""
    return make_officer("reform_officer", tree.province, username="reform", full_name="Le Thi Ha")


LOGIN = "/tai-khoan/dang-nhap/"


@pytest.mark.django_db
def test_login_page_in_english(client: Any) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(LOGIN)
    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in html
    text = visible_text(html)
    for english in ("Officer sign-in", "Username", "Password", "Sign in", "Skip navigation"):
        assert english in text
    assert leftover_vietnamese(text) == []


@pytest.mark.django_db
def test_signed_in_page_in_english(client: Any, officer: Any, tree: Any) -> None:
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    nav = visible_text(html, "nav")
    for english in ("Overview", "Agencies", "Administrative procedures", "Working calendar"):
        assert english in nav
    assert "Audit log" in nav
    header = visible_text(html, "header", ("class", "topbar"))
    assert "Security" in header and "Sign out" in header and "Reform officer" in header
    assert leftover_vietnamese(header) == []
    page = visible_text(html)
    assert "Hello, Le Thi Ha" in page
    assert leftover_vietnamese(page, tree.province.name) == []


@pytest.mark.django_db
def test_english_menu_follows_on_other_pages(client: Any, officer: Any) -> None:
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in ("/thu-tuc/", "/lich/", "/co-quan/", "/nhat-ky/"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        header = visible_text(html, "header", ("class", "topbar"))
        assert "Administrative procedures" in header, url
        assert leftover_vietnamese(header) == [], url


@pytest.mark.django_db
def test_vietnamese_by_default(client: Any, officer: Any) -> None:
    response = client.get(LOGIN)
    assert response["Content-Language"] == "vi"
    assert "Đăng nhập cán bộ" in visible_text(response.content.decode())
    client.force_login(officer)
    response = client.get("/")
    html = response.content.decode()
    assert '<html lang="vi">' in html
    nav = visible_text(html, "nav")
    assert "Thủ tục hành chính" in nav and "Tổng quan" in nav
    assert "Administrative procedures" not in html
    assert "Đăng xuất" in visible_text(html, "header", ("class", "topbar"))
