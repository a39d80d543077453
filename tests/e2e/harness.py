# SPDX-License-Identifier: GPL-3.0-or-later
"""Drives the installed ResilienceScan from outside, as a person does.

A scenario is a function that takes a Session. The session installs the build
into a scratch root (as `meson install` does), makes a fresh profile (HOME, XDG
dirs, keyring, database), starts Xvfb, a window manager (openbox), a private
D-Bus session with an unlocked GNOME Keyring and the accessibility bus, and
launches the app with its desktop entry's Exec line. Input is real: xdotool
presses keys, types and clicks on the X server. State is read from the
accessibility tree (AT-SPI), the database, the command line and a local SMTP
server. Every step leaves a screenshot in meson-logs/e2e/<scenario>/.

Runs as TAP: "ok 1 - scenario", "not ok 1 - ..." or "ok 1 # SKIP <reason>"
when a required program is missing.
"""

import csv
import io
import json
import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

REQUIRED_PROGRAMS = ["Xvfb", "openbox", "xdotool", "import", "dbus-run-session",
                     "gnome-keyring-daemon", "gdbus", "openssl", "meson", "sqlite3"]

APP_ID = "org.resiliencescan.ResilienceScan"
HERE = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(HERE)
SMTP_SERVER = os.path.join(TESTS_DIR, "smtp-server.py")

# What the unit tests set for themselves and a person's session does not have.
UNSET = ["GTK_A11Y", "NO_AT_BRIDGE", "G_DEBUG", "GIO_MODULE_DIR", "GSETTINGS_SCHEMA_DIR",
         "GSETTINGS_BACKEND", "G_TEST_SRCDIR", "G_TEST_BUILDDIR", "RESILIENCESCAN",
         "DBUS_SESSION_BUS_ADDRESS", "WAYLAND_DISPLAY", "DISPLAY", "XAUTHORITY",
         "GDK_BACKEND", "GDK_DEBUG", "SESSION_MANAGER", "XDG_SESSION_TYPE"]

DEFAULT_TIMEOUT = 20


class StepFailed(Exception):
    pass


class Skip(Exception):
    pass


_START = time.monotonic()


def log(*args):
    # TAP diagnostics: meson shows them with --print-errorlogs.
    text = " ".join(str(a) for a in args)
    stamp = "%6.1f " % (time.monotonic() - _START)
    for line in text.splitlines() or [""]:
        print("# " + stamp + line, flush=True)
        stamp = "       "


def strip_mnemonic(text):
    return (text or "").replace("_", "")


def name_matches(actual, wanted):
    """GTK 4.8 names a button with a mnemonic "_Import… Import…": the label
    with and without its underline. Both forms match "Import…" and "_Import…"."""
    if isinstance(wanted, re.Pattern):
        return wanted.search(actual or "") is not None
    plain = strip_mnemonic(wanted)
    actual = actual or ""
    if strip_mnemonic(actual) == plain:
        return True
    if actual.endswith(" " + plain) and strip_mnemonic(actual[:-len(plain) - 1]) == plain:
        return True
    return False


# ---------------------------------------------------------------------------
# Accessibility tree

def atspi():
    import gi
    gi.require_version("Atspi", "2.0")
    from gi.repository import Atspi
    return Atspi


