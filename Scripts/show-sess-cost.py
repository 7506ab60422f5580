#!/usr/bin/env python3
"""What each form of `show sess` costs HAProxy at a few thousand open WebSocket tunnels.

  Scripts/show-sess-cost.py --haproxy /usr/sbin/haproxy --tunnels 4000 [--calls 10] [--age-wait 65]

Starts one HAProxy (`-db`, its default threads) in a temp directory with a frontend, a backend of 10 servers and a
stats socket; a WebSocket backend (answers every upgrade with 101 and a correct Sec-WebSocket-Accept, then holds
the tunnel) and --tunnels clients that upgrade through HAProxy and hold, all in this one asyncio process. Then,
for each command, sends it --calls times back to back on the stats socket and prints, per call: bytes of the
answer, wall time, and HAProxy's CPU (user+sys of the whole process from /proc/<pid>/stat, over all calls,
divided by the number of calls). It measures once while every tunnel is younger than 60 s and once more after
--age-wait seconds, when every tunnel is older: `show sess older 60` then selects all of them.
Prints `help` lines about `show sess` first, so the options of the version are on record. Everything it starts
is stopped on exit; every loop is bounded.
"""
import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ACCEPT_FOR_SAMPLE_KEY = b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="  # RFC 6455 section 1.3
UPGRADE = (b"GET /chat HTTP/1.1\r\nHost: lab\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
ANSWER = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          b"Sec-WebSocket-Accept: " + ACCEPT_FOR_SAMPLE_KEY + b"\r\n\r\n")
COMMANDS_BY_AGE = ["show sess", "show sess all", "show sess older 60", "show sess susp"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cli(sock_path, command, timeout=30.0):
    """One command on the stats socket; the answer's byte count (read until HAProxy closes)."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(timeout)
        s.connect(sock_path)
        s.sendall(command.encode() + b"\n")
        total = 0
        first = b""
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                return total, first
            if len(first) < 4096:
                first += chunk[: 4096 - len(first)]
            total += len(chunk)


def cli_text(sock_path, command):
    """A small answer, whole, as text."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(10)
        s.connect(sock_path)
        s.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


async def backend(reader, writer):
    try:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(ANSWER)
        await writer.drain()
        await reader.read()  # hold until the other side closes
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def open_tunnels(port, count, held):
    semaphore = asyncio.Semaphore(200)
    failures = 0

    async def one(index):
        nonlocal failures
        async with semaphore:
            try:
                source = f"127.0.{1 + index // 20000}.{1 + (index // 250) % 250}"
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), 10)
                writer.write(UPGRADE)
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
                if not head.startswith(b"HTTP/1.1 101") or ACCEPT_FOR_SAMPLE_KEY not in head:
                    failures += 1
                    writer.close()
                    return
                held.append(writer)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
                failures += 1

    await asyncio.gather(*(one(i) for i in range(count)))
    return failures


def measure(sock_path, pid, command, calls, idle_cpu_per_s):
    """`command` back to back: at least `calls` times and at least 1 s, so that CPU ticks of 10 ms resolve; at
    most 500 times. HAProxy's CPU is net of its idle rate over the same wall time."""
    sizes, wall = [], 0.0
    before = cpu_seconds(pid)
    started = time.perf_counter()
    while len(sizes) < 500 and (len(sizes) < calls or time.perf_counter() - started < 1.0):
        size, first = cli(sock_path, command)
        sizes.append(size)
    wall = time.perf_counter() - started
    cpu = cpu_seconds(pid) - before - idle_cpu_per_s * wall
    n = len(sizes)
    return {"command": command, "calls": n, "bytes": round(sum(sizes) / n), "wall_ms": round(1000 * wall / n, 2),
            "haproxy_cpu_ms": round(max(0.0, 1000 * cpu / n), 2), "first_line": first.split(b"\n", 1)[0][:100].decode()}


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--haproxy", default="/usr/sbin/haproxy")
    parser.add_argument("--tunnels", type=int, default=4000)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--age-wait", type=int, default=65)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    work = tempfile.mkdtemp(prefix="haws-sess-cost-")
    stats = os.path.join(work, "admin.sock")
    frontend, backend_port = free_port(), free_port()
    servers = "\n".join(f"    server s{i} 127.0.0.1:{backend_port}" for i in range(1, 11))
    with open(os.path.join(work, "haproxy.cfg"), "w") as f:
        f.write(f"""global
    stats socket {stats} mode 600 level admin
    maxconn 9900
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout tunnel 1h
frontend fe_main
    bind 127.0.0.1:{frontend}
    default_backend ws_chat
backend ws_chat
    balance roundrobin
    option forwardfor
    option http-server-close
{servers}
""")
    server = await asyncio.start_server(backend, "127.0.0.1", backend_port, backlog=4096)
    log = open(os.path.join(work, "haproxy.log"), "w")
    proc = subprocess.Popen([args.haproxy, "-db", "-f", os.path.join(work, "haproxy.cfg")], stdout=log, stderr=log)
    held = []
    try:
        for _ in range(200):
            if os.path.exists(stats):
                try:
                    cli(stats, "show info")
                    break
                except OSError:
                    pass
            if proc.poll() is not None:
                break
            await asyncio.sleep(0.05)
        else:
            proc.poll()
        if proc.returncode is not None or not os.path.exists(stats):
            log.flush()
            sys.exit("haproxy did not start:\n" + open(os.path.join(work, "haproxy.log")).read())
        version = subprocess.run([args.haproxy, "-v"], capture_output=True, text=True).stdout.splitlines()[0]
        info = dict(line.split(": ", 1) for line in cli_text(stats, "show info").splitlines() if ": " in line)
        print(json.dumps({"version": version, "nbthread": info.get("Nbthread"),
                          "help_show_sess": [line.strip() for line in cli_text(stats, "help").splitlines()
                                             if "show sess" in line]}), flush=True)
        opened = time.monotonic()
        failures = await open_tunnels(frontend, args.tunnels, held)
        print(json.dumps({"tunnels": len(held), "failed": failures,
                          "open_s": round(time.monotonic() - opened, 1)}), flush=True)
        all_open = time.monotonic()
        await asyncio.sleep(2)
        idle_before = cpu_seconds(proc.pid)
        await asyncio.sleep(10)
        idle = (cpu_seconds(proc.pid) - idle_before) / 10
        print(json.dumps({"idle_haproxy_cpu_ms_per_s": round(1000 * idle, 2)}), flush=True)
        for command in COMMANDS_BY_AGE + ["show stat"]:
            print(json.dumps({"ages": "all < 60s", **await asyncio.to_thread(measure, stats, proc.pid, command,
                                                                          args.calls, idle)}), flush=True)
        await asyncio.sleep(max(0, args.age_wait - (time.monotonic() - all_open)))
        for command in ["show sess older 60", "show sess all", "show sess"]:
            print(json.dumps({"ages": "all > 60s", **await asyncio.to_thread(measure, stats, proc.pid, command,
                                                                          args.calls, idle)}), flush=True)
    finally:
        for writer in held:
            writer.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        server.close()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
