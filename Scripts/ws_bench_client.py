#!/usr/bin/python3
"""The peer of `haws probe` in Scripts/bench.sh: Python's `websockets` (Debian's python3-websockets).

  ws_bench_client.py client URL --count N --concurrency C
      N full handshakes (connect, 101 + accept check, ping/pong, close), C in flight, like
      `haws probe --mode full`; prints one JSON line {"passed", "failed", "wall_s"}.
  ws_bench_client.py serve --port P [--hosts N | --any]
      The echo server both clients are measured against: 127.0.0.1:P, plus 127.0.x.y:P for N-1 more loopback
      addresses (so N HAProxy servers are N distinct probe targets). Prints "ready" when listening.

Run it with /usr/bin/python3: Debian's python3-websockets is installed for the system Python only.
"""
import argparse
import asyncio
import json
import resource
import sys
import time

import websockets


def raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def one_probe(url):
    # Same work as haws's full mode: no compression offered, one ping/pong with a payload, a clean close.
    async with websockets.connect(url, compression=None, ping_interval=None, close_timeout=5, open_timeout=5) as ws:
        pong = await ws.ping(b"haws-bench-ping!")
        await asyncio.wait_for(pong, 5)


async def client(url, count, concurrency):
    semaphore = asyncio.Semaphore(concurrency)
    failures = []

    async def guarded():
        async with semaphore:
            try:
                await one_probe(url)
            except Exception as error:  # noqa: BLE001 - every failure counts, whatever its kind
                failures.append(f"{type(error).__name__}: {error}")

    start = time.perf_counter()
    await asyncio.gather(*(guarded() for _ in range(count)))
    wall = time.perf_counter() - start
    print(json.dumps({"passed": count - len(failures), "failed": len(failures), "wall_s": round(wall, 4),
                      "first_failure": failures[0] if failures else None}))
    return 0 if not failures else 2


def loopback_hosts(n):
    hosts = ["127.0.0.1"]
    i = 0
    while len(hosts) < n:
        hosts.append(f"127.0.{1 + i // 250}.{1 + i % 250}")
        i += 1
    return hosts


async def serve(port, hosts, any_address=False):
    async def echo(ws, _path=None):
        async for message in ws:
            await ws.send(message)

    async with websockets.serve(echo, "0.0.0.0" if any_address else loopback_hosts(hosts), port, compression=None, ping_interval=None,
                                backlog=1024):
        print("ready", flush=True)
        await asyncio.Future()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("client")
    c.add_argument("url")
    c.add_argument("--count", type=int, default=1000)
    c.add_argument("--concurrency", type=int, default=64)
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--hosts", type=int, default=1)
    s.add_argument("--any", action="store_true", help="listen on 0.0.0.0: every loopback address answers")
    args = parser.parse_args()
    raise_file_limit()
    if args.command == "client":
        return asyncio.run(client(args.url, args.count, args.concurrency))
    asyncio.run(serve(args.port, args.hosts, args.any))
    return 0


if __name__ == "__main__":
    sys.exit(main())
