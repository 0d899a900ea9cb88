#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A loopback listener whose accept queue is full, so that a connect to it
hangs (the kernel drops the SYN and the client retries): stands in for a
published port that does not answer, to test what blocks and what does not.

    stuck_listener.py

Prints its port, then waits until stdin reaches end of file.
"""
import socket
import sys
import time


def main():
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(0)
    port = ls.getsockname()[1]
    fillers = []
    for _ in range(3):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(c)
    time.sleep(0.3)
    print(port, flush=True)
    sys.stdin.buffer.read()
    return 0


if __name__ == "__main__":
    sys.exit(main())
