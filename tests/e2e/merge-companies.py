#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Two spellings of one company merged in the Companies window (main menu), another proposal kept apart; counts, outdated reports and the remade report follow."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Node, wait_node  # noqa: E402

PEOPLE = [
    {"company": "Noord Logistics B.V.", "name": "Anna de Vries",
     "email": "anna.devries@example.com", "scores": [4.0] * 15},
    {"company": "Noord Logistics B.V.", "name": "Bram Jansen",
     "email": "bram.jansen@example.com", "scores": [3.0] * 15},
    {"company": "NOORD LOGISTICS BV", "name": "Chloé Bakker",
     "email": "chloe.bakker@example.org", "scores": [2.0] * 15},
    {"company": "Delta Logistics", "name": "Daan Visser", "email": "daan.visser@example.org"},
    {"company": "Delta Logistiks", "name": "Eva Smit", "email": "eva.smit@example.com"},
    {"company": "ABC", "name": "Femke Mulder", "email": "femke.mulder@example.org"},
    {"company": "ABD", "name": "Gijs de Boer", "email": "gijs.deboer@example.org"},
]

NOORD = "Noord Logistics B.V. and NOORD LOGISTICS BV"
DELTA = "Delta Logistics and Delta Logistiks"
MERGED = "3 respondents · merged: Noord Logistics B.V. (2), NOORD LOGISTICS BV (1)"

OUTDATED = ("SELECT count(*) FROM respondent r JOIN delivery d ON d.respondent_id = r.id"
            " WHERE d.report_path IS NOT NULL AND d.report_source_hash IS NOT r.source_hash")


def companies_window(s):
    return s.window("Companies")


def label(window, text):
    if window is None:
        return None
    return window.find("label", pred=lambda n: n.text() == text)


def scenario(s):
    """Two spellings of one company merged in the Companies window, another proposal kept apart"""
    harness.import_people(s, PEOPLE)
    s.launch()
    harness.wait_rows(s, 7)
    s.wait_for(lambda: harness.stats_text(s).startswith("7 respondents from 6 companies"),
               what="'7 respondents from 6 companies' in the count line")
    s.step("launched: seven respondents from six companies")

    s.key("ctrl+g")
    s.wait_for(lambda: re.search(r"Reports ready 7\b", harness.stats_text(s)), timeout=30,
               what="'Reports ready 7' in the count line")
    s.step("reports made")

    # The main menu, by keyboard, as a person who has not learnt the shortcut.
    harness.pick_menu_item(s, "Companies…")
    window = s.wait_for(lambda: companies_window(s), what="the Companies window")
    s.wait_for(lambda: label(window, NOORD), what="the proposal %r" % NOORD, dump=window)
    s.expect(label(window, DELTA) is not None, "the proposal %r" % DELTA, dump=window)
    s.expect(window.find("label", pred=lambda n: "ABC and ABD" in n.text()) is None,
             "no proposal of ABC and ABD: short names a letter apart are two companies",
             dump=window)
    s.step("the Companies window with two proposals")

    harness.press(s, "Merge", within=lambda: _row_of(s, window, NOORD))
    s.wait_for(lambda: label(window, MERGED), what="the merged company %r" % MERGED, dump=window)
    s.wait_for(lambda: label(window, NOORD) is None, what="the proposal to go", dump=window)
    s.step("merged")

    # The main window counts five companies; the three reports are outdated.
    s.wait_for(lambda: harness.stats_text(s).startswith("7 respondents from 5 companies"),
               what="'7 respondents from 5 companies' in the main window's count line")
    outdated = s.sql(OUTDATED)[0][0]
    s.expect(outdated == 3, "the reports of the three Noord Logistics respondents outdated, "
             "%s are" % outdated)
    listed = s.cli("companies").stdout
    s.expect("Noord Logistics B.V. — 3 respondents, merged:" in listed,
             "the command line to list the merged company, it printed:\n" + listed)

    # The other proposal: kept apart, and it does not come back.
    harness.press(s, "Keep Apart", within=lambda: _row_of(s, window, DELTA))
    s.wait_for(lambda: label(window, DELTA) is None, what="the proposal %r to go" % DELTA,
               dump=window)
    s.step("kept apart")
    s.expect(harness.stats_text(s).startswith("7 respondents from 5 companies"),
             "still 5 companies after keeping Delta Logistics and Delta Logistiks apart")

    s.key("Escape")
    s.wait_for(lambda: companies_window(s) is None, what="Escape to close the Companies window")

    # Ctrl+Shift+C opens it again, as it was left.
    s.key("ctrl+shift+c")
    window = s.wait_for(lambda: companies_window(s), what="Ctrl+Shift+C to open Companies")
    s.wait_for(lambda: label(window, MERGED), what="the merged company after reopening",
               dump=window)
    s.expect(label(window, DELTA) is None, "no proposal after reopening", dump=window)
    s.step("reopened with Ctrl+Shift+C")
    s.key("Escape")
    s.wait_for(lambda: companies_window(s) is None, what="Escape to close the Companies window")

    # Made again: under the company's name, averaging all three.
    s.key("ctrl+g")
    s.wait_for(lambda: s.sql(OUTDATED)[0][0] == 0, timeout=30,
               what="the outdated reports made again")
    s.step("reports made again")
    path = s.sql("SELECT d.report_path FROM delivery d JOIN respondent r"
                 " ON r.id = d.respondent_id WHERE r.email = 'chloe.bakker@example.org'")[0][0]
    s.expect("(Noord Logistics B.V. - Chloé Bakker" in os.path.basename(path),
             "Chloé's report under the merged company's name, it is %s" % path)
    text = _pdf_text(path)
    if text is not None:
        s.expect("Survey respondents: 3 people from this company" in text,
                 "Chloé's report to count 3 people of her company")
        s.expect("μ=3.0 · n=3" in text, "the company averages of all three (3.0, n=3)")


def _row_of(s, window, text):
    """The row (list item) that holds the label reading @text."""
    found = label(window, text)
    if found is None:
        return None
    acc = found.acc
    for _ in range(6):
        acc = acc.get_parent()
        if acc is None:
            return None
        if acc.get_role_name() == "list item":
            return Node(acc)
    return None


def _pdf_text(path):
    import shutil
    import subprocess
    if shutil.which("pdftotext") is None:
        return None
    out = subprocess.run(["pdftotext", path, "-"], stdout=subprocess.PIPE, text=True)
    return " ".join(out.stdout.split())


harness.run(scenario)
