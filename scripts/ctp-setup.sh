#!/usr/bin/env bash
# Creates the zh_CN.GB18030 locale the official CTP library needs (it aborts at start without it).
# Idempotent and non-interactive. The first time it needs root: it runs as is when the user is
# root (CI runs as root on this machine), through `sudo -n` otherwise (fails with a message
# instead of prompting for a password). Debian/Ubuntu: installs the `locales` package if
# `localedef` or the GB18030 charmap is missing.
set -euo pipefail
if locale -a 2>/dev/null | grep -qi '^zh_CN\.gb18030$'; then
    exit 0
fi
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@" || {
            echo "ctp-setup: needs root to run: $*  (sudo asked for a password; run it as root once)" >&2
            exit 1
        }
    else
        echo "ctp-setup: needs root to run: $*  (not root, and no sudo)" >&2
        exit 1
    fi
}
if ! command -v localedef >/dev/null 2>&1 || [ ! -e /usr/share/i18n/charmaps/GB18030.gz ] ||
    [ ! -e /usr/share/i18n/locales/zh_CN ]; then
    echo "== ctp-setup: installing the locales package"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends locales
fi
echo "== ctp-setup: creating the zh_CN.GB18030 locale"
# localedef -c exits 1 on mere warnings while still writing the locale: judge by `locale -a`.
as_root localedef -c -f GB18030 -i zh_CN zh_CN.GB18030 || true
locale -a | grep -qi '^zh_CN\.gb18030$' || { echo "ctp-setup: zh_CN.GB18030 still missing" >&2; exit 1; }
