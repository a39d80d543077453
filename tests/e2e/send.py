#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""E-mail set up by typing into Preferences, tested, a sample sent, a live round cancelled and resumed."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import wait_node, press  # noqa: E402

USER = "mailer@example.com"
PASSWORD = "e2e-Secret-4711"
TESTER = "tester@example.org"


def scenario(s):
    """E-mail set up by typing into Preferences, tested, a sample sent, a live round cancelled and resumed"""
    cert, key = s.make_certificate()
    # Slow enough per message that a round can be cancelled midway.
    smtp = s.start_smtp("--cert", cert, "--key", key, "--require-starttls",
                        "--user", USER, "--password", PASSWORD, "--delay", "1.5")
    harness.import_people(s)
    s.launch()
    harness.wait_rows(s, 6)

    smtp = set_up_mail(s, smtp, cert)

    # Reports first: a message carries its report.
    s.key("ctrl+g")
    s.wait_for(lambda: re.search(r"Reports ready 6\b", harness.stats_text(s)), timeout=30,
               what="'Reports ready 6' in the count line")

    # One sample: Bram's message, to the test address only.
    harness.click_row(s, "Bram Jansen")
    harness.wait_selected(s, ["Bram Jansen"])
    if not send_menu(s, re.compile(r"^Send a _?Test Message"), required=False):
        # Without it, no sample of one person can be sent: go on to the round.
        return live_round(s, smtp)
    dialog = harness.wait_dialog(s, re.compile(r"^Send 1 Test Message\?"))
    s.step("test message confirmation")
    s.expect(dialog.find("label", re.compile(r"No limit")) is not None and
             dialog.find("label", re.compile(r"At most 0\b")) is None,
             "the confirmation to say there is no limit a minute (the rate is 0)", dump=dialog)
    if dialog.find(None, "Password of the mail server"):
        s.fail("no password asked: it is in the keyring", dump=dialog)
    press(s, re.compile(r"^_?Send (1 )?Test Messages?\b"), within=dialog)
    s.wait_for(lambda: len(smtp.messages()) == 1, timeout=20,
               what="one message in the SMTP server's mailbox")
    s.step("test message sent")
    sample = smtp.messages()[0]
    if sample["to"] != [TESTER]:
        s.fail("the sample to %s only, it went to %s" % (TESTER, sample["to"]))
    text = smtp.message_text(sample)
    if "Bram Jansen" not in text or "Anna de Vries" in text:
        s.fail("the sample to be Bram's message:\n" + text[:600])
    auth = [e for e in smtp.events() if e["event"] == "auth"]
    if not auth or not auth[-1]["success"]:
        s.fail("a sign-in with the keyring's password, the server saw %s" % auth)
    s.wait_for(lambda: all(r["status"] == "pending" for r in s.list_respondents()),
               what="every status still pending after a test message")
    s.expect(wait_label(s, re.compile(r"^Test messages? sent")),
             "a toast saying the test message was sent")
    harness.dismiss_toast(s, re.compile(r"^Test messages? sent"))
    live_round(s, smtp)


def live_round(s, smtp):
    # Toasts still up (the reports' result) are closed, as a person would.
    harness.dismiss_toast(s, re.compile(r"^Reports: "))
    # A live round to everyone, cancelled after the second message.
    send_menu(s, re.compile(r"^Send to _?Everyone|^Send to _?Respondents"))
    dialog = harness.wait_dialog(s, re.compile(r"^Send the Reports to 6 Respondents\?"))
    s.step("live confirmation")
    press(s, "Send to 6 Respondents", within=dialog)
    # The progress bar's Cancel, found before it is needed: a click right
    # after the second message lands while the round is still going.
    cancel = wait_node(s, "push button", "Cancel", what="the Cancel button of the round",
                       pred=lambda n: n.sensitive)
    s.wait_for(lambda: len(live(smtp)) >= 2, timeout=20,
               what="two live messages in the mailbox")
    s.click(cancel)
    stopped = wait_label(s, re.compile(r"^Sending stopped"), timeout=15)
    s.step("cancelled")
    s.wait_for(lambda: settled(s, smtp), timeout=15,
               what="the round to end: nothing 'sending', as many sent as arrived")
    text = stopped.text() if stopped else ""
    s.expect(re.search(r"\d", text) and "nothing was sent" not in text,
             "a toast 'Sending stopped …' with the counts of the %d sent, it says %r"
             % (len(live(smtp)), text or "nothing"))
    rows = s.list_respondents()
    statuses = sorted(r["status"] for r in rows)
    n_sent = statuses.count("sent")
    s.expect(set(statuses) <= {"sent", "pending"},
             "only sent and pending after Cancel (nothing unknown or sending): %s" % statuses)
    s.expect(0 < n_sent < 6, "the round stopped midway: %d of 6 sent" % n_sent)
    s.expect(n_sent == len(live(smtp)),
             "as many marked sent (%d) as messages arrived (%d)" % (n_sent, len(live(smtp))))

    # Resume: the rest, and only the rest.
    remaining = 6 - n_sent
    send_menu(s, re.compile(r"^Send to _?Everyone|^Send to _?Respondents"))
    dialog = harness.wait_dialog(
        s, re.compile(r"^Send the Reports? to %d Respondents?\?" % remaining))
    s.step("resume confirmation")
    press(s, re.compile(r"^_?Send to %d Respondents?" % remaining), within=dialog)
    s.wait_for(lambda: all(r["status"] == "sent" for r in s.list_respondents()), timeout=30,
               what="everyone sent")
    s.step("everyone sent")
    got = sorted(live(smtp))
    want = sorted(p["email"] for p in harness.PEOPLE)
    if got != want:
        s.fail("exactly one message to each of %s; the mailbox has %s" % (want, got))
    for r in s.list_respondents():
        s.expect(r["mode"] == "live", "%s sent live, not %r" % (r["email"], r["mode"]))
    wait_node(s, "label", re.compile(r"Sent 6\b"), what="'Sent 6' in the count line")


