#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Holds a run of TCP ports the way a busy client host does: with connections.

    hold_ports.py ADDRESS FIRST COUNT

For each port FIRST .. FIRST+COUNT-1 it binds a socket to ADDRESS:port and
connects it to a listener of its own on ADDRESS, so that nothing else can bind
those ports (SO_REUSEADDR does not help against an established connection).
Prints "held COUNT" once all are connected, and exits when stdin reaches end
of file or after 120 seconds, so it never outlives a test.
"""
import select
import socket
import sys


def main():
    address, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    listener = socket.socket()
    listener.bind((address, 0))
    listener.listen(count)
    held = []
    for port in range(first, first + count):
        s = socket.socket()
        s.bind((address, port))
        s.connect(listener.getsockname())
        held.append(s)
        held.append(listener.accept()[0])
    print("held", count, flush=True)
    select.select([sys.stdin], [], [], 120)


if __name__ == "__main__":
    main()
