"""What the tests in a real headless Chromium share (their fixtures ``live_server`` and ``page``
are in conftest.py): Debian's Chromium, Playwright's API, where screenshots go, signing in.

Importing this module skips the importing test module when Chromium or Playwright is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "_artifacts"

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def sign_in(page: sync_api.Page, name: str) -> None:
    """Fill in the sign-in form the page shows and send it."""
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def signed_in(page: sync_api.Page, name: str = "agnes") -> None:
    """Open the sign-in page, sign in as ``name`` and wait for the search page."""
    page.goto("/connexion")
    sign_in(page, name)
    page.wait_for_url("**/")
