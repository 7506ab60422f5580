#!/bin/bash
# fuzz.sh: runs haws's libFuzzer targets (built by `make fuzz-build` into Tests/Fuzz/.build/release).
#
#   Scripts/fuzz.sh smoke            every target over its corpora plus FUZZ_SMOKE_RUNS mutations (seed 1), under
#                                    libFuzzer (`make test` runs the same bodies without it: HawsFuzzTests)
#   Scripts/fuzz.sh run [TARGET...]  the campaign: FUZZ_SECONDS of wall time in all, FUZZ_JOBS targets at a time, at
#                                    SCHED_IDLE (it only takes CPU nobody else wants), in slices of FUZZ_SLICE
#                                    seconds, each slice on the target with the fewest executions so far (the
#                                    committed record), so the slow targets get the most time and every session
#                                    brings up the one that lags; FUZZ_RUNS=N ends a slice at N executions
#   Scripts/fuzz.sh merge [TARGET...] minimises what the campaign found (FUZZ_WORK's corpus and the committed
#                                    Learned/<target>) with libFuzzer's -merge=1 into Learned/<target>: only inputs
#                                    that add coverage to the seeds
#   Scripts/fuzz.sh totals           each target's executions summed over every run in the record, CPU seconds,
#                                    executions per CPU second, latest coverage, CPU hours still to FUZZ_GOAL
#
# Committed, so that a session on a fresh machine resumes the campaign: the seeds Tests/Fuzz/Corpus/<target>
# (HAProxy's captured answers, kept as they are), the minimised corpus Tests/Fuzz/Learned/<target>, and the record
# Tests/Fuzz/campaign.tsv (one line per run: date, commit, target, executions, CPU seconds, cov, ft, exit status,
# findings). Scratch in FUZZ_WORK (default ~/.cache/haws/fuzz): corpus/<target> (the inputs a run adds),
# artifacts/<target>/ (crashes, hangs, allocations over the limits), unconfirmed/<target>/, logs/. While
# FUZZ_PAUSE_FILE (default /tmp/haws-fuzz.pause) exists the running fuzzers are stopped (SIGSTOP), then continued.
# Exit status: 0 when no target found anything, 1 when one did (its artifact is named), 2 on bad usage.
set -u
# A trap is reported by libFuzzer (its stack and the input); the Swift runtime's own backtracer crashes under ASan.
export SWIFT_BACKTRACE=enable=no
cd "$(dirname "$0")/.."
FUZZ=Tests/Fuzz
BIN=$FUZZ/.build/release
WORK=${FUZZ_WORK:-$HOME/.cache/haws/fuzz}
RECORD=$FUZZ/campaign.tsv
LEARNED=$FUZZ/Learned
FUZZ_PAUSE_FILE=${FUZZ_PAUSE_FILE:-/tmp/haws-fuzz.pause}
ALL_TARGETS=(stats-csv show-info show-sess servers-state show-proc runtime-answer stats-page toml view-json
    response-head ws-frames)
FUZZ_SECONDS=${FUZZ_SECONDS:-600}
FUZZ_SLICE=${FUZZ_SLICE:-600}
FUZZ_RUNS=${FUZZ_RUNS:-}
FUZZ_JOBS=${FUZZ_JOBS:-1}
# The campaign's goal per target (issue 13): what `totals` counts the remaining CPU hours against.
FUZZ_GOAL=${FUZZ_GOAL:-10000000}
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

# Every requested target's executions so far in the record, as "target executions" lines (0 for a new one).
executions_so_far() {
    local target
    for target in "${targets[@]}"; do
        awk -F'\t' -v t="$target" '!/^#/ && $3 == t { e += $4 } END { printf "%s %d\n", t, e }' "$RECORD" 2>/dev/null ||
            echo "$target 0"
    done
}

# The inputs of a target's committed corpora: the seeds, then what campaigns learned (when there is some).
corpora() {
    [ -d "$LEARNED/$1" ] && echo "$LEARNED/$1"
    echo "$FUZZ/Corpus/$1"
}

