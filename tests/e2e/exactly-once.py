#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A live round through a server that asks to wait and drops its last reply: one message an address, a second report only when chosen."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import wait_node, press  # noqa: E402

# Femke's colleague filled in the survey with Femke's address: two people,
# one address.
HANNA = {"company": "Rijn Chemie", "name": "Hanna Bos", "email": "femke.mulder@example.org"}
PEOPLE = harness.PEOPLE + [HANNA]
EVERYONE = re.compile(r"^Send to _?Everyone|^Send to _?Respondents")
SELECTED = re.compile(r"^Send to the _?Selected")


def scenario(s):
    """A live round through a server that asks to wait and drops its last reply: one message an address, a second report only when chosen"""
    # The third MAIL FROM is told to wait (the whole queue waits, one new
    # connection after it); the fifth message is stored and the connection
    # closed without a reply (that one is `unknown`, never sent again).
    smtp = s.start_smtp("--reply", "MAIL#3=451 4.7.500 Server busy, please try again later",
                        "--close", "DOT#5")
    harness.plain_mail_settings(s, smtp.port)
    harness.import_people(s, PEOPLE)
    s.cli("generate")
    s.launch()
    harness.wait_rows(s, 7)

    button = wait_node(s, "push button", "Send", pred=lambda n: n.sensitive)
    harness.click_menu_button_item(s, button, EVERYONE)
    dialog = harness.wait_dialog(s, re.compile(r"^Send the Reports to 6 Respondents\?"))
    s.step("confirmation with a second report at one address")
    check = wait_node(s, "check box", re.compile(r"^Send Hanna Bos <femke\.mulder@example\.org> "
                                                  r"a second report \(Femke Mulder\b"),
                      within=dialog, what="a check box to allow Hanna's second report")
    s.expect(not check.has_state("checked"), "the check box for Hanna unchecked at first")
    press(s, "Send to 6 Respondents", within=dialog)

    # The server's wait is shown, and counted down.
    waiting = re.compile(r"Server asked to wait; trying again in (\d+) s")
    label = s.wait_for(lambda: next((n for w in s.windows()
                                     for n in w.find_all("label", waiting)), None),
                       timeout=30, what="the wait shown in the window")
    first = int(waiting.search(label.text()).group(1))
    s.step("the server asked to wait")
    s.wait_for(lambda: (lambda m: m and int(m.group(1)) < first)(waiting.search(label.text())),
               timeout=5, what="the seconds of the wait counting down from %d" % first)
    s.expect(len(smtp.recipients()) == 2,
             "two messages before the wait, the mailbox has %s" % smtp.recipients())

    # The round ends: everyone once, one of them unknown.
    s.wait_for(lambda: not any(r["status"] in ("pending", "sending")
                               for r in s.list_respondents() if r["email"] != HANNA["email"]
                               or r["person"] != HANNA["name"]),
               timeout=60, what="the round to end")
    s.step("round ended")
    rows = s.list_respondents()
    by_name = {r["person"]: r for r in rows}
    statuses = sorted(r["status"] for r in rows)
    s.expect(statuses == ["pending"] + ["sent"] * 5 + ["unknown"],
             "five sent, one unknown, Hanna pending: %s" % statuses)
    s.expect(by_name["Hanna Bos"]["status"] == "pending", "Hanna still pending: %s" % by_name)
    got = sorted(smtp.recipients())
    want = sorted(p["email"] for p in harness.PEOPLE)
    if got != want:
        s.fail("exactly one message to each address %s; the mailbox has %s" % (want, got))
    connects = [e for e in smtp.events() if e["event"] == "connect"]
    s.expect(len(connects) == 3,
             "three connections: the first, one after the wait, one after the lost reply;"
             " the server saw %d" % len(connects))
    unknown = next(r for r in rows if r["status"] == "unknown")
    wait_node(s, "label", re.compile(r"Unknown 1\b"), what="'Unknown 1' in the count line")

    # Everyone pending again: nobody is left to send to (the unknown one is
    # not sent again by itself, Hanna's address has its report).
    harness.dismiss_toast(s, re.compile(r"^Sent: "))
    harness.click_menu_button_item(s, button, EVERYONE)
    dialog = harness.wait_dialog(s, re.compile(r"^Send the Reports to 0 Respondents\?"))
    s.step("nothing left to send")
    s.expect(dialog.find(None, re.compile(re.escape(unknown["person"]))) is not None or
             dialog.find(None, re.compile(r"unknown|Sent folder", re.I)) is not None,
             "the unknown respondent named among those skipped", dump=dialog)
    s.key("Escape")
    s.wait_for(lambda: not any(w.find("label", re.compile(r"^Send the Reports to 0 "))
                               for w in s.windows()),
               what="the confirmation to close", timeout=5)

    # Hanna, chosen on purpose: the confirmation's check allows her report.
    harness.click_row(s, "Hanna Bos")
    harness.wait_selected(s, ["Hanna Bos"])
    bar_send = wait_node(s, "push button", re.compile(r"^Send$"), pred=lambda n: n.sensitive)
    harness.click_menu_button_item(s, bar_send, SELECTED)
    dialog = harness.wait_dialog(s, re.compile(r"Hanna Bos"))
    check = wait_node(s, "check box", re.compile(r"^Send Hanna Bos "), within=dialog,
                      what="the check box for Hanna's second report")
    s.click(check)
    s.wait_for(lambda: check.has_state("checked"), timeout=5, what="the check box checked")
    s.wait_for(lambda: dialog.find("label", re.compile(r"^Send the Report to 1 Respondent\?")),
               timeout=5, what="the heading to count Hanna now", dump=dialog)
    s.step("second report allowed")
    press(s, re.compile(r"^_?Send to 1 Respondent\b"), within=dialog)
    s.wait_for(lambda: {r["person"]: r["status"] for r in s.list_respondents()}["Hanna Bos"]
               == "sent", timeout=20, what="Hanna sent")
    got = sorted(smtp.recipients())
    s.expect(got.count(HANNA["email"]) == 2 and got.count(unknown["email"]) == 1 and
             len(got) == 7,
             "one more message, to Hanna's address only; the mailbox has %s" % got)
    s.step("Hanna sent")


harness.run(scenario)
