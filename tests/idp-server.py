#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small OAuth 2.0 identity provider on 127.0.0.1 over HTTPS, for the tests.

Prints "PORT <n>" as its first line, then serves until killed or until its
stdin closes. It answers like the Microsoft identity platform
(/{tenant}/oauth2/v2.0/authorize, /token, /devicecode) and like Google
(/o/oauth2/v2/auth, /token, /device/code):

- authorize consents at once and redirects to the loopback redirect_uri with
  a code and the state (or with error=access_denied under --deny);
- token takes an authorization code only with the PKCE verifier of its
  challenge (S256), a refresh token (each refresh gives a new one and ends
  the old one; every refresh token is refused with invalid_grant once the
  file DIR/revoked exists), and a device code: --pending answers
  authorization_pending, then --slow-down answers slow_down, then tokens
  (or --device-outcome denied|expired);
- access tokens last --expires-in seconds; --access-token gives them instead
  of new ones, in turn; --refresh-token is taken as if from an earlier sign-in;
  after --refresh-limit refreshes every refresh token is refused;
  after --unavailable-after refreshes, the next --unavailable-times refresh
  requests get 503 temporarily_unavailable (or, with --unavailable-html, an
  HTML page with status 500) and leave the refresh token as it was.

DIR/log.jsonl gets one JSON object a line, one per request, without any
token; DIR/tokens.txt gets every token handed out, one a line, so that a
test can look for them where they must not be.
"""

import argparse
import base64
import hashlib
import json
import os
import secrets
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("dir", help="where log.jsonl and tokens.txt are written")
    p.add_argument("--cert", required=True, help="PEM certificate for HTTPS")
    p.add_argument("--key", required=True, help="PEM key for --cert")
    p.add_argument("--client-id", required=True)
    p.add_argument("--client-secret", help="require this client secret (Google)")
    p.add_argument("--email", default="signin@example.com", help="the signed-in account")
    p.add_argument("--claim", default="email", choices=["email", "preferred_username"],
                   help="the ID token's claim that names the account")
    p.add_argument("--expires-in", type=int, default=3600, help="access token lifetime")
    p.add_argument("--interval", type=int, default=1, help="device code polling interval")
    p.add_argument("--pending", type=int, default=1,
                   help="authorization_pending answers before anything else")
    p.add_argument("--slow-down", type=int, default=1, help="then this many slow_down")
    p.add_argument("--device-outcome", default="success",
                   choices=["success", "denied", "expired"])
    p.add_argument("--deny", action="store_true", help="authorize refuses")
    p.add_argument("--access-token", action="append", default=[], metavar="TOKEN",
                   help="hand out these access tokens, in turn, the last one again and "
                        "again (for a server that takes only some), instead of new ones")
    p.add_argument("--refresh-token", action="append", default=[], metavar="TOKEN",
                   help="a refresh token taken from the start, as from an earlier sign-in")
    p.add_argument("--refresh-limit", type=int, default=0, metavar="N",
                   help="after N refreshes, refuse every refresh token as revoked (0: never)")
    p.add_argument("--unavailable-after", type=int, default=-1, metavar="N",
                   help="after N refreshes, answer refreshes as unavailable (-1: never)")
    p.add_argument("--unavailable-times", type=int, default=1, metavar="M",
                   help="that many refresh requests in a row")
    p.add_argument("--unavailable-html", action="store_true",
                   help="an HTML error page with status 500 instead of JSON with 503")
    return p.parse_args()


ARGS = parse_args()
LOCK = threading.Lock()
CODES = {}          # code -> (challenge, redirect_uri, client_id)
REFRESH = set(ARGS.refresh_token)     # live refresh tokens
DEVICES = {}        # device_code -> {"polls": n, "last": t, "interval": s}
# As in src/core/rs-oauth-device.c: the tests' seconds of the polling interval
# may be shorter (tests/meson.build sets it); the app waits as long.
try:
    TIME_SCALE = float(os.environ.get("RS_TEST_TIME_SCALE", "1"))
except ValueError:
    TIME_SCALE = 1.0
if not 0 < TIME_SCALE < 1:
    TIME_SCALE = 1.0
REFRESHES = [0]     # refresh grants answered with tokens
UNAVAILABLE = [0]   # refresh requests answered as unavailable


def log(event, **fields):
    fields = {"event": event, **fields}
    with LOCK, open(os.path.join(ARGS.dir, "log.jsonl"), "a") as f:
        f.write(json.dumps(fields) + "\n")


def remember_token(token):
    with open(os.path.join(ARGS.dir, "tokens.txt"), "a") as f:
        f.write(token + "\n")
    return token


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def id_token():
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = b64url(json.dumps({ARGS.claim: ARGS.email, "name": "Signin Example",
                                 "iss": "https://idp.example.com"}).encode())
    return header + "." + payload + ".c2lnbmF0dXJl"


def next_access_token():
    with LOCK:
        if ARGS.access_token:
            return ARGS.access_token.pop(0) if len(ARGS.access_token) > 1 \
                else ARGS.access_token[0]
    return "at-" + secrets.token_urlsafe(24)


def tokens(scope):
    refresh = remember_token("rt-" + secrets.token_urlsafe(24))
    with LOCK:
        REFRESH.add(refresh)
    return {
        "token_type": "Bearer",
        "scope": scope,
        "expires_in": ARGS.expires_in,
        "access_token": remember_token(next_access_token()),
        "refresh_token": refresh,
        "id_token": id_token(),
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def answer(self, status, body, headers=()):
        data = json.dumps(body).encode() if isinstance(body, dict) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type",
                         "application/json" if isinstance(body, dict) else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def error(self, code, description="", status=400):
        self.answer(status, {"error": code, "error_description": description})

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if not (url.path.endswith("/oauth2/v2.0/authorize") or url.path == "/o/oauth2/v2/auth"):
            self.answer(404, "not found")
            return
        redirect = query.get("redirect_uri", "")
        ok = (query.get("response_type") == "code"
              and query.get("client_id") == ARGS.client_id
              and query.get("code_challenge_method") == "S256"
              and len(query.get("code_challenge", "")) == 43
              and query.get("state")
              and query.get("scope")
              and (redirect.startswith("http://127.0.0.1:") or
                   redirect.startswith("http://localhost:")))
        log("authorize", ok=bool(ok), redirect_uri=redirect, scope=query.get("scope"),
            path=url.path)
        if not ok:
            self.answer(400, "invalid authorize request")
            return
        if ARGS.deny:
            params = {"error": "access_denied", "error_description": "The user said no",
                      "state": query["state"]}
        else:
            code = "code-" + secrets.token_urlsafe(16)
            with LOCK:
                CODES[code] = (query["code_challenge"], redirect, ARGS.client_id,
                               query["scope"])
            params = {"code": code, "state": query["state"]}
        self.answer(302, "", [("Location", redirect + "?" + urllib.parse.urlencode(params))])

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        if form.get("client_id") != ARGS.client_id:
            log("refused", reason="client_id", path=url.path)
            self.error("invalid_client", "unknown client", 401)
            return
        if ARGS.client_secret is not None and form.get("client_secret") != ARGS.client_secret:
            log("refused", reason="client_secret", path=url.path)
            self.error("invalid_client", "wrong client secret", 401)
            return
        if url.path.endswith("/oauth2/v2.0/devicecode") or url.path == "/device/code":
            self.device_code(form)
        elif url.path.endswith("/oauth2/v2.0/token") or url.path == "/token":
            self.token(form)
        else:
            self.answer(404, "not found")

    def device_code(self, form):
        device = "dc-" + secrets.token_urlsafe(16)
        with LOCK:
            DEVICES[device] = {"polls": 0, "last": time.monotonic(),
                               "interval": ARGS.interval, "scope": form.get("scope", "")}
        log("devicecode", scope=form.get("scope"))
        self.answer(200, {
            "device_code": device,
            "user_code": "ABCD-1234",
            "verification_uri": "https://idp.example.com/devicelogin",
            "expires_in": 900,
            "interval": ARGS.interval,
            "message": "To sign in, go to https://idp.example.com/devicelogin",
        })

    def token(self, form):
        grant = form.get("grant_type")
        if grant == "authorization_code":
            with LOCK:
                entry = CODES.pop(form.get("code", ""), None)
            if entry is None:
                log("token", grant=grant, result="unknown code")
                self.error("invalid_grant", "AADSTS70008: the code is not valid")
                return
            challenge, redirect, _, scope = entry
            verifier = form.get("code_verifier", "")
            pkce = b64url(hashlib.sha256(verifier.encode()).digest()) == challenge
            same_redirect = form.get("redirect_uri") == redirect
            log("token", grant=grant, pkce="ok" if pkce else "wrong",
                redirect="ok" if same_redirect else "wrong",
                verifier_length=len(verifier))
            if not pkce or not same_redirect or not 43 <= len(verifier) <= 128:
                self.error("invalid_grant", "AADSTS501481: the code verifier does not match")
                return
            self.answer(200, tokens(scope))
        elif grant == "refresh_token":
            token = form.get("refresh_token", "")
            with LOCK:
                unavailable = (0 <= ARGS.unavailable_after <= REFRESHES[0]
                               and UNAVAILABLE[0] < ARGS.unavailable_times)
                UNAVAILABLE[0] += unavailable
            if unavailable:
                log("token", grant=grant, result="unavailable", scope=form.get("scope"))
                if ARGS.unavailable_html:
                    self.answer(500, "<html><body>Service Unavailable</body></html>")
                else:
                    self.error("temporarily_unavailable", "AADSTS90033: A transient error "
                               "has occurred. Please try again.", status=503)
                return
            revoked = os.path.exists(os.path.join(ARGS.dir, "revoked"))
            with LOCK:
                revoked = revoked or 0 < ARGS.refresh_limit <= REFRESHES[0]
                live = token in REFRESH and not revoked
                REFRESH.discard(token)
                REFRESHES[0] += live
            log("token", grant=grant, result="ok" if live else "invalid_grant",
                scope=form.get("scope"))
            if not live:
                self.error("invalid_grant", "AADSTS700082: The refresh token has expired "
                           "due to inactivity.\r\nTrace ID: 0000")
                return
            self.answer(200, tokens(form.get("scope", "")))
        elif grant == "urn:ietf:params:oauth:grant-type:device_code":
            self.device_poll(form)
        else:
            log("token", grant=grant, result="unsupported")
            self.error("unsupported_grant_type", grant or "")

    def device_poll(self, form):
        now = time.monotonic()
        with LOCK:
            device = DEVICES.get(form.get("device_code", ""))
            if device is not None:
                waited = now - device["last"]
                too_soon = waited < (device["interval"] - 0.2) * TIME_SCALE
                device["last"] = now
                device["polls"] += 1
                polls = device["polls"]
        if device is None:
            log("device-poll", answer="bad_verification_code")
            self.error("bad_verification_code", "unknown device code")
            return
        if too_soon:
            answer = "slow_down"
        elif polls <= ARGS.pending:
            answer = "authorization_pending"
        elif polls <= ARGS.pending + ARGS.slow_down:
            answer = "slow_down"
        else:
            answer = {"success": "success", "denied": "access_denied",
                      "expired": "expired_token"}[ARGS.device_outcome]
        if answer == "slow_down":
            with LOCK:
                device["interval"] += 5
        log("device-poll", answer=answer, waited=round(waited, 2), too_soon=too_soon)
        if answer == "success":
            with LOCK:
                del DEVICES[form["device_code"]]
            self.answer(200, tokens(device["scope"]))
        else:
            self.error(answer, "AADSTS70016: " + answer)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(ARGS.cert, ARGS.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("PORT", server.server_address[1], flush=True)
    # Until the test closes stdin (or kills the server).
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
