#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The activity log: Ctrl+Shift+L lists the import made on the command line and the reports made with Ctrl+G, newest first; a click opens a run's details; the main menu opens it too; `log` prints the same."""

import getpass
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

PEOPLE = [
    {"company": "Noord Logistics B.V.", "name": "Anna de Vries",
     "email": "anna.devries@example.com", "scores": [4.0] * 15},
    {"company": "Delta Logistics", "name": "Daan Visser",
     "email": "daan.visser@example.org", "scores": [3.0] * 15},
    {"company": "ABC", "name": "Femke Mulder",
     "email": "femke.mulder@example.org", "scores": [2.0] * 15},
]


def activity_window(s):
    return s.window("Activity")


def label(window, pred):
    if window is None:
        return None
    return window.find("label", pred=lambda n: pred(n.text()))


def scenario(s):
    """Ctrl+Shift+L lists what was done, newest first; a click opens a run's details"""
    harness.import_people(s, PEOPLE)
    s.launch()
    harness.wait_rows(s, 3)
    s.key("ctrl+g")
    s.wait_for(lambda: re.search(r"Reports ready 3\b", harness.stats_text(s)), timeout=30,
               what="'Reports ready 3' in the count line")
    s.step("reports made")

    s.key("ctrl+shift+l")
    window = s.wait_for(lambda: activity_window(s), what="Ctrl+Shift+L to open Activity")
    run = s.wait_for(lambda: label(window, lambda t: t == "Report run"),
                     what="the report run in the list", dump=window)
    imported = s.wait_for(lambda: label(window, lambda t: t.startswith("Import of “")),
                          what="the import in the list", dump=window)
    s.expect(run.extents()[1] < imported.extents()[1],
             "the report run above the import (newest first)", dump=window)
    s.expect(label(window, lambda t: getpass.getuser() in t and "done" in t) is not None,
             "who ran it and how it ended under each entry", dump=window)
    s.step("the Activity window, newest first")

    s.click(run)
    details = s.wait_for(lambda: s.window("Report run"), what="the report run's details")
    s.wait_for(lambda: label(details, lambda t: t.startswith("3 made")),
               what="the counts of the report run", dump=details)
    s.expect(label(details, lambda t: t == "None: nothing failed") is not None,
             "no failures in a run that made every report", dump=details)
    s.step("the details of the report run")
    s.key("Escape")
    s.wait_for(lambda: s.window("Report run") is None, what="Escape to close the details")
    s.key("Escape")
    s.wait_for(lambda: activity_window(s) is None, what="Escape to close Activity")

    harness.pick_menu_item(s, "Activity…")
    window = s.wait_for(lambda: activity_window(s), what="the main menu to open Activity")
    s.wait_for(lambda: label(window, lambda t: t == "Report run"),
               what="the report run after reopening", dump=window)
    s.step("reopened from the main menu")
    s.key("Escape")

    output = s.cli("log").stdout.splitlines()
    # an entry's failures follow it, indented
    printed = [line for line in output if not line.startswith("\t")]
    s.expect(len(printed) == 2 and "Report run: done. 3 made" in printed[0]
             and "Import of “" in printed[1],
             "`log` to print the report run, then the import; it printed:\n"
             + "\n".join(output))


harness.run(scenario)
