#!/usr/bin/env python3
"""A paced, bounded plain-HTTP request loop through HAProxy: the latency a real user sees next to the tunnels.

Usage: http_latency.py PORT SECONDS RATE [PATH]
Sends GET PATH (default /) to 127.0.0.1:PORT on one keep-alive connection, RATE requests per second for SECONDS
(at most RATE * SECONDS requests), timing each from send to the end of the body. Paced rather than flat out:
a closed loop as fast as possible would measure its own queue on a 2-core machine, not HAProxy's answer time.
Prints one JSON line: {"requests", "errors", "p50_ms", "p99_ms", "max_ms"}.
"""
import http.client
import json
import sys
import time

port, seconds, rate = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
path = sys.argv[4] if len(sys.argv) > 4 else "/"
total = int(seconds * rate)
gap = 1.0 / rate
latencies, errors = [], 0
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
start = time.perf_counter()
for i in range(total):
    due = start + i * gap
    now = time.perf_counter()
    if due > now:
        time.sleep(due - now)
    t = time.perf_counter()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            errors += 1
            continue
        latencies.append((time.perf_counter() - t) * 1000)
    except (OSError, http.client.HTTPException):
        errors += 1
        connection.close()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
latencies.sort()


def quantile(q):
    return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2) if latencies else None


print(json.dumps({"requests": total, "errors": errors, "p50_ms": quantile(0.5), "p99_ms": quantile(0.99),
                  "max_ms": round(latencies[-1], 2) if latencies else None}))
