#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Test client: for each HOST, socket.create_connection((HOST, PORT)), sends
"who\\n" and prints "HOST identity=NAME peer=ADDRESS:PORT" (peer from
getpeername). Exits 1 on the first failure.
    /usr/bin/python3 py_client.py PORT HOST..."""
import socket
import sys


def one(host, port):
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(b"who\n")
        got = b""
        while True:
            d = s.recv(512)
            if not d:
                break
            got += d
        peer = s.getpeername()
        text = got.decode().split("\n")[0].rstrip("\r")
        return "identity=%s peer=%s:%d family=%s" % (text, peer[0], peer[1], s.family.name)


def main():
    if len(sys.argv) < 3:
        print("usage: py_client.py PORT HOST...", file=sys.stderr)
        return 2
    port = int(sys.argv[1])
    for host in sys.argv[2:]:
        try:
            print(host, one(host, port), flush=True)
        except OSError as e:
            print("py_client %s: %s" % (host, e), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
