#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Launched with the desktop entry's Exec line, a fresh profile shows the empty state."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import wait_node, find  # noqa: E402


def scenario(s):
    """Launched with the desktop entry's Exec line, a fresh profile shows the empty state"""
    # What a menu needs of the installed files: the entry, its icon, its schema.
    share = os.path.join(s.prefix, "share")
    icon = os.path.join(share, "icons", "hicolor", "scalable", "apps", harness.APP_ID + ".svg")
    if not os.path.exists(icon):
        s.fail("the icon of the desktop entry installed at " + icon, screenshot=False)

    s.launch()
    win = s.main_window
    if not win.has_state("active"):
        s.fail("the new window to have the focus", dump=win)

    wait_node(s, "label", "No Respondents Yet")
    wait_node(s, "push button", "Import Master File…", pred=lambda n: n.sensitive)
    s.step("launched")
    # Nothing but the empty state: no table has been laid out.
    t = harness.table(s)
    if t is not None and t.showing:
        s.fail("no respondent table in the empty state", dump=t)

    # Nothing to make or send yet: those buttons must not invite a click.
    for name in ("Make Reports", "Send"):
        button = find(s, "push button", name)
        if button is None:
            s.fail("a %r button in the header bar" % name)
        if button.sensitive:
            s.fail("%r to be insensitive on an empty database (it is active)" % name,
                   dump=button)

    # The database was made where the design says.
    s.wait_for(lambda: os.path.exists(s.database),
               what="the database at $XDG_DATA_HOME/resiliencescan/tracker.db")
    if s.list_respondents():
        s.fail("an empty database")

    status = s.quit_app()
    s.step("quit")
    if status != 0:
        s.fail("Ctrl+Q to end the app with status 0, not %s" % status)


harness.run(scenario)
