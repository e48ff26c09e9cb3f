#!/usr/bin/env bash
# Creates the zh_CN.GB18030 locale the official CTP library needs (it aborts at start without it).
# Idempotent; needs root (or sudo) the first time. Debian/Ubuntu: the `locales` package.
set -euo pipefail
if locale -a 2>/dev/null | grep -qi '^zh_CN\.gb18030$'; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if ! command -v localedef >/dev/null 2>&1 || [ ! -e /usr/share/i18n/charmaps/GB18030.gz ]; then
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq locales
fi
$SUDO localedef -c -f GB18030 -i zh_CN zh_CN.GB18030
locale -a | grep -qi '^zh_CN\.gb18030$' || { echo "ctp-setup: zh_CN.GB18030 still missing" >&2; exit 1; }
