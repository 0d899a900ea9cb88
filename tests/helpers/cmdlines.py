#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Records the command line of every process in another PID namespace than
its own (every container's processes) until SIGTERM, one line per process,
reading the host's /proc every 20 ms: a JVM that lives half a second is seen.
Usage: cmdlines.py OUTFILE (writes "ready" to stdout once recording)."""
import os
import sys
import signal
import time

running = True


def stop(*_):
    global running
    running = False


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def foreign(pid, own):
    try:
        return os.readlink(f"/proc/{pid}/ns/pid") != own
    except OSError:
        return False


signal.signal(signal.SIGTERM, stop)
own = os.readlink("/proc/self/ns/pid")
seen = set()
with open(sys.argv[1], "w") as out:
    print("ready", flush=True)
    while running:
        for pid in filter(str.isdigit, os.listdir("/proc")):
            if not foreign(pid, own):
                continue
            # The start time tells a reused PID from the process seen before,
            # and an exec changes the line under the same PID.
            stat = read(f"/proc/{pid}/stat").rsplit(b")", 1)[-1].split()
            line = read(f"/proc/{pid}/cmdline").replace(b"\0", b" ").decode(errors="replace")
            key = (pid, stat[19] if len(stat) > 19 else b"", line)
            if line and key not in seen:
                seen.add(key)
                out.write(line + "\n")
                out.flush()
        time.sleep(0.02)
