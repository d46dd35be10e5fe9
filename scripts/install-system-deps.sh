#!/usr/bin/env bash
# System packages the tests need, and an unpacked (not installed) DokuWiki for the wiki tests.
#
# Run as root on a fresh Debian machine (CI's .ci/run does).  Idempotent: every step is skipped
# when already done, so a second run costs a few seconds.  DokuWiki is unpacked with dpkg -x
# rather than installed, because installing the package pulls Apache and a system-wide wiki;
# the tests serve throw-away copies of the unpacked tree with `php -S` instead.
#
# Two releases, one per remote API: Debian 12's 2022-07-31 "Igor" (XML-RPC) and Debian 13's
# 2024-02-06 "Kaos" (JSON-RPC), the latter fetched from the Debian mirror's trixie pool (its
# file named, and its checksum given, by trixie's package index) with the one PHP library it
# needs that Debian 12 lacks (php-kissifrot-php-ixr).
#
# Environment:
#   KBTOOL_DOKUWIKI_DIR       where Igor is unpacked (default /opt/kbtool-test/dokuwiki)
#   KBTOOL_DOKUWIKI_KAOS_DIR  where Kaos is unpacked (default /opt/kbtool-test/dokuwiki-kaos)
set -euo pipefail

PACKAGES=(php-cli php-xml php-phpseclib php-geshi libphp-simplepie chromium poppler-utils
          php-phpseclib3 php-constant-time php-random-compat)
DOKUWIKI_DIR="${KBTOOL_DOKUWIKI_DIR:-/opt/kbtool-test/dokuwiki}"
KAOS_DIR="${KBTOOL_DOKUWIKI_KAOS_DIR:-/opt/kbtool-test/dokuwiki-kaos}"
DEBIAN_MIRROR="http://deb.debian.org/debian/"

missing_packages() {
    local package
    for package in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            echo "$package"
        fi
    done
}

install_packages() {
    local missing
    missing=$(missing_packages)
    if [ -z "$missing" ]; then
        echo "system packages: already installed"
        return
    fi
    echo "system packages: installing" $missing
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    # shellcheck disable=SC2086  # one word per package
    apt-get install -y --no-install-recommends $missing
}

unpack_dokuwiki() {
    # Written last, so an interrupted unpack is done again on the next run.
    local marker="$DOKUWIKI_DIR/.unpacked"
    if [ -f "$marker" ]; then
        echo "dokuwiki: already unpacked in $DOKUWIKI_DIR"
        return
    fi
    echo "dokuwiki: unpacking into $DOKUWIKI_DIR"
    local work
    work=$(mktemp -d)
    trap 'rm -rf "$work"' RETURN
    # apt fetches as the unprivileged _apt user when that user may write the folder.
    chown _apt "$work" 2>/dev/null || true
    # Package lists may be missing (a fresh image whose other packages were already there).
    if ! (cd "$work" && apt-get download dokuwiki); then
        apt-get update
        (cd "$work" && apt-get download dokuwiki)
    fi
    mkdir -p "$DOKUWIKI_DIR"
    dpkg -x "$work"/dokuwiki_*.deb "$DOKUWIKI_DIR"
    dpkg-deb -f "$work"/dokuwiki_*.deb Version > "$marker"
}

fetch_trixie_deb() {
    # fetch_trixie_deb NAME FOLDER: download an architecture-independent package of Debian 13
    # into FOLDER, checked against the SHA-256 its package index gives; prints the file's path.
    python3 - "$1" "$2" "$DEBIAN_MIRROR" <<'PY'
import hashlib, lzma, sys, urllib.request
name, folder, mirror = sys.argv[1:]


def download(url, timeout):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.read()
    except OSError as exc:
        sys.exit(f"{name}: cannot download {url}: {exc}")


index = download(mirror + "dists/trixie/main/binary-all/Packages.xz", 120)
for stanza in lzma.decompress(index).decode("utf-8").split("\n\n"):
    fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line)
    if fields.get("Package") == name:
        break
else:
    sys.exit(f"{name}: not in Debian trixie's package index at {mirror}")
data = download(mirror + fields["Filename"], 300)
if hashlib.sha256(data).hexdigest() != fields["SHA256"]:
    sys.exit(f"{name}: {fields['Filename']} does not match the index's SHA-256")
path = f"{folder}/{fields['Filename'].rsplit('/', 1)[1]}"
with open(path, "wb") as out:
    out.write(data)
print(path)
PY
}

unpack_dokuwiki_kaos() {
    # Every step checked by hand: the caller tolerates a failure (no errexit in here).
    local marker="$KAOS_DIR/.unpacked"
    if [ -f "$marker" ]; then
        echo "dokuwiki kaos: already unpacked in $KAOS_DIR"
        return
    fi
    echo "dokuwiki kaos: fetching from Debian trixie, unpacking into $KAOS_DIR"
    local work ixr deb
    work=$(mktemp -d) || return 1
    trap 'rm -rf "$work"' RETURN
    chown _apt "$work" 2>/dev/null || true
    if ! dpkg-query -W -f='${Status}' php-kissifrot-php-ixr 2>/dev/null | grep -q "install ok installed"; then
        ixr=$(fetch_trixie_deb php-kissifrot-php-ixr "$work") || return 1
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$ixr" || return 1
    fi
    deb=$(fetch_trixie_deb dokuwiki "$work") || return 1
    mkdir -p "$KAOS_DIR" && dpkg -x "$deb" "$KAOS_DIR" || return 1
    dpkg-deb -f "$deb" Version > "$work/version" && mv "$work/version" "$marker"
}

install_packages
unpack_dokuwiki
# Kaos comes from another Debian release's pool: if that fails, the tests that need it skip,
# saying why, rather than the whole set-up failing.
unpack_dokuwiki_kaos || echo "dokuwiki kaos: could not be fetched from Debian trixie; the" \
    "tests that need it will skip" >&2
