#!/usr/bin/env bash
# CTP gateway against LocalCTP (feature ctp-localctp: builds LocalCTP's C++ and SQLite, about
# 8 CPU-minutes the first time). Two test binaries:
#   ctp_localctp  the gateway alone: login, fills, cancel, reject, close-today, reconnect;
#   ctp_cross     one engine whose domestic leg goes through CTP and overseas leg through FIX
#                 to QuickFIX's acceptor (needs the fix-interop venv, prepared here).
# LocalCTP keeps its database (LocalCTP.db) and reads instrument.csv in the process's working
# directory, so each binary runs in its own fresh scratch directory.
# Extra arguments go to both test binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ctp-setup.sh
FIX_INTEROP_PREPARE_ONLY=1 bash scripts/fix-interop.sh
VENV="${FIX_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/crossarb/fix-venv}"
export CROSSARB_FIX_PYTHON="$VENV/bin/python"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
# build.rs copies libthosttraderapi_se.so (LocalCTP) next to the deps directory.
libdir="$CARGO_TARGET_DIR/debug"
for test in ctp_localctp ctp_cross; do
  exe=$(cargo test --locked --features ctp-localctp --test "$test" --no-run --message-format=json \
        | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
  [ -x "$exe" ] || { echo "ctp-interop: test binary $test not found" >&2; exit 1; }
  scratch=$(mktemp -d)
  echo "== ctp-interop: $test (in $scratch)"
  if ! (cd "$scratch" && \
        LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        timeout 300 "$exe" --test-threads=1 --nocapture "$@"); then
    rm -rf "$scratch"
    exit 1
  fi
  rm -rf "$scratch"
done
