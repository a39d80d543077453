#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small SMTP server on 127.0.0.1 for the tests (Debian's python3-aiosmtpd).

Prints "PORT <n>" as its first line, then serves until killed or until its
stdin closes. Every accepted message goes to DIR/<n>.eml; DIR/log.jsonl gets
one JSON object a line: {"event": "connect"} per connection,
{"event": "auth", "mechanism": ..., "success": ...} per sign-in and
{"event": "message", "from": ..., "to": [...], "file": ...} per message and
{"event": "command", "verb": ...} per command received.

Faults are given per stage: GREETING, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA
(the command), DOT (the end of the message), RSET, NOOP; STAGE#N means only
the Nth time that stage comes on this server (counted over all connections).
A reply may have several lines, separated by a line feed, each with its code.
A 421 reply closes the connection after it, as real servers do.

With --xoauth2-token the server offers AUTH XOAUTH2 and takes only that
token for --user; any other token, user or mechanism gets
"535 5.7.3 Authentication unsuccessful" (Microsoft 365's answer), or with
--xoauth2-json first a 334 with a JSON error and then "535 5.7.8" (Gmail's).
"""

import argparse
import asyncio
import base64
import json
import logging
import os
import ssl
import sys
import threading
import time
import warnings

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("dir", help="where messages and log.jsonl are written")
    p.add_argument("--cert", help="PEM certificate: offer STARTTLS (or TLS on connect)")
    p.add_argument("--key", help="PEM key for --cert")
    p.add_argument("--implicit-tls", action="store_true", help="TLS on connect (smtps)")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--user", help="require AUTH PLAIN/LOGIN as this user")
    p.add_argument("--password", default="")
    p.add_argument("--only-auth", choices=["PLAIN", "LOGIN", "XOAUTH2"],
                   help="offer only this AUTH mechanism")
    p.add_argument("--xoauth2-token", metavar="TOKEN",
                   help="offer XOAUTH2 and take only this bearer token for --user")
    p.add_argument("--no-auth", action="store_true",
                   help="offer no AUTH at all, also over TLS")
    p.add_argument("--xoauth2-json", action="store_true",
                   help="refuse a token as Gmail does: a 334 with a JSON error, then 535")
    p.add_argument("--smtputf8", action="store_true", help="offer SMTPUTF8")
    p.add_argument("--greet-421", action="store_true", help="refuse every connection")
    p.add_argument("--rcpt-reply", action="append", default=[], metavar="ADDR=REPLY",
                   help='e.g. "b@example.org=550 5.1.1 No such user"')
    p.add_argument("--data-reply", help="reply to the end of DATA instead of 250")
    p.add_argument("--drop-data", type=int, default=0, metavar="N",
                   help="drop the connection in the middle of the Nth DATA")
    p.add_argument("--drop-body", type=int, action="append", default=[], metavar="N",
                   help="drop the connection after the first line of the Nth message")
    p.add_argument("--delay", type=float, default=0, help="seconds before each DATA reply")
    p.add_argument("--rate-limit", metavar="N[/SECONDS]",
                   help="take at most N messages in any SECONDS (default 60); MAIL beyond "
                        "that gets 451 4.7.500")
    p.add_argument("--reply", action="append", default=[], metavar="STAGE[#N]=REPLY",
                   help='e.g. "MAIL=550 5.7.60 Not allowed"; at DOT the message is not stored')
    p.add_argument("--close", action="append", default=[], metavar="STAGE[#N]",
                   help="close the connection instead of replying; at DOT after storing")
    p.add_argument("--delay-at", action="append", default=[], metavar="STAGE[#N]=SECONDS",
                   help="wait before replying; at DOT after storing")
    p.add_argument("--idle", metavar="SECONDS[=REPLY]",
                   help="close a connection idle that long, after REPLY (default 421 4.4.2; "
                        "empty: close without a word)")
    return p.parse_args()


STAGES = ("GREETING", "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "DOT", "RSET",
          "NOOP")


def parse_faults(specs, with_value=True):
    """[(stage, n or None, value)] from "STAGE[#N]=VALUE" (or "STAGE[#N]")."""
    faults = []
    for spec in specs:
        key, _, value = spec.partition("=") if with_value else (spec, "", "")
        stage, _, n = key.partition("#")
        stage = stage.upper()
        if stage not in STAGES:
            sys.exit("unknown stage %r" % stage)
        faults.append((stage, int(n) if n else None, value))
    return faults


class State:
    def __init__(self, args):
        self.args = args
        self.messages = 0
        self.data_commands = 0
        self.rcpt_replies = dict(r.split("=", 1) for r in args.rcpt_reply)
        self.replies = parse_faults(args.reply)
        if args.greet_421:
            self.replies.append(("GREETING", None,
                                 "421 4.3.2 Service not available, try again later"))
        self.closes = parse_faults(args.close, with_value=False)
        self.delays = parse_faults(args.delay_at)
        self.counts = dict.fromkeys(STAGES, 0)
        self.stored_at = []
        self.idle = None
        if args.idle:
            seconds, sep, reply = args.idle.partition("=")
            self.idle = (float(seconds),
                         reply if sep else "421 4.4.2 smtp.example.com Error: timeout exceeded")

    def over_rate(self):
        if not self.args.rate_limit:
            return False
        n, _, seconds = self.args.rate_limit.partition("/")
        since = time.monotonic() - float(seconds or 60)
        return sum(1 for t in self.stored_at if t > since) >= int(n)

    def count(self, stage):
        self.counts[stage] += 1
        return self.counts[stage]

    @staticmethod
    def find(faults, stage, n):
        for fault_stage, fault_n, value in faults:
            if fault_stage == stage and fault_n in (None, n):
                return value
        return None

    def faults(self, stage):
        """Counts the stage; returns (reply, close, delay) for this time."""
        n = self.count(stage)
        reply = self.find(self.replies, stage, n)
        close = self.find(self.closes, stage, n) is not None
        delay = self.find(self.delays, stage, n)
        return reply, close, float(delay) if delay else 0

    def log(self, **record):
        with open(os.path.join(self.args.dir, "log.jsonl"), "a") as f:
            f.write(json.dumps(record) + "\n")


class Handler:
    def __init__(self, state):
        self.state = state
        if state.args.no_auth:
            self.handle_EHLO = self.ehlo_without_auth

    @staticmethod
    async def ehlo_without_auth(server, session, envelope, hostname, responses):
        session.host_name = hostname
        return [r for r in responses if not r.startswith("250-AUTH")]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.state.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        reply, close, delay = self.state.faults("DOT")
        if self.state.args.delay:
            await asyncio.sleep(self.state.args.delay)
        if reply:
            return reply
        if self.state.args.data_reply:
            return self.state.args.data_reply
        self.store(envelope)
        if close:
            # Stored, and the reply never comes: the client cannot know.
            server.transport.close()
            await asyncio.Event().wait()
        if delay:
            await asyncio.sleep(delay)
        return "250 2.0.0 Accepted"

    def store(self, envelope):
        self.state.stored_at.append(time.monotonic())
        self.state.messages += 1
        name = "%d.eml" % self.state.messages
        with open(os.path.join(self.state.args.dir, name), "wb") as f:
            f.write(envelope.original_content)
        self.state.log(event="message", file=name, to=envelope.rcpt_tos,
                       **{"from": envelope.mail_from})


TOKEN_REFUSED = "535 5.7.3 Authentication unsuccessful"


class TestSMTP(SMTP):
    async def auth_XOAUTH2(self, _, args):
        """RFC-less but common: base64 of "user=U\\1auth=Bearer T\\1\\1"."""
        if len(args) == 1:
            blob = await self.challenge_auth("")
            if blob is MISSING:
                return AuthResult(success=False, handled=True)
        else:
            try:
                blob = base64.b64decode(args[1].encode(), validate=True)
            except Exception:
                await self.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        fields = dict(part.split("=", 1) for part in blob.decode(errors="replace").split("\x01")
                      if "=" in part)
        args_ = self.state.args
        ok = (args_.xoauth2_token is not None and fields.get("user") == args_.user
              and fields.get("auth") == "Bearer " + args_.xoauth2_token)
        reply = getattr(self, "auth_reply", None)
        self.auth_reply = None
        self.state.log(event="auth", mechanism="XOAUTH2", success=ok and not reply)
        if reply:
            return AuthResult(success=False, handled=False, message=reply.replace("\n", "\r\n"))
        if ok:
            return AuthResult(success=True, auth_data=fields.get("user"))
        if args_.xoauth2_json:
            error = json.dumps({"status": "400", "schemes": "Bearer",
                                "scope": "https://mail.google.com/"})
            if await self.challenge_auth(error) is MISSING:
                return AuthResult(success=False, handled=True)
            return AuthResult(success=False, handled=False,
                              message="535 5.7.8 Username and Password not accepted")
        return AuthResult(success=False, handled=False, message=TOKEN_REFUSED)

    def __init__(self, state, **kwargs):
        super().__init__(Handler(state), **kwargs)
        self.state = state
        self.idle_handle = None
        for verb, method in list(self._smtp_methods.items()):
            self._smtp_methods[verb] = self.faulty(verb, method)

    async def push(self, status):
        if isinstance(status, str):
            status = status.replace("\n", "\r\n")
        await super().push(status)
        if status[:3] in ("421", b"421"):
            self.transport.close()

    def idle_start(self):
        if self.state.idle is None or self.transport is None:
            return
        if self.idle_handle is not None:
            self.idle_handle.cancel()
        self.idle_handle = self.loop.call_later(self.state.idle[0], self.idle_close)

    def idle_close(self):
        if self.transport is None:
            return
        if self.state.idle[1]:
            self.transport.write(self.state.idle[1].encode() + b"\r\n")
        self.transport.close()

    def faulty(self, verb, method):
        stage = "EHLO" if verb == "HELO" else verb

        async def run(arg):
            if self.idle_handle is not None:
                self.idle_handle.cancel()
            self.state.log(event="command", verb=verb)
            if stage not in STAGES:
                return await method(arg)
            if stage == "DATA":
                self.state.data_commands += 1
                if (self.state.data_commands == self.state.args.drop_data
                        and self.envelope.rcpt_tos):
                    # Gone before the message could be sent.
                    self.transport.abort()
                    return
                if (self.state.data_commands in self.state.args.drop_body
                        and self.envelope.rcpt_tos):
                    # Gone while the message comes in.
                    await self.push("354 End data with <CR><LF>.<CR><LF>")
                    await self._reader.readuntil(b"\r\n")
                    self.transport.abort()
                    return
            reply, close, delay = (None, False, 0) if stage == "DOT" else self.state.faults(stage)
            if stage == "MAIL" and not reply and self.state.over_rate():
                reply = "451 4.7.500 Server busy, too many messages; try again later"
            if close:
                self.transport.close()
                return
            if delay:
                await asyncio.sleep(delay)
            if reply and stage == "AUTH":
                self.auth_reply = reply
            elif reply:
                await self.push(reply)
                self.idle_start()
                return
            await method(arg)
            self.idle_start()

        return run

    async def _handle_client(self):
        reply, close, delay = self.state.faults("GREETING")
        if delay:
            await asyncio.sleep(delay)
        if close:
            self.transport.close()
            return
        if reply:
            await self.push(reply)
            self.transport.close()
            return
        self.idle_start()
        await super()._handle_client()


def main():
    args = parse_args()
    # aiosmtpd warns about AUTH without TLS, which the loopback tests want.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    state = State(args)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    tls = None
    if args.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)

    def authenticate(server, session, envelope, mechanism, data):
        ok = (isinstance(data, LoginPassword) and data.login.decode() == args.user
              and data.password.decode() == args.password and not args.xoauth2_token)
        reply = getattr(server, "auth_reply", None)
        server.auth_reply = None
        state.log(event="auth", mechanism=mechanism, success=ok and not reply)
        if reply:
            return AuthResult(success=False, handled=False, message=reply.replace("\n", "\r\n"))
        if args.xoauth2_token and not ok:
            return AuthResult(success=False, handled=False, message=TOKEN_REFUSED)
        return AuthResult(success=ok, handled=False)

    def factory():
        state.log(event="connect")
        kwargs = dict(loop=loop, hostname="smtp.example.com", timeout=30,
                      enable_SMTPUTF8=args.smtputf8)
        if tls and not args.implicit_tls:
            kwargs.update(tls_context=tls, require_starttls=args.require_starttls)
        if args.user:
            kwargs.update(authenticator=authenticate, auth_required=True,
                          auth_require_tls=tls is not None and not args.implicit_tls)
            if args.only_auth:
                kwargs.update(auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN", "XOAUTH2")
                                                      if m != args.only_auth])
        if not args.xoauth2_token and not args.only_auth:
            kwargs.update(auth_exclude_mechanism=["XOAUTH2"])
        return TestSMTP(state, **kwargs)

    server = loop.run_until_complete(loop.create_server(
        factory, "127.0.0.1", 0, ssl=tls if args.implicit_tls else None))
    print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)

    def wait_for_stdin():
        sys.stdin.read()
        loop.call_soon_threadsafe(loop.stop)

    threading.Thread(target=wait_for_stdin, daemon=True).start()
    loop.run_forever()


if __name__ == "__main__":
    main()
