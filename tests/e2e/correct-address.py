#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A respondent's e-mail address corrected in the details window; the next live send goes there."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import wait_node, press  # noqa: E402

OLD = "daan.visser@example.org"
NEW = "d.visser@example.com"


def scenario(s):
    """A respondent's e-mail address corrected in the details window; the next live send goes there"""
    smtp = s.start_smtp()
    harness.plain_mail_settings(s, smtp.port)
    master = harness.import_people(s)
    s.cli("generate")
    s.launch()
    harness.wait_rows(s, 6)

    details = harness.open_details(s, "Daan Visser")
    s.step("details of Daan Visser")
    row = s.wait_for(lambda: details.find("text", "E-mail Address"),
                     what="an 'E-mail Address' field in the details window", dump=details)

    # A wrong address is refused, and says so.
    harness.fill(s, row, "d.visser(at)example.com", "the e-mail address")
    s.key("Return")
    s.soft_wait(lambda: details.find("label", re.compile(r"valid|address", re.I),
                                     pred=lambda n: "d.visser(at)" in n.text() or
                                     re.search(r"not (a )?valid", n.text(), re.I)),
                "word that 'd.visser(at)example.com' is not a valid address", dump=details)
    if harness.db_status(s).get(OLD) is None:
        s.fail("the invalid address not saved: the database no longer has %s" % OLD)

    harness.fill(s, row, NEW, "the e-mail address")
    s.key("Return")
    s.wait_for(lambda: NEW in harness.db_status(s),
               what="the corrected address %s in the database" % NEW)
    s.step("address corrected")
    s.wait_for(lambda: harness.row_node(s, NEW), what="the corrected address in the table")
    history = s.sql("SELECT h.to_status, h.by, h.note FROM history h JOIN respondent r "
                    "ON r.id = h.respondent_id WHERE r.email = ?", NEW)
    s.expect(history, "the correction in Daan's history")
    # A click that lands while the window is still busy is given again, as a
    # person would.
    for attempt in range(3):
        press(s, "Close", within=details)
        try:
            s.wait_for(lambda: harness.details_window(s, "Daan Visser") is None, timeout=8,
                       what="its Close button to close the details window")
            break
        except harness.StepFailed:
            details = harness.details_window(s, "Daan Visser")
            if details is None:
                break
            if attempt == 2:
                raise

    # A new import of the same file keeps the hand correction.
    s.cli("import", master)
    s.wait_for(lambda: NEW in harness.db_status(s) and OLD not in harness.db_status(s),
               what="the correction kept over a new import of the file")

    # The live round: everyone, Daan at his corrected address.
    button = wait_node(s, "push button", "Send", pred=lambda n: n.sensitive)
    harness.click_menu_button_item(s, button, re.compile(r"^Send to _?Everyone"))
    dialog = harness.wait_dialog(s, re.compile(r"^Send the Reports to 6 Respondents\?"))
    press(s, "Send to 6 Respondents", within=dialog)
    s.wait_for(lambda: len(smtp.recipients()) == 6 and
               all(r["status"] == "sent" for r in s.list_respondents()), timeout=30,
               what="six messages sent")
    s.step("sent")
    got = sorted(smtp.recipients())
    want = sorted([p["email"] for p in harness.PEOPLE if p["email"] != OLD] + [NEW])
    if got != want:
        s.fail("one message to each of %s, the mailbox has %s" % (want, got))
    daan = next(m for m in smtp.messages() if m["to"] == [NEW])
    if "Daan Visser" not in smtp.message_text(daan):
        s.fail("Daan's own report and text at %s" % NEW)


harness.run(scenario)
