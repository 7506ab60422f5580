#!/bin/bash
# sanitize.sh: the suites under one sanitizer (`make sanitize` runs thread, then address).
#
#   Scripts/sanitize.sh thread|address
#
# Builds into .build-tsan or .build-asan, then runs every suite one test at a time against Debian's HAProxy. Not
# the pure suites in parallel as `make test` does: Swift's cooperative pool has one thread per core, and with
# parallel tests several times slower under a sanitizer, ManualClock's real-clock waits of 10 s came back false
# after 28 s (the pool's threads were busy with other tests). Every report of the sanitizer, the test runner's and
# those of each sanitized `haws` the end-to-end tests start, is written to <scratch>/sanitizer-reports/ (log_path),
# so that none hides in a child's stderr. Prints one line at the end: tests, issues, reports, minutes (also in
# <scratch>/sanitize.summary); the test output stays in <scratch>/sanitize.log.
#
# Environment (the Makefile sets it): SWIFT, TSAN_OPTIONS or ASAN_OPTIONS, SANITIZE_SKIP (a regular expression of
# excluded tests; the Makefile says why), SANITIZE_FILTER (runs only what matches), HAWS_TEST_DEADLINE_SCALE (how
# much longer the tests' own waits may last, HawsTestSupport's TestDeadline).
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
# SWIFT may be a command line (`nice -n 10 swift`): split on purpose, as for the build.
# shellcheck disable=SC2206
run=($SWIFT test --skip-build --sanitize="$1" --scratch-path "$scratch")
skip=()
[ -n "${SANITIZE_SKIP:-}" ] && skip=(--skip "$SANITIZE_SKIP")
status=0
filter=()
[ -n "${SANITIZE_FILTER:-}" ] && filter=(--filter "$SANITIZE_FILTER")
"${run[@]}" --no-parallel "${filter[@]}" "${skip[@]}" 2>&1 | tee -a "$log" || status=1
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
