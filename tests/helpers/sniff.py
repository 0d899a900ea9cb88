#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Records every packet on one interface, or on every interface of its network
namespace (root: an AF_PACKET socket), into a file until SIGTERM, so a test can
look for secrets in what crossed it.
Usage: sniff.py OUTFILE [IFACE] (writes "ready" to stdout once listening)."""
import signal
import socket
import sys

ETH_P_ALL = 0x0003
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
if len(sys.argv) > 2:
    s.bind((sys.argv[2], 0))
s.settimeout(0.2)
running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
with open(sys.argv[1], "wb") as out:
    print("ready", flush=True)
    while running:
        try:
            out.write(s.recv(65535))
        except socket.timeout:
            pass
