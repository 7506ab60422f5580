#!/usr/bin/env python3
"""Writes an HAProxy config with N servers (B backends) for benchmarks, all on loopback.

Usage: gen-haproxy-config.py DIR SERVERS BACKENDS FRONTEND_PORT STATS_PORT TARGET_PORT [--spread]
--spread puts each server on its own loopback address (127.1.0.1, 127.1.0.2, ...) at TARGET_PORT, so probes
have distinct targets (one listener on 0.0.0.0:TARGET_PORT answers them all).
Servers point at TARGET_PORT (a real WebSocket backend when checks are on); checks are off so
10,000 servers cost HAProxy nothing between polls, as with most large static fleets.
"""
import os
import sys

directory, servers, backends, fe_port, stats_port, target = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
spread = "--spread" in sys.argv[7:]
per_backend = max(1, servers // backends)
lines = [
    "global",
    f"    stats socket {directory}/admin.sock mode 600 level admin",
    "    maxconn 4000",
    "defaults",
    "    mode http",
    "    timeout connect 5s",
    "    timeout client 60s",
    "    timeout server 60s",
    "    timeout tunnel 1h",
    "frontend fe_main",
    f"    bind 127.0.0.1:{fe_port}",
    "    default_backend be_0",
    "listen stats",
    f"    bind 127.0.0.1:{stats_port}",
    "    stats enable",
    "    stats uri /stats",
]
for b in range(backends):
    lines += [f"backend be_{b}", "    balance roundrobin", "    option forwardfor", "    option http-server-close"]
    for s in range(per_backend):
        n = b * per_backend + s
        host = f"127.1.{n // 250}.{1 + n % 250}" if spread else "127.0.0.1"
        lines.append(f"    server s{s} {host}:{target}")
with open(os.path.join(directory, "haproxy.cfg"), "w") as f:
    f.write("\n".join(lines) + "\n")
