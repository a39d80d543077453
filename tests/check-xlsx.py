#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reads a workbook with openpyxl, as a spreadsheet program would, and prints
what the tests check as JSON: per sheet its title, frozen cell, filter, and
every cell's value, type, number format and boldness. A date cell also
gives its stored number (the Excel serial), and the raw sheet XML is
searched for formulas."""

import datetime
import json
import re
import sys
import zipfile

import openpyxl
from openpyxl.utils.datetime import to_excel


def as_excel_shows(text):
    """Excel reads _xHHHH_ in a text as the character HHHH (openpyxl 3.0
    leaves it as it is)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def cell_facts(cell):
    value = cell.value
    if isinstance(value, str):
        value = as_excel_shows(value)
    facts = {"type": cell.data_type, "format": cell.number_format,
             "bold": bool(cell.font is not None and cell.font.b)}
    if isinstance(value, datetime.datetime):
        facts["value"] = value.isoformat()
        facts["serial"] = to_excel(value)
        facts["date"] = bool(cell.is_date)
    else:
        facts["value"] = value
    return facts


def main(path):
    # From a file object: openpyxl judges a name by its extension.
    with open(path, "rb") as f:
        book = openpyxl.load_workbook(f)
    with zipfile.ZipFile(path) as archive:
        formulas = sum(archive.read(name).count(b"<f>") + archive.read(name).count(b"<f ")
                       for name in archive.namelist()
                       if name.startswith("xl/worksheets/"))
    sheets = []
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows():
            rows.append([cell_facts(cell) for cell in row])
        # Trailing empty cells are not written: every row as long as the header.
        sheets.append({"title": sheet.title, "freeze": sheet.freeze_panes,
                       "filter": sheet.auto_filter.ref, "rows": rows})
    json.dump({"sheets": sheets, "formulas": formulas}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
