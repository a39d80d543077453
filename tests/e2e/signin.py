#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Signed in to Microsoft 365 through Preferences in the browser, tested, a test round sent through Graph, then one over SMTP with XOAUTH2 and a copy kept."""

import glob
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import wait_node, press  # noqa: E402

CLIENT_ID = "00000000-1111-2222-3333-444444444444"
ACCOUNT = "signin@example.com"
ACCESS_TOKEN = "at-e2e-6d1f-never-shown"
TESTER = "tester@example.org"
TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start_server(s, script, directory, *args):
    """tests/idp-server.py or graph-server.py on a free port: its address."""
    os.makedirs(directory)
    proc = subprocess.Popen(["/usr/bin/python3", os.path.join(TESTS, script), directory] +
                            list(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=open(os.path.join(s.logdir, script + ".log"), "a"),
                            text=True)
    s.procs.append(proc)
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        s.fail("%s to start, it said %r" % (script, line))
    return "https://127.0.0.1:%d" % int(line.split()[1])


def scenario(s):
    """Signed in to Microsoft 365 through Preferences in the browser, tested, a test round sent through Graph, then one over SMTP with XOAUTH2 and a copy kept"""
    cert, key = s.make_certificate()
    idp_dir = os.path.join(s.tmp, "idp")
    graph_dir = os.path.join(s.tmp, "graph")
    idp = start_server(s, "idp-server.py", idp_dir, "--cert", cert, "--key", key,
                       "--client-id=" + CLIENT_ID, "--email=" + ACCOUNT,
                       "--access-token=" + ACCESS_TOKEN)
    graph = start_server(s, "graph-server.py", graph_dir, "--cert", cert, "--key", key,
                         "--token=" + ACCESS_TOKEN, "--mail=" + ACCOUNT)
    # The stand-in browser: consents at once and follows the redirect back
    # to the app's loopback address.
    browser = os.path.join(s.tmp, "browser.sh")
    with open(browser, "w") as f:
        f.write("#!/bin/sh\necho \"$1\" >> '%s/browser.log'\n"
                "exec curl --silent --show-error --location --max-redirs 2 --cacert '%s' "
                "-o '%s/page.html' \"$1\"\n" % (s.tmp, cert, s.tmp))
    os.chmod(browser, 0o755)
    s.env["BROWSER"] = browser
    # The provider's addresses replaced, as for a private deployment.
    for k, v in (("oauth-authority", idp), ("graph-url", graph), ("smtp-ca-file", cert),
                 ("test-address", TESTER), ("rate-limit", "0")):
        harness.settings_set(s, k, v)

    harness.import_people(s)
    s.launch()
    harness.wait_rows(s, 6)

    s.key("ctrl+comma")
    prefs = s.wait_for(lambda: s.window("Preferences"), what="the Preferences window")
    s.xdotool("getactivewindow", "windowsize", "700", "1000", "windowmove", "20", "10")
    press(s, "E-mail", within=prefs, role="page tab")
    sign_in = wait_node(s, "combo box", re.compile(r"^Sign-in"), within=prefs)
    s.click(sign_in)
    harness.choose_in_popover(s, "Microsoft 365")
    s.wait_for(lambda: s.settings_get("auth-kind") == "'microsoft'",
               what="the setting auth-kind = 'microsoft'")
    client_id = wait_node(s, "text", re.compile(r"^Client ID"), within=prefs)
    harness.fill(s, client_id, CLIENT_ID, "the client ID")
    s.key("Tab")
    s.step("Microsoft 365 chosen")

    press(s, re.compile(r"^_?Sign _?In\b"), within=prefs)
    s.expect(wait_label(s, "Signed in as " + ACCOUNT, timeout=30),
             "'Signed in as %s' in Preferences" % ACCOUNT)
    s.step("signed in")
    s.expect(s.settings_get("oauth-account") == "'%s'" % ACCOUNT,
             "the setting oauth-account = %s" % ACCOUNT)
    s.expect(len(harness.keyring_items(s)) >= 1, "the refresh token in the login keyring")

    press(s, "Test", within=prefs)
    s.expect(wait_label(s, re.compile(r"^Microsoft Graph answers for " + re.escape(ACCOUNT)),
                        timeout=20), "the Test result 'Microsoft Graph answers for …'")
    s.step("tested")
    s.key("Escape")
    s.wait_for(lambda: s.window("Preferences") is None, what="Escape to close Preferences")

    s.key("ctrl+g")
    s.wait_for(lambda: re.search(r"Reports ready 6\b", harness.stats_text(s)), timeout=30,
               what="'Reports ready 6' in the count line")
    harness.dismiss_toast(s, re.compile(r"^Reports: "))
    harness.click_row(s, "Bram Jansen")
    harness.wait_selected(s, ["Bram Jansen"])
    button = wait_node(s, "push button", "Send", what="the Send button",
                       pred=lambda n: n.sensitive)
    harness.click_menu_button_item(s, button, re.compile(r"^Send a _?Test Message"))
    dialog = harness.wait_dialog(s, re.compile(r"^Send 1 Test Message\?"))
    s.step("test message confirmation")
    s.expect(dialog.find("label", re.compile(r"From: " + re.escape(ACCOUNT))) is not None,
             "From: %s in the confirmation" % ACCOUNT, dump=dialog)
    if dialog.find(None, "Password of the mail server"):
        s.fail("no password asked with the sign-in", dump=dialog)
    press(s, re.compile(r"^_?Send (1 )?Test Messages?\b"), within=dialog)
    s.wait_for(lambda: glob.glob(os.path.join(graph_dir, "*.json")), timeout=30,
               what="one message at Microsoft Graph")
    s.step("test message sent through Graph")
    with open(sorted(glob.glob(os.path.join(graph_dir, "*.json")))[0]) as f:
        message = json.load(f)
    to = [r["emailAddress"]["address"] for r in message["message"]["toRecipients"]]
    s.expect(to == [TESTER], "the message to %s only, it went to %s" % (TESTER, to))
    s.wait_for(lambda: all(r["status"] == "pending" for r in s.list_respondents()),
               what="every status still pending after a test message")
    harness.dismiss_toast(s, re.compile(r"^Test messages sent"))

    # The same account over SMTP with XOAUTH2: a server that takes nothing
    # else, STARTTLS required, and a copy kept in the sender's mailbox.
    smtp = s.start_smtp("--cert", cert, "--key", key, "--require-starttls",
                        "--only-auth", "XOAUTH2", "--user", ACCOUNT,
                        "--xoauth2-token", ACCESS_TOKEN)
    s.key("ctrl+comma")
    prefs = s.wait_for(lambda: s.window("Preferences"), what="the Preferences window")
    s.xdotool("getactivewindow", "windowsize", "700", "1000", "windowmove", "20", "10")
    press(s, "E-mail", within=prefs, role="page tab")
    through = wait_node(s, "combo box", re.compile(r"^Send Through"), within=prefs)
    s.click(through)
    harness.choose_in_popover(s, "SMTP")
    s.wait_for(lambda: s.settings_get("mail-transport") == "'smtp'",
               what="the setting mail-transport = 'smtp'")
    server = wait_node(s, "text", re.compile(r"^Server"), within=prefs)
    harness.fill(s, server, "smtp://localhost:%d" % smtp.port, "the server address")
    s.key("Tab")
    keep = wait_node(s, None, re.compile(r"^_?Keep a Copy"), within=prefs)
    s.click(keep)
    s.wait_for(lambda: s.settings_get("keep-copy") == "true", what="the setting keep-copy = true")
    s.expect(wait_label(s, "Signed in as " + ACCOUNT, timeout=10),
             "still 'Signed in as %s' with SMTP" % ACCOUNT)
    press(s, "Test", within=prefs)
    s.expect(wait_label(s, re.compile(r"The sign-in token was accepted"), timeout=30),
             "the Test result 'The sign-in token was accepted'")
    s.step("SMTP with XOAUTH2 chosen and tested")
    s.expect(not smtp.messages(), "nothing sent by Test")
    s.key("Escape")
    s.wait_for(lambda: s.window("Preferences") is None, what="Escape to close Preferences")

    harness.click_row(s, "Anna de Vries")
    harness.wait_selected(s, ["Anna de Vries"])
    button = wait_node(s, "push button", "Send", what="the Send button",
                       pred=lambda n: n.sensitive)
    harness.click_menu_button_item(s, button, re.compile(r"^Send a _?Test Message"))
    dialog = harness.wait_dialog(s, re.compile(r"^Send 1 Test Message\?"))
    s.expect(dialog.find("label", re.compile(r"From: " + re.escape(ACCOUNT))) is not None,
             "From: %s in the confirmation" % ACCOUNT, dump=dialog)
    if dialog.find(None, "Password of the mail server"):
        s.fail("no password asked with the sign-in", dump=dialog)
    press(s, re.compile(r"^_?Send (1 )?Test Messages?\b"), within=dialog)
    s.wait_for(lambda: smtp.messages(), timeout=30, what="one message at the SMTP server")
    s.step("test message sent over SMTP with XOAUTH2")
    messages = smtp.messages()
    s.expect(len(messages) == 1, "one message over SMTP, there were %d" % len(messages))
    s.expect(sorted(messages[0]["to"]) == sorted([TESTER, ACCOUNT]),
             "the test address and the kept copy as recipients, they were %s" % messages[0]["to"])
    auths = [e for e in smtp.events() if e["event"] == "auth"]
    s.expect(auths and all(e["mechanism"] == "XOAUTH2" and e["success"] for e in auths),
             "signed in with XOAUTH2 only: %s" % auths)
    text = smtp.message_text(messages[0])
    headers = text.split("\r\n\r\n", 1)[0]
    s.expect(re.search(r"^To: .*" + re.escape(TESTER), headers, re.M | re.I) is not None,
             "To: the test address in the message")
    s.expect(re.search(r"^From: .*" + re.escape(ACCOUNT), headers, re.M | re.I) is not None,
             "From: the signed-in account in the message")
    s.expect(re.search(r"^Bcc:", headers, re.M | re.I) is None,
             "no Bcc header: the copy is in the envelope only")
    s.wait_for(lambda: all(r["status"] == "pending" for r in s.list_respondents()),
               what="every status still pending after the test messages")

    for path in glob.glob(os.path.join(s.home, ".config", "glib-2.0", "settings", "*")):
        with open(path) as f:
            if ACCESS_TOKEN in f.read():
                s.fail("no access token in the settings file")


def wait_label(s, text, timeout=10):
    """A label of any window of the app, or None after @timeout."""
    try:
        return s.wait_for(lambda: next((n for w in s.windows() for n in w.find_all("label", text)),
                                       None), timeout=timeout, screenshot=False,
                          what="a label %r" % getattr(text, "pattern", text))
    except harness.StepFailed:
        return None


harness.run(scenario)
