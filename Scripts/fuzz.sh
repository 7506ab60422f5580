#!/bin/bash
# fuzz.sh: runs haws's libFuzzer targets (built by `make fuzz-build` into Tests/Fuzz/.build/release).
#
#   Scripts/fuzz.sh smoke            every target over its seeds plus FUZZ_SMOKE_RUNS mutations (seed 1),
#                                    the check `make test` runs so that the targets keep building and passing
#   Scripts/fuzz.sh run [TARGET...]  the campaign: each target for FUZZ_SECONDS (and at most FUZZ_RUNS
#                                    executions per run when set), FUZZ_JOBS targets at a time, at SCHED_IDLE
#                                    (it only takes CPU nobody else wants); a target that stops early on a
#                                    finding that does not reproduce is started again until its time is up
#   Scripts/fuzz.sh totals           each target's executions summed over every run so far, CPU seconds,
#                                    executions per CPU second, latest coverage
#
# Seeds are Tests/Fuzz/Corpus/<target> (committed). Everything a campaign learns lives in FUZZ_WORK (default
# ~/.cache/haws/fuzz, outside the repo, so that corpora and counts accumulate across runs and clones):
# corpus/<target>, artifacts/<target>/ (crashes, hangs, allocations over the limits), logs/<target>.log (the
# latest run), runs.tsv (one line per run: the totals' source). FUZZ_PAUSE_FILE=path: while that file exists
# the running fuzzers are stopped (SIGSTOP) and continued after (SIGCONT).
# Exit status: 0 when no target found anything, 1 when one did (its artifact is named), 2 on bad usage.
set -u
# A trap is reported by libFuzzer (its stack and the input); the Swift runtime's own backtracer crashes under ASan.
export SWIFT_BACKTRACE=enable=no
cd "$(dirname "$0")/.."
FUZZ=Tests/Fuzz
BIN=$FUZZ/.build/release
WORK=${FUZZ_WORK:-$HOME/.cache/haws/fuzz}
FUZZ_PAUSE_FILE=${FUZZ_PAUSE_FILE:-}
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
[ "$mode" = totals ] || for target in "${targets[@]}"; do
    [ -x "$BIN/fuzz-$target" ] || { echo "fuzz.sh: no $BIN/fuzz-$target; run make fuzz-build first" >&2; exit 2; }
done

# The last "#N ... cov: C ft: F ... exec/s: E" line of a log, as "N executions, cov C, ft F, E exec/s".
summary() {
    grep -aE '^#[0-9]+' "$1" | tail -1 |
        sed -E 's/^#([0-9]+)[^c]*cov: ([0-9]+) ft: ([0-9]+).*exec\/s: ([0-9]+).*/\1 executions, cov \2, ft \3, \4 exec\/s/'
}

