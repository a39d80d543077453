#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Respondents marked failed with Ctrl+Shift+F and a note, undone with Ctrl+Z and with the toast's Undo."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import wait_node  # noqa: E402

ANNA = "anna.devries@example.com"
BRAM = "bram.jansen@example.com"


def scenario(s):
    """Respondents marked failed with Ctrl+Shift+F and a note, undone with Ctrl+Z and with the toast's Undo"""
    harness.import_people(s)
    s.launch()
    harness.wait_rows(s, 6)

    # Two people: a click, and Shift+Down.
    harness.click_row(s, "Anna de Vries")
    s.key("shift+Down")
    harness.wait_selected(s, ["Anna de Vries", "Bram Jansen"])
    s.step("two selected")

    mark_failed(s, "bounced: mailbox full")
    s.step("marked failed")

    s.key("ctrl+z")
    try:
        wait_statuses(s, {ANNA: "pending", BRAM: "pending"}, "Ctrl+Z to undo the marking",
                      timeout=5)
        s.step("undone with Ctrl+Z")
    except harness.StepFailed:
        s.expect(False, "Ctrl+Z to undo the marking (Anna and Bram pending again)")

    # Again, and this time the toast's Undo button.
    harness.wait_selected(s, ["Anna de Vries", "Bram Jansen"])
    mark_failed(s, "wrong person")
    toast = wait_node(s, "label", re.compile(r"^2 respondents marked as failed"),
                      what="the toast '2 respondents marked as failed'")
    del toast
    undo_from_toast(s)
    wait_statuses(s, {ANNA: "pending", BRAM: "pending"}, "the toast's Undo to undo the marking")
    s.step("undone with the toast")

    # The other shortcuts of the selection ask too; Escape changes nothing.
    harness.wait_selected(s, ["Anna de Vries", "Bram Jansen"])
    for keys, heading in (("ctrl+shift+s", "Mark 2 Respondents as Sent?"),
                          ("ctrl+shift+p", "Mark 2 Respondents as Pending?")):
        s.key(keys)
        dialog = harness.wait_dialog(s, heading)
        s.step("asked by " + keys)
        s.key("Escape")
        s.wait_for(lambda: not dialog.showing or dialog.find("label", heading) is None,
                   what="Escape to close %r" % heading, dump=dialog)
    wait_statuses(s, {ANNA: "pending", BRAM: "pending"}, "nothing changed by Escape")

    # Alt+Return opens the details of the first selected.
    s.key("alt+Return")
    s.wait_for(lambda: harness.details_window(s, "Anna de Vries"),
               what="Alt+Return to open Anna's details")
    s.step("details by Alt+Return")
    s.key("Escape")
    s.wait_for(lambda: harness.details_window(s, "Anna de Vries") is None,
               what="Escape to close the details window")

    # The history keeps all of it: in the database and in the details window.
    history = s.sql("SELECT h.from_status, h.to_status, h.by, h.note FROM history h "
                    "JOIN respondent r ON r.id = h.respondent_id "
                    "WHERE r.email = ? ORDER BY h.id", ANNA)
    to_failed = [h for h in history if h[1] == "failed"]
    if len(to_failed) != 2 or {h[3] for h in to_failed} != {"bounced: mailbox full",
                                                             "wrong person"}:
        s.fail("two changes to failed with their notes in Anna's history, it has %s" % history)
    s.expect(sum(1 for h in history if h[0] == "failed" and h[1] == "pending") == 2,
             "both undos in Anna's history, it has %s" % history)

    details = harness.open_details(s, "Anna de Vries")
    harness.scroll_down(s, details, clicks=6)
    s.step("history")
    shown = [n.text() for n in details.find_all("label", showing=False)]
    if not any("bounced: mailbox full" in t for t in shown) or \
            not any("wrong person" in t for t in shown):
        s.fail("both notes in the History of the details window", dump=details)
    s.key("Escape")


def undo_from_toast(s):
    label = wait_node(s, "label", re.compile(r"^2 respondents marked as failed"))
    toast = harness.Node(label.acc.get_parent().get_parent())
    button = toast.find("push button", "Undo")
    if button is None:
        s.fail("an Undo button in the toast", dump=toast)
    if not button.sensitive:
        s.fail("the toast's Undo button to be active", dump=toast)
    s.click(button)


def mark_failed(s, note):
    s.key("ctrl+shift+f")
    heading = re.compile(r"^Mark 2 Respondents as Failed\?")
    try:
        dialog = harness.wait_dialog(s, heading, timeout=5)
    except harness.StepFailed:
        # Without the shortcut, the bar's button: the rest can still be shown.
        s.expect(False, "Ctrl+Shift+F to ask to mark the 2 selected as failed")
        bar = s.wait_for(lambda: next(iter(harness.popover_nodes(s, None, "Mark as Failed")),
                                      None) or harness.find(s, "push button", "Mark as Failed"),
                         what="a 'Mark as Failed' button")
        s.click(bar)
        dialog = harness.wait_dialog(s, heading)
    s.step("mark dialog")
    s.type(note)
    s.key("Return")
    s.wait_for(lambda: dialog.find("label", "Mark 2 Respondents as Failed?") is None or
               not dialog.showing, what="the dialog to close", dump=dialog)
    wait_statuses(s, {ANNA: "failed", BRAM: "failed"}, "Anna and Bram marked failed")
    rows = harness.db_status(s)
    for email in (ANNA, BRAM):
        if rows[email]["note"] != note:
            s.fail("the note %r on %s, it is %r" % (note, email, rows[email]["note"]))
    others = {e: r["status"] for e, r in rows.items() if e not in (ANNA, BRAM)}
    if set(others.values()) != {"pending"}:
        s.fail("nobody else changed: %s" % others)
    s.wait_for(lambda: re.search(r"Failed 2\b", harness.stats_text(s)),
               what="'Failed 2' in the count line")


def wait_statuses(s, want, what, timeout=harness.DEFAULT_TIMEOUT):
    s.wait_for(lambda: all(harness.db_status(s)[e]["status"] == v for e, v in want.items()),
               what="%s: %s in the database" % (what, want), timeout=timeout)


harness.run(scenario)
