"""Fixtures shared by the test packages; each block belongs to one part of the project."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import dokuwiki as dokuwiki_harness

# -- A real DokuWiki (tests/dokuwiki.py) ---------------------------------------------------------


@pytest.fixture(scope="module", params=dokuwiki_harness.RELEASES, ids=lambda r: r.name)
def dokuwiki(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[dokuwiki_harness.TestWiki]:
    """A served DokuWiki with the harness's users, ACL and pages, one per test module and
    release (Igor's XML-RPC, Kaos's JSON-RPC: each test using it runs on both; building one
    takes about a second); tests that edit it use pages of their own."""
    release = request.param
    reason = dokuwiki_harness.skip_reason(release)
    if reason:
        pytest.skip(reason)
    with dokuwiki_harness.running_wiki(tmp_path_factory.mktemp(f"dokuwiki-{release.name}"),
                                      release=release) as wiki:
        yield wiki
