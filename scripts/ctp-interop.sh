#!/usr/bin/env bash
# CTP gateway against LocalCTP (feature ctp-localctp: builds LocalCTP's C++ and SQLite, a few
# minutes the first time). LocalCTP keeps its database (LocalCTP.db) and reads instrument.csv in
# the process's working directory, so the test binary runs in a fresh scratch directory.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ctp-setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
exe=$(cargo test --locked --features ctp-localctp --test ctp_localctp --no-run --message-format=json \
      | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
[ -x "$exe" ] || { echo "ctp-interop: test binary not found" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# build.rs copies libthosttraderapi_se.so (LocalCTP) next to the deps directory.
libdir="$CARGO_TARGET_DIR/debug"
(cd "$scratch" && LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" timeout 300 "$exe" --test-threads=1 "$@")