# A run's executions: libFuzzer's final count (printed on every exit, a finding's too), else its last "#N" line.
executions() {
    local n
    n=$(grep -a 'stat::number_of_executed_units:' "$1" | tail -1 | awk '{ print $2 }')
    [ -n "$n" ] || n=$(grep -aoE '^#[0-9]+' "$1" | tail -1 | tr -d '#')
    echo "${n:-0}"
}
# A run's last coverage and features, as "cov ft".
coverage() {
    grep -aE '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$1" | tail -1 | sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+).*/\1 \2/'
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
    mkdir -p "$WORK/logs" "$WORK/pids"
    rm -f "$WORK/pids/.done"
    end=$(( $(date +%s) + FUZZ_SECONDS ))
    sched=(nice -n 15)
    chrt --idle 0 true 2>/dev/null && sched=(chrt --idle 0)
    # While FUZZ_PAUSE_FILE exists, every running fuzzer is stopped; the watcher ends with the campaign.
    if [ -n "$FUZZ_PAUSE_FILE" ]; then
        (
            paused=0
            until [ -e "$WORK/pids/.done" ]; do
                if [ -e "$FUZZ_PAUSE_FILE" ]; then
                    # every round: a fuzzer started just before the file appeared stops too
                    cat "$WORK"/pids/* 2>/dev/null | xargs -r kill -STOP 2>/dev/null
                    [ "$paused" = 0 ] && echo "$(date -u +%FT%TZ) paused ($FUZZ_PAUSE_FILE)" >>"$WORK/logs/pauses.log"
                    paused=1
                elif [ ! -e "$FUZZ_PAUSE_FILE" ] && [ "$paused" = 1 ]; then
                    cat "$WORK"/pids/* 2>/dev/null | xargs -r kill -CONT 2>/dev/null; paused=0
                    echo "$(date -u +%FT%TZ) continued" >>"$WORK/logs/pauses.log"
                fi
                sleep 2
            done
        ) &
        watcher=$!
    fi
    trap 'cat "$WORK"/pids/* 2>/dev/null | xargs -r kill -CONT 2>/dev/null' EXIT
    # One target until the campaign's end: each run's executions and CPU seconds go to runs.tsv.
    campaign() {
        local target=$1 log=$WORK/logs/$1.log
        mkdir -p "$WORK/corpus/$target" "$WORK/artifacts/$target" "$WORK/unconfirmed/$target"
        while [ "$(date +%s)" -lt "$end" ]; do
            while [ -n "$FUZZ_PAUSE_FILE" ] && [ -e "$FUZZ_PAUSE_FILE" ]; do sleep 5; done
            local limit=() before after started=$(date +%s)
            [ -n "$FUZZ_RUNS" ] && limit=(-runs="$FUZZ_RUNS")
            times >"$WORK/pids/.times-$target"; before=$(cpu_seconds "$WORK/pids/.times-$target")
            "${sched[@]}" "$BIN/fuzz-$target" -max_total_time=$(( end - started )) "${limit[@]}" "${LIMITS[@]}" \
                -max_len="$FUZZ_MAX_LEN" -print_final_stats=1 -artifact_prefix="$WORK/artifacts/$target/" \
                "$WORK/corpus/$target" "$FUZZ/Corpus/$target" >"$log" 2>&1 &
            echo $! >"$WORK/pids/$target"
            wait $!
            local status=$?
            rm -f "$WORK/pids/$target"
            times >"$WORK/pids/.times-$target"; after=$(cpu_seconds "$WORK/pids/.times-$target")
            printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "$(executions "$log")" \
                "$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", b - a }')" "$(coverage "$log")" "$status" \
                >>"$WORK/runs.tsv"
            # A hang, a slow input or an allocation over the limit counts only if the input alone does it again:
            # a pause or a starved CPU (SCHED_IDLE) stretches a run's wall time, which is what libFuzzer measures.
            recheck "$target"
            [ "$status" = 0 ] && break
            local artifact real=0
            for artifact in "$WORK/artifacts/$target"/*; do
                [ -e "$artifact" ] && real=1
            done
            [ "$real" = 1 ] && break
            [ -n "$FUZZ_RUNS" ] && break
        done
    }
    # Moves the target's timeout, slow-unit and oom artifacts that do not do it again alone to unconfirmed/.
    recheck() {
        local target=$1 artifact
        for artifact in "$WORK/artifacts/$1"/timeout-* "$WORK/artifacts/$1"/slow-unit-* "$WORK/artifacts/$1"/oom-*; do
            [ -e "$artifact" ] || continue
            # (libFuzzer's slow-unit threshold is 10 s too, the -timeout of LIMITS)
            if "$BIN/fuzz-$target" "${LIMITS[@]}" "$artifact" >"$artifact.recheck.log" 2>&1; then
                mv "$artifact" "$artifact.recheck.log" "$WORK/unconfirmed/$target/"
            else
                mv "$artifact.recheck.log" "$WORK/logs/"
            fi
        done
    }
    # The CPU (user + system) seconds of a shell's waited-for children, from its `times` (written to a file by
    # that shell itself: `$(times)` would be a subshell's, with no children).
    cpu_seconds() {
        tail -1 "$1" | awk '{ split($1, u, "m"); split($2, s, "m"); printf "%.2f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }'
    }
    jobs_started=()
    for target in "${targets[@]}"; do
        campaign "$target" &
        jobs_started+=($!)
        # FUZZ_JOBS at a time: wait for the oldest still running
        while [ "$(for p in "${jobs_started[@]}"; do kill -0 "$p" 2>/dev/null && echo "$p"; done | wc -l)" -ge "$FUZZ_JOBS" ]; do
            sleep 2
        done
    done
    wait "${jobs_started[@]}"
    touch "$WORK/pids/.done"
    [ -n "${watcher:-}" ] && wait "$watcher"
    rm -f "$WORK/pids/.done"
    found=0
    for target in "${targets[@]}"; do
        artifacts=$(ls "$WORK/artifacts/$target" 2>/dev/null | tr '\n' ' ')
        printf '%-15s %s%s\n' "$target" "$(summary "$WORK/logs/$target.log")" "${artifacts:+  FOUND: $artifacts}"
        [ -n "$artifacts" ] && found=1
    done
    exit $found
    ;;
totals)
    [ -s "$WORK/runs.tsv" ] || { echo "fuzz.sh: no runs yet in $WORK/runs.tsv" >&2; exit 2; }
    printf '%-15s %5s %14s %10s %9s %7s %7s\n' target runs executions cpu-s exec/cpu-s cov ft
    for target in "${targets[@]}"; do
        awk -F'\t' -v t="$target" '$2 == t { n++; e += $3; c += $4; cov = $5 }
            END { if (n) { split(cov, k, " "); printf "%-15s %5d %14d %10.1f %9.0f %7s %7s\n", t, n, e, c, (c > 0 ? e / c : 0), k[1], k[2] } }' \
            "$WORK/runs.tsv"
    done
    ;;
*)
    echo "usage: Scripts/fuzz.sh smoke|run|totals [TARGET...]" >&2
    exit 2
    ;;
esac
