#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Loopback TCP servers standing in for Docker-published ports.

    identity_server.py [--lifetime SECONDS] NAME...

Opens one listener per NAME on 127.0.0.1, on an ephemeral port, prints
"NAME PORT" per listener and then "ready", and answers every connection with
NAME: if the first bytes look like an HTTP request, with an HTTP/1.0 200 whose
body is NAME; otherwise with the line "NAME\\n" (at once when the client sends
anything else, or after a short wait when it sends nothing, e.g. curl telnet://).
Each connection is closed after the reply.

Exits when stdin reaches end of file (the test closes its end, or dies) or
after --lifetime seconds, whichever comes first, so it never outlives a test.
Only the standard library is used.
"""
import argparse
import os
import selectors
import socket
import sys
import threading
import time

HTTP_METHODS = (b"GET ", b"HEAD ", b"POST ", b"PUT ", b"OPTIONS ", b"DELETE ")
IDLE_WAIT = 0.2   # seconds to wait for a first byte before answering anyway
IO_TIMEOUT = 5.0  # per connection, so a stuck client cannot pin a thread


def looks_like_http(data):
    return any(data.startswith(m) or m.startswith(data) for m in HTTP_METHODS)


def serve(conn, name):
    body = name.encode()
    try:
        conn.settimeout(IDLE_WAIT)
        try:
            data = conn.recv(4096)
        except socket.timeout:
            data = b""
        conn.settimeout(IO_TIMEOUT)
        if data and looks_like_http(data):
            while b"\r\n\r\n" not in data and b"\n\n" not in data and len(data) < 65536:
                more = conn.recv(4096)
                if not more:
                    break
                data += more
            head = data.split(b" ", 1)[0]
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                         b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
                         + (b"" if head == b"HEAD" else body))
        else:
            conn.sendall(body + b"\n")
        conn.shutdown(socket.SHUT_WR)
        # Let the client read everything before the close (avoids a RST).
        conn.settimeout(1.0)
        while conn.recv(4096):
            pass
    except OSError:
        pass
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lifetime", type=float, default=300.0)
    ap.add_argument("names", nargs="+")
    args = ap.parse_args()

    # poll, not epoll: stdin may be a file or /dev/null (end of file at once).
    sel = selectors.PollSelector()
    for name in args.names:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", 0))
        ls.listen(64)
        ls.setblocking(False)
        sel.register(ls, selectors.EVENT_READ, name)
        print(name, ls.getsockname()[1])
    print("ready", flush=True)

    stdin = sys.stdin.buffer.raw
    sel.register(stdin, selectors.EVENT_READ, None)
    deadline = time.monotonic() + args.lifetime
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            print("identity_server: lifetime over, exiting", file=sys.stderr)
            break
        events = sel.select(timeout=left)
        stop = False
        for key, _ in events:
            if key.data is None:
                if not os.read(key.fd, 4096):
                    stop = True
                continue
            try:
                conn, _peer = key.fileobj.accept()
            except (BlockingIOError, InterruptedError):
                continue
            conn.setblocking(True)
            threading.Thread(target=serve, args=(conn, key.data), daemon=True).start()
        if stop:
            break
    # Daemon threads end with the process.
    return 0


if __name__ == "__main__":
    sys.exit(main())