def wait_label(s, text, timeout=10):
    """A label of any window of the app, or None after @timeout."""
    try:
        return s.wait_for(lambda: next((n for w in s.windows() for n in w.find_all("label", text)),
                                       None), timeout=timeout, screenshot=False,
                          what="a label %r" % getattr(text, "pattern", text))
    except harness.StepFailed:
        return None


def settled(s, smtp):
    rows = s.list_respondents()
    return not any(r["status"] == "sending" for r in rows) and \
        sum(r["status"] == "sent" for r in rows) == len(live(smtp))


def live(smtp):
    return [to for to in smtp.recipients() if to != TESTER]


def send_menu(s, item, required=True):
    button = wait_node(s, "push button", "Send", what="the Send button",
                       pred=lambda n: n.sensitive)
    if required:
        harness.click_menu_button_item(s, button, item)
        return True
    items = harness.open_menu(s, button)
    if not s.expect(any(harness.name_matches(n.name, item) for n in items),
                    "a menu item %r in the Send menu, it has %s" % (item.pattern, items)):
        s.key("Escape")
        return False
    harness.pick_menu_item(s, item, opener_keys=())
    return True


def set_up_mail(s, smtp, cert):
    s.key("ctrl+comma")
    prefs = s.wait_for(lambda: s.window("Preferences"), what="the Preferences window")
    # Room for every row, as a person would make it.
    s.xdotool("getactivewindow", "windowsize", "700", "1000", "windowmove", "20", "10")
    press(s, "E-mail", within=prefs, role="page tab")
    server = wait_node(s, "text", re.compile(r"^Server"), within=prefs)
    # One look at the page for every field (each look walks the whole tree).
    fields = {}
    for node in prefs.find_all(pred=lambda n: n.role in ("text", "combo box", "spin button",
                                                         "list item")):
        fields.setdefault(node.name, node)
    def field(title):
        for name, node in fields.items():
            if name == title or name.startswith(title + " "):
                return node
        s.fail("a field %r in Preferences → E-mail" % title, dump=prefs)

    ca_row = fields.get("CA File")
    security_choice = "STARTTLS required"
    if not s.expect(ca_row is not None, "a 'CA File' row in Preferences → E-mail", dump=prefs):
        # Without a CA file a server with its own certificate is a dead end;
        # the rest is still shown, with a plain server on this computer.
        smtp.stop()
        smtp = s.start_smtp("--user", USER, "--password", PASSWORD, "--delay", "1.5")
        security_choice = "None (this computer only)"
    port = smtp.port
    harness.fill(s, server, "smtp://127.0.0.1:%d" % port, "the server")

    # Security: STARTTLS, chosen from its list.
    security = field("Security")
    s.click(security)
    harness.choose_in_popover(s, security_choice)
    s.wait_for(lambda: security.find("label", security_choice),
               what="%s chosen" % security_choice, dump=security)

    harness.fill(s, field("User Name"), USER, "the user name")
    password = field("Password")
    harness.fill(s, password, PASSWORD, "the password", verify=False)
    s.key("Return")  # applies: into the keyring
    s.expect(wait_label(s, re.compile(r"Password (kept|stored) in the keyring")),
             "word that the password is in the keyring")
    # The toast would cover the rows at the bottom: closed, as a person does.
    harness.dismiss_toast(s, re.compile(r"Password (kept|stored) in the keyring"))
    items = harness.keyring_items(s)
    s.expect(len(items) >= 1, "the password as an item of the login keyring, found %s" % items)
    if PASSWORD in open(os.path.join(s.env["XDG_CONFIG_HOME"], "glib-2.0", "settings",
                                     "keyfile")).read():
        s.fail("the password not in the settings file")

    if ca_row is not None:
        press(s, "Choose…", within=ca_row)
        harness.choose_file(s, "CA File", cert)
        s.wait_for(lambda: ca_row.find("label",
                                       pred=lambda n: os.path.basename(cert) in n.text()),
                   what="the CA file's name in its row", dump=ca_row)

    # Below the mail server's rows the sender's may be under the window's
    # edge: scrolled to, as a person does.
    harness.scroll_down(s, field("From Address"))
    harness.fill(s, field("From Address"), "survey@example.com", "the From address")
    harness.fill(s, field("Test Address"), TESTER, "the test address")
    rate = next(n for n in fields.values() if n.role == "spin button")
    harness.scroll_down(s, field("Test Address"))
    harness.fill(s, rate, "0", "messages per minute")
    s.key("Tab")
    s.step("preferences filled in")

    press(s, "Test", within=prefs)
    s.expect(wait_label(s, re.compile(r"^Connected to 127\.0\.0\.1"), timeout=20),
             "the Test result 'Connected to 127.0.0.1 …'")
    s.step("connection tested")
    s.key("Escape")
    s.wait_for(lambda: s.window("Preferences") is None, what="Escape to close Preferences")

    for k, want in (("smtp-url", "'smtp://127.0.0.1:%d'" % port), ("smtp-user", "'%s'" % USER),
                    ("from-address", "'survey@example.com'"), ("test-address", "'%s'" % TESTER),
                    ("rate-limit", "uint32 0")):
        got = s.settings_get(k)
        s.expect(got == want, "the setting %s = %s, it is %s" % (k, want, got))
    return smtp


harness.run(scenario)
