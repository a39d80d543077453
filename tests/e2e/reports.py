#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reports made with Ctrl+G; a respondent opened with Enter; report and e-mail previews read."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import wait_node, press  # noqa: E402


def _show_page(s, details, tab, shown, what):
    """Clicks the page tab @tab until @shown: on a busy machine a click can
    land while the window still settles, and a person clicks again."""
    state = {"clicked": 0.0}

    def condition():
        if shown():
            return True
        if time.monotonic() - state["clicked"] > 4:
            press(s, tab, within=details, role="page tab")
            state["clicked"] = time.monotonic()
        return False

    s.wait_for(condition, timeout=30, what=what, dump=details)


def scenario(s):
    """Reports made with Ctrl+G; a respondent opened with Enter; report and e-mail previews read"""
    harness.import_people(s)
    s.launch()
    rows = harness.wait_rows(s, 6)
    s.step("launched with six respondents")
    # Before any report is made, the Report column does not read as an error.
    s.expect(not any(cell == "Missing" for row in rows for cell in row),
             "no 'Missing' in the Report column before reports are made: %s" % rows)

    s.key("ctrl+g")
    s.wait_for(lambda: re.search(r"Reports ready 6\b", harness.stats_text(s)), timeout=30,
               what="'Reports ready 6' in the count line")
    s.step("reports made")
    reports = {r["email"]: r["report"] for r in s.list_respondents()}
    folder = os.path.join(s.home, "Documents", "ResilienceScan", "Reports")
    for email, path in reports.items():
        if not path or not os.path.isfile(path):
            s.fail("a report file for %s, the database says %r" % (email, path))
        if not os.path.realpath(path).startswith(os.path.realpath(folder) + os.sep):
            s.fail("the report of %s in the default folder %s, not %s" % (email, folder, path))
        with open(path, "rb") as f:
            if not f.read(5) == b"%PDF-":
                s.fail("a PDF file at " + path)

    # Open Anna with the keyboard: select her row, then Enter.
    harness.click_row(s, "Anna de Vries")
    harness.wait_selected(s, ["Anna de Vries"])
    s.key("Return")
    details = s.wait_for(lambda: _details_window(s), what="the details window of Anna de Vries")
    s.step("details opened with Enter")
    # The window says whom it shows.
    if not _names_person(details, "Anna de Vries"):
        s.fail("the details window to say it shows Anna de Vries (title or header)",
               dump=details)

    # The report preview: a drawn page, not "No Report Possible".
    _show_page(s, details, "Report", lambda: _report_preview(details), "the report preview drawn")
    if details.find("label", "No Report Possible"):
        s.fail("a report preview, not 'No Report Possible'", dump=details)
    s.step("report preview")

    # The e-mail preview: to her, with her report, in her language.
    _show_page(s, details, "E-mail", lambda: details.find("list", "What They Will Receive"),
               "the e-mail preview")
    group = wait_node(s, "list", "What They Will Receive", within=details)
    s.step("e-mail preview")
    to = _row_value(s, group, "To")
    if "anna.devries@example.com" not in to:
        s.fail("the message to anna.devries@example.com, the preview says To: %r" % to,
               dump=details)
    attachment = _row_value(s, group, "Attachment")
    # The file's name carries the database's tag; the recipient sees it without.
    shown = re.sub(r" \[[0-9a-f]{6}\]\.pdf$", ".pdf",
                   os.path.basename(reports["anna.devries@example.com"]))
    if shown not in attachment or "[" in attachment:
        s.fail("her report %r as the attachment, the preview says %r" % (shown, attachment),
               dump=details)
    body = _body(details)
    if "Dear Anna de Vries" not in body:
        s.fail("'Dear Anna de Vries' in the message text, got %r" % body[:300], dump=details)
    if "B.V.." in body:
        s.fail("no doubled full stop after 'Noord Logistics B.V.' in %r" % body[:300])
    # {date} for a reader, not the raw timestamp of the master file.
    if re.search(r"\d{4}-\d{2}-\d{2}", body) or "10 January 2025" not in body:
        s.fail("the answers' date as '10 January 2025' in %r" % body)
    if not re.search(r"score is \d\.\d\b", body):
        s.fail("the overall score with one decimal, as '3.1', in %r" % body)

    s.key("Escape")
    s.wait_for(lambda: _details_window(s) is None, what="Escape to close the details window")

    # Sending before e-mail is set up says so, and leads to Preferences.
    button = wait_node(s, "push button", "Send", pred=lambda n: n.sensitive)
    harness.click_menu_button_item(s, button, re.compile(r"^Send to _?Everyone|^Send to "
                                                         r"_?Respondents"))
    dialog = harness.wait_dialog(s, "Sending Is Not Set Up")
    s.step("sending not set up")
    press(s, "Open Preferences", within=dialog)
    s.wait_for(lambda: s.window("Preferences"), what="Preferences opened from the dialog")
    s.step("preferences from the dialog")
    s.key("Escape")


def _details_window(s):
    for w in s.windows():
        if w is not None and w.showing and w.name != "ResilienceScan" and \
                (w.name in ("Respondent", "Anna de Vries") or "Anna de Vries" in w.name):
            return w
    return None


def _names_person(details, person):
    if person in details.name:
        return True
    for title in details.find_all(None, re.compile(r"AdwWindowTitle|AdwViewSwitcherTitle")):
        if any(person in n.text() for n in title.find_all("label")):
            return True
    return False


def _report_preview(details):
    node = details.find(None, "RsReportPreview")
    return node if node is not None and node.showing else None


def _row_value(s, group, title):
    """The subtitle of the row titled @title in the list @group."""
    for row in group.children():
        if not re.match(r"%s\b" % re.escape(title), row.name):
            continue
        labels = [n.text() for n in row.find_all("label", showing=False)]
        values = [t for t in labels if t and t != title]
        if values:
            return values[0]
    s.fail("a row %r with a value" % title, dump=group)


def _body(details):
    label = details.find("label", re.compile(r"^(Dear|Beste) "), showing=False)
    return label.text() if label else ""


harness.run(scenario)
