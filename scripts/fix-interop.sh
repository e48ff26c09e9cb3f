#!/usr/bin/env bash
# Interop test of crossarb's FIX 4.4 initiator against QuickFIX (tests/fix_interop.rs).
#
# Keeps a Python venv with the `quickfix` binding (PyPI ships it as source only: pip compiles a
# C++ extension: 46 min wall / 11 min CPU, one core, on the shared 2-core machine; pip keeps the
# built wheel in its cache, so a lost venv reinstalls in seconds), rebuilt only when missing or
# broken, then runs the test with CROSSARB_FIX_PYTHON pointing at
# the venv's python. Needs g++ and the Python headers (`python3-config --includes`).
#
# Environment: FIX_INTEROP_PREPARE_ONLY=1 (build the venv, run nothing: .ci/run starts that in
# the background so the C++ build overlaps the Rust build), FIX_VENV (default ${XDG_CACHE_HOME:-$HOME/.cache}/crossarb/fix-venv),
# PYTHON (the interpreter the venv is made from, default python3). Extra arguments go to
# `cargo test` after `--test fix_interop`.
set -euo pipefail
cd "$(dirname "$0")/.."

QUICKFIX_VERSION=1.16.0
VENV="${FIX_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/crossarb/fix-venv}"
PY="${PYTHON:-python3}"

have_quickfix() {
  [ -x "$VENV/bin/python" ] &&
    "$VENV/bin/python" -c "import quickfix, sys, os; \
assert quickfix is not None; \
assert os.path.exists(os.path.join(sys.prefix, 'share', 'quickfix', 'FIX44.xml'))" 2>/dev/null
}

if ! have_quickfix; then
  echo "== fix-interop: building a venv with quickfix==$QUICKFIX_VERSION in $VENV"
  if ! command -v g++ >/dev/null; then
    echo "fix-interop: g++ is missing (apt-get install g++)" >&2
    exit 1
  fi
  inc="$("$PY"-config --includes 2>/dev/null || "$PY" -c 'import sysconfig; print("-I" + sysconfig.get_paths()["include"])')"
  hdr="$(echo "$inc" | awk '{print $1}' | sed 's/^-I//')/Python.h"
  if [ ! -f "$hdr" ]; then
    echo "fix-interop: $hdr: missing (install the Python headers, e.g. apt-get install python3-dev)" >&2
    exit 1
  fi
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV"
  start=$(date +%s)
  "$VENV/bin/pip" install --disable-pip-version-check --no-input -q "quickfix==$QUICKFIX_VERSION"
  echo "== fix-interop: quickfix built and installed in $(( $(date +%s) - start )) s"
  have_quickfix || { echo "fix-interop: quickfix still not importable from $VENV" >&2; exit 1; }
fi

if [ "${FIX_INTEROP_PREPARE_ONLY:-0}" = 1 ]; then
  echo "== fix-interop: venv ready in $VENV"
  exit 0
fi

echo "== fix-interop: cargo test --test fix_interop (python: $VENV/bin/python)"
CROSSARB_FIX_PYTHON="$VENV/bin/python" cargo test --locked --test fix_interop "$@" -- --nocapture
