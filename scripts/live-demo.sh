#!/usr/bin/env bash
# Live demo on loopback: builds crossarb, starts `crossarb venue-sim` (synthetic feed over UDP,
# FIX 4.4 acceptors) and `crossarb run` with config/live-demo.toml (127.0.0.1 ports 41001-41102),
# runs SECONDS, stops both with SIGINT, then prints the receipt summary as JSON (alone on stdout).
# Usage: scripts/live-demo.sh [SECONDS=20] [SPEED=400]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN="${1:-20}"
SPEED="${2:-400}"
cargo build --quiet --bin crossarb
BIN="${CARGO_TARGET_DIR:-target}/debug/crossarb"
CFG=config/live-demo.toml
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
DIR="target/receipts/live-demo/live-$STAMP"
mkdir -p target/receipts/live-demo
"$BIN" venue-sim --config "$CFG" --speed "$SPEED" &
SIM=$!
trap 'kill -INT "$SIM" "${RUN:-}" 2>/dev/null || true' EXIT
sleep 0.3
# The run's own report (latency table, counters, paths) goes to stderr: stdout is the JSON.
"$BIN" run --config "$CFG" --receipts "$DIR" >&2 &
RUN=$!
sleep "$SECONDS_RUN"
kill -INT "$RUN"
wait "$RUN"
kill -INT "$SIM"
wait "$SIM" || true
trap - EXIT
"$BIN" receipts "$DIR" --summary --json
