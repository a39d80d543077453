#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A workbook of 24 sheets of respondents imported with Ctrl+O: Import Which Sheet? fits the
screen with Cancel on it, lists them in the workbook's order, and Up then Enter imports the
sheet above MasterData."""

import importlib.util
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import wait_node  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "import_xlsx", os.path.join(os.path.dirname(os.path.abspath(__file__)), "import-xlsx.py"))
import_xlsx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(import_xlsx)


def scenario(s):
    """24 sheets: the dialog fits, Up and Enter import the sheet chosen"""
    if import_xlsx.openpyxl is None:
        raise harness.Skip("python3-openpyxl is not installed")
    first, second = harness.PEOPLE[:2], harness.PEOPLE[2:]
    rounds = [("Ronde %d" % (i + 1), second) for i in range(24)]
    rounds[21] = ("MasterData", second)
    rounds[20] = ("Ronde 21", first)
    path = import_xlsx.write_workbook(os.path.join(s.home, "Documents", "Rondes.xlsx"), rounds)

    s.launch()
    wait_node(s, "label", "No Respondents Yet")
    s.key("ctrl+o")
    chooser = s.wait_for(lambda: s.window("Import Master File"),
                         what="the file chooser 'Import Master File'")
    s.key("ctrl+l")
    s.type(path)
    s.key("Return")
    s.wait_for(lambda: s.window("Import Master File") is None,
               what="the file chooser to close", dump=chooser)

    dialog = harness.wait_dialog(s, "Import Which Sheet?")
    wait_node(s, "list item", "MasterData", within=dialog)
    s.step("which of 24 sheets")
    names = import_xlsx.sheet_names(dialog)
    s.expect(names == [name for name, _ in rounds],
             "the 24 sheets in the workbook's order: %s" % names, dump=dialog)
    _, y = s.window_origin(dialog)
    _, _, _, height = dialog.extents()
    s.expect(y >= 0 and y + height <= 1024,
             "the dialog on the 1024-pixel screen: at %d, %d high" % (y, height), dump=dialog)
    cancel = wait_node(s, "push button", "Cancel", within=dialog)
    _, cy, _, ch = cancel.extents()
    s.expect(0 <= cy and cy + ch <= height,
             "Cancel inside the dialog: at %d, %d high, of %d" % (cy, ch, height), dump=dialog)

    s.key("Up")
    s.key("Return")
    wait_node(s, "label", re.compile(r"Imported: .*2 new"), what="the import of Ronde 21")
    s.step("Ronde 21 imported")
    people = sorted(r["person"] for r in s.list_respondents())
    s.expect(people == sorted(p["name"] for p in first),
             "the people of Ronde 21, the sheet above MasterData: %s" % people)


harness.run(scenario)
