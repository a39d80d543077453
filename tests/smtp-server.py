#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small SMTP server on 127.0.0.1 for the tests (Debian's python3-aiosmtpd).

Prints "PORT <n>" as its first line, then serves until killed or until its
stdin closes. Every accepted message goes to DIR/<n>.eml; DIR/log.jsonl gets
one JSON object a line: {"event": "connect"} per connection,
{"event": "auth", "mechanism": ..., "success": ...} per sign-in and
{"event": "message", "from": ..., "to": [...], "file": ...} per message.
"""

import argparse
import asyncio
import json
import logging
import os
import ssl
import sys
import threading
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("dir", help="where messages and log.jsonl are written")
    p.add_argument("--cert", help="PEM certificate: offer STARTTLS (or TLS on connect)")
    p.add_argument("--key", help="PEM key for --cert")
    p.add_argument("--implicit-tls", action="store_true", help="TLS on connect (smtps)")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--user", help="require AUTH PLAIN/LOGIN as this user")
    p.add_argument("--password", default="")
    p.add_argument("--only-auth", choices=["PLAIN", "LOGIN"],
                   help="offer only this AUTH mechanism")
    p.add_argument("--greet-421", action="store_true", help="refuse every connection")
    p.add_argument("--rcpt-reply", action="append", default=[], metavar="ADDR=REPLY",
                   help='e.g. "b@example.org=550 5.1.1 No such user"')
    p.add_argument("--data-reply", help="reply to the end of DATA instead of 250")
    p.add_argument("--drop-data", type=int, default=0, metavar="N",
                   help="drop the connection in the middle of the Nth DATA")
    p.add_argument("--delay", type=float, default=0, help="seconds before each DATA reply")
    return p.parse_args()


class State:
    def __init__(self, args):
        self.args = args
        self.messages = 0
        self.data_commands = 0
        self.rcpt_replies = dict(r.split("=", 1) for r in args.rcpt_reply)

    def log(self, **record):
        with open(os.path.join(self.args.dir, "log.jsonl"), "a") as f:
            f.write(json.dumps(record) + "\n")


class Handler:
    def __init__(self, state):
        self.state = state

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.state.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.state.args.delay:
            await asyncio.sleep(self.state.args.delay)
        if self.state.args.data_reply:
            return self.state.args.data_reply
        self.state.messages += 1
        name = "%d.eml" % self.state.messages
        with open(os.path.join(self.state.args.dir, name), "wb") as f:
            f.write(envelope.original_content)
        self.state.log(event="message", file=name, to=envelope.rcpt_tos,
                       **{"from": envelope.mail_from})
        return "250 2.0.0 Accepted"


class TestSMTP(SMTP):
    def __init__(self, state, **kwargs):
        super().__init__(Handler(state), **kwargs)
        self.state = state

    async def _handle_client(self):
        if self.state.args.greet_421:
            await self.push("421 4.3.2 Service not available, try again later")
            self.transport.close()
            return
        await super()._handle_client()

    async def smtp_DATA(self, arg):
        self.state.data_commands += 1
        if self.state.data_commands != self.state.args.drop_data or not self.envelope.rcpt_tos:
            return await super().smtp_DATA(arg)
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        await self._reader.readuntil(b"\r\n")
        self.transport.abort()


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
              and data.password.decode() == args.password)
        state.log(event="auth", mechanism=mechanism, success=ok)
        return AuthResult(success=ok, handled=False)

    def factory():
        state.log(event="connect")
        kwargs = dict(loop=loop, hostname="smtp.example.com", timeout=30)
        if tls and not args.implicit_tls:
            kwargs.update(tls_context=tls, require_starttls=args.require_starttls)
        if args.user:
            kwargs.update(authenticator=authenticate, auth_required=True,
                          auth_require_tls=tls is not None and not args.implicit_tls)
            if args.only_auth:
                kwargs.update(auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN")
                                                      if m != args.only_auth])
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
