#!/usr/bin/env bash
# haws benchmarks: speed and memory as ratios against named peers, measured in the same run.
# Usage: Scripts/bench.sh path/to/release/haws [section...]   (sections: status; default: all)
# Everything listens on 127.0.0.1 or a Unix socket in a temp dir; every loop is bounded.
set -euo pipefail
HAWS=$(realpath "${1:?usage: bench.sh path/to/haws [section...]}")
shift || true
SECTIONS=${*:-status}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/haws-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start_haproxy DIR SERVERS BACKENDS: a HAProxy with that many servers, ready when its socket answers.
start_haproxy() {
  local dir=$1 servers=$2 backends=$3
  mkdir -p "$dir"
  python3 "$HERE/gen-haproxy-config.py" "$dir" "$servers" "$backends" "$(free_port)" "$(free_port)" "$(free_port)"
  haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    echo "show info" | socat -t 2 stdio "UNIX-CONNECT:$dir/admin.sock" 2>/dev/null | grep -q '^Pid:' && return 0
    sleep 0.1
  done
  echo "haproxy did not start: $(tail -3 "$dir/haproxy.log")" >&2
  exit 1
}

# wall_ms N CMD...: median wall time in milliseconds over N runs.
wall_ms() {
  local n=$1; shift
  python3 - "$n" "$@" <<'PY'
import subprocess, sys, time, statistics
n = int(sys.argv[1]); cmd = sys.argv[2:]
times = []
for _ in range(n):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(times):.1f}")
PY
}

bench_status() {
  echo "== haws status at 10,000 servers (local Unix socket), median of 10 runs"
  start_haproxy "$WORK/status" 10000 100
  local sock="$WORK/status/admin.sock"
  local raw haws_table haws_json
  raw=$(wall_ms 10 sh -c "echo 'show stat' | socat -t 5 stdio UNIX-CONNECT:$sock")
  haws_table=$(wall_ms 10 "$HAWS" status --socket "$sock")
  haws_json=$(wall_ms 10 "$HAWS" status --socket "$sock" --json)
  echo "  socat 'show stat' (the raw CSV, no parsing): ${raw} ms"
  echo "  haws status (table):                         ${haws_table} ms"
  echo "  haws status --json:                          ${haws_json} ms"
  python3 -c "print(f'  ratio haws status / raw socat fetch: {float(\"$haws_table\")/float(\"$raw\"):.1f}x (target: haws under 500 ms)')"
}

for section in $SECTIONS; do
  "bench_$section"
done
