#!/usr/bin/env bash
# haws benchmarks: speed and memory as ratios against named peers, measured in the same run.
# Usage: Scripts/bench.sh path/to/release/haws [section...]   (sections: status agent top probe servers tunnels; default: all;
#        `make bench BENCH_AXES="servers tunnels"` passes them)
# probe needs Debian's python3-websockets (imported by /usr/bin/python3, not a pyenv python3).
# Everything listens on 127.0.0.1 or a Unix socket in a temp dir; every loop is bounded.
set -euo pipefail
HAWS=$(realpath "${1:?usage: bench.sh path/to/haws [section...]}")
shift || true
SECTIONS=${*:-status agent top probe servers tunnels}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/haws-bench.XXXXXX)
PIDS=()
cleanup() {
  # `|| true`: under set -e a failing last command of an && list would end the trap before the kills below.
  for s in "$WORK"/tmux-*; do { [ -S "$s" ] && tmux -S "$s" kill-server 2>/dev/null; } || true; done
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  # BENCH_KEEP=DIR keeps the run's files (NDJSON, logs, top's screens) there.
  if [ -n "${BENCH_KEEP:-}" ]; then mkdir -p "$BENCH_KEEP" && cp -r "$WORK"/. "$BENCH_KEEP"/ 2>/dev/null || true; fi
  rm -rf "$WORK"
}
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

# cpu_rss PID: "cpu_seconds rss_mb hwm_mb" of a running process.
cpu_rss() { python3 "$HERE/procstat.py" "$1"; }

