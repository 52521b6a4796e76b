"""Browser tests: Playwright for Python driving Debian's Chromium, headless.

Every test here gets ``page`` (a fresh browser context) and the Django ``live_server``. A failed
test leaves a full-page screenshot in ``.data/screenshots/``; ``SCREENSHOTS=1`` keeps one for
passing tests too, so people can look at what each page shows.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test
# body are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / ".data" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash.setdefault(_REPORTS, {})["call"] = report


_REPORTS = pytest.StashKey[dict[str, Any]]()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest, live_server: Any) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    # Anything the Content-Security-Policy blocks (an inline script, an eval) fails the test.
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page
    report = request.node.stash.get(_REPORTS, {}).get("call")
    if report is not None and (report.failed or os.environ.get("SCREENSHOTS")):
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        suffix = "FAILED" if report.failed else "ok"
        page.screenshot(path=str(SHOTS / f"{name}.{suffix}.png"), full_page=True)
    context.close()
    assert blocked == [], blocked


def login(page: Page, live_server: Any, username: str, password: str) -> None:
    """Sign in through the login form and wait for the home page."""
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state("networkidle")


def shots(page: Page, name: str, widths: tuple[int, ...] = (1280, 768, 390)) -> None:
    """With ``SCREENSHOTS=1``, full-page screenshots of the page as it is at each width (desktop,
    tablet, phone) in ``.data/screenshots/<name>.<width>.png``; the viewport is put back."""
    if not os.environ.get("SCREENSHOTS"):
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    for width in widths:
        page.set_viewport_size({"width": width, "height": 1024 if width < 1000 else 900})
        page.screenshot(path=str(SHOTS / f"{name}.{width}.png"), full_page=True)
    if before:
        page.set_viewport_size(before)
