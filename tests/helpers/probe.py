# SPDX-License-Identifier: Apache-2.0
"""Connects to each NAME:9092 every INTERVAL seconds for ROUNDS rounds and
prints "round NAME IDENTITY" (or "round NAME error ..."), flushing each line.
Runs under the shim in shim-badinput.sh. Usage: probe.py ROUNDS INTERVAL NAME..."""
import socket
import sys
import time

rounds, interval, names = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
for r in range(rounds):
    for n in names:
        try:
            with socket.create_connection((n, 9092), timeout=3) as c:
                print(r, n, c.recv(100).decode().strip(), flush=True)
        except OSError as e:
            print(r, n, "error", type(e).__name__, flush=True)
    time.sleep(interval)
