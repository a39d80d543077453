#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Overview (Alt+2): the round's figures drawn and told as text, following the database live; the dashboard exported as a PDF through the window (Ctrl+Shift+E); Alt+1 back to the table."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

# Ten respondents: 4 at 4.00, 3 at 3.00, 3 at 2.00; average 3.10.
PEOPLE = (
    [{"company": "Noord Logistics", "name": n, "email": "%s@example.com" % n.split()[0].lower(),
      "scores": [4.0] * 15}
     for n in ("Anna de Vries", "Bram Jansen", "Chloé Bakker", "Daan Visser")]
    + [{"company": "Delta Freight", "name": n, "email": "%s@example.org" % n.split()[0].lower(),
        "scores": [3.0] * 15}
       for n in ("Eva Smit", "Femke Mulder", "Gijs de Boer")]
    + [{"company": "Oost Cargo", "name": n, "email": "%s@example.net" % n.split()[0].lower(),
        "scores": [2.0] * 15}
       for n in ("Hanna Kok", "Ivo Peters", "Jet Vos")]
)
LATER = PEOPLE + [{"company": "Zuid Trade", "name": "Kees Bos", "email": "kees@example.com",
                   "scores": [5.0] * 15}]


def key_figures(s):
    """The Key Figures chart, once its numbers are told."""
    window = s.window("ResilienceScan")
    if window is None:
        return None
    return window.find("image", "Key Figures", pred=lambda n: "Respondents:" in n.description)


def scenario(s):
    """The Overview shows the round's figures, follows an import and exports the dashboard PDF"""
    harness.import_people(s, PEOPLE)
    s.launch()
    harness.wait_rows(s, 10)
    s.step("launched: ten respondents")

    s.key("alt+2")
    chart = s.wait_for(lambda: key_figures(s), what="the Key Figures chart with its numbers")
    told = chart.description
    s.expect("Respondents: 10\n" in told, "10 respondents in the key figures: %r" % told)
    s.expect("Average SCRES: 3.10" in told, "an average of 3.10: %r" % told)
    s.expect("High performers (≥ 4.00): 40.0% (4)" in told, "4 high performers: %r" % told)
    s.expect("Attention required (< 2.50): 30.0% (3)" in told, "3 needing attention: %r" % told)
    s.step("the Overview with the round's figures")

    # Another import, made elsewhere: the page follows by itself.
    path = harness.write_master_csv(os.path.join(s.home, "Documents", "later.csv"), LATER)
    s.cli("import", path)
    chart = s.wait_for(lambda: (lambda c: c if c and "Respondents: 11\n" in c.description
                                else None)(key_figures(s)),
                       what="the key figures to count 11 respondents")
    s.expect("Average SCRES: 3.27" in chart.description,
             "an average of 3.27 after the import: %r" % chart.description)
    s.step("the Overview after an import elsewhere")

    pdf = os.path.join(s.home, "Documents", "Round dashboard.pdf")
    s.key("ctrl+shift+e")
    harness.choose_file(s, "Export Dashboard", pdf, save=True)
    s.wait_for(lambda: os.path.exists(pdf), what="the dashboard PDF to be written")
    s.wait_for(lambda: harness.find(s, "label", "Dashboard saved as “Round dashboard.pdf”"),
               what="the toast saying the dashboard was saved")
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True,
                          check=True).stdout
    s.expect("3.27" in text, "the average 3.27 in the PDF")
    s.expect("Zuid Trade" in text or "Noord Logistics" in text, "company names in the PDF")
    s.step("dashboard exported")

    s.key("alt+1")
    s.wait_for(lambda: harness.table(s) is not None and harness.table(s).showing,
               what="the table again")
    s.step("back to the table")


if __name__ == "__main__":
    harness.run(scenario)
