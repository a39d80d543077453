#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The yardstick for bench-send: the leanest client at hand. It sends
ready-made messages (no dots at line starts, CRLF line ends) over one
connection, with STARTTLS and AUTH PLAIN once, straight over the socket.

Usage: smtp-client.py PORT CAFILE USER PASSWORD FROM DIR
Sends every DIR/*.eml, in name order, to person.<i>@example.org, and prints
"<messages> <seconds> <cpu seconds>".
"""

import base64
import os
import socket
import ssl
import sys
import time


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.buffer = b""
        self.expect(220)

    def reply(self):
        lines = []
        while True:
            while b"\r\n" not in self.buffer:
                data = self.sock.recv(65536)
                if not data:
                    raise ConnectionError("the server closed the connection")
                self.buffer += data
            line, self.buffer = self.buffer.split(b"\r\n", 1)
            lines.append(line)
            if line[3:4] != b"-":
                return int(line[:3]), lines

    def expect(self, code):
        got, lines = self.reply()
        if got != code:
            raise RuntimeError("expected %d, got %r" % (code, lines))
        return lines

    def command(self, text, code):
        self.sock.sendall(text.encode() + b"\r\n")
        return self.expect(code)


def main():
    port, cafile, user, password, sender, folder = sys.argv[1:7]
    names = sorted(n for n in os.listdir(folder) if n.endswith(".eml"))
    messages = []
    for name in names:
        with open(os.path.join(folder, name), "rb") as f:
            message = f.read()
        assert b"\r\n." not in message and message.endswith(b"\r\n")
        messages.append(message + b".\r\n")

    start = time.monotonic()
    cpu = time.process_time()
    client = Client(int(port))
    client.command("EHLO localhost", 250)
    client.command("STARTTLS", 220)
    context = ssl.create_default_context(cafile=cafile)
    client.sock = context.wrap_socket(client.sock, server_hostname="127.0.0.1")
    client.command("EHLO localhost", 250)
    token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()
    client.command("AUTH PLAIN " + token, 235)
    for i, message in enumerate(messages):
        client.command("MAIL FROM:<%s>" % sender, 250)
        client.command("RCPT TO:<person.%d@example.org>" % i, 250)
        client.command("DATA", 354)
        client.sock.sendall(message)
        client.expect(250)
    client.command("QUIT", 221)
    seconds = time.monotonic() - start
    cpu = time.process_time() - cpu
    print(len(messages), seconds, cpu)


if __name__ == "__main__":
    main()
