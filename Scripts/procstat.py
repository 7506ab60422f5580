#!/usr/bin/env python3
"""Prints CPU seconds (user+sys of the process itself) and memory of a process: `cpu rss_mb hwm_mb`.

Reads /proc/PID/stat and /proc/PID/status, so it measures the process as the kernel sees it, with no
instrumentation inside the measured program.
"""
import os
import sys

pid = sys.argv[1]
ticks = os.sysconf("SC_CLK_TCK")
with open(f"/proc/{pid}/stat") as f:
    fields = f.read().rsplit(")", 1)[1].split()
# fields[11] and [12] are utime and stime (the state field is index 0)
cpu = sum(int(x) for x in fields[11:13]) / ticks
rss = hwm = 0.0
with open(f"/proc/{pid}/status") as f:
    for line in f:
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
        elif line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) / 1024
print(f"{cpu:.3f} {rss:.1f} {hwm:.1f}")