wait_http() {
  for _ in $(seq 1 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "nothing answers at $1" >&2; exit 1
}

bench_agent() {
  local polls=${AGENT_POLLS:-30} soak=${AGENT_SOAK_POLLS:-3600}
  echo "== haws agent vs prometheus-haproxy-exporter at 10,000 servers, 1 s interval, ${polls} polls each"
  start_haproxy "$WORK/agent" 10000 100
  local sock="$WORK/agent/admin.sock" stats_port
  stats_port=$(grep -A1 '^listen stats' "$WORK/agent/haproxy.cfg" | sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p')
  local exporter_port agent_port
  exporter_port=$(free_port); agent_port=$(free_port)

  prometheus-haproxy-exporter --web.listen-address="127.0.0.1:$exporter_port" \
    --haproxy.scrape-uri="http://127.0.0.1:$stats_port/stats;csv" >"$WORK/exporter.log" 2>&1 &
  local exporter=$!; PIDS+=($exporter)
  wait_http "http://127.0.0.1:$exporter_port/metrics"
  local before after
  before=$(cpu_rss $exporter)
  for _ in $(seq 1 "$polls"); do curl -sf -o /dev/null "http://127.0.0.1:$exporter_port/metrics"; sleep 1; done
  after=$(cpu_rss $exporter)
  kill $exporter
  read -r ec0 _ _ <<<"$before"; read -r ec1 erss ehwm <<<"$after"

  # --no-probe: the exporter does not probe; probing has its own section (probe) below.
  "$HAWS" agent --socket "$sock" --output /dev/null --prometheus "127.0.0.1:$agent_port" --interval 1s --no-probe \
    >"$WORK/agent.log" 2>&1 &
  local agent=$!; PIDS+=($agent)
  wait_http "http://127.0.0.1:$agent_port/metrics"
  before=$(cpu_rss $agent)
  for _ in $(seq 1 "$polls"); do curl -sf -o /dev/null "http://127.0.0.1:$agent_port/metrics"; sleep 1; done
  after=$(cpu_rss $agent)
  kill $agent
  read -r ac0 _ _ <<<"$before"; read -r ac1 arss ahwm <<<"$after"
  python3 - "$ec0" "$ec1" "$ehwm" "$ac0" "$ac1" "$ahwm" "$polls" <<'PY'
import sys
ec0, ec1, ehwm, ac0, ac1, ahwm, polls = map(float, sys.argv[1:])
e = (ec1 - ec0) / polls * 1000
a = (ac1 - ac0) / polls * 1000
print(f"  prometheus-haproxy-exporter: {e:.1f} ms CPU per scrape, peak RSS {ehwm:.0f} MB")
print(f"  haws agent (NDJSON + /metrics scraped each poll): {a:.1f} ms CPU per poll, peak RSS {ahwm:.0f} MB")
print(f"  ratio: {e / max(a, 0.001):.1f}x less CPU per poll, {ehwm / max(ahwm, 0.001):.1f}x less memory (targets: 20x, 5x)")
PY

  [ "$soak" -gt 0 ] || return 0
  echo "== haws agent soak: ${soak} polls (an hour at 1 s) back to back at 10,000 servers"
  local soak_port; soak_port=$(free_port)
  "$HAWS" agent --socket "$sock" --output /dev/null --prometheus "127.0.0.1:$soak_port" \
    --interval 1ms --sessions-interval 5ms --no-probe >"$WORK/soak.log" 2>&1 &
  local soaker=$!; PIDS+=($soaker)
  wait_http "http://127.0.0.1:$soak_port/metrics"
  local done_polls=0 early_rss=""
  for _ in $(seq 1 720); do   # bounded: at most an hour of wall time
    sleep 5
    done_polls=$(curl -s "http://127.0.0.1:$soak_port/metrics" | awk '/^haws_instance_polls_total/ {print int($2)}' | head -1)
    read -r _ rss _ <<<"$(cpu_rss $soaker)"
    [ -z "$early_rss" ] && early_rss=$rss
    [ "${done_polls:-0}" -ge "$soak" ] && break
  done
  read -r cpu rss hwm <<<"$(cpu_rss $soaker)"
  kill $soaker
  echo "  after ${done_polls} polls (${cpu} s CPU): RSS ${rss} MB (${early_rss} MB after 5 s, peak ${hwm} MB; target under 50 MB)"
}

# start_dashboard NAME CMD...: runs a dashboard in a private tmux (160x50); prints the pane's process id.
start_dashboard() {
  local name=$1; shift
  local sock="$WORK/tmux-$name"
  tmux -S "$sock" -f /dev/null new-session -d -s bench -x 160 -y 50 "$*"
  tmux -S "$sock" list-panes -t bench -F '#{pane_pid}'
}

stop_dashboard() { tmux -S "$WORK/tmux-$1" kill-server 2>/dev/null || true; }

bench_top() {
  local seconds=${TOP_SECONDS:-30}
  for servers in 2000 10000; do
    echo "== haws top vs hatop at ${servers} servers, 1 s refresh, both at once for ${seconds} s on the same HAProxy"
    echo "   (CPU of one core, peak RSS; haws top --no-probe: hatop does not probe, and haws top probes by default)"
    start_haproxy "$WORK/top$servers" "$servers" $((servers / 100))
    local sock="$WORK/top$servers/admin.sock"
    "$HAWS" top --socket "$sock" --no-probe --doctor-config "$WORK/top$servers/haproxy.cfg" --bench-frames 200 \
      | sed 's/^/  haws top, /'
    local hpid wpid
    hpid=$(start_dashboard hatop hatop -s "$sock" -i 1)
    wpid=$(start_dashboard haws "$HAWS" top --socket "$sock" --interval 1s --no-probe --audit-log "$WORK/audit.log")
    sleep 5   # let both start and draw their first frames before measuring
    read -r h0 _ _ <<<"$(cpu_rss "$hpid")"
    read -r w0 _ _ <<<"$(cpu_rss "$wpid")"
    sleep "$seconds"
    read -r h1 _ hrss <<<"$(cpu_rss "$hpid")"
    read -r w1 _ wrss <<<"$(cpu_rss "$wpid")"
    stop_dashboard hatop
    stop_dashboard haws
    python3 -c "print(f'  hatop -i 1 (shows at most 999 rows):  {($h1 - $h0) / $seconds * 100:.2f}% CPU, ${hrss} MB')"
    python3 -c "print(f'  haws top --no-probe (all ${servers} servers): {($w1 - $w0) / $seconds * 100:.2f}% CPU, ${wrss} MB')"
  done
}

# wait_for_line FILE TEXT: until FILE has a line TEXT (a server saying "ready"), at most 10 s.
wait_for_line() {
  for _ in $(seq 1 100); do
    grep -qx "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "not ready: $(tail -3 "$1")" >&2
  exit 1
}

bench_probe() {
  echo "== haws probe vs Python websockets: 1,000 full WebSocket handshakes (connect, 101 + Sec-WebSocket-Accept,"
  echo "   ping/pong, close), 64 in flight, against the same local echo server (Python websockets), median of 3 runs;"
  echo "   CPU per handshake raw, and at steady state (minus each client's own 1-handshake run: start-up)"
  if ! /usr/bin/python3 -c 'import websockets' 2>/dev/null; then
    echo "  skipped: Debian's python3-websockets is missing (apt-get install python3-websockets)"
    return 0
  fi
  local port dir
  port=$(free_port)
  # One port on 1,000 loopback addresses (127.0.0.1, 127.0.1.1, ...): 1,000 distinct probe targets below.
  /usr/bin/python3 "$HERE/ws_bench_client.py" serve --port "$port" --hosts 1000 >"$WORK/echo.log" 2>&1 &
  PIDS+=($!)
  wait_for_line "$WORK/echo.log" ready
  python3 - "$HAWS" "$HERE/ws_bench_client.py" "$port" <<'PY'
import json, resource, statistics, subprocess, sys, time
haws, client, port = sys.argv[1], sys.argv[2], sys.argv[3]
url, n, c = f"ws://127.0.0.1:{port}/bench", 1000, 64
def measure(cmd, count, passed):
    """Median wall, CPU (user+sys) and sys time of 3 runs of `cmd` doing `count` handshakes."""
    walls, cpus, syss = [], [], []
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        out = subprocess.run(cmd(count), capture_output=True, text=True)
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        syss.append(after.ru_stime - before.ru_stime)
        cpus.append(after.ru_utime - before.ru_utime + syss[-1])
        try:
            ok = passed(out.stdout)
        except (ValueError, KeyError, IndexError):
            ok = None
        if ok != count:
            sys.exit(f"  {cmd(count)[0]}: {ok}/{count} passed (exit {out.returncode}): {out.stdout[-300:]} "
                     f"{out.stderr[-300:]}")
    return statistics.median(walls), statistics.median(cpus), statistics.median(syss)
version = subprocess.run(["/usr/bin/python3", "-c", "import websockets; print(websockets.__version__)"],
                         capture_output=True, text=True).stdout.strip()
clients = [
    ("haws probe (Swift, NIO)",
     lambda k: [haws, "probe", url, "--count", str(k), "--concurrency", str(c), "--mode", "full", "--json"],
     lambda o: json.loads(o)["targets"][0]["passed"]),
    (f"Python websockets {version}",
     lambda k: ["/usr/bin/python3", client, "client", url, "--count", str(k), "--concurrency", str(c)],
     lambda o: json.loads(o)["passed"]),
]
# Start-up (Python's interpreter and imports; Swift's runtime, argument parsing and NIO's threads) is not work per
# handshake: "steady" subtracts each client's own one-handshake run, measured the same way, from its 1,000 run.
rows = []
for name, cmd, passed in clients:
    _, base_cpu, base_sys = measure(cmd, 1, passed)
    wall, cpu, sys_cpu = measure(cmd, n, passed)
    rows.append((name, wall, cpu / n * 1000, (cpu - base_cpu) / (n - 1) * 1000,
                 (sys_cpu - base_sys) / (n - 1) * 1000, base_cpu * 1000))
print(f"  {'client':<30}{'wall':>7}{'handshakes/s':>14}{'CPU/hs':>9}{'steady':>9}{'of it sys':>11}"
      f"{'start-up':>10}  (client process)")
for name, wall, raw, steady, steady_sys, start in rows:
    print(f"  {name:<30}{wall:>6.2f}s{n / wall:>14.0f}{raw:>7.3f}ms{steady:>7.3f}ms{steady_sys:>9.3f}ms"
          f"{start:>8.0f}ms")
(_, hw, hraw, hsteady, _, _), (_, pw, praw, psteady, _, _) = rows
print(f"  haws vs Python: {pw / hw:.1f}x the handshake rate; {psteady / hsteady:.1f}x less CPU per handshake at "
      f"steady state ({praw / hraw:.1f}x with start-up counted). The single-threaded echo server bounds both rates.")
PY

  echo "== haws status --probe: 1,000 servers behind HAProxy (1,000 loopback addresses, no checks), one probe round"
  echo "   (discovery + 1,000 full probes, 64 in flight, 50 ms jitter), median of 3 runs"
  dir="$WORK/probe"
  mkdir -p "$dir"
  python3 - "$dir" "$port" "$(free_port)" <<'PY'
import sys
directory, port, fe_port = sys.argv[1], sys.argv[2], sys.argv[3]
lines = ["global", f"    stats socket {directory}/admin.sock mode 600 level admin", "    maxconn 4000",
         "defaults", "    mode http", "    timeout connect 5s", "    timeout client 60s", "    timeout server 60s",
         "frontend fe_main", f"    bind 127.0.0.1:{fe_port}", "    default_backend be_0"]
hosts = ["127.0.0.1"] + [f"127.0.{1 + i // 250}.{1 + i % 250}" for i in range(999)]
for b in range(10):
    lines += [f"backend be_{b}", "    balance roundrobin"]
    lines += [f"    server s{s} {hosts[b * 100 + s]}:{port}" for s in range(100)]
open(f"{directory}/haproxy.cfg", "w").write("\n".join(lines) + "\n")
PY
  haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    echo "show info" | socat -t 2 stdio "UNIX-CONNECT:$dir/admin.sock" 2>/dev/null | grep -q '^Pid:' && break
    sleep 0.1
  done
  python3 - "$HAWS" "$dir/admin.sock" <<'PY'
import json, resource, statistics, subprocess, sys, time
haws, socket = sys.argv[1], sys.argv[2]
rounds, walls, cpus = [], [], []
for _ in range(3):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run([haws, "status", "--socket", socket, "--probe", "--json"], capture_output=True, text=True)
    walls.append(time.perf_counter() - t)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    probes = json.loads(out.stdout)["probes"]
    if probes["passed"] != 1000:
        sys.exit(f"  only {probes['passed']}/1000 servers passed: {json.loads(out.stdout)['summary'][:300]}")
    rounds.append(probes["duration_ms"] / 1000)
print(f"  probe round: {statistics.median(rounds):.2f} s for 1000/1000 servers passed (a 10 s cycle: "
      f"{statistics.median(rounds) / 10 * 100:.0f}% of it)")
print(f"  whole command (read HAProxy, probe round, report): {statistics.median(walls):.2f} s wall, "
      f"{statistics.median(cpus):.2f} s CPU ({statistics.median(cpus) / 1000 * 1000:.2f} ms per server)")
PY
}

# bench_servers: the servers axis at defaults (probes on, NDJSON + /metrics), next to --no-probe and the peers, on one
# HAProxy with 10,000 servers spread over 10,000 loopback addresses (distinct probe targets) in front of one WebSocket
# echo server listening on all of them. Everything runs at once for SERVERS_SECONDS (600 in the real bench): haws agent
# and haws top, each at defaults and with --no-probe, prometheus-haproxy-exporter and hatop -i 1; the agents' and the
# exporter's /metrics are scraped every SERVERS_SCRAPE seconds (15, Prometheus's default). Each process is measured on
# its own (CPU from minute 1 to the end, RSS every 30 s), so running them together costs wall time, not their numbers.
bench_servers() {
  local seconds=${SERVERS_SECONDS:-600} scrape=${SERVERS_SCRAPE:-15} servers=10000
  echo "== servers axis: ${servers} servers, all at once for ${seconds} s: haws agent and top at defaults (probes on) and"
  echo "   --no-probe, prometheus-haproxy-exporter and hatop -i 1; /metrics scraped every ${scrape} s"
  if ! /usr/bin/python3 -c 'import websockets' 2>/dev/null; then
    echo "  skipped: Debian's python3-websockets is missing (apt-get install python3-websockets)"
    return 0
  fi
  local dir="$WORK/servers" port stats_port
  mkdir -p "$dir"
  port=$(free_port)
  /usr/bin/python3 "$HERE/ws_bench_client.py" serve --port "$port" --hosts 1 --any >"$dir/echo.log" 2>&1 &
  local echo_pid=$!; PIDS+=($echo_pid)
  wait_for_line "$dir/echo.log" ready
  stats_port=$(free_port)
  python3 "$HERE/gen-haproxy-config.py" "$dir" "$servers" 100 "$(free_port)" "$stats_port" "$port" --spread
  haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
  local hap=$!; PIDS+=($hap)
  for _ in $(seq 1 100); do
    echo "show info" | socat -t 2 stdio "UNIX-CONNECT:$dir/admin.sock" 2>/dev/null | grep -q '^Pid:' && break
    sleep 0.1
  done
  local sock="$dir/admin.sock"
  echo "  load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  # name pid ndjson-or-empty scrape-url-or-empty, one line each
  : >"$dir/procs"
  local name probe p u
  for probe in "" "--no-probe"; do
    name="agent${probe:+-no-probe}"; p=$(free_port)
    "$HAWS" agent --socket "$sock" --output "$dir/$name.ndjson" --prometheus "127.0.0.1:$p" $probe >"$dir/$name.log" 2>&1 &
    PIDS+=($!); echo "$name $! $dir/$name.ndjson http://127.0.0.1:$p/metrics" >>"$dir/procs"
    name="top${probe:+-no-probe}"
    echo "$name $(start_dashboard "$name" "$HAWS" top --socket "$sock" $probe) - -" >>"$dir/procs"
  done
  p=$(free_port)
  prometheus-haproxy-exporter --web.listen-address="127.0.0.1:$p" \
    --haproxy.scrape-uri="http://127.0.0.1:$stats_port/stats;csv" >"$dir/exporter.log" 2>&1 &
  PIDS+=($!); echo "exporter $! - http://127.0.0.1:$p/metrics" >>"$dir/procs"
  echo "hatop $(start_dashboard hatop hatop -s "$sock" -i 1) - -" >>"$dir/procs"
  echo "haproxy $hap - -" >>"$dir/procs"
  echo "echo-server $echo_pid - -" >>"$dir/procs"
  # The scraper: every SERVERS_SCRAPE s, each /metrics once (bounded by the window).
  ( for _ in $(seq 1 $((seconds / scrape))); do
      while read -r _ _ _ u; do [ "$u" = - ] || curl -s -m 60 -o /dev/null "$u" || true; done <"$dir/procs"
      sleep "$scrape"
    done ) &
  local scraper=$!; PIDS+=($scraper)
  python3 - "$dir" "$seconds" "$HERE/procstat.py" <<'PY'
import os, subprocess, sys, time
d, seconds, procstat = sys.argv[1], int(sys.argv[2]), sys.argv[3]
procs = [l.split() for l in open(f"{d}/procs")]
st = lambda pid: [float(x) for x in subprocess.run([sys.executable, procstat, pid], capture_output=True, text=True).stdout.split()]
size = lambda f: os.path.getsize(f) if f != "-" and os.path.exists(f) else 0
start = time.monotonic()
time.sleep(60)
c0 = {n: st(pid)[0] for n, pid, _, _ in procs}; b0 = {n: size(f) for n, _, f, _ in procs}; t0 = time.monotonic()
loads, rss = [], {n: [] for n, *_ in procs}
while time.monotonic() - start < seconds - 1:
    time.sleep(min(30, max(0, seconds - (time.monotonic() - start))))
    loads.append(open("/proc/loadavg").read().split()[0])
    for n, pid, _, _ in procs: rss[n].append(st(pid)[1])
t1 = time.monotonic()
for n, pid, f, _ in procs:
    cpu, _, hwm = st(pid)
    out = f"    {n:<17} CPU {(cpu - c0[n]) / (t1 - t0) * 100:5.2f}% of a core (minute 1 to the end); RSS every 30 s: "
    out += " ".join(f"{r:.0f}" for r in rss[n]) + f" MB, peak {hwm:.0f} MB"
    if f != "-": out += f"; NDJSON {(size(f) - b0[n]) / (t1 - t0) / 1000:.1f} KB/s ({size(f) / 1e6:.1f} MB in all)"
    print(out)
print(f"    load average (1 min) every 30 s: {' '.join(loads)}")
PY
  while read -r name _ _ u; do
    [ "${name#agent}" != "$name" ] || continue
    echo "  $name /metrics:"
    curl -s -m 10 "$u" | grep -E '^haws_(probe_(budget|period|cpu|rounds)|agent_output_bytes)' | sed 's/^/    /' || true
  done <"$dir/procs"
  for name in top top-no-probe hatop; do
    tmux -S "$WORK/tmux-$name" capture-pane -p -t bench | head -2 | sed "s/^/    $name: /"
    stop_dashboard "$name"
  done
  stop_pid $scraper
  while read -r name pid _ _; do case $name in agent*|exporter) stop_pid "$pid";; esac; done <"$dir/procs"
}

wait_ready() {
  local file=$1 what=$2 seconds=$3 pid=$4
  for _ in $(seq 1 $((seconds * 10))); do
    grep -q "\"ready\":\"$what\"" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# json_field FILE KEY: KEY of the first JSON line of FILE.
json_field() { python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())[sys.argv[2]])' "$1" "$2"; }

# stop_pid PID: SIGTERM, then wait (bounded) until it is gone.
stop_pid() {
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
}

# tunnels_at PROTO N SECONDS: one row of the tunnels axis. HAProxy, 10 tunnel servers (haws lab-load backends)
# and N tunnels held by haws lab-load clients; the lab runs at nice 10, HAProxy and haws at normal priority.
tunnels_at() {
  local proto=$1 n=$2 seconds=$3 dir="$WORK/tunnels-$1-$2"
  mkdir -p "$dir"
  echo "-- $n tunnels over $proto (10 servers); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  nice -n 10 "$HAWS" lab-load backends --proto "$proto" --servers 10 --dir "$dir" >"$dir/backends.out" 2>"$dir/backends.err" &
  local backends=$!; PIDS+=($backends)
  wait_ready "$dir/backends.out" backends 30 $backends || { echo "  backends did not start: $(tail -2 "$dir/backends.err")"; return 1; }
  local sock="$dir/admin.sock" http_port tunnel_port
  http_port=$(json_field "$dir/backends.out" http_port); tunnel_port=$(json_field "$dir/backends.out" tunnel_port)
  haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
  local hap=$!; PIDS+=($hap)
  for _ in $(seq 1 100); do
    echo "show info" | socat -t 2 stdio "UNIX-CONNECT:$sock" 2>/dev/null | grep -q '^Pid:' && break
    sleep 0.1
  done
  local t0; t0=$(date +%s.%N)
  nice -n 10 "$HAWS" lab-load clients --proto "$proto" --port "$tunnel_port" --tunnels "$n" >"$dir/clients.out" 2>"$dir/clients.err" &
  local clients=$!; PIDS+=($clients)
  if ! wait_ready "$dir/clients.out" clients 600 $clients; then
    echo "  did not fit: $(tail -2 "$dir/clients.err") (backends hold $(cat "$dir/tunnels.json"))"
    stop_pid $clients; stop_pid $hap; stop_pid $backends
    return 1
  fi
  local held
  for _ in $(seq 1 300); do
    held=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$dir/tunnels.json")
    [ "$held" -eq "$n" ] && break
    sleep 0.1
  done
  python3 - "$dir" "$t0" "$n" "$held" $clients $backends $hap "$HERE/procstat.py" <<'PY'
import json, subprocess, sys, time
d, t0, n, held, clients, backends, hap, procstat = sys.argv[1], float(sys.argv[2]), *sys.argv[3:]
st = lambda pid: subprocess.run([sys.executable, procstat, pid], capture_output=True, text=True).stdout.split()
c, b, h = st(clients), st(backends), st(hap)
print(f"  held {held}/{n} by the backends' own count, opened in {time.time() - t0:.1f} s; lab CPU so far: clients "
      f"{c[0]} s, backends {b[0]} s; RSS clients {c[1]} MB, backends {b[1]} MB, HAProxy {h[1]} MB")
PY

  # The raw command: bytes of show sess all and what one dump costs HAProxy (CPU and wall), 5 dumps in a row.
  python3 - "$sock" $hap "$HERE/procstat.py" "$dir/dump.cpu" <<'PY'
import subprocess, sys, time
sock, hap, procstat, cpu_file = sys.argv[1:]
cpu = lambda: float(subprocess.run([sys.executable, procstat, hap], capture_output=True, text=True).stdout.split()[0])
sizes, walls, cpus = [], [], []
for _ in range(5):
    c, t = cpu(), time.perf_counter()
    out = subprocess.run(["socat", "-t", "30", "stdio", f"UNIX-CONNECT:{sock}"], input=b"show sess all\n",
                         capture_output=True).stdout
    walls.append(time.perf_counter() - t); cpus.append(cpu() - c); sizes.append(len(out))
    time.sleep(0.5)
mb = sorted(sizes)[2] / 1e6
open(cpu_file, "w").write(str(sorted(cpus)[2]))
print(f"  socat 'show sess all': {mb:.1f} MB, HAProxy CPU {sorted(cpus)[2] * 1000:.0f} ms per dump "
      f"(wall {sorted(walls)[2] * 1000:.0f} ms), median of 5")
PY

  # measure LABEL PID: over SECONDS, with the paced HTTP loop running: CPU % of PID (if any) and of HAProxy, p99.
  measure() {
    local label=$1 pid=$2 p0=0 p1=0 h0 h1 lat
    [ "$pid" = - ] || read -r p0 _ _ <<<"$(cpu_rss "$pid")"
    read -r h0 _ _ <<<"$(cpu_rss $hap)"
    lat=$(python3 "$HERE/http_latency.py" "$http_port" "$seconds" 50)
    [ "$pid" = - ] || read -r p1 _ phwm <<<"$(cpu_rss "$pid")"
    read -r h1 _ _ <<<"$(cpu_rss $hap)"
    python3 - "$label" "$p0" "$p1" "${phwm:-0}" "$h0" "$h1" "$seconds" "$lat" "$pid" <<'PY'
import json, sys
label, p0, p1, hwm, h0, h1, seconds, lat, pid = sys.argv[1:]
p0, p1, hwm, h0, h1, seconds = map(float, (p0, p1, hwm, h0, h1, seconds))
lat = json.loads(lat)
own = "" if pid == "-" else f"{(p1 - p0) / seconds * 100:5.1f}% CPU, peak RSS {hwm:.0f} MB; "
print(f"  {label:<22} {own}HAProxy {(h1 - h0) / seconds * 100:.2f}% CPU; HTTP p99 {lat['p99_ms']} ms "
      f"(p50 {lat['p50_ms']}, max {lat['max_ms']}, {lat['errors']} errors of {lat['requests']})")
PY
  }
  sleep 2
  measure "without haws:" -

  # The same window with two dumps in it (at a quarter and at three quarters): read flat out (socat, as haws read
  # them before) and as haws reads them (haws status --tunnel-ages: the dump at haws's pace). The agent's and
  # top's windows rarely hold a dump once the counters give every count (ages only: every 60 s or the budget's
  # interval, 3-4 minutes at 100,000), so these two windows are what a dump does to the HTTP p99.
  measure_dumps() {
    local label=$1; shift
    ( sleep $((seconds / 4)); "$@" >/dev/null 2>&1 ) & PIDS+=($!)
    ( sleep $((seconds * 3 / 4)); "$@" >/dev/null 2>&1 ) & PIDS+=($!)
    measure "$label" -
    wait "${PIDS[@]: -2}" 2>/dev/null || true
  }
  measure_dumps "2 dumps, socat:" sh -c "echo 'show sess all' | socat -t 30 stdio UNIX-CONNECT:$sock >/dev/null"
  measure_dumps "2 dumps, haws:" "$HAWS" status --socket "$sock" --tunnel-ages --timeout 60s

  "$HAWS" agent --socket "$sock" --output "$dir/agent.ndjson" --no-probe >"$dir/agent.log" 2>&1 &
  local agent=$!; PIDS+=($agent)
  sleep 6   # past the first show stat and show sess all
  local skip; skip=$(wc -l <"$dir/agent.ndjson")
  measure "haws agent --no-probe:" $agent
  stop_pid $agent
  # Cadence from the window's lines (a snapshot or changes line per poll); per-server counts from the last full
  # snapshot (changes lines carry per-server state, not counters), the instance total from the last line.
  python3 - "$dir/agent.ndjson" "$dir/tunnels.json" "$skip" <<'PY'
import json, sys
from datetime import datetime
every = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
lines = every[int(sys.argv[3]):]
truth = json.load(open(sys.argv[2]))
full = [l for l in every if l.get("type") == "snapshot"]
snaps = [l for l in lines if l.get("type") in ("snapshot", "changes")]
if not snaps or not full:
    sys.exit("  agent wrote no snapshot line")
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
polls = [t(s["time"]) for s in snaps]
reads = sorted({t(s["tunnels_read_at"]) for s in snaps if s.get("tunnels_read_at")})
gap = lambda xs: max((b - a for a, b in zip(xs, xs[1:])), default=float("nan"))
last = snaps[-1]
be = next((b for b in full[-1]["backends"] if b["name"] == "be_ws"), {})
servers = {s["name"]: s.get("tunnels") for s in be.get("servers", [])}
exact = servers == truth["servers"] and last.get("tunnels") == truth["total"]
print(f"  agent cadence: {len(snaps)} polls, longest gap {gap(polls):.2f} s (1 s asked); {len(reads)} session reads, "
      f"longest gap {gap(reads):.2f} s (5 s asked)")
print(f"  agent counts: total {last.get('tunnels')} vs backends' {truth['total']}; per server "
      f"{'equal' if exact else 'DIFFERENT: ' + json.dumps(servers) + ' vs ' + json.dumps(truth['servers'])}")
cost = last.get("cost") or {}
print(f"  agent's dump schedule: every {cost.get('sessions_interval_seconds')} s ({cost.get('sessions_interval_reason')}); "
      f"last dump {cost.get('sessions_dump_seconds')} s, {cost.get('sessions_dump_bytes')} B, "
      f"{cost.get('sessions_dump_streams')} streams")
open(sys.argv[1] + ".interval", "w").write(str(cost.get("sessions_interval_seconds") or 0))
PY

  local tpid
  tpid=$(start_dashboard "tunnels-$proto-$n" "$HAWS" top --socket "$sock" --no-probe --audit-log "$dir/audit.log")
  sleep 6
  # top's own header says how old its last poll is ("poll 0s ago"): sample the screen every 2 s of the window.
  ( for _ in $(seq 1 $((seconds / 2))); do
      tmux -S "$WORK/tmux-tunnels-$proto-$n" capture-pane -p -t bench 2>/dev/null >>"$dir/top.txt"; sleep 2
    done ) &
  local sampler=$!; PIDS+=($sampler)
  measure "haws top --no-probe:" "$tpid"
  wait $sampler 2>/dev/null || true
  stop_dashboard "tunnels-$proto-$n"
  echo "  top's header, poll ages seen over the window: $(grep -o 'poll [^ ]* ago' "$dir/top.txt" | awk '{print $2}' | sort -u | tr '\n' ' ')"
  echo "  top's columns:     $(grep -m1 'TUNNEL' "$dir/top.txt" | tr -s ' ' | cut -c1-120)"
  echo "  top's last be_ws row: $(grep 'be_ws' "$dir/top.txt" | tail -1 | tr -s ' ' | cut -c1-120)"

  local status_ms
  status_ms=$(wall_ms 3 "$HAWS" status --socket "$sock")
  echo "  haws status: ${status_ms} ms wall (median of 3; its default --timeout is 5 s)"
  local t0 rc=0; t0=$(date +%s%N)
  "$HAWS" status --socket "$sock" --tunnel-ages >/dev/null 2>&1 || rc=$?
  echo "  haws status --tunnel-ages at its default --timeout (5 s; the dump is read as fast as that needs):" \
    "$(( ($(date +%s%N) - t0) / 1000000 )) ms wall, exit $rc"
  # What one dump costs haws (and so the agent and top per dump): haws status --tunnel-ages reads stats and the
  # whole show sess all, with a deadline long enough for it to finish; CPU of the process, median of 3.
  python3 - "$HAWS" "$sock" "$dir/agent.ndjson.interval" "$dir/dump.cpu" <<'PY'
import resource, statistics, subprocess, sys, time
haws, sock, interval_file, dump_file = sys.argv[1:]
cpus, walls = [], []
for _ in range(3):
    before = resource.getrusage(resource.RUSAGE_CHILDREN); t = time.perf_counter()
    out = subprocess.run([haws, "status", "--socket", sock, "--tunnel-ages", "--timeout", "60s"], capture_output=True, text=True)
    walls.append(time.perf_counter() - t); after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
import os
interval = float(open(interval_file).read() or 0) if os.path.exists(interval_file) else 0
cpu = statistics.median(cpus)
dump = float(open(dump_file).read() or 0)
spread = (f"; spread over the agent's dump interval of {interval:.0f} s: {cpu / interval * 100:.2f}% of a core "
          f"(HAProxy's {dump * 1000:.0f} ms per dump: {dump / interval * 100:.2f}%)") if interval else ""
print(f"  haws status --tunnel-ages (stats + a whole show sess all): {statistics.median(walls):.2f} s wall, "
      f"{cpu:.2f} s CPU (exit {out.returncode}){spread}")
PY

  stop_pid $clients; stop_pid $hap; stop_pid $backends
}

bench_tunnels() {
  local seconds=${TUNNEL_SECONDS:-30} sizes=${TUNNEL_SIZES:-"h1:5000 h2:5000 h2:20000 h2:100000"}
  echo "== tunnels at scale: WebSocket tunnels held through HAProxy; haws at its defaults for ${seconds} s each,"
  echo "   next to the raw show sess all and to HAProxy without haws; HTTP p99 of a paced loop (50 req/s) through the same HAProxy"
  local size
  for size in $sizes; do
    tunnels_at "${size%%:*}" "${size##*:}" "$seconds" || true
  done
}

for section in $SECTIONS; do
  "bench_$section"
done