class Node:
    """One accessible object, read fresh each time (no cache, no main loop)."""

    def __init__(self, acc):
        self.acc = acc

    @property
    def name(self):
        try:
            return self.acc.get_name() or ""
        except Exception:
            return ""

    @property
    def role(self):
        # An object's role never changes: asked once per Node.
        if getattr(self, "_role", None) is None:
            try:
                self._role = self.acc.get_role_name() or ""
            except Exception:
                return ""
        return self._role

    @property
    def description(self):
        try:
            return self.acc.get_description() or ""
        except Exception:
            return ""

    def children(self):
        try:
            n = self.acc.get_child_count()
        except Exception:
            return []
        out = []
        for i in range(n):
            try:
                child = self.acc.get_child_at_index(i)
            except Exception:
                child = None
            if child is not None:
                out.append(Node(child))
        return out

    def states(self):
        try:
            s = self.acc.get_state_set()
        except Exception:
            return set()
        return {st.value_nick for st in s.get_states()}

    def has_state(self, state):
        return state in self.states()

    @property
    def showing(self):
        """GTK 4.8 sets "visible" but never "showing" on widgets inside a
        window: on screen means visible with a size. (A hidden stack page
        keeps its last size, so a check for what is shown looks for what
        only the shown page has.)"""
        states = self.states()
        if "showing" in states:
            return True
        if "visible" not in states:
            return False
        try:
            if self.acc.get_component_iface() is None:
                return True  # a GtkStackPage: its child tells
            _, _, w, h = self.extents()
        except Exception:
            return False
        return w > 0 and h > 0

    @property
    def sensitive(self):
        """Sensitive itself and inside sensitive parents (GTK 4.8 tells each
        widget's own flag: the button inside an insensitive menu button says
        it is sensitive)."""
        if not self.has_state("sensitive"):
            return False
        acc = self.acc
        for _ in range(40):
            try:
                acc = acc.get_parent()
            except Exception:
                return True
            if acc is None or acc.get_role_name() in ("application", "frame", "dialog"):
                return True
            try:
                if not acc.get_state_set().contains(atspi().StateType.SENSITIVE):
                    return False
            except Exception:
                return True
        return True

    def text(self):
        """The text of a label or entry (its Text interface), else its name."""
        try:
            t = self.acc.get_text_iface()
            if t is not None:
                return t.get_text(0, t.get_character_count()) or ""
        except Exception:
            pass
        return self.name

    def extents(self):
        """(x, y, width, height) relative to the toplevel window."""
        Atspi = atspi()
        comp = self.acc.get_component_iface()
        if comp is None:
            raise StepFailed("%s has no position" % self)
        r = comp.get_extents(Atspi.CoordType.WINDOW)
        return r.x, r.y, r.width, r.height

    def value(self):
        v = self.acc.get_value_iface()
        return v.get_current_value() if v else None

    def do_action(self, name=None):
        a = self.acc.get_action_iface()
        if a is None:
            raise StepFailed("%s has no actions" % self)
        for i in range(a.get_n_actions()):
            if name is None or a.get_action_name(i) == name:
                return a.do_action(i)
        raise StepFailed("%s has no action %r" % (self, name))

    def walk(self, max_depth=60, prune=None):
        """Every object below (and with) this one; not below those for
        which @prune is true."""
        stack = [(self, 0)]
        while stack:
            node, depth = stack.pop()
            yield node, depth
            if depth < max_depth and (prune is None or node is self or not prune(node)):
                stack.extend((c, depth + 1) for c in reversed(node.children()))

    def matches(self, role=None, name=None, showing=True, contains=None, pred=None,
                into_table=False):
        """The objects below this one that match, one by one, in the order of
        the tree. The respondent table's rows are only searched from the
        table itself or with @into_table: each object costs a round trip to
        the app, and the rows are most of them."""
        prune = None if into_table else (lambda n: n.role == "tree table")
        for node, _ in self.walk(prune=prune):
            if node is self:
                continue
            if role is not None and node.role != role:
                continue
            if name is not None and not name_matches(node.name, name):
                continue
            if contains is not None and contains not in node.text():
                continue
            if showing and not node.showing:
                continue
            if pred is not None and not pred(node):
                continue
            yield node

    def find_all(self, role=None, name=None, **kw):
        return list(self.matches(role, name, **kw))

    def find(self, role=None, name=None, **kw):
        """The first match: the walk stops there."""
        return next(self.matches(role, name, **kw), None)

    def dump(self, max_depth=40, max_lines=300, hidden=False):
        """The subtree as text, one object a line; what is not on screen is
        left out (counted) unless @hidden."""
        lines = []
        stack = [(self, 0)]
        skipped = 0
        while stack:
            node, depth = stack.pop()
            states = node.states()
            showing = node.showing
            if "visible" not in states and not hidden and node is not self:
                skipped += 1
                continue
            flags = "".join(["" if showing else " hidden",
                             "" if "sensitive" in states else " insensitive",
                             " focused" if "focused" in states else "",
                             " selected" if "selected" in states else "",
                             " checked" if "checked" in states else ""])
            text = ""
            if node.role in ("label", "text", "entry", "password text", "spin button"):
                t = node.text()
                if t and t != node.name:
                    text = " text=%r" % t[:120]
            lines.append("%s[%s] %r%s%s" % ("  " * depth, node.role, node.name[:120], text, flags))
            if len(lines) >= max_lines:
                lines.append("  ...")
                break
            if depth < max_depth:
                stack.extend((c, depth + 1) for c in reversed(node.children()))
        if skipped:
            lines.append("(%d objects not on screen left out)" % skipped)
        return "\n".join(lines)

    def __repr__(self):
        return "[%s %r]" % (self.role, self.name)


# ---------------------------------------------------------------------------
# The session

def which_missing():
    return [p for p in REQUIRED_PROGRAMS if shutil.which(p) is None]


