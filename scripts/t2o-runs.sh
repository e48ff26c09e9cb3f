#!/usr/bin/env bash
# Runs the tick_to_order bench N times (default 10) and writes one Markdown table, a row per
# run, of its headline figures: tick-to-order p50/p99/p99.9, the split by thread (engine step,
# order hop, gateway send), the two-hop floor before and after the pipeline, whether they agree
# (`floor_stable`) and the ratio. On a VM whose host moves the two vCPUs between placements the
# floor changes several-fold from run to run (and sometimes inside one), so a single run's ratio
# says little; this is the distribution. Writes benches/results/YYYY-MM-DD-<machine>-t2o-runs.md
# (same <machine> rule as scripts/bench.sh) and prints its path.
#
# Needs only bash, coreutils, awk and cargo. Busy-spins both cores for ~30 s a run: run it on a
# quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-10}"
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
    echo "t2o-runs.sh: expected a positive run count, got '$runs'" >&2
    exit 2
fi

machine="${BENCH_MACHINE:-$(uname -n)}"
slug="${machine,,}"
slug="${slug//[^a-z0-9]/-}"
day="$(date -u +%Y-%m-%d)"
mkdir -p benches/results
report="benches/results/${day}-${slug}-t2o-runs.md"

echo "== cargo bench --bench tick_to_order --no-run" >&2
cargo bench --bench tick_to_order --no-run

tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
{
    printf '# tick_to_order, %s runs, %s\n\n' "$runs" "$day"
    printf 'Produced by `scripts/t2o-runs.sh %s` at %s (commit %s), machine `%s`: %s.\n\n' \
        "$runs" "$(date -u +%H:%M)" "$(git rev-parse --short HEAD 2>/dev/null || echo n/a)" \
        "$machine" "$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
    printf 'All figures p50 in ns unless named. `floor before/after` = two-hop (0 → 1 → 0) `rtrb` round trip measured just before and just after the pipeline; `stable` = they agree within 25 %%; `ratio` = tick-to-order p50 / floor after.\n\n'
    printf '| run | start (UTC) | tick-to-order | p99 | p99.9 | engine step | order hop | gateway send | floor before | floor after | stable | ratio |\n'
    printf '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
} >"$report"

for i in $(seq 1 "$runs"); do
    echo "== run $i of $runs" >&2
    start="$(date -u +%H:%M:%S)"
    cargo bench --bench tick_to_order 2>/dev/null | grep '^BENCH tick_to_order ' >"$tmp"
    awk -v run="$i" -v start="$start" '
        { v[$3] = $4 }
        END {
            printf "| %d | %s | %d | %d | %d | %d | %d | %d | %d | %d | %s | %.1f× |\n", run, start,
                v["tick_to_order.p50"], v["tick_to_order.p99"], v["tick_to_order.p99.9"],
                v["engine_step.p50"], v["order_hop.p50"], v["gateway_send.p50"],
                v["two_hop_floor_before.p50"], v["two_hop_floor.p50"],
                (v["floor_stable"] == 1 ? "yes" : "no"),
                v["ratio_tick_to_order_p50_over_two_hop_p50"]
        }' "$tmp" >>"$report"
done
echo "$report"