case $mode in
smoke)
    failed=0
    for target in "${targets[@]}"; do
        log=$WORK/logs/smoke-$target.log
        mkdir -p "$WORK/logs" "$WORK/artifacts/$target"
        start=$(date +%s%N)
        # New inputs go to the first directory: a scratch one, so that the committed corpora stay as they are.
        scratch=$(mktemp -d)
        mapfile -t committed < <(corpora "$target")
        if "$BIN/fuzz-$target" -seed=1 -runs="$FUZZ_SMOKE_RUNS" "${LIMITS[@]}" \
            -artifact_prefix="$WORK/artifacts/$target/" "$scratch" "${committed[@]}" >"$log" 2>&1; then
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
    mkdir -p "$WORK/logs" "$WORK/pids" "$WORK/running"
    rm -f "$WORK/pids/"* "$WORK/pids/.done" "$WORK/running/"*
    rmdir "$WORK/running/.lock" 2>/dev/null
    end=$(( $(date +%s) + FUZZ_SECONDS ))
    commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
    [ -s "$RECORD" ] || printf '# date\tcommit\ttarget\texecutions\tcpu_s\tcov\tft\tstatus\tfindings\n' >"$RECORD"
    sched=(nice -n 15)
    chrt --idle 0 true 2>/dev/null && sched=(chrt --idle 0)
    # While FUZZ_PAUSE_FILE exists, every running fuzzer is stopped; the watcher ends with the campaign.
    (
        paused=0
        until [ -e "$WORK/pids/.done" ]; do
            if [ -e "$FUZZ_PAUSE_FILE" ]; then
                # every round: a fuzzer started just before the file appeared stops too
                cat "$WORK"/pids/* 2>/dev/null | xargs -r kill -STOP 2>/dev/null
                [ "$paused" = 0 ] && echo "$(date -u +%FT%TZ) paused ($FUZZ_PAUSE_FILE)" >>"$WORK/logs/pauses.log"
                paused=1
            elif [ "$paused" = 1 ]; then
                cat "$WORK"/pids/* 2>/dev/null | xargs -r kill -CONT 2>/dev/null; paused=0
                echo "$(date -u +%FT%TZ) continued" >>"$WORK/logs/pauses.log"
            fi
            sleep 2
        done
    ) &
    watcher=$!
    trap 'cat "$WORK"/pids/* 2>/dev/null | xargs -r kill -CONT 2>/dev/null' EXIT
    # The requested target with the fewest executions in the record that no worker runs and that has found
    # nothing in this campaign; nothing when there is none. Workers pick under a lock (mkdir is atomic).
    pick() {
        until mkdir "$WORK/running/.lock" 2>/dev/null; do sleep 0.2; done
        local target count
        while read -r target count; do
            [ -e "$WORK/running/$target" ] && continue
            : >"$WORK/running/$target"
            echo "$target"
            break
        done < <(executions_so_far | sort -k2,2n -k1,1)
        rmdir "$WORK/running/.lock"
    }
    # One slice of a target: its run's executions, CPU seconds, coverage and confirmed findings go to the record.
    slice() {
        local target=$1 seconds=$2 log=$WORK/logs/$1.log
        mkdir -p "$WORK/corpus/$target" "$WORK/artifacts/$target" "$WORK/unconfirmed/$target"
        local limit=() before after found_before found_after
        [ -n "$FUZZ_RUNS" ] && limit=(-runs="$FUZZ_RUNS")
        mapfile -t committed < <(corpora "$target")
        found_before=$(ls "$WORK/artifacts/$target" | wc -l)
        times >"$WORK/pids/.times-$target"; before=$(cpu_seconds "$WORK/pids/.times-$target")
        # New inputs go to the first directory, FUZZ_WORK's corpus; `merge` takes them into Learned/.
        "${sched[@]}" "$BIN/fuzz-$target" -max_total_time="$seconds" "${limit[@]}" "${LIMITS[@]}" \
            -max_len="$FUZZ_MAX_LEN" -print_final_stats=1 -artifact_prefix="$WORK/artifacts/$target/" \
            "$WORK/corpus/$target" "${committed[@]}" >"$log" 2>&1 &
        echo $! >"$WORK/pids/$target"
        wait $!
        local status=$?
        rm -f "$WORK/pids/$target"
        times >"$WORK/pids/.times-$target"; after=$(cpu_seconds "$WORK/pids/.times-$target")
        # A hang, a slow input or an allocation over the limit counts only if the input alone does it again:
        # a pause or a starved CPU (SCHED_IDLE) stretches a run's wall time, which is what libFuzzer measures.
        recheck "$target"
        found_after=$(ls "$WORK/artifacts/$target" | wc -l)
        local cov
        cov=$(coverage "$log")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$commit" "$target" "$(executions "$log")" \
            "$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", b - a }')" "${cov% *}" "${cov#* }" "$status" \
            $((found_after - found_before)) >>"$RECORD"
        # A confirmed finding stops the target for this campaign (its marker stays in running/).
        [ "$found_after" -gt 0 ] && return
        rm -f "$WORK/running/$target"
    }
    worker() {
        local target now
        while :; do
            while [ -e "$FUZZ_PAUSE_FILE" ]; do sleep 5; done
            now=$(date +%s)
            [ $((end - now)) -ge 10 ] || return 0
            target=$(pick)
            [ -n "$target" ] || return 0
            slice "$target" $(( end - now < FUZZ_SLICE ? end - now : FUZZ_SLICE ))
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
    workers=()
    for _ in $(seq "$FUZZ_JOBS"); do
        worker &
        workers+=($!)
        sleep 1
    done
    wait "${workers[@]}"
    touch "$WORK/pids/.done"
    wait "$watcher"
    rm -f "$WORK/pids/.done" "$WORK/running/"*
    found=0
    for target in "${targets[@]}"; do
        artifacts=$(ls "$WORK/artifacts/$target" 2>/dev/null | tr '\n' ' ')
        [ -e "$WORK/logs/$target.log" ] &&
            printf '%-15s %s%s\n' "$target" "$(summary "$WORK/logs/$target.log")" "${artifacts:+  FOUND: $artifacts}"
        [ -n "$artifacts" ] && found=1
    done
    exit $found
    ;;
merge)
    total=0
    for target in "${targets[@]}"; do
        # Into a copy of the seeds, so that only inputs adding coverage to them are taken; then the seeds go.
        scratch=$(mktemp -d)
        cp "$FUZZ/Corpus/$target"/* "$scratch/"
        sources=()
        [ -d "$LEARNED/$target" ] && sources+=("$LEARNED/$target")
        [ -d "$WORK/corpus/$target" ] && sources+=("$WORK/corpus/$target")
        mkdir -p "$WORK/logs" "$WORK/artifacts/$target"
        if [ ${#sources[@]} -gt 0 ]; then
            nice -n 10 "$BIN/fuzz-$target" -merge=1 "${LIMITS[@]}" -artifact_prefix="$WORK/artifacts/$target/" \
                "$scratch" "${sources[@]}" >"$WORK/logs/merge-$target.log" 2>&1 ||
                { echo "fuzz.sh: merging $target failed (log: $WORK/logs/merge-$target.log)" >&2; rm -rf "$scratch"; exit 1; }
        fi
        for seed in "$FUZZ/Corpus/$target"/*; do rm -f "$scratch/$(basename "$seed")"; done
        rm -rf "${LEARNED:?}/$target"
        if [ -n "$(ls "$scratch")" ]; then
            mkdir -p "$LEARNED/$target"
            mv "$scratch"/* "$LEARNED/$target/"
        fi
        rmdir "$scratch"
        count=$(ls "$LEARNED/$target" 2>/dev/null | wc -l)
        bytes=$(cat "$LEARNED/$target"/* 2>/dev/null | wc -c)
        total=$((total + bytes))
        printf '%-15s %6d inputs %9d bytes\n' "$target" "$count" "$bytes"
    done
    printf '%-15s %6s        %9d bytes in %s\n' all "" "$total" "$LEARNED"
    ;;
totals)
    [ -s "$RECORD" ] || { echo "fuzz.sh: no runs yet in $RECORD" >&2; exit 2; }
    printf '%-15s %5s %14s %10s %9s %7s %7s %8s %9s\n' target runs executions cpu-s exec/cpu-s cov ft findings cpu-h-left
    awk -F'\t' -v list="${targets[*]}" -v goal="$FUZZ_GOAL" '
        !/^#/ { n[$3]++; e[$3] += $4; c[$3] += $5; cov[$3] = $6; ft[$3] = $7; f[$3] += $9 }
        END {
            count = split(list, order, " ")
            for (i = 1; i <= count; i++) {
                t = order[i]
                if (!n[t]) continue
                rate = c[t] > 0 ? e[t] / c[t] : 0
                left = e[t] >= goal ? 0 : (rate > 0 ? (goal - e[t]) / rate / 3600 : -1)
                printf "%-15s %5d %14d %10.1f %9.0f %7s %7s %8d %9s\n", t, n[t], e[t], c[t], rate, cov[t], ft[t], f[t],
                    left < 0 ? "?" : sprintf("%.2f", left)
                runs += n[t]; all += e[t]; cpu += c[t]; found += f[t]; if (left > 0) hours += left
            }
            printf "%-15s %5d %14d %10.1f %9s %7s %7s %8d %9.2f\n", "all", runs, all, cpu, "", "", "", found, hours
        }' "$RECORD"
    ;;
*)
    echo "usage: Scripts/fuzz.sh smoke|run|merge|totals [TARGET...]" >&2
    exit 2
    ;;
esac
