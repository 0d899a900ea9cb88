#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in Docker daemon on a unix socket, for what the real one cannot show
without a registry: a pull whose error arrives inside a 200 progress stream.
With odd-ports or odd-networks, for what no real one sends: one container,
kafka1 of compose project shop on network shop_default (published on
127.0.0.1:32768), whose NetworkSettings.Ports (in its inspect reply) or
NetworkSettings.Networks (there and in the container list) is an array where
Docker has an object.

It speaks API 1.43 and answers 400 to any other version prefix, so a passing
test also shows that kshim negotiated the version from /_ping.

Usage: fake_docker.py SOCKET | 127.0.0.1:PORT [odd-ports | odd-networks]
(serves until killed)
"""
import http.server
import json
import os
import socketserver
import sys

API = "1.43"
ODD = sys.argv[2] if len(sys.argv) > 2 else ""
ID = "a" * 64


def odd_container():
    """kafka1's inspect reply and container list entry, with ODD's array."""
    ports = {"9092/tcp": [{"HostIp": "127.0.0.1", "HostPort": "32768"}]}
    nets = {"shop_default": {"Aliases": ["kafka1"]}}
    ports = list(ports.values()) if ODD == "odd-ports" else ports
    nets = list(nets.values()) if ODD == "odd-networks" else nets
    labels = {"com.docker.compose.project": "shop"}
    published = [{"IP": "127.0.0.1", "PrivatePort": 9092, "PublicPort": 32768, "Type": "tcp"}]
    return ({"Id": ID, "Name": "/kafka1", "Config": {"Hostname": "kafka1", "Labels": labels},
             "NetworkSettings": {"Ports": ports, "Networks": nets}},
            {"Id": ID, "Names": ["/kafka1"], "Labels": labels, "Ports": published,
             "NetworkSettings": {"Networks": nets}})


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body, headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("API-Version", API)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def versioned(self):
        prefix = "/v" + API + "/"
        if not self.path.startswith(prefix):
            self.send(400, {"message": "client version not negotiated: " + self.path})
            return None
        return "/" + self.path[len(prefix):]

    def do_GET(self):
        if self.path == "/_ping":
            return self.send(200, b"OK")
        path = self.versioned()
        if path is None:
            return
        if ODD and self.odd(path):
            return
        if path.startswith("/images/") or path.startswith("/networks/"):
            return self.send(404, {"message": "No such object"})
        if path.startswith("/containers/json") or path.startswith("/networks"):
            return self.send(200, [])
        self.send(404, {"message": "page not found"})

    def odd(self, path):
        """Answers attach's requests about kafka1; False for any other."""
        inspect, listed = odd_container()
        if path == "/networks/shop_default":
            self.send(200, {"Name": "shop_default", "Containers": {ID: {"Name": "kafka1"}}})
        elif path.startswith("/containers/json") and "compose.project" in path:
            self.send(200, [listed])
        elif path == "/containers/" + ID + "/json":
            self.send(200, inspect)
        else:
            return False
        return True

    def do_POST(self):
        path = self.versioned()
        if path is None:
            return
        if path.startswith("/images/create"):
            lines = [
                {"status": "Pulling from kshim/nowhere", "id": "1"},
                {"errorDetail": {"message": "manifest for kshim/nowhere:1 not found"},
                 "error": "manifest for kshim/nowhere:1 not found"},
            ]
            return self.send(200, "".join(json.dumps(x) + "\r\n" for x in lines).encode())
        self.send(500, {"message": "the fake daemon creates nothing"})


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    where = sys.argv[1]
    if where.startswith("/"):
        if os.path.exists(where):
            os.unlink(where)
        UnixServer(where, Handler).serve_forever()
    host, port = where.rsplit(":", 1)
    TCPServer((host, int(port)), Handler).serve_forever()


if __name__ == "__main__":
    main()
