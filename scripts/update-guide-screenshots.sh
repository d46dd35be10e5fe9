#!/usr/bin/env bash
# Refresh the pictures of README's user guide: run the browser test that walks each kind of
# request (it leaves one viewport-sized screenshot per step in tests/_artifacts/guide/), then
# copy them to docs/guide/, replacing the old ones.  Run from anywhere in the checkout, with its
# .venv set up; then look at the pictures and commit docs/guide/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
shots="$root/tests/_artifacts/guide"
rm -rf "$shots"
"$root/.venv/bin/python" -m pytest "$root/tests/web/test_procedure_browser.py" -q
mkdir -p "$root/docs/guide"
rm -f "$root/docs/guide/"*.png
cp "$shots/"*.png "$root/docs/guide/"
ls -l "$root/docs/guide/"
