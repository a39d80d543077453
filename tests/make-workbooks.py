#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the workbooks test-xlsx reads into DIR: some by openpyxl, the way
a spreadsheet program writes them, and some by hand, zip and XML, for what
openpyxl does not write (cached formula values, inline strings, rich text,
the 1904 date system) and for input that must be refused.

    make-workbooks.py DIR
    make-workbooks.py --from-csv CSV XLSX    (a big one, in openpyxl's write-only mode)
"""

import datetime
import sys
import zipfile
import zlib
from pathlib import Path

import openpyxl

SCORES = [f"{p}__{d}" for p in ("up", "in", "do") for d in "rcfva"]


def master_columns():
    """179 columns like the survey's master: the named ones, the 15
    dimension scores, their items, and filler up to 179."""
    cols = ["submitdate", "reportsent", "name", "function", "company_name", "country",
            "email_address", "version", "sector"]
    cols += SCORES
    n = 0
    while len(cols) < 178:
        p = ("up", "in", "do")[n % 3]
        cols.append(f"{p}__x{n}")
        n += 1
    cols.append("overall_scres")
    return cols


COLUMNS = master_columns()
assert len(COLUMNS) == 179

PEOPLE = [
    # name, function, company, email, submitdate, sent
    ("Anna de Vries", "Planner", "Acme B.V.", "anna@example.com",
     datetime.datetime(2025, 8, 21, 12, 50, 13), False),
    ("Björn Ølsen", None, "Fjord AS", "bjorn@example.org",
     datetime.datetime(2024, 2, 29, 0, 0, 0), True),
    ("Chloé Martin", "Buyer", "Acme B.V.", "chloe@example.net",
     datetime.datetime(2023, 12, 31, 23, 59, 59), False),
]


def person_row(i, person):
    name, function, company, email, submitted, sent = person
    values = {"submitdate": submitted, "reportsent": sent, "name": name,
              "function": function, "company_name": company, "country": "Nederland",
              "email_address": email, "version": "Version 1.0 (eng)", "sector": "Retail"}
    row = []
    for c in COLUMNS:
        if c in values:
            row.append(values[c])
        elif c in SCORES:
            row.append(1 + (i + SCORES.index(c)) % 5 + (0.5 if c == "do__a" else 0))
        elif c == "overall_scres":
            row.append(3.25)
        else:
            row.append(None)
    return row


def write_master(path):
    """A status line above the header, MasterData as the second sheet, an
    empty row, a cell left empty, dates as serial numbers."""
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = "Read me"
    info.append(["This workbook holds the survey's master data."])
    ws = wb.create_sheet("MasterData")
    ws.append(["Updating: READY", "Number of New Rows", 3])
    ws.append(COLUMNS)
    for i, person in enumerate(PEOPLE):
        if i == 2:
            ws.append([])
        ws.append(person_row(i, person))
    for row in ws.iter_rows(min_row=3, max_col=1):
        for cell in row:
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
    wb.save(path)


def write_problems(path):
    """A row that cannot be sent, and one with a value right of the header."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "MasterData"
    ws.append(["Updating: READY"])
    ws.append(["name", "company_name", "email_address"])
    ws.append(["Anna de Vries", "Acme B.V.", "anna@example.com"])
    ws.append(["Gijs Peters", "Maas", "n.v.t."])
    ws.append(["Hanna Kok", "Maas", "hanna@example.com", None, "stray note"])
    wb.save(path)


def write_two_masters(path):
    wb = openpyxl.Workbook()
    for title, people in (("Round 1", PEOPLE[:1]), ("Round 2", PEOPLE[1:])):
        ws = wb.active if title == "Round 1" else wb.create_sheet(title)
        ws.title = title
        ws.append(COLUMNS)
        for i, person in enumerate(people):
            ws.append(person_row(i, person))
    wb.create_sheet("Notes").append(["nothing", "here"])
    wb.save(path)


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
</Types>"""

PACKAGE_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""

WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="/xl/styles.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""


def workbook_xml(date1904):
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
{pr}<x:sheets><x:sheet name="Data &amp; more" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>"""


# Cell formats: 0 general, 1 built-in date (14), 2 custom date-time, 3 time
STYLES = """<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm;@"/>
<numFmt numFmtId="165" formatCode="&quot;Score &quot;0.00"/></numFmts>
<cellStyleXfs count="1"><xf numFmtId="22"/></cellStyleXfs>
<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>
<xf numFmtId="164" applyNumberFormat="1"><alignment wrapText="1"/></xf><xf numFmtId="21"/>
<xf numFmtId="165"/></cellXfs>
</styleSheet>"""

# 0 company_name, 1 rich "name" with a phonetic run, 2.. values
SHARED = """<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5">
<si><t>company_name</t></si>
<si><r><rPr><b/></rPr><t>na</t></r><r><t xml:space="preserve">me</t></r><rPh sb="0" eb="1"><t>ナ</t></rPh></si>
<si><t>Acme B.V.</t></si>
<si><r><t>Anna </t></r><r><rPr><i/></rPr><t>de Vries</t></r></si>
<si><t>line one_x000D_
line two &lt;&amp;&gt;</t></si>
</sst>"""


def sheet_xml(rows_xml):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<dimension ref="A1:AB4"/><sheetData>{rows_xml}</sheetData>
<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>"""


HANDMADE_ROWS = """
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>
<c r="C1" t="inlineStr"><is><t>email_address</t></is></c><c r="D1" t="str"><f>"submit"&amp;"date"</f><v>submitdate</v></c>
<c r="E1" t="inlineStr"><is><r><t>up__</t></r><r><t>r</t></r></is></c><c r="F1" t="inlineStr"><is><t>reportsent</t></is></c>
<c r="G1" t="inlineStr"><is><t>note</t></is></c><c r="H1" t="inlineStr"><is><t>time</t></is></c>
<c r="AA1" t="inlineStr"><is><t>far</t></is></c><c r="AB1" t="inlineStr"><is><t>custom</t></is></c></row>
<row r="2" spans="1:28"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c>
<c r="C2" t="inlineStr"><is><t>anna@example.com</t></is></c><c r="D2" s="1"><v>45890</v></c>
<c r="E2"><f>1+2</f><v>3</v></c><c r="F2" t="b"><v>1</v></c><c r="G2" t="s"><v>4</v></c>
<c r="H2" s="3"><v>0.5</v></c><c r="AA2" t="e"><v>#N/A</v></c><c r="AB2" s="4"><v>2.5</v></c></row>
<row r="4"><c r="A4" t="s"><v>2</v></c><c r="B4" t="inlineStr"><is><t>Bob</t></is></c>
<c r="C4" t="inlineStr"><is><t>bob@example.com</t></is></c><c r="D4" s="2"><v>45890.75</v></c>
<c r="F4" t="b"><v>0</v></c><c r="AA4"><f>NA()</f></c><c r="AB4" t="d"><v>2025-08-21T12:50:13.000Z</v></c></row>
<row r="5"><c r="A5" s="1"/><c r="B5" t="inlineStr"><is><t></t></is></c></row>
"""


def write_zip(path, parts, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def handmade_parts(date1904=False, rows=HANDMADE_ROWS):
    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "xl/workbook.xml": workbook_xml(date1904),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": SHARED,
        "xl/worksheets/sheet1.xml": sheet_xml(rows),
    }


def write_bomb(path):
    """A sheet that inflates a thousandfold: 64 MB of spaces."""
    parts = handmade_parts()
    del parts["xl/worksheets/sheet1.xml"]
    write_zip(path, parts)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=False) as out:
            out.write(b'<worksheet><sheetData>')
            block = b" " * (1 << 20)
            for _ in range(64):
                out.write(block)
            out.write(b'</sheetData></worksheet>')


def write_dated(path, date_time):
    """The handmade workbook with every member stamped with @date_time, as a
    spreadsheet program stamps them with the moment it saved."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in handmade_parts().items():
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def inline(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


NAMED_HEADER = ('<row r="{r}">' + inline("A{r}", "name") + inline("B{r}", "company_name")
                + inline("C{r}", "email_address") + inline("D{r}", "up__r") + "</row>")


def person_cells(r, name, company, email, score):
    return (f'<row r="{r}">' + inline(f"A{r}", name) + inline(f"B{r}", company)
            + inline(f"C{r}", email) + f'<c r="D{r}"><v>{score}</v></c></row>')


def write_amplified(path, refs_per_row, rows, header_first=True, size=1 << 18):
    """One shared string of 256 kB (Excel allows 32,767 characters), of
    letters that do not repeat, in @refs_per_row cells of each of @rows
    rows: a small file whose rows unpack to far more text than a master
    file has."""
    import random

    rand = random.Random(15)
    big = "".join(rand.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(size))
    shared = ('<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.openxml'
              f'formats.org/spreadsheetml/2006/main"><si><t>{big}</t></si></sst>')
    out = NAMED_HEADER.format(r=1) if header_first else ""
    for r in range(2, rows + 2):
        out += f'<row r="{r}">' + f'<c r="A{r}" t="s"><v>0</v></c>' * refs_per_row + "</row>"
    if not header_first:
        out += NAMED_HEADER.format(r=rows + 2)
    parts = handmade_parts(rows=out)
    parts["xl/sharedStrings.xml"] = shared
    write_zip(path, parts)


def write_lying_directory(path, size_mb):
    """Shared strings of @size_mb MB of empty items, which deflate a
    thousandfold; the zip's directory then says they were packed to a
    200th, more than the whole file holds."""
    import struct

    parts = handmade_parts()
    parts["xl/sharedStrings.xml"] = ('<sst xmlns="http://schemas.openxmlformats.org/'
                                     'spreadsheetml/2006/main">'
                                     + "<si/>" * (size_mb * (1 << 20) // 5) + "</sst>")
    write_zip(path, parts)
    data = bytearray(Path(path).read_bytes())
    name = b"xl/sharedStrings.xml"
    p = data.rfind(b"PK\x01\x02")
    while True:
        n = struct.unpack("<H", data[p + 28:p + 30])[0]
        if data[p + 46:p + 46 + n] == name:
            break
        p = data.rfind(b"PK\x01\x02", 0, p)
    size = struct.unpack("<I", data[p + 24:p + 28])[0]
    struct.pack_into("<I", data, p + 20, size // 200)
    Path(path).write_bytes(bytes(data))


def write_wide_header(path):
    """A note in XFD1, the sheet's last column, right of the header."""
    rows = (NAMED_HEADER.format(r=1).replace("</row>", inline("XFD1", "checked by Kim") + "</row>")
            + person_cells(2, "Anna de Vries", "Acme B.V.", "anna@example.com", 4)
            + person_cells(3, "Bob Jansen", "Acme B.V.", "bob@example.com", 3)
            + person_cells(4, "Chloé Martin", "Fjord AS", "chloe@example.net", 2))
    write_zip(path, handmade_parts(rows=rows))


def write_rows_out_of_order(path):
    """Row 5 before row 3, whose address is no address and score 9; a row
    without a number whose cells say it is row 9."""
    rows = (NAMED_HEADER.format(r=1)
            + person_cells(5, "Eva", "Acme", "eva@example.com", 2)
            + person_cells(3, "Cas", "Acme", "cas(at)example.com", 9)
            + person_cells(9, "Dirk", "Acme", "dirk(at)example.com", 1).replace('<row r="9">',
                                                                              "<row>"))
    write_zip(path, handmade_parts(rows=rows))


def write_formulas(path):
    """Formulas as openpyxl saves them, without a calculated value; an
    error value in company_name and in a score; an empty text result."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "MasterData"
    ws.append(["name", "company_name", "email_address", "up__r1", "up__r2", "up__r", "up__c"])
    for i in range(3):
        ws.append([f"Person {i}", "Acme", f"p{i}@example.com", 4, 5,
                   f"=AVERAGE(D{i + 2}:E{i + 2})", 3])
    wb.save(path)
    rows = (NAMED_HEADER.format(r=1).replace("</row>", inline("E1", "up__c") + "</row>")
            + '<row r="2">' + inline("A2", "Anna") + '<c r="B2" t="e"><f>VLOOKUP(A2,X:Y,2,0)</f>'
            '<v>#N/A</v></c>' + inline("C2", "anna@example.com") + '<c r="D2"><v>4</v></c></row>'
            + '<row r="3">' + inline("A3", "Bob") + inline("B3", "Acme")
            + inline("C3", "bob@example.com") + '<c r="D3" t="e"><v>#DIV/0!</v></c>'
            + '<c r="E3" t="str"><f>IF(1,"","x")</f><v></v></c></row>')
    write_zip(str(path).replace(".xlsx", "-errors.xlsx"), handmade_parts(rows=rows))


def from_csv(csv_path, xlsx_path):
    """The rows of a master CSV as a workbook: numbers as numbers, dates as
    dates, as a spreadsheet program reads them."""
    import csv
    from openpyxl.cell import WriteOnlyCell

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("MasterData")
    with open(csv_path, newline="", encoding="utf-8-sig") as f:
        for i, row in enumerate(csv.reader(f)):
            if i == 0:
                ws.append(row)
                continue
            out = []
            for value in row:
                try:
                    out.append(float(value) if "." in value else int(value))
                    continue
                except ValueError:
                    pass
                try:
                    when = datetime.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
                    cell = WriteOnlyCell(ws, value=when)
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                    out.append(cell)
                    continue
                except ValueError:
                    pass
                out.append(value if value != "" else None)
            ws.append(out)
    wb.save(xlsx_path)


def main():
    if sys.argv[1] == "--from-csv":
        from_csv(sys.argv[2], sys.argv[3])
        return
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    write_master(out / "master.xlsx")
    write_two_masters(out / "two-masters.xlsx")
    write_problems(out / "problems.xlsx")
    write_zip(out / "handmade.xlsx", handmade_parts())
    write_zip(out / "handmade-1904.xlsx", handmade_parts(date1904=True))
    write_zip(out / "stored.xlsx", handmade_parts(), zipfile.ZIP_STORED)
    # Line breaks and single quotes in the tags: read as the plain ones are
    odd = HANDMADE_ROWS.replace('<c r="A2" t="s">', '<c\n r="A2"\n\tt="s" >')
    odd = odd.replace('<c r="D2" s="1">', "<c r='D2' s='1'>").replace('<c r="E2">', '<c  r="E2" >')
    write_zip(out / "odd-tags.xlsx", handmade_parts(rows=odd))
    write_zip(out / "not-workbook.zip", {"hello.txt": "Hello\n", "[Content_Types].xml": ""})
    with zipfile.ZipFile(out / "spreadsheet.ods", "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED)
    data = (out / "master.xlsx").read_bytes()
    (out / "corrupt.xlsx").write_bytes(data[: len(data) // 2])
    bad_xml = handmade_parts(rows='<row r="1"><c r="A1" t="s"><v>0</v></c></row><row <<')
    write_zip(out / "bad-xml.xlsx", bad_xml)
    bad_dtd = handmade_parts()
    bad_dtd["xl/worksheets/sheet1.xml"] = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
                                          '<worksheet><sheetData/></worksheet>')
    write_zip(out / "dtd.xlsx", bad_dtd)
    write_bomb(out / "bomb.xlsx")
    write_dated(out / "saved-dec31.xlsx", (2026, 12, 31, 23, 59, 58))
    write_dated(out / "saved-jan31.xlsx", (2027, 1, 31, 9, 0, 0))
    write_dated(out / "saved-feb29.xlsx", (2028, 2, 29, 12, 30, 0))
    write_dated(out / "saved-feb30.xlsx", (2027, 2, 30, 12, 30, 0))
    write_amplified(out / "amp-row.xlsx", 200, 1)
    write_amplified(out / "amp-above-header.xlsx", 200, 1, header_first=False)
    write_amplified(out / "amp-sheet.xlsx", 60, 18)
    write_lying_directory(out / "lying-directory.xlsx", 64)
    write_wide_header(out / "wide-header.xlsx")
    write_rows_out_of_order(out / "rows-out-of-order.xlsx")
    write_formulas(out / "formulas.xlsx")


if __name__ == "__main__":
    main()
