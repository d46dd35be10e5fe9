#!/usr/bin/env bash
# System packages the tests need, and an unpacked (not installed) DokuWiki for the wiki tests.
#
# Run as root on a fresh Debian machine (CI's .ci/run does).  Idempotent: every step is skipped
# when already done, so a second run costs a few seconds.  DokuWiki is unpacked with dpkg -x
# rather than installed, because installing the package pulls Apache and a system-wide wiki;
# the tests serve throw-away copies of the unpacked tree with `php -S` instead.
#
# Environment:
#   KBTOOL_DOKUWIKI_DIR  where DokuWiki is unpacked (default /opt/kbtool-test/dokuwiki)
set -euo pipefail

PACKAGES=(php-cli php-xml php-phpseclib php-geshi libphp-simplepie chromium poppler-utils pandoc)
DOKUWIKI_DIR="${KBTOOL_DOKUWIKI_DIR:-/opt/kbtool-test/dokuwiki}"

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

install_packages
unpack_dokuwiki
