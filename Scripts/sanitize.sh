#!/bin/bash
# sanitize.sh: the suites under one sanitizer (`make sanitize` runs thread, then address).
#
#   Scripts/sanitize.sh thread|address
#
# Builds into .build-tsan or .build-asan, then runs the suites as `make test` does: the pure ones (PARALLEL_SUITES)
# in parallel, the rest one test at a time against Debian's HAProxy. Every report of the sanitizer, the test
# runner's and those of each sanitized `haws` the end-to-end tests start, is written to
# <scratch>/sanitizer-reports/ (log_path), so that none hides in a child's stderr. Prints one line at the end:
# tests, issues, reports, minutes (also in <scratch>/sanitize.summary); the test output stays in <scratch>/sanitize.log.
#
# Environment (the Makefile sets it): SWIFT, PARALLEL_SUITES, TSAN_OPTIONS or ASAN_OPTIONS, SANITIZE_SKIP (a
# regular expression of excluded tests; the Makefile says why), SANITIZE_FILTER (runs only what matches, one test
# at a time), HAWS_TEST_DEADLINE_SCALE (how much longer the tests' own waits may last, HawsTestSupport's
# TestDeadline).
# Exit status: 0 when every test passed and no report was written, 1 otherwise, 2 on bad usage.
set -u -o pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
thread) scratch=.build-tsan options=TSAN_OPTIONS name=ThreadSanitizer ;;
address) scratch=.build-asan options=ASAN_OPTIONS name=AddressSanitizer ;;
*)
    echo "usage: $0 thread|address" >&2
    exit 2
    ;;
esac
SWIFT=${SWIFT:-swift}
started=$(date +%s)
$SWIFT build --build-tests --sanitize="$1" --scratch-path "$scratch" || exit 1
built=$(date +%s)

reports=$PWD/$scratch/sanitizer-reports
log=$scratch/sanitize.log
rm -rf "$reports"
mkdir -p "$reports"
: >"$log"
export "$options=${!options:+${!options}:}log_path=$reports/report"
run=("$SWIFT" test --skip-build --sanitize="$1" --scratch-path "$scratch")
skip=()
[ -n "${SANITIZE_SKIP:-}" ] && skip=(--skip "$SANITIZE_SKIP")
status=0
if [ -n "${SANITIZE_FILTER:-}" ]; then
    "${run[@]}" --no-parallel --filter "$SANITIZE_FILTER" "${skip[@]}" 2>&1 | tee -a "$log" || status=1
else
    "${run[@]}" --parallel --filter "$PARALLEL_SUITES" 2>&1 | tee -a "$log" || status=1
    "${run[@]}" --no-parallel --skip "$PARALLEL_SUITES" "${skip[@]}" 2>&1 | tee -a "$log" || status=1
fi
finished=$(date +%s)

# Swift Testing ends each run with "Test run with N tests in M suites passed after S seconds." (or "failed after S
# seconds with K issues.").
summary=$(grep -E 'Test run with [0-9]+ tests? in' "$log" | awk '
    { for (i = 1; i <= NF; i++) { if ($i == "with" && $(i + 2) ~ /^tests?$/) tests += $(i + 1)
                                   if ($i ~ /^issues?\.?$/) issues += $(i - 1) } }
    END { printf "%d tests, %d issues", tests, issues }')
count=$(find "$reports" -type f | wc -l)
[ "$count" -eq 0 ] || status=1
echo "sanitize: $name: $summary, $count reports (in $reports); build $(((built - started) / 60)) min," \
    "tests $(((finished - built) / 60)) min${SANITIZE_SKIP:+; excluded: $SANITIZE_SKIP}" | tee "$scratch/sanitize.summary"
exit $status