class Session:
    def __init__(self, name, tmp, logdir):
        self.name = name
        self.tmp = tmp
        self.logdir = logdir
        self.step_no = 0
        self.procs = []
        self.app = None
        self.app_log = os.path.join(logdir, "app.log")
        self.root = os.path.join(tmp, "root")
        self.home = os.path.join(tmp, "home")
        self.prefix = None
        self.env = None
        self.smtp = []
        self.problems = []

    # -- set-up ------------------------------------------------------------

    def install(self):
        build = os.environ.get("MESON_BUILD_ROOT")
        if not build:
            raise StepFailed("MESON_BUILD_ROOT is not set: run through meson test")
        out = subprocess.run(["meson", "install", "-C", build, "--no-rebuild", "--quiet",
                              "--destdir", self.root],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if out.returncode != 0:
            raise StepFailed("meson install failed:\n" + out.stdout[-2000:])
        intro = subprocess.run(["meson", "introspect", build, "--buildoptions"],
                               stdout=subprocess.PIPE, text=True, check=True)
        prefix = next(o["value"] for o in json.loads(intro.stdout) if o["name"] == "prefix")
        self.prefix = os.path.join(self.root, prefix.lstrip("/"))
        schemas = os.path.join(self.prefix, "share", "glib-2.0", "schemas")
        # What gnome.post_install does on a real install (skipped under DESTDIR
        # by some meson versions): the compiled schema next to the source.
        subprocess.run(["glib-compile-schemas", schemas], check=True)
        desktop = os.path.join(self.prefix, "share", "applications", APP_ID + ".desktop")
        if not os.path.exists(desktop):
            raise StepFailed("the desktop entry was not installed: " + desktop)
        self.desktop_file = desktop

    def make_env(self):
        env = {k: v for k, v in os.environ.items() if k not in UNSET}
        share = os.path.join(self.prefix, "share")
        for d in ("home", "home/.config", "home/.local/share", "home/.cache", "run"):
            os.makedirs(os.path.join(self.tmp, d), mode=0o700, exist_ok=True)
        env.update({
            "HOME": self.home,
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_DATA_HOME": os.path.join(self.home, ".local", "share"),
            "XDG_CACHE_HOME": os.path.join(self.home, ".cache"),
            "XDG_RUNTIME_DIR": os.path.join(self.tmp, "run"),
            "XDG_DATA_DIRS": share + ":/usr/local/share:/usr/share",
            "XDG_CURRENT_DESKTOP": "openbox",
            "PATH": os.path.join(self.prefix, "bin") + ":" + os.environ.get("PATH", "/usr/bin:/bin"),
            # Settings in a file of the profile: kept across launches, read by the test.
            "GSETTINGS_BACKEND": "keyfile",
            "GSK_RENDERER": "cairo",
            "LC_ALL": "C.UTF-8",
            "LANG": "C.UTF-8",
            "LANGUAGE": "",
            "GTK_THEME": "",
            "NO_AT_BRIDGE": "0",
        })
        del env["NO_AT_BRIDGE"]
        del env["GTK_THEME"]
        if os.environ.get("RS_E2E_SANITIZED"):
            # Memory errors still end the app; what GTK, fontconfig and the
            # accessibility bridge keep until exit is the unit tests' business.
            env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"),
                                                         "detect_leaks=0"]))
        self.env = env
        # What xdg-user-dirs makes at a desktop's first login.
        for d in ("Documents", "Desktop"):
            os.makedirs(os.path.join(self.home, d), exist_ok=True)
        with open(os.path.join(self.home, ".config", "user-dirs.dirs"), "w") as f:
            f.write('XDG_DESKTOP_DIR="$HOME/Desktop"\nXDG_DOCUMENTS_DIR="$HOME/Documents"\n')

    @property
    def database(self):
        return os.path.join(self.env["XDG_DATA_HOME"], "resiliencescan", "tracker.db")

    def start_x(self):
        r, w = os.pipe()
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x1024x24",
                                 "-nolisten", "tcp", "-noreset"],
                                pass_fds=[w], stdout=subprocess.DEVNULL,
                                stderr=open(os.path.join(self.logdir, "xvfb.log"), "w"))
        os.close(w)
        with os.fdopen(r) as f:
            display = f.readline().strip()
        if not display:
            raise StepFailed("Xvfb did not start")
        self.procs.append(xvfb)
        self.env["DISPLAY"] = ":" + display
        os.environ["DISPLAY"] = self.env["DISPLAY"]

    def start_session_services(self):
        """Inside dbus-run-session: keyring, window manager, accessibility."""
        self.env["DBUS_SESSION_BUS_ADDRESS"] = os.environ["DBUS_SESSION_BUS_ADDRESS"]
        # The login keyring is made on first unlock, with this password.
        keyring = subprocess.run(["gnome-keyring-daemon", "--unlock", "--components=secrets"],
                                 input="e2e-keyring", env=self.env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for line in keyring.stdout.splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                self.env[k] = v
        self.wait_for(lambda: "true" in subprocess.run(
            ["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus", "--object-path",
             "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.NameHasOwner",
             "org.freedesktop.secrets"], env=self.env, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True).stdout, timeout=20,
            what="the keyring on the session bus", screenshot=False)

        wm = subprocess.Popen(["openbox", "--sm-disable"], env=self.env,
                              stdout=subprocess.DEVNULL,
                              stderr=open(os.path.join(self.logdir, "openbox.log"), "w"))
        self.procs.append(wm)
        self.wait_for(lambda: subprocess.run(
            ["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"] if shutil.which("xprop") else
            ["xdotool", "search", "--class", "openbox"], env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).returncode == 0 or
            wm.poll() is not None, timeout=10, what="the window manager", screenshot=False)
        if wm.poll() is not None:
            raise StepFailed("openbox exited at once")
        # The accessibility bus is started by D-Bus activation when first asked.
        os.environ.update({k: self.env[k] for k in ("HOME", "XDG_RUNTIME_DIR")})
        Atspi = atspi()
        Atspi.init()
        # Every read asks the app: a cached name or state could be stale.
        Atspi.get_desktop(0).set_cache_mask(Atspi.Cache.NONE)

    # -- the app -----------------------------------------------------------

    def exec_line(self):
        with open(self.desktop_file) as f:
            in_entry = False
            for line in f:
                line = line.strip()
                if line.startswith("["):
                    in_entry = line == "[Desktop Entry]"
                elif in_entry and line.startswith("Exec="):
                    args = shlex.split(line[len("Exec="):])
                    # Field codes (%f, %U, ...) stand for files; none are given.
                    return [a for a in args if not re.fullmatch(r"%[a-zA-Z]", a)]
        raise StepFailed("no Exec line in " + self.desktop_file)

    def launch(self, wait_window=True):
        argv = self.exec_line()
        log("launching: Exec=%s" % " ".join(argv))
        self.app_log_file = open(self.app_log, "a")
        self.app = subprocess.Popen(argv, env=self.env, cwd=self.home,
                                    stdout=self.app_log_file, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        if wait_window:
            self.main_window = self.wait_for(
                lambda: self.window("ResilienceScan"), timeout=30,
                what="the main window 'ResilienceScan' in the accessibility tree")
            self.wait_for(lambda: self.active_window() is not None, timeout=10,
                          what="an active window")
        return self.app

    def app_node(self):
        Atspi = atspi()
        desktop = Atspi.get_desktop(0)
        for i in range(desktop.get_child_count()):
            acc = desktop.get_child_at_index(i)
            if acc is None:
                continue
            try:
                if self.app is not None and acc.get_process_id() == self.app.pid:
                    acc.set_cache_mask(atspi().Cache.NONE)
                    return Node(acc)
            except Exception:
                continue
        return None

    def assert_running(self):
        if self.app is not None and self.app.poll() is not None:
            raise StepFailed("the app has exited with status %s; its last output:\n%s"
                             % (self.app.returncode, self.tail_app_log()))

    def tail_app_log(self, n=30):
        try:
            with open(self.app_log, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def windows(self):
        app = self.app_node()
        return app.children() if app else []

    def window(self, title=None, role=None):
        for w in self.windows():
            if (title is None or name_matches(w.name, title)) and \
                    (role is None or w.role == role) and w.showing:
                return w
        return None

    def active_window(self):
        for w in self.windows():
            if w.has_state("active"):
                return w
        return None

    def dialog(self, heading=None):
        """A message dialog (AdwMessageDialog) with this heading, or any."""
        for w in self.windows():
            if not w.showing or w.role not in ("dialog", "alert", "frame", "window"):
                continue
            if heading is None:
                if w.role in ("dialog", "alert"):
                    return w
                continue
            if w.find("label", heading if not isinstance(heading, str) else heading) or \
                    w.find(None, heading):
                return w
        return None

    def quit_app(self, timeout=10):
        """Ctrl+Q; returns the app's exit status."""
        if self.app is None:
            return None
        if self.app.poll() is None:
            self.key("ctrl+q")
            try:
                self.app.wait(timeout)
            except subprocess.TimeoutExpired:
                self.fail("the app to end within %d s of Ctrl+Q" % timeout)
        status, self.app = self.app.returncode, None
        return status

    # -- waiting -------------------------------------------------------------

    def wait_for(self, condition, timeout=DEFAULT_TIMEOUT, what="a condition", dump=None,
                 screenshot=True):
        """Polls @condition until it returns something true; fails with what
        was expected, the tree and a screenshot."""
        deadline = time.monotonic() + timeout * float(os.environ.get("RS_E2E_SLOWDOWN", "1"))
        last_error = None
        while True:
            try:
                result = condition()
                if result:
                    return result
            except StepFailed:
                raise
            except Exception as e:  # the tree changes under us
                last_error = e
            if self.app is not None and self.app.poll() is not None:
                self.fail("%s — but the app has exited (status %s); its last output:\n%s"
                          % (what, self.app.returncode, self.tail_app_log()), dump, screenshot)
            if time.monotonic() > deadline:
                extra = "\nlast error: %r" % last_error if last_error else ""
                self.fail("timed out after %ss waiting for %s%s" % (timeout, what, extra),
                          dump, screenshot)
            self.drain()
            time.sleep(0.1)

    def drain(self):
        try:
            from gi.repository import GLib
            ctx = GLib.MainContext.default()
            while ctx.iteration(False):
                pass
        except Exception:
            pass

    def fail(self, message, dump=None, screenshot=True):
        parts = ["expected: " + message]
        if screenshot:
            parts.append("screenshot: " + self.screenshot("FAILED", wait=True))
        try:
            node = dump() if callable(dump) else dump
        except Exception:
            node = None
        try:
            if node is None:
                app = self.app_node()
                parts.append("accessibility tree of the app:\n" +
                             (app.dump() if app else "(the app is not on the accessibility bus)"))
            else:
                parts.append("accessibility tree of %r:\n%s" % (node, node.dump()))
        except Exception as e:
            parts.append("(the tree could not be read: %r)" % e)
        raise StepFailed("\n".join(parts))

    # -- input ---------------------------------------------------------------

    def xdotool(self, *args):
        subprocess.run(["xdotool"] + list(args), env=self.env, check=True)

    def key(self, *keys):
        """Presses keys like "ctrl+o", "Return", "ctrl+shift+f"."""
        self.assert_running()
        for k in keys:
            log("press %s" % k)
            self.xdotool("key", "--clearmodifiers", k)
            time.sleep(0.08)

    def type(self, text):
        self.assert_running()
        log("type %r" % text)
        self.xdotool("type", "--delay", "12", "--clearmodifiers", text)
        time.sleep(0.08)

    def x_window(self, title):
        out = subprocess.run(["xdotool", "search", "--all", "--onlyvisible", "--pid",
                              str(self.app.pid), "--name", "^%s$" % re.escape(title)],
                             env=self.env, stdout=subprocess.PIPE, text=True)
        ids = out.stdout.split()
        if not ids:
            self.fail("an X window titled %r" % title)
        return ids[-1]

    def resize(self, title, width, height):
        """Resizes the window titled @title, as a person drags its corner."""
        self.xdotool("windowsize", self.x_window(title), str(width), str(height))

    def window_origin(self, node):
        """Screen position of the toplevel that holds @node."""
        top = node
        acc = node.acc
        while True:
            try:
                parent = acc.get_parent()
            except Exception:
                parent = None
            if parent is None or parent.get_role_name() == "application":
                break
            acc = parent
        top = Node(acc)
        title = top.name
        out = subprocess.run(["xdotool", "search", "--all", "--onlyvisible", "--pid",
                              str(self.app.pid), "--name", "^%s$" % re.escape(title)],
                             env=self.env, stdout=subprocess.PIPE, text=True)
        ids = out.stdout.split()
        if not ids:
            out = subprocess.run(["xdotool", "getactivewindow"], env=self.env,
                                 stdout=subprocess.PIPE, text=True)
            ids = out.stdout.split()
        geo = subprocess.run(["xdotool", "getwindowgeometry", "--shell", ids[-1]],
                             env=self.env, stdout=subprocess.PIPE, text=True).stdout
        values = dict(line.split("=", 1) for line in geo.split() if "=" in line)
        return int(values["X"]), int(values["Y"])

    def click(self, node, button=1, double=False):
        """Clicks the middle of an accessible object, where it is on screen."""
        self.assert_running()
        # Where it settles: toasts slide in, dialogs and popovers grow.
        x, y, w, h = node.extents()
        for _ in range(15):
            time.sleep(0.12)
            now = node.extents()
            if now == (x, y, w, h):
                break
            x, y, w, h = now
        ox, oy = self.window_origin(node)
        sx, sy = ox + x + w // 2, oy + y + h // 2
        log("click %r at %d,%d" % (node, sx, sy))
        # (No --sync: xdotool waits for ever when the pointer is already there.)
        self.xdotool("mousemove", str(sx), str(sy))
        time.sleep(0.1)
        self.xdotool("click", "--repeat", "2" if double else "1", str(button))
        time.sleep(0.2)

    # -- records for people --------------------------------------------------

    def screenshot(self, label, wait=False):
        """The whole screen into the log dir. The grab is at once; the PNG is
        written while the scenario goes on, unless @wait."""
        self.step_no += 1
        safe = re.sub(r"[^A-Za-z0-9_-]+", "-", label).strip("-")[:60]
        path = os.path.join(self.logdir, "%02d-%s.png" % (self.step_no, safe))
        proc = subprocess.Popen(["import", "-window", "root", "-define",
                                 "png:compression-level=1", path], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.screenshots = [p for p in getattr(self, "screenshots", []) if p.poll() is None]
        self.screenshots.append(proc)
        if wait:
            proc.wait()
        else:
            time.sleep(0.15)  # the grab itself
        return path

    def expect(self, ok, message, dump=None):
        """A failure that does not stop the scenario: later steps still run
        (and may show more), the scenario fails at the end."""
        if ok:
            return True
        shot = self.screenshot("PROBLEM")
        text = "expected: %s\nscreenshot: %s" % (message, shot)
        if dump is not None:
            try:
                text += "\n" + (dump() if callable(dump) else dump).dump()
            except Exception:
                pass
        log(text)
        self.problems.append(message)
        return False

    def soft_wait(self, condition, what, timeout=DEFAULT_TIMEOUT, dump=None):
        """wait_for() whose failure does not stop the scenario (see expect())."""
        try:
            return self.wait_for(condition, timeout=timeout, what=what, dump=dump)
        except StepFailed as e:
            log(str(e))
            self.problems.append(what)
            return None

    def step(self, label):
        """Marks a step done: a line in the log and a screenshot."""
        path = self.screenshot(label)
        log("step: %s (%s)" % (label, os.path.basename(path)))

    # -- results -------------------------------------------------------------

    def cli(self, *args, check=True, input=None):
        argv = ["resiliencescan", "--database=" + self.database] + list(args)
        out = subprocess.run(argv, env=self.env, input=input, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if check and out.returncode != 0:
            raise StepFailed("%s exited with %d: %s" % (" ".join(argv), out.returncode,
                                                        out.stderr.strip()))
        return out

    def list_respondents(self):
        out = self.cli("list", "--format=csv").stdout
        return list(csv.DictReader(io.StringIO(out)))

    def sql(self, query, *params):
        db = sqlite3.connect("file:%s?mode=ro" % self.database, uri=True, timeout=10)
        try:
            return db.execute(query, params).fetchall()
        finally:
            db.close()

    def settings_get(self, key):
        out = subprocess.run(["gsettings", "get", APP_ID, key], env=self.env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return out.stdout.strip()

    def start_smtp(self, *args):
        server = SmtpServer(self, list(args))
        self.smtp.append(server)
        return server

    def make_certificate(self):
        cert = os.path.join(self.tmp, "cert.pem")
        key = os.path.join(self.tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", key, "-out", cert, "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "1"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return cert, key

    # -- tear-down -----------------------------------------------------------

    def close(self):
        for proc in getattr(self, "screenshots", []):
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        for server in self.smtp:
            server.stop()
        if self.app is not None and self.app.poll() is None:
            try:
                os.killpg(self.app.pid, signal.SIGTERM)
                self.app.wait(5)
            except Exception:
                try:
                    os.killpg(self.app.pid, signal.SIGKILL)
                except Exception:
                    pass
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()


class SmtpServer:
    """tests/smtp-server.py on a free port, with its mailbox dir."""

    def __init__(self, session, args):
        self.dir = tempfile.mkdtemp(prefix="mailbox-", dir=session.tmp)
        self.proc = subprocess.Popen(["/usr/bin/python3", SMTP_SERVER, self.dir] + args,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=open(os.path.join(session.logdir, "smtp.log"), "a"),
                                     text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            raise StepFailed("the SMTP server did not start: %r" % line)
        self.port = int(line.split()[1])

    def events(self):
        try:
            with open(os.path.join(self.dir, "log.jsonl")) as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def messages(self):
        return [e for e in self.events() if e["event"] == "message"]

    def recipients(self):
        """Every recipient of every message, with repeats."""
        return [to for m in self.messages() for to in m["to"]]

    def message_text(self, message):
        with open(os.path.join(self.dir, message["file"]), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# ---------------------------------------------------------------------------
# Fixtures

def write_master_csv(path, people, encoding="cp1252"):
    """A raw Excel export: the survey's own headers, ';' separators,
    Windows-1252, CRLF, the 15 dimension scores with comma decimals.

    @people: list of dicts with company, name, email and optionally function,
    version and scores (15 floats)."""
    dims = ["R", "C", "F", "V", "A"]
    score_headers = ["%s - %s" % (p, d) for p in ("Up", "In", "Do") for d in dims]
    header = ["SubmitDate", "ReportSent", "Name:", "Function:", "Company name:", "Country",
              "E-mail address", "Version", "Sector"] + score_headers + ["Overall SCRes"]
    rows = [header]
    for i, p in enumerate(people):
        scores = p.get("scores") or [1.5 + ((i * 7 + k * 3) % 35) / 10 for k in range(15)]
        rows.append(["2025-0%d-1%d 10:1%d:00" % (1 + i % 9, i % 10, i % 10), "False", p["name"],
                     p.get("function", "Supply Chain Manager"), p["company"], "Netherlands",
                     p["email"], p.get("version", "Version 1.0 (eng)"), "Manufacturing"] +
                    [("%.2f" % s).replace(".", ",") for s in scores] +
                    [("%.2f" % (sum(scores) / len(scores))).replace(".", ",")])
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    with open(path, "wb") as f:
        f.write(buf.getvalue().encode(encoding))
    return path


PEOPLE = [
    {"company": "Noord Logistics B.V.", "name": "Anna de Vries", "email": "anna.devries@example.com"},
    {"company": "Noord Logistics B.V.", "name": "Bram Jansen", "email": "bram.jansen@example.com"},
    {"company": "Delta Foods", "name": "Chloé Bakker", "email": "chloe.bakker@example.org",
     "version": "Versie 1.0 (nl)"},
    {"company": "Polder Metaal N.V.", "name": "Daan Visser", "email": "daan.visser@example.org"},
    {"company": "Café Ölmühle", "name": "Eva Smit", "email": "eva.smit@example.com"},
    {"company": "Rijn Chemie", "name": "Femke Mulder", "email": "femke.mulder@example.org"},
]


# ---------------------------------------------------------------------------
# Running a scenario

def run(scenario, name=None):
    """The entry point of a scenario file: prints TAP, exits 0 or 1."""
    name = name or os.path.splitext(os.path.basename(sys.argv[0]))[0]
    inner = os.environ.get("RS_E2E_INNER")
    if inner:
        sys.exit(_inner(scenario, name, inner))
    sys.exit(_outer(name))


def _outer(name):
    print("1..1", flush=True)
    missing = which_missing()
    try:
        atspi()
    except Exception:
        missing.append("python3-gi with gir1.2-atspi-2.0 (python3-pyatspi)")
    if missing:
        print("ok 1 # SKIP not installed: %s (build-aux/install-deps.sh test installs them)"
              % ", ".join(missing), flush=True)
        return 0
    if os.environ.get("RS_E2E_SKIP"):
        print("ok 1 # SKIP %s" % os.environ["RS_E2E_SKIP"], flush=True)
        return 0

    build = os.environ.get("MESON_BUILD_ROOT", os.getcwd())
    logdir = os.path.join(build, "meson-logs", "e2e", name)
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)
    tmp = tempfile.mkdtemp(prefix="rs-e2e-%s-" % name)
    env = dict(os.environ)
    env["RS_E2E_INNER"] = tmp
    env["RS_E2E_LOGDIR"] = logdir
    for k in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        env.pop(k, None)
    env["HOME"] = os.path.join(tmp, "home")
    env["XDG_RUNTIME_DIR"] = os.path.join(tmp, "run")
    os.makedirs(env["HOME"], mode=0o700)
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    for k in ("GTK_A11Y", "NO_AT_BRIDGE", "G_DEBUG", "GIO_MODULE_DIR"):
        env.pop(k, None)
    # The TAP stream gets its own descriptor: what the session's services
    # print (the accessibility registry says hello on its stdout) goes to stderr.
    sys.stdout.flush()
    tap = os.dup(1)
    env["RS_E2E_TAP_FD"] = str(tap)
    proc = subprocess.Popen(["dbus-run-session", "--", "/usr/bin/python3",
                             os.path.abspath(sys.argv[0])] + sys.argv[1:], env=env,
                            stdout=sys.stderr, pass_fds=[tap], start_new_session=True)
    os.close(tap)

    def stop(signum, frame):
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = proc.wait()
    # Whatever the session left behind (activated services) goes with it.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if os.environ.get("RS_E2E_KEEP"):
        log("kept: " + tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return status


def _inner(scenario, name, tmp):
    if os.environ.get("RS_E2E_TAP_FD"):
        sys.stdout = open(int(os.environ.pop("RS_E2E_TAP_FD")), "w", buffering=1)
    logdir = os.environ["RS_E2E_LOGDIR"]
    session = Session(name, tmp, logdir)
    description = (scenario.__doc__ or name).strip().splitlines()[0]
    status = 0
    start = time.monotonic()
    try:
        session.install()
        session.make_env()
        session.start_x()
        session.start_session_services()
        scenario(session)
        session.assert_running()
        if session.problems:
            raise StepFailed("%d problem(s):\n- %s" % (len(session.problems),
                                                     "\n- ".join(session.problems)))
        print("ok 1 - %s (%.1f s)" % (description, time.monotonic() - start), flush=True)
    except Skip as e:
        print("ok 1 # SKIP %s" % e, flush=True)
    except StepFailed as e:
        if session.problems and not str(e).startswith("%d problem" % len(session.problems)):
            log("earlier problems:\n- " + "\n- ".join(session.problems))
        log(str(e))
        log("screenshots and the app's output: " + logdir)
        print("not ok 1 - %s" % description, flush=True)
        status = 1
    except Exception:
        log(traceback.format_exc())
        try:
            log("screenshot: " + session.screenshot("FAILED"))
        except Exception:
            pass
        print("not ok 1 - %s" % description, flush=True)
        status = 1
    finally:
        session.close()
        tail = session.tail_app_log(15)
        if tail.strip() and status:
            log("the app's last output:\n" + tail)
    return status


# ---------------------------------------------------------------------------
# What the app shows, by its visible labels

def _within(session, within):
    if within is None:
        return session.main_window
    return within() if callable(within) else within


def find(session, role=None, name=None, within=None, **kw):
    root = _within(session, within)
    return root.find(role, name, **kw) if root is not None else None


def wait_node(session, role=None, name=None, within=None, timeout=DEFAULT_TIMEOUT, what=None,
              **kw):
    """Waits until a showing accessible of @role named @name is in @within
    (a node, a function returning one, or the main window)."""
    desc = what or "%s %r" % (role or "an object", getattr(name, "pattern", name))
    return session.wait_for(lambda: find(session, role, name, within, **kw), timeout=timeout,
                            what=desc, dump=lambda: _within(session, within))


def wait_gone(session, role=None, name=None, within=None, timeout=DEFAULT_TIMEOUT, what=None):
    desc = what or "%s %r to go away" % (role or "an object", getattr(name, "pattern", name))
    session.wait_for(lambda: find(session, role, name, within) is None, timeout=timeout,
                     what=desc, dump=lambda: _within(session, within))


def table(session):
    return session.main_window.find("tree table", "Respondents")


def _row_cells(row):
    cells = []
    for cell in row.children():
        if cell.role != "table cell":
            continue
        label = cell.find("label", showing=False)
        cells.append(label.text() if label else "")
    return cells


def table_rows(session):
    """The rows of the respondent table on screen, as lists of cell texts."""
    t = table(session)
    if t is None:
        return []
    rows = []
    for node in t.find_all("table row"):
        cells = _row_cells(node)
        if cells:
            rows.append(cells)
    return rows


def row_node(session, text):
    """The table row that has a cell reading @text."""
    t = table(session)
    if t is None:
        return None
    for node in t.find_all("table row"):
        if text in _row_cells(node):
            return node
    return None


def stats_text(session):
    label = session.main_window.find(
        "label", re.compile(r"respondents? from|\d+ of \d+ respondents? shown"))
    return label.text() if label else ""


def label_text(node):
    return node.text() if node is not None else ""


def pick_menu_item(session, label, opener_keys=("F10",), timeout=DEFAULT_TIMEOUT):
    """Opens a menu with the keyboard and activates the item @label (a
    string or a regular expression) by moving the focus to it with the arrow
    keys, as a person does, then Return."""
    session.key(*opener_keys)
    item = session.wait_for(lambda: _menu_item(session, label), timeout=timeout,
                            what="a menu item %r" % getattr(label, "pattern", label))
    if not item.sensitive:
        session.fail("the menu item %r to be active" % getattr(label, "pattern", label),
                     dump=item)
    for _ in range(25):
        if item.has_state("focused") or item.has_state("selected"):
            break
        session.key("Down")
    else:
        session.fail("the focus to reach the menu item %r" % getattr(label, "pattern", label))
    session.key("Return")


def _is_popover(node):
    return node.role in ("menu", "popup menu", "window") or "Popover" in node.name


def popover_nodes(session, role=None, name=None):
    """Showing objects inside open popovers (menus, drop-down lists)."""
    found = []
    for w in session.windows():
        stack = [(w, False)]
        while stack:
            node, inside = stack.pop()
            inside = inside or _is_popover(node)
            if inside and (role is None or node.role == role) and \
                    (name is None or name_matches(node.name, name)) and node.showing:
                found.append(node)
            if node.role != "tree table":  # no popover of ours lives among the rows
                stack.extend((c, inside) for c in reversed(node.children()))
    return found


def _menu_item(session, label):
    for role in ("menu item", "check menu item", "radio menu item", "push button"):
        nodes = popover_nodes(session, role, label)
        if nodes:
            return nodes[0]
    return None


def _in_popover(node):
    acc = node.acc
    for _ in range(30):
        try:
            acc = acc.get_parent()
        except Exception:
            return False
        if acc is None:
            return False
        if acc.get_role_name() in ("menu", "popup menu", "window") or \
                "Popover" in (acc.get_name() or ""):
            return True
    return False


# ---------------------------------------------------------------------------
# Steps several scenarios share

def import_people(session, people=None, name="master.csv"):
    """Set-up through the documented command line: the database a person
    would have after importing @people. Returns the CSV path."""
    path = write_master_csv(os.path.join(session.home, "Documents", name), people or PEOPLE)
    os.makedirs(os.path.dirname(session.database), exist_ok=True)
    session.cli("import", path)
    return path


def wait_rows(session, n, timeout=DEFAULT_TIMEOUT):
    return session.wait_for(lambda: len(table_rows(session)) == n and table_rows(session),
                            timeout=timeout, what="%d rows in the table" % n,
                            dump=lambda: table(session) or session.main_window)


def click_row(session, text, modifier=None):
    """Clicks the cell reading @text (with ctrl or shift held down)."""
    row = session.wait_for(lambda: row_node(session, text), what="a row with %r" % text,
                           dump=lambda: table(session) or session.main_window)
    cell = row.find("label", pred=lambda n: n.text() == text)
    if modifier:
        session.xdotool("keydown", modifier)
    try:
        session.click(cell)
    finally:
        if modifier:
            session.xdotool("keyup", modifier)
    return row


def wait_selected(session, texts):
    """Waits until exactly the rows with these person names are selected."""
    def selected():
        t = table(session)
        names = set()
        for row in t.find_all("table row"):
            if row.has_state("selected"):
                cells = [c.find("label") for c in row.children() if c.role == "table cell"]
                names.update(c.text() for c in cells if c)
        return set(texts) <= names and len([r for r in t.find_all("table row")
                                             if r.has_state("selected")]) == len(texts)
    session.wait_for(selected, what="exactly the rows of %s selected" % ", ".join(texts),
                     dump=lambda: table(session))


def db_status(session):
    """{email: status} read from the database file itself."""
    return {r["email"]: r for r in session.list_respondents()}


def press(session, name, within=None, role="push button", timeout=DEFAULT_TIMEOUT):
    """Clicks the button labelled @name where it is on screen."""
    button = wait_node(session, role, name, within, timeout=timeout,
                       what="a button %r" % getattr(name, "pattern", name),
                       pred=lambda n: n.sensitive)
    session.click(button)
    return button


def wait_dialog(session, heading, timeout=DEFAULT_TIMEOUT):
    """Waits for a window of the app (a message dialog) that shows a label
    matching @heading (a string or regular expression); returns it."""
    def found():
        for w in session.windows():
            if w.showing and w.find("label", heading):
                return w
        return None
    return session.wait_for(found, timeout=timeout,
                            what="a dialog %r" % getattr(heading, "pattern", heading),
                            dump=lambda: session.app_node())


def _scroll_ancestor(node):
    acc = node.acc
    for _ in range(40):
        try:
            acc = acc.get_parent()
        except Exception:
            return None
        if acc is None:
            return None
        if acc.get_role_name() == "scroll pane":
            return Node(acc)
    return None


def has_focus_inside(node):
    return any(n.has_state("focused") for n, _ in node.walk(6))


def focus(session, node, what=None):
    """Gives @node the keyboard focus as a person does: a click where it is
    on screen, or Tab until it has the focus when it is scrolled away."""
    x, y, w, h = node.extents()
    pane = _scroll_ancestor(node)
    visible = True
    if pane is not None:
        px, py, pw, ph = pane.extents()
        visible = px <= x + w // 2 <= px + pw and py + 4 <= y + h // 2 <= py + ph - 4
    if visible and w > 0 and h > 0:
        session.click(node)
    else:
        for _ in range(60):
            if has_focus_inside(node):
                break
            session.key("Tab")
    session.wait_for(lambda: has_focus_inside(node), what="the focus in %s" % (what or node),
                     dump=node)


def fill(session, node, text, what=None, verify=True):
    """Replaces the text of an entry (or entry row) by typing into it: a
    click where it is, Ctrl+A, the text. (GTK 4.8 does not tell the focus of
    an entry row's text, so the typed text itself is the check.)"""
    x, y, w, h = node.extents()
    pane = _scroll_ancestor(node)
    if pane is not None:
        px, py, pw, ph = pane.extents()
        if not (py <= y + h // 2 <= py + ph):
            session.fail("%s on screen to click into it" % (what or node), dump=pane)
    session.click(node)
    session.key("ctrl+a")
    session.type(text)
    if verify:
        session.wait_for(lambda: node.text() == text,
                         what="%r typed into %s (it reads %r)" % (text, what or node,
                                                                 node.text()),
                         dump=node)


def open_menu(session, button):
    """Clicks a menu button until its menu is open (a click that lands while
    the window is still busy starting up can go unanswered, and a person
    clicks again); returns the menu's items."""
    for attempt in range(3):
        session.click(button)
        try:
            return session.wait_for(lambda: popover_nodes(session, "menu item"), timeout=5,
                                    what="the menu of %s" % button, screenshot=False)
        except StepFailed:
            if attempt == 2:
                raise
    return []


def click_menu_button_item(session, button, label):
    """Opens a menu button with a click and activates @label by keyboard."""
    open_menu(session, button)
    pick_menu_item(session, label, opener_keys=())


def keyring_items(session):
    """The object paths of the items in the login keyring (never their secrets)."""
    out = subprocess.run(["gdbus", "introspect", "--session", "--dest", "org.freedesktop.secrets",
                          "--object-path", "/org/freedesktop/secrets/collection/login"],
                         env=session.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True).stdout
    return re.findall(r"^\s*node (\S+) \{", out, re.M)


def choose_file(session, title, path, save=False):
    """In the file chooser titled @title: Ctrl+L (or, to save, Ctrl+A in the
    name), type the path, Enter."""
    chooser = session.wait_for(lambda: session.window(title),
                               what="the file chooser %r" % title)
    session.key("ctrl+a" if save else "ctrl+l")
    session.type(path)
    session.step("%s: path typed" % title)
    session.key("Return")
    session.wait_for(lambda: session.window(title) is None,
                     what="the file chooser %r to close" % title, dump=chooser)


def choose_in_popover(session, target):
    """In an open drop-down list (a popover), moves to the item @target with
    Home and Down, then Return. (Positions inside popovers are not told
    right by GTK 4.8, so no click.)"""
    def labels():
        return sorted(popover_nodes(session, "label"), key=lambda n: n.extents()[1])
    items = session.wait_for(lambda: labels(), what="an open list to choose %r from" % target)
    texts = [n.text() for n in items]
    if target not in texts:
        session.fail("%r among the choices %s" % (target, texts))
    session.key("Home")
    for _ in range(texts.index(target)):
        session.key("Down")
    session.key("Return")


def dismiss_toast(session, text):
    """Closes the toast showing @text with its close button, as a person
    does when a toast that stays would hide the next one."""
    what = "the toast %r to close" % getattr(text, "pattern", text)
    # A toast slides in: a click while it moves can miss, so the button is
    # clicked once it stands still, and again if the toast is still there.
    for attempt in range(3):
        label = find(session, "label", text)
        if label is None:
            return attempt > 0
        acc = label.acc
        for _ in range(4):
            acc = acc.get_parent()
            if acc is None or acc.get_name() == "AdwToastWidget":
                break
        if acc is None:
            return False
        toast = Node(acc)
        buttons = [b for b in toast.find_all("push button") if not name_matches(b.name, "Undo")]
        if not buttons:
            return False
        before = None
        for _ in range(20):
            where = buttons[-1].extents()
            if where == before:
                break
            before = where
            time.sleep(0.15)
        session.click(buttons[-1])
        if attempt == 2:
            wait_gone(session, "label", text, what=what)
            return True
        try:
            session.wait_for(lambda: find(session, "label", text) is None, timeout=5,
                             what=what, dump=lambda: None, screenshot=False)
            return True
        except StepFailed:
            pass
    return True


def settings_set(session, key, value):
    """A setting as Preferences would store it (in the profile's keyfile)."""
    subprocess.run(["gsettings", "set", APP_ID, key, value], env=session.env, check=True)


def plain_mail_settings(session, port, rate=0):
    """Mail set-up for scenarios that are not about it: a server on this
    computer without encryption or sign-in (allowed for loopback only)."""
    for key, value in (("smtp-url", "smtp://127.0.0.1:%d" % port), ("smtp-security", "none"),
                       ("smtp-user", ""), ("from-address", "survey@example.com"),
                       ("from-name", "Resilience Scan"), ("test-address", "tester@example.org"),
                       ("rate-limit", str(rate))):
        settings_set(session, key, value)


def scroll_down(session, node, clicks=10):
    """Turns the mouse wheel over @node."""
    x, y, w, h = node.extents()
    ox, oy = session.window_origin(node)
    session.xdotool("mousemove", str(ox + x + w // 2), str(oy + y + h // 2))
    session.xdotool("click", "--repeat", str(clicks), "--delay", "30", "5")
    time.sleep(0.3)


def open_details(session, person):
    """Selects @person's row with a click and opens it with Enter."""
    click_row(session, person)
    wait_selected(session, [person])
    session.key("Return")
    return session.wait_for(lambda: details_window(session, person),
                            what="the details window of %s" % person)


def details_window(session, person):
    """The details window of @person, known by its title (by the title
    "Respondent" that windows had before they said whom they show)."""
    for w in session.windows():
        if (person in w.name or w.name == "Respondent") and w.showing:
            return w
    return None
