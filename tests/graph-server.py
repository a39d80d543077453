#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small Microsoft Graph stand-in on 127.0.0.1 for the tests, over HTTPS.

Prints "PORT <n>" as its first line, then serves until killed or until its
stdin closes. Answers GET /v1.0/me and POST /v1.0/me/sendMail for the
bearer tokens given with --token (any other token: 401
InvalidAuthenticationToken); with --token-lifetime S, a token is refused S
seconds after its first use, as an expired one. Every sendMail body goes to DIR/<n>.json; DIR/
log.jsonl gets one JSON object a line: {"event": "request", "method": ...,
"path": ..., "status": ...} per request, status 0 when none was sent.

Faults apply to sendMail, to the first --times requests (all by default):
--status N answers N (with Graph's error JSON, --error-code and
--error-message in it, and Retry-After: --retry-after S when given);
--drop-after-body reads and stores the whole request, then closes the
connection without an answer; --delay S waits before answering.
"""

import argparse
import json
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("dir", help="where requests and log.jsonl are written")
    p.add_argument("--cert", required=True, help="PEM certificate")
    p.add_argument("--key", required=True, help="PEM key for --cert")
    p.add_argument("--token", required=True, action="append",
                   help="a bearer token taken (may be given more than once)")
    p.add_argument("--token-lifetime", type=float, default=0,
                   help="refuse a token this many seconds after its first use (0: never)")
    p.add_argument("--mail", default="scan@example.com", help="/me mail ('' for null)")
    p.add_argument("--upn", default="scan@example.onmicrosoft.com", help="/me userPrincipalName")
    p.add_argument("--status", type=int, default=0, help="answer sendMail with this status")
    p.add_argument("--error-code", help="Graph's error code, e.g. ErrorSendAsDenied")
    p.add_argument("--error-message", default="The request failed.")
    p.add_argument("--retry-after", help="Retry-After value (seconds or an HTTP date)")
    p.add_argument("--drop-after-body", action="store_true",
                   help="store the request, then close without an answer")
    p.add_argument("--delay", type=float, default=0, help="seconds before answering")
    p.add_argument("--times", type=int, default=0,
                   help="only the first N sendMail requests get the fault (0: all)")
    return p.parse_args()


ARGS = None
LOCK = threading.Lock()
COUNTS = {"sendMail": 0, "stored": 0}
FIRST_USE = {}
FIRST_USE_LOCK = threading.Lock()


def log(**record):
    with LOCK:
        with open(os.path.join(ARGS.dir, "log.jsonl"), "a") as f:
            f.write(json.dumps(record) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=None, headers=()):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        log(event="request", method=self.command, path=self.path, status=status)

    def error(self, status, code, message, headers=()):
        self.answer(status, {"error": {"code": code, "message": message}}, headers)

    def authorised(self):
        header = self.headers.get("Authorization", "")
        token = header[len("Bearer "):] if header.startswith("Bearer ") else None
        if token in ARGS.token:
            with FIRST_USE_LOCK:
                first = FIRST_USE.setdefault(token, time.monotonic())
            if ARGS.token_lifetime <= 0 or time.monotonic() - first < ARGS.token_lifetime:
                return True
        self.error(401, "InvalidAuthenticationToken", "Access token has expired or is not yet "
                   "valid.", [("WWW-Authenticate", 'Bearer error="invalid_token"')])
        return False

    def read_body(self):
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length)

    def do_GET(self):
        if self.path.split("?")[0] != "/v1.0/me":
            self.error(404, "ResourceNotFound", "Not found")
            return
        if not self.authorised():
            return
        self.answer(200, {"@odata.context": "https://graph.example.com/v1.0/$metadata#users",
                          "mail": ARGS.mail or None, "userPrincipalName": ARGS.upn,
                          "displayName": "Scan Team"})

    def do_POST(self):
        body = self.read_body()
        if self.path != "/v1.0/me/sendMail":
            self.error(404, "ResourceNotFound", "Not found")
            return
        if not self.authorised():
            return
        with LOCK:
            COUNTS["sendMail"] += 1
            n = COUNTS["sendMail"]
        faulty = ARGS.times == 0 or n <= ARGS.times
        try:
            request = json.loads(body)
        except ValueError:
            self.error(400, "RequestBodyRead", "The body is not JSON.")
            return
        if ARGS.delay and faulty:
            time.sleep(ARGS.delay)
        if faulty and ARGS.status:
            headers = [("Retry-After", ARGS.retry_after)] if ARGS.retry_after else []
            self.error(ARGS.status, ARGS.error_code or "ErrorInternalServerError",
                       ARGS.error_message, headers)
            return
        self.store(body, request)
        if faulty and ARGS.drop_after_body:
            # Taken, and the answer never comes: the client cannot know.
            log(event="request", method=self.command, path=self.path, status=0)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.answer(202)

    def store(self, body, request):
        with LOCK:
            COUNTS["stored"] += 1
            name = "%d.json" % COUNTS["stored"]
        with open(os.path.join(ARGS.dir, name), "wb") as f:
            f.write(body)
        to = [r["emailAddress"]["address"] for r in request["message"].get("toRecipients", [])]
        log(event="message", file=name, to=to)


def main():
    global ARGS
    ARGS = parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(ARGS.cert, ARGS.key)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)

    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
