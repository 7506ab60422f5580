#!/bin/bash
# fuzz.sh: runs haws's libFuzzer targets (built by `make fuzz-build` into Tests/Fuzz/.build/release).
#
#   Scripts/fuzz.sh smoke            every target over its seeds plus FUZZ_SMOKE_RUNS mutations (seed 1),
#                                    the check `make test` runs so that the targets keep building and passing
#   Scripts/fuzz.sh run [TARGET...]  the campaign: each target for FUZZ_SECONDS (and at most FUZZ_RUNS
#                                    executions when set), FUZZ_JOBS targets at a time, under nice -n 15
#
# Seeds are Tests/Fuzz/Corpus/<target> (committed); what the campaign learns goes to
# Tests/Fuzz/.build/corpus/<target>, crashes, hangs and allocations over the limits to
# Tests/Fuzz/.build/artifacts/<target>/, each target's log to Tests/Fuzz/.build/logs/<target>.log.
# Exit status: 0 when no target found anything, 1 when one did (its artifact is named), 2 on bad usage.
set -u
# A trap is reported by libFuzzer (its stack and the input); the Swift runtime's own backtracer crashes under ASan.
export SWIFT_BACKTRACE=enable=no
cd "$(dirname "$0")/.."
FUZZ=Tests/Fuzz
BIN=$FUZZ/.build/release
WORK=$FUZZ/.build
ALL_TARGETS=(stats-csv show-info show-sess servers-state show-proc runtime-answer stats-page toml view-json
    response-head ws-frames)
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_RUNS=${FUZZ_RUNS:-}
FUZZ_JOBS=${FUZZ_JOBS:-1}
FUZZ_SMOKE_RUNS=${FUZZ_SMOKE_RUNS:-2000}
# The campaign's largest input: a header and a few rows of stats CSV, a head with a dozen headers, a view file.
# Larger inputs find little more and cost executions (a parse is linear in its input).
FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-2048}
# A parser answers in microseconds: 10 s on one input is a hang. HAProxy's answers haws reads are bounded by
# its own limits long before 512 MB; an allocation that large from a few KB of input is a finding.
LIMITS=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512)

mode=${1:-}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${ALL_TARGETS[@]}")
for target in "${targets[@]}"; do
    [ -x "$BIN/fuzz-$target" ] || { echo "fuzz.sh: no $BIN/fuzz-$target; run make fuzz-build first" >&2; exit 2; }
done

# The last "#N ... cov: C ft: F ... exec/s: E" line of a log, as "N executions, cov C, ft F, E exec/s".
summary() {
    grep -aE '^#[0-9]+' "$1" | tail -1 |
        sed -E 's/^#([0-9]+)[^c]*cov: ([0-9]+) ft: ([0-9]+).*exec\/s: ([0-9]+).*/\1 executions, cov \2, ft \3, \4 exec\/s/'
}

case $mode in
smoke)
    failed=0
    for target in "${targets[@]}"; do
        log=$WORK/logs/smoke-$target.log
        mkdir -p "$WORK/logs" "$WORK/artifacts/$target"
        start=$(date +%s%N)
        # New inputs go to the first directory: a scratch one, so that the committed seeds stay as they are.
        scratch=$(mktemp -d)
        if "$BIN/fuzz-$target" -seed=1 -runs="$FUZZ_SMOKE_RUNS" "${LIMITS[@]}" \
            -artifact_prefix="$WORK/artifacts/$target/" "$scratch" "$FUZZ/Corpus/$target" >"$log" 2>&1; then
            ms=$(( ($(date +%s%N) - start) / 1000000 ))
            printf 'fuzz smoke %-15s ok  %d.%03ds  %s\n' "$target" $((ms / 1000)) $((ms % 1000)) "$(summary "$log")"
        else
            failed=1
            echo "fuzz smoke $target FAILED: $(grep -aE 'ERROR|Fatal error|Test unit written' "$log" | head -3 | tr '\n' ' ')(log: $log)" >&2
        fi
        rm -rf "$scratch"
    done
    exit $failed
    ;;
run)
    mkdir -p "$WORK/logs"
    running=0
    for target in "${targets[@]}"; do
        mkdir -p "$WORK/corpus/$target" "$WORK/artifacts/$target"
        limit=()
        [ -n "$FUZZ_RUNS" ] && limit=(-runs="$FUZZ_RUNS")
        nice -n 15 "$BIN/fuzz-$target" -max_total_time="$FUZZ_SECONDS" "${limit[@]}" "${LIMITS[@]}" -max_len="$FUZZ_MAX_LEN" \
            -print_final_stats=1 -artifact_prefix="$WORK/artifacts/$target/" \
            "$WORK/corpus/$target" "$FUZZ/Corpus/$target" >"$WORK/logs/$target.log" 2>&1 &
        running=$((running + 1))
        if [ "$running" -ge "$FUZZ_JOBS" ]; then wait -n; running=$((running - 1)); fi
    done
    wait
    found=0
    for target in "${targets[@]}"; do
        artifacts=$(ls "$WORK/artifacts/$target" 2>/dev/null | tr '\n' ' ')
        printf '%-15s %s%s\n' "$target" "$(summary "$WORK/logs/$target.log")" "${artifacts:+  FOUND: $artifacts}"
        [ -n "$artifacts" ] && found=1
    done
    exit $found
    ;;
*)
    echo "usage: Scripts/fuzz.sh smoke|run [TARGET...]" >&2
    exit 2
    ;;
esac
