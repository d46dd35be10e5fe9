"""Fixtures shared by the test packages; each block belongs to one part of the project."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import dokuwiki as dokuwiki_harness

# -- A real DokuWiki (tests/dokuwiki.py) ---------------------------------------------------------


@pytest.fixture(scope="module")
def dokuwiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dokuwiki_harness.TestWiki]:
    """A served DokuWiki with the harness's users, ACL and pages, one per test module (building
    one takes about a second); tests that edit it use pages of their own."""
    reason = dokuwiki_harness.skip_reason()
    if reason:
        pytest.skip(reason)
    with dokuwiki_harness.running_wiki(tmp_path_factory.mktemp("dokuwiki")) as wiki:
        yield wiki
