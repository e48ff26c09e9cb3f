#!/usr/bin/env bash
# Runs every bench (each `benches/<name>.rs`, so benches added later are picked up) with
# `cargo bench --bench <name>` and writes one Markdown report:
#   benches/results/YYYY-MM-DD-<machine>.md
# holding the date, the machine info (printed by the first bench) and every bench's tables, plus
# the machine-readable `BENCH <bench> <metric> <value> <unit>` lines at the end. Prints its path.
#
# <machine> is $BENCH_MACHINE if set, else the host name, else (no name or `localhost`) the CPU
# model; lower case, runs of other characters turned into `-`. A second run on the same day and
# machine overwrites the file.
#
# Needs only bash, coreutils and cargo. The benches busy-spin on cores 0 and 1: run on a quiet
# machine and say in the commit if it was not. CROSSARB_BENCH_QUICK=1 gives a smoke run (sample
# counts / 100; the report says so). BENCH_NOTE="..." adds a note under the title (e.g. what
# else was running).
set -euo pipefail
cd "$(dirname "$0")/.."

slug() {
    local s="${1,,}"
    s="${s//[^a-z0-9]/-}"
    while [[ $s == *--* ]]; do s="${s//--/-}"; done
    s="${s#-}"
    printf '%s' "${s%-}"
}

machine="${BENCH_MACHINE:-$(uname -n)}"
if [[ -z $machine || $machine == localhost* ]]; then
    machine=n/a
    while IFS= read -r line; do
        if [[ $line == "model name"* ]]; then
            machine="${line#*: }"
            break
        fi
    done </proc/cpuinfo
fi
day="$(date -u +%Y-%m-%d)"
mkdir -p benches/results
report="benches/results/${day}-$(slug "$machine").md"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/machine"
: >"$tmp/body"
: >"$tmp/lines"

names=()
for f in benches/*.rs; do
    [[ -e $f ]] || continue
    n="${f##*/}"
    names+=("${n%.rs}")
done
if ((${#names[@]} == 0)); then
    echo "bench.sh: no benches/*.rs found" >&2
    exit 1
fi

echo "== cargo bench --no-run (one build of every bench)" >&2
cargo bench --no-run

have_machine=0
for name in "${names[@]}"; do
    echo "== cargo bench --bench $name" >&2
    cargo bench --bench "$name" >"$tmp/out"
    in_machine=0
    while IFS= read -r line; do
        case "$line" in
        "<!-- machine:begin -->") in_machine=1 ;;
        "<!-- machine:end -->") in_machine=0 ;;
        "BENCH "*) printf '%s\n' "$line" >>"$tmp/lines" ;;
        *)
            if ((in_machine)); then
                ((have_machine)) || printf '%s\n' "$line" >>"$tmp/machine"
            else
                printf '%s\n' "$line" >>"$tmp/body"
            fi
            ;;
        esac
    done <"$tmp/out"
    if [[ -s $tmp/machine ]]; then have_machine=1; fi
    printf '\n' >>"$tmp/body"
done

{
    printf '# crossarb benchmarks, %s\n\n' "$day"
    printf 'Produced by `scripts/bench.sh` (`cargo bench`, bench profile = release). Benches: %s.\n\n' "${names[*]}"
    if [[ -n ${BENCH_NOTE:-} ]]; then printf '**Note:** %s\n\n' "$BENCH_NOTE"; fi
    printf '## Machine\n\n'
    if ((have_machine)); then cat "$tmp/machine"; else printf 'No bench printed machine info.\n'; fi
    printf '\n'
    cat "$tmp/body"
    printf '## Machine-readable\n\n```text\n'
    cat "$tmp/lines"
    printf '```\n'
} >"$report"
echo "$report"
