"""Screenshots people look at: ``SCREENSHOTS=1`` keeps them in ``.data/screenshots/``."""

from __future__ import annotations

import os

from playwright.sync_api import Page

from tests.browser.conftest import SHOTS


def shoot(page: Page, name: str) -> None:
    """A full-page screenshot named ``name`` when ``SCREENSHOTS`` is set."""
    if os.environ.get("SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
