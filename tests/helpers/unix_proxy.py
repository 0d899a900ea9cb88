#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A Unix-socket proxy in front of the real Docker daemon, for tests that cut
kshim's connections to it (tests/e2e-compose.sh): every connection accepted on
LISTEN is joined to a new one to TARGET, bytes copied both ways untouched.
Killing the proxy drops every connection at once, as a daemon restart would;
starting it again on the same path lets clients reconnect.

    unix_proxy.py LISTEN TARGET
"""
import os
import socket
import sys
import threading


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(conn, target):
    up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        up.connect(target)
    except OSError:
        conn.close()
        return
    threading.Thread(target=pump, args=(conn, up), daemon=True).start()
    pump(up, conn)


def main():
    listen, target = sys.argv[1], sys.argv[2]
    if os.path.exists(listen):
        os.unlink(listen)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(listen)
    srv.listen(64)
    print("listening", flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, target), daemon=True).start()


if __name__ == "__main__":
    main()
