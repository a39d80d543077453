#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Search with Ctrl+F and by typing, filter, read "N of M shown", export the current view
(CSV, then an Excel workbook)."""

import csv
import io
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import wait_node  # noqa: E402


def scenario(s):
    """Search with Ctrl+F and by typing, filter, read "N of M shown", export the current view"""
    harness.import_people(s)
    ids = {r["person"]: r["id"] for r in s.list_respondents()}
    s.cli("mark", ids["Daan Visser"], ids["Eva Smit"], "--status=failed", "--note=bounced")
    s.launch()
    harness.wait_rows(s, 6)

    # Ctrl+F, then a word: case does not matter.
    s.key("ctrl+f")
    entry = wait_node(s, "entry", None, what="the search entry",
                      pred=lambda n: n.has_state("editable"))
    s.type("NOORD")
    expect_people(s, ["Anna de Vries", "Bram Jansen"])
    expect_count(s, 2, 6)
    s.step("searched with Ctrl+F")
    s.key("Escape")
    expect_people(s, [p["name"] for p in harness.PEOPLE])
    del entry

    # Typing in the table searches too: accents do not matter.
    harness.click_row(s, "Polder Metaal N.V.")
    s.type("cafe")
    expect_people(s, ["Eva Smit"])
    expect_count(s, 1, 6)
    s.step("searched by typing")
    s.key("Escape")
    expect_people(s, [p["name"] for p in harness.PEOPLE])

    # Tab leaves the table (it does not walk through every row).
    harness.click_row(s, "Bram Jansen")
    s.key("Tab")
    s.soft_wait(lambda: focus_outside_table(s), "Tab to move the focus out of the table",
                dump=lambda: s.main_window)

    # The status filter.
    dropdown = wait_node(s, "combo box", None, what="the status filter",
                         pred=lambda n: n.find("label", "All") is not None)
    s.click(dropdown)
    harness.choose_in_popover(s, "Failed")
    expect_people(s, ["Daan Visser", "Eva Smit"])
    expect_count(s, 2, 6)
    s.step("filtered")

    # Search and filter together, the search opened with the header bar's button.
    search = wait_node(s, "push button", None, what="a search button in the header bar",
                       pred=lambda n: n.description.startswith("Search"))
    s.click(search)
    wait_node(s, "entry", None, what="the search entry", pred=lambda n: n.has_state("editable"))
    s.type("visser")
    expect_people(s, ["Daan Visser"])
    expect_count(s, 1, 6)
    s.step("searched and filtered")

    # Export what is shown.
    path = os.path.join(s.home, "Documents", "shown.csv")
    s.key("ctrl+e")
    chooser = s.wait_for(lambda: s.window("Export Status"), what="the Export Status chooser")
    s.step("export chooser")
    chooser_choice = chooser.find(None, "Shown") or chooser.find("label", "Shown")
    s.expect(chooser_choice is not None, "the chooser to offer the respondents shown",
             dump=chooser)
    s.soft_wait(lambda: in_path_bar(chooser, "Documents"),
                "the export chooser to start in Documents (its path bar ends there)",
                dump=chooser)
    s.key("ctrl+a")
    s.type(path)
    s.key("Return")
    s.wait_for(lambda: s.window("Export Status") is None, what="the chooser to close",
               dump=chooser)
    s.wait_for(lambda: os.path.exists(path), what="the export at " + path)
    wait_node(s, "label", re.compile(r"^Status of 1 respondent exported"),
              what="the toast 'Status of 1 respondent exported'")
    s.step("exported")
    with open(path, "rb") as f:
        data = f.read()
    s.expect(data.startswith(b"\xef\xbb\xbf"), "the export to start with a UTF-8 BOM")
    text = data.decode("utf-8-sig")
    delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    people = [r.get("person") for r in rows]
    if people != ["Daan Visser"]:
        s.fail("only the row shown (Daan Visser) in the export, it has %s" % people)
    if rows[0].get("status") != "failed" or rows[0].get("note") != "bounced":
        s.fail("Daan's status and note in the export: %s" % rows[0])

    # The same view as an Excel workbook: the name's extension decides.
    xlsx = os.path.join(s.home, "Documents", "shown.xlsx")
    s.key("ctrl+e")
    chooser = s.wait_for(lambda: s.window("Export Status"), what="the Export Status chooser")
    s.key("ctrl+a")
    s.type(xlsx)
    s.key("Return")
    s.wait_for(lambda: s.window("Export Status") is None, what="the chooser to close",
               dump=chooser)
    s.wait_for(lambda: os.path.exists(xlsx), what="the workbook at " + xlsx)
    s.step("exported a workbook")
    check_workbook(s, xlsx)


def check_workbook(s, path):
    """The workbook as a spreadsheet program reads it: a bold, frozen
    header, Daan's row with a number for the id, and his history."""
    import openpyxl
    with open(path, "rb") as f:
        book = openpyxl.load_workbook(f)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    if header[:5] != ["id", "company", "person", "email", "status"]:
        s.fail("the workbook's header to start id,company,person,email,status: %s" % header)
    if not all(c.font.b for c in sheet[1]) or sheet.freeze_panes != "A2":
        s.fail("a bold, frozen header in the workbook (frozen at %s)" % sheet.freeze_panes)
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    if [r["person"] for r in rows] != ["Daan Visser"] or not isinstance(rows[0]["id"], int):
        s.fail("only Daan Visser, with a numeric id, in the workbook: %s" % rows)
    if rows[0]["status"] != "failed" or rows[0]["note"] != "bounced":
        s.fail("Daan's status and note in the workbook: %s" % rows[0])
    history = book.worksheets[1]
    changes = [[c.value for c in row] for row in history.iter_rows(min_row=2)]
    if len(changes) != 1 or changes[0][2] != "Daan Visser":
        s.fail("Daan's one change on the History sheet: %s" % changes)


def in_path_bar(chooser, folder):
    """A chooser's path bar shows @folder as a button (the sidebar's places
    are list rows, and GTK 4.8's file list is not in the tree)."""
    for label in chooser.find_all("label", folder):
        acc = label.acc
        for _ in range(3):
            acc = acc.get_parent()
            if acc is not None and "button" in acc.get_role_name():
                return True
    return False


def focus_outside_table(s):
    t = harness.table(s)
    focused = [n for n, _ in s.main_window.walk() if n.has_state("focused")]
    inside = [n for n, _ in t.walk()] if t else []
    inside_ids = {id(n.acc) for n in inside}
    return focused and all(n.role not in ("table row", "table cell") and
                           id(n.acc) not in inside_ids for n in focused) and focused


def expect_people(s, names):
    s.wait_for(lambda: sorted(r[1] for r in harness.table_rows(s)) == sorted(names),
               what="the table to show %s" % names,
               dump=lambda: harness.table(s) or s.main_window)


def expect_count(s, shown, total):
    s.wait_for(lambda: re.search(r"\b%d of %d respondents? shown" % (shown, total),
                                 harness.stats_text(s)),
               what="'%d of %d … shown' in the count line (it says %r)"
               % (shown, total, harness.stats_text(s)))


harness.run(scenario)
