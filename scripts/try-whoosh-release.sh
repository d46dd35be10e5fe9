#!/usr/bin/env bash
# Run the tests that prove a whoosh3 release still holds what kbtool relies on beyond Whoosh's
# public API: the private names of kbtool/index/whoosh_private.py, the segment bytes kbtool
# writes itself, and indexes written by an earlier kbtool.  See docs/whoosh-upgrade.md.
#
# Usage: scripts/try-whoosh-release.sh VERSION     (e.g. 3.55.0)
#
# The release is installed in a scratch venv (removed at the end) with kbtool's other
# dependencies; the tests run against this working copy.  Exit status: pytest's (0: it holds).
set -euo pipefail

# The tests of docs/whoosh-upgrade.md ("What the tests prove"), which checks this list.
UPGRADE_TESTS=(
    tests/index/test_whoosh_private.py
    tests/index/test_segment.py
    tests/index/test_merge.py
    tests/index/test_postings.py
    tests/index/test_build.py
    tests/index/test_release_index.py
    tests/index/test_mapped_files.py
)

version=${1:?"usage: $0 VERSION (a whoosh3 release, e.g. 3.55.0)"}
root=$(cd "$(dirname "$0")/.." && pwd)
venv=$(mktemp -d "${TMPDIR:-/tmp}/kbtool-whoosh3-$version.XXXXXX")
trap 'rm -rf "$venv"' EXIT

python3 -m venv "$venv"
"$venv/bin/pip" install -q "$root[test]"
# kbtool pins another release: replacing it is the point (pip warns of the conflict).
"$venv/bin/pip" install -q "whoosh3==$version" 2>&1 | grep -v -e "incompatible" -e "dependency resolver" >&2 || true
installed=$("$venv/bin/python" -c "from importlib.metadata import version; print(version('whoosh3'))")
if [ "$installed" != "$version" ]; then
    echo "whoosh3 $version could not be installed (found $installed)" >&2
    exit 2
fi

cd "$root"  # python -m puts the working copy first on sys.path: its kbtool is tested
if "$venv/bin/python" -m pytest -p no:cacheprovider -q --continue-on-collection-errors \
        "${UPGRADE_TESTS[@]}"; then
    echo "whoosh3 $version: kbtool's private calls and segment bytes hold"
else
    status=$?
    echo "whoosh3 $version: something kbtool relies on changed (see the failures above)" >&2
    exit "$status"
fi
