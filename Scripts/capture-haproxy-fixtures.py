#!/usr/bin/env python3
"""Captures what haws reads from a real HAProxy into fixture files, for the parser tests of that version.

  Scripts/capture-haproxy-fixtures.py --haproxy ~/.cache/haws/haproxy-3.0.11/haproxy \\
      --out Tests/HawsCoreTests/Fixtures/3.0.11

The lab, all on loopback in one asyncio process plus one HAProxy (master-worker, `-W -S`, as Debian runs it):
- `fe_main` (HTTP/1.1) sends `/h2...` to `via_h2`, whose one server is `fe_h2` on the same HAProxy with
  `proto h2` on both sides: those upgrades cross HAProxy as RFC 8441 extended CONNECT streams, so `show sess all`
  lists HTTP/1.1 tunnels (on fe_main) and HTTP/2 tunnels (on fe_h2) side by side.
- `ws_chat` (roundrobin, `option forwardfor`, `option http-server-close`, `check`): s1..s3, WebSocket backends that
  answer an upgrade with 101 and the RFC 6455 Sec-WebSocket-Accept of the key they got; `/slow` is a plain GET
  answered only after 60 s (an HTTP request in flight, which is no tunnel).
- a stats page with `stats auth admin:pw`.
Captures: show info, show stat, show sess, show sess all, show servers state, help (admin socket); the stats page
CSV; show proc, reload and show proc after it (master socket, one tunnel kept on the old worker). Stops all it
started on exit.
"""
import argparse
import asyncio
import base64
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
KEY = b"dGhlIHNhbXBsZSBub25jZQ=="


def accept_for(key):
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli_text(path, command, timeout=10):
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall(command.encode() + b"\n")
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except socket.timeout:
            pass  # the master CLI keeps `reload` connections open on some versions
    return b"".join(chunks).decode(errors="replace")


async def backend(reader, writer):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        headers = {line.split(b":", 1)[0].strip().lower(): line.split(b":", 1)[1].strip()
                   for line in head.split(b"\r\n")[1:] if b":" in line}
        if head.startswith(b"GET /slow"):
            await asyncio.sleep(60)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        elif b"sec-websocket-key" in headers:
            writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         b"Sec-WebSocket-Accept: " + accept_for(headers[b"sec-websocket-key"]) + b"\r\n\r\n")
        else:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        await reader.read()
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def tunnel(port, path, held):
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)
    writer.write(b"GET " + path + b" HTTP/1.1\r\nHost: lab\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: " + KEY + b"\r\nSec-WebSocket-Version: 13\r\n\r\n")
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    if not head.startswith(b"HTTP/1.1 101") or accept_for(KEY) not in head:
        raise SystemExit(f"upgrade through {path} failed: {head!r}")
    held.append(writer)


async def slow_request(port, held):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /slow HTTP/1.1\r\nHost: lab\r\n\r\n")
    await writer.drain()
    held.append(writer)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--haproxy", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--h1", type=int, default=5, help="HTTP/1.1 tunnels")
    parser.add_argument("--h2", type=int, default=4, help="HTTP/2 (RFC 8441) tunnels")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    work = tempfile.mkdtemp(prefix="haws-capture-")
    admin, master = os.path.join(work, "admin.sock"), os.path.join(work, "master.sock")
    fe, fe_h2, stats = free_port(), free_port(), free_port()
    servers = []
    held = []
    for _ in range(3):
        servers.append(await asyncio.start_server(backend, "127.0.0.1", 0))
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    config = f"""global
    stats socket {admin} mode 600 level admin
    nbthread 2
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 90s
    timeout tunnel 1h
frontend fe_main
    bind 127.0.0.1:{fe}
    use_backend via_h2 if {{ path_beg /h2 }}
    default_backend ws_chat
frontend fe_h2
    bind 127.0.0.1:{fe_h2} proto h2
    default_backend ws_chat
backend via_h2
    server h2hop 127.0.0.1:{fe_h2} proto h2
backend ws_chat
    balance roundrobin
    option forwardfor
    option http-server-close
""" + "".join(f"    server s{i} 127.0.0.1:{p} check inter 2s\n" for i, p in enumerate(ports, 1)) + f"""listen stats
    bind 127.0.0.1:{stats}
    stats enable
    stats uri /stats
    stats auth admin:pw
"""
    cfg = os.path.join(work, "haproxy.cfg")
    with open(cfg, "w") as f:
        f.write(config)
    log = open(os.path.join(work, "haproxy.log"), "w")
    proc = subprocess.Popen([args.haproxy, "-W", "-db", "-S", master, "-f", cfg], stdout=log, stderr=log)
    try:
        for _ in range(200):
            try:
                if "Pid:" in cli_text(admin, "show info") and "worker" in cli_text(master, "show proc"):
                    break
            except OSError:
                pass
            if proc.poll() is not None:
                break
            await asyncio.sleep(0.05)
        if proc.poll() is not None:
            log.flush()
            sys.exit("haproxy did not start:\n" + open(os.path.join(work, "haproxy.log")).read())
        await asyncio.sleep(2.5)  # one health check round, so check_status and last_chk are filled
        for i in range(args.h1):
            await tunnel(fe, b"/chat", held)
        for i in range(args.h2):
            await tunnel(fe, b"/h2chat", held)
        await slow_request(fe, held)
        await asyncio.sleep(1.2)

        def save(name, text):
            with open(os.path.join(args.out, name), "w") as f:
                f.write(text)

        for name, command in [("cli_show_info.txt", "show info"), ("cli_show_stat.txt", "show stat"),
                              ("cli_show_sess.txt", "show sess"), ("cli_show_sess_all.txt", "show sess all"),
                              ("cli_show_servers_state.txt", "show servers state"), ("cli_help.txt", "help")]:
            save(name, cli_text(admin, command))
        request = urllib.request.Request(f"http://127.0.0.1:{stats}/stats;csv")
        request.add_header("Authorization", "Basic " + base64.b64encode(b"admin:pw").decode())
        save("stats_http.csv", urllib.request.urlopen(request, timeout=5).read().decode())
        save("master_show_proc.txt", cli_text(master, "show proc"))
        save("master_reload.txt", cli_text(master, "reload", timeout=5))
        after = ""
        for _ in range(100):  # the 2.6 master re-executes itself on reload and refuses connections meanwhile
            try:
                after = cli_text(master, "show proc")
            except OSError:
                after = ""
            if "old workers" in after and len(after.split("# workers")[1].split("#")[0].strip().splitlines()) == 1:
                break
            await asyncio.sleep(0.1)
        save("master_show_proc_after_reload.txt", after)
        print(f"captured into {args.out}: " + " ".join(sorted(os.listdir(args.out))))
    finally:
        for writer in held:
            writer.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for server in servers:
            server.close()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
