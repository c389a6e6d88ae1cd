#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for the tests: it sits between schicht and the loopback
docker-registry, forwards every request, and breaks the ones its rules pick.

Usage:
  faultproxy.py --upstream 127.0.0.1:5000 --control rules.json --log proxy.log --port-file F

It listens on a free loopback port and writes "127.0.0.1:PORT" to the port file once it
accepts connections. The Host header is forwarded unchanged, so the registry's Location
headers point back at the proxy.

The control file is JSON, re-read on every request (a missing file means no faults): a list
of rules, each
  {"match": "/blobs/sha256:", "method": "GET", "nth": 1, "times": 1, "action": "drop", ...}
match   a substring of the request path (default: every path)
method  only requests with this method (default: any)
nth     the first matching request the fault applies to, counting from 1 (default 1)
times   how many matching requests it applies to from there; 0 is every one (default 1)
action  one of
  drop          forward, but close the connection after `after` body bytes
  stall         forward, send `after` body bytes, then send nothing for `seconds` and close
  drip          forward, sending the body one byte every `interval` seconds (default 1) for at
                most `seconds` (default 60), then close
  status        answer `code` (500, 503, 429...) without asking the registry; `retry_after`
                adds a Retry-After header
  corrupt       forward with the byte at offset `at` of the body inverted
  truncate      forward only `after` body bytes, without a Content-Length, then close
  content_length  forward with Content-Length `value` (or the real one plus `delta`), then close
  digest        forward with Docker-Content-Digest replaced by `value`
  substitute    answer with the registry's response for path `path` instead
  redirect_loop answer 307 pointing back at the same URL
  oversize      forward with the body padded by spaces to `size` bytes
Counters restart whenever the control file's content changes.

The log gets one line per request ("request METHOD PATH range=...") and one per fault
("fault ACTION METHOD PATH"), so a test can count what it injected and see resumptions.
Test tooling only: Python 3 standard library.
"""

import argparse
import http.client
import http.server
import json
import os
import socket
import struct
import threading
import time

CHUNK = 64 * 1024
# Hop-by-hop fields are the proxy's own business, not the registry's.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-connection"}


class Rules:
    """The control file's rules with their per-rule match counters."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.text = None
        self.rules = []
        self.counts = []

    def pick(self, method, path):
        """The rule that applies to this request, or None; advances the counters."""
        with self.lock:
            try:
                with open(self.path) as f:
                    text = f.read()
            except FileNotFoundError:
                text = "[]"
            if text != self.text:
                self.text = text
                self.rules = json.loads(text) if text.strip() else []
                self.counts = [0] * len(self.rules)
            chosen = None
            for i, rule in enumerate(self.rules):
                if rule.get("method") and rule["method"] != method:
                    continue
                if rule.get("match", "") not in path:
                    continue
                self.counts[i] += 1
                nth, times = rule.get("nth", 1), rule.get("times", 1)
                if self.counts[i] >= nth and (times == 0 or self.counts[i] < nth + times):
                    if chosen is None:
                        chosen = rule
            return chosen


class Log:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def write(self, line):
        with self.lock, open(self.path, "a") as f:
            f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = None
    rules = None
    log = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.relay()

    do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def read_request_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def ask_upstream(self, method, path, body):
        conn = http.client.HTTPConnection(self.upstream, timeout=60)
        # Fields one by one: clients repeat some (Accept), which a dict would collapse.
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in self.headers.items():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                conn.putheader(name, value)
        if body or method in ("PUT", "POST", "PATCH"):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        return conn, conn.getresponse()

    def send_head(self, status, headers):
        self.send_response_only(status)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()

    def relay(self):
        method, path = self.command, self.path
        self.log.write(f"request {method} {path} range={self.headers.get('Range', '-')}")
        body = self.read_request_body()
        rule = self.rules.pick(method, path)
        action = rule["action"] if rule else None
        if action:
            self.log.write(f"fault {action} {method} {path}")

        if action == "status":
            code = int(rule.get("code", 503))
            headers = [("Content-Type", "application/json"), ("Content-Length", "2")]
            if "retry_after" in rule:
                headers.append(("Retry-After", str(rule["retry_after"])))
            self.send_head(code, headers)
            if method != "HEAD":  # a HEAD answer has no body, whatever its Content-Length
                self.wfile.write(b"{}")
            return
        if action == "redirect_loop":
            self.send_head(307, [("Location", path), ("Content-Length", "0")])
            return

        upstream_path = rule.get("path", path) if action == "substitute" else path
        conn, response = self.ask_upstream(method, upstream_path, body)
        try:
            self.forward(method, response, rule)
        finally:
            conn.close()

    def forward(self, method, response, rule):
        action = rule["action"] if rule else None
        headers = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
        length = response.getheader("Content-Length")
        if method == "HEAD":
            self.send_head(response.status, headers)
            return
        if length is None:
            # A chunked answer from the registry: collected, then sent with its length.
            data = response.read()
            length = str(len(data))
            headers.append(("Content-Length", length))
            chunks = iter([data])
        else:
            chunks = iter(lambda: response.read(CHUNK), b"")
        length = int(length)

        if action == "oversize":
            data = b"".join(chunks)
            data += b" " * max(0, int(rule["size"]) - len(data))
            chunks, length = iter([data]), len(data)
            headers = [(k, str(length) if k.lower() == "content-length" else v) for k, v in headers]
        if action == "digest":
            headers = [(k, v) for k, v in headers if k.lower() != "docker-content-digest"]
            headers.append(("Docker-Content-Digest", rule["value"]))
        if action == "truncate":
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Connection", "close"))
            self.close_connection = True
        if action == "content_length":
            value = rule.get("value", length + int(rule.get("delta", 0)))
            headers = [(k, str(value) if k.lower() == "content-length" else v) for k, v in headers]
            self.close_connection = True
        self.send_head(response.status, headers)

        if action == "drip":
            self.drip(b"".join(chunks), float(rule.get("interval", 1)),
                      float(rule.get("seconds", 60)))
            return
        limit = int(rule.get("after", 0)) if action in ("drop", "stall", "truncate") else None
        sent = 0
        for chunk in chunks:
            if action == "corrupt":
                at = int(rule.get("at", 0)) - sent
                if 0 <= at < len(chunk):
                    chunk = chunk[:at] + bytes([chunk[at] ^ 0xFF]) + chunk[at + 1:]
            if limit is not None and sent + len(chunk) >= limit:
                self.wfile.write(chunk[:limit - sent])
                self.wfile.flush()
                sent = limit
                break
            self.wfile.write(chunk)
            sent += len(chunk)
        else:
            return
        if action == "stall":
            time.sleep(float(rule.get("seconds", 30)))
        self.close_connection = True
        if action == "drop":
            # A reset, as a crashed peer or a middlebox gives.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))

    def drip(self, data, interval, seconds):
        """A registry that never stops but never gets anywhere: a byte per interval."""
        self.close_connection = True
        deadline = time.monotonic() + seconds
        for i in range(len(data)):
            if time.monotonic() >= deadline:
                return
            try:
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
            except OSError:
                return  # the client gave up, as it should
            time.sleep(interval)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--upstream", required=True, help="host:port of the registry")
    parser.add_argument("--control", required=True, help="the JSON rules file")
    parser.add_argument("--log", required=True, help="where requests and faults are logged")
    parser.add_argument("--port-file", required=True, help="receives 127.0.0.1:PORT")
    args = parser.parse_args()

    Handler.upstream = args.upstream
    Handler.rules = Rules(args.control)
    Handler.log = Log(args.log)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"127.0.0.1:{server.server_address[1]}\n")
    os.rename(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
