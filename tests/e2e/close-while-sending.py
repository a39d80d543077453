#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Ctrl+W during a live round asks first: Keep Sending goes on, Stop Sending ends after the message in flight."""

import os
import re
import sys
import subprocess

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import wait_node, press  # noqa: E402


def scenario(s):
    """Ctrl+W during a live round asks first: Keep Sending goes on, Stop Sending ends after the message in flight"""
    # A server that takes its time over every message: the round is long.
    smtp = s.start_smtp("--delay", "3")
    harness.plain_mail_settings(s, smtp.port)
    harness.import_people(s)
    s.cli("generate")
    s.launch()
    harness.wait_rows(s, 6)

    button = wait_node(s, "push button", "Send", pred=lambda n: n.sensitive)
    harness.click_menu_button_item(s, button,
                                   re.compile(r"^Send to _?Everyone|^Send to _?Respondents"))
    dialog = harness.wait_dialog(s, re.compile(r"^Send the Reports to 6 Respondents\?"))
    press(s, "Send to 6 Respondents", within=dialog)
    s.wait_for(lambda: len(smtp.recipients()) >= 1, timeout=15,
               what="the first message of the round in the mailbox")

    # Ctrl+W: the app asks, and Keep Sending goes on.
    s.key("ctrl+w")
    ask = harness.wait_dialog(s, "Stop Sending?", timeout=5)
    s.step("asked on Ctrl+W")
    for name in ("Keep Sending", "Stop Sending"):
        if ask.find("push button", name) is None:
            s.fail("a %r button in the question" % name, dump=ask)
    n = len(smtp.recipients())
    press(s, "Keep Sending", within=ask)
    s.wait_for(lambda: not any(w.find("label", "Stop Sending?") for w in s.windows()),
               what="the question to close")
    s.wait_for(lambda: len(smtp.recipients()) > n, timeout=10,
               what="more messages after Keep Sending")
    s.assert_running()
    s.step("kept sending")

    # Ctrl+W again: Stop Sending ends the round after the message in flight, and the app.
    s.key("ctrl+w")
    ask = harness.wait_dialog(s, "Stop Sending?", timeout=5)
    press(s, "Stop Sending", within=ask)
    try:
        s.app.wait(15)
    except subprocess.TimeoutExpired:
        s.fail("the app to end within 15 s of Stop Sending")
    s.app = None
    s.step("stopped")

    rows = s.list_respondents()
    statuses = [r["status"] for r in rows]
    got = sorted(smtp.recipients())
    sent = sorted(r["email"] for r in rows if r["status"] == "sent")
    if "unknown" in statuses or "sending" in statuses:
        s.fail("no respondent left unknown or sending after Stop Sending: %s" % statuses)
    if got != sent:
        s.fail("exactly the messages that arrived (%s) marked sent (%s)" % (got, sent))
    if not 0 < len(sent) < 6:
        s.fail("the round to stop midway, %d of 6 were sent" % len(sent))
    if len(got) != len(set(got)):
        s.fail("one message per address: %s" % got)

    # Started again, the app finds nothing interrupted: no one is 'unknown'.
    s.launch()
    harness.wait_rows(s, 6)
    s.step("started again")
    statuses = [r["status"] for r in s.list_respondents()]
    if "unknown" in statuses:
        s.fail("nobody 'unknown' after starting again: %s" % statuses)
    s.wait_for(lambda: re.search(r"Sent %d\b" % len(sent), harness.stats_text(s)),
               what="'Sent %d' in the count line" % len(sent))


harness.run(scenario)
