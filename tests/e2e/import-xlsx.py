#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""An Excel workbook imported with Ctrl+O: two sheets of respondents, so the window asks which;
Enter takes MasterData, as the command line does."""

import datetime
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import wait_node, press  # noqa: E402

try:
    import openpyxl
except ImportError:  # pragma: no cover
    openpyxl = None

HEADER = ["SubmitDate", "ReportSent", "Name:", "Function:", "Company name:", "Country",
          "E-mail address", "Version", "Sector"] + \
         ["%s - %s" % (p, d) for p in ("Up", "In", "Do") for d in "RCFVA"] + ["Overall SCRes"]


def write_workbook(path, rounds):
    """Like the team's master workbook: a status line above the header,
    dates as dates, scores as numbers; one sheet per round."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, people in rounds:
        ws = wb.create_sheet(title)
        ws.append(["Updating: READY", "Number of New Rows", len(people)])
        ws.append(HEADER)
        for i, p in enumerate(people):
            scores = [1.5 + ((i * 7 + k * 3) % 35) / 10 for k in range(15)]
            ws.append([datetime.datetime(2025, 3, 1 + i, 10, 15), False, p["name"],
                       "Supply Chain Manager", p["company"], "Netherlands", p["email"],
                       "Version 1.0 (eng)", "Manufacturing"] + scores +
                      [sum(scores) / len(scores)])
            ws.cell(row=ws.max_row, column=1).number_format = "yyyy-mm-dd hh:mm:ss"
    wb.create_sheet("Notes").append(["Nothing to import here"])
    wb.save(path)
    return path


def sheet_names(dialog):
    """The sheets the dialog offers, in its order."""
    return [n.name for n in dialog.find_all("list item") if n.name]


def scenario(s):
    """An Excel workbook imported with Ctrl+O: two sheets of respondents, so the window asks which"""
    if openpyxl is None:
        raise harness.Skip("python3-openpyxl is not installed")
    first, second = harness.PEOPLE[:2], harness.PEOPLE[2:]
    path = write_workbook(os.path.join(s.home, "Documents", "Resilience - MasterDatabase.xlsx"),
                          [("Old_copy", first), ("MasterData", second)])

    s.launch()
    wait_node(s, "label", "No Respondents Yet")
    s.key("ctrl+o")
    chooser = s.wait_for(lambda: s.window("Import Master File"),
                         what="the file chooser 'Import Master File'")
    s.key("ctrl+l")
    s.type(path)
    s.step("workbook path typed")
    s.key("Return")
    s.wait_for(lambda: s.window("Import Master File") is None,
               what="the file chooser to close", dump=chooser)

    # Both sheets have the columns of a master file: which one? MasterData,
    # second in the workbook, is the one the command line reads: Enter takes it.
    dialog = harness.wait_dialog(s, "Import Which Sheet?")
    wait_node(s, "list item", "MasterData", within=dialog)
    s.step("which sheet")
    s.expect(sheet_names(dialog) == ["Old_copy", "MasterData"],
             "the sheets of respondents in the workbook's order, not Notes: %s"
             % sheet_names(dialog), dump=dialog)
    s.key("Return")

    toast = wait_node(s, "label", re.compile(r"Imported: .*4 new"), what="the import result")
    s.step("imported")
    s.expect(re.search(r"ignored 1 line above the header: Updating: READY", toast.text()),
             "the status line above the header reported once, got %r" % toast.text())

    rows = harness.wait_rows(s, 4)
    names = sorted(r[1] for r in rows)
    expected = sorted(p["name"] for p in second)
    if names != expected:
        s.fail("the people of MasterData %s in the table, not %s" % (expected, names))
    if not any(r[0] == "Café Ölmühle" for r in rows):
        s.fail("'Café Ölmühle' from the workbook; rows: %s" % rows)

    by_person = {r["person"]: r for r in s.list_respondents()}
    s.expect(set(by_person) == set(expected),
             "the database to hold %s, it holds %s" % (expected, sorted(by_person)))
    cli = s.cli("imports")
    s.expect("sheet “MasterData”" in cli.stdout, "imports names the sheet: %r" % cli.stdout)


if __name__ == "__main__":
    harness.run(scenario)
